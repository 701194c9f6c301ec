"""Forms of the subsidy pages; they parse input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from programs.selectors import unit_list

from . import selectors
from .models import ClaimAttachment, FundSource, SubsidyClaim, SubsidyType

# ISO dates, as <input type="date"> needs them whatever the locale's display format.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ClaimCreateForm(forms.Form):
    training_class = forms.ModelChoiceField(
        label="培训班", queryset=None, empty_label="请选择培训班",
        error_messages={"required": "请选择培训班。", "invalid_choice": "请选择本机构或本单位已开班或已结业的培训班。"},
    )
    subsidy_type = forms.ChoiceField(
        label="补贴类型", choices=[("", "请选择补贴类型"), *SubsidyType.choices],
        error_messages={"required": "请选择补贴类型。"},
    )
    employer_kind = forms.ChoiceField(
        label="吸纳就业主体类型（以工代训填写）", required=False,
        choices=[("", "不适用"), *SubsidyClaim.EmployerKind.choices],
    )
    employer_insured = forms.BooleanField(label="用人单位为参保企业（以工代训填写）", required=False)
    payee_name = forms.CharField(label="收款单位", required=False, max_length=200, help_text="留空则为培训机构。")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = classes
        self.fields["training_class"].label_from_instance = (
            lambda c: f"{c.name}（{c.code}，{c.start_date:%Y-%m-%d}至{c.end_date:%Y-%m-%d}，{c.get_status_display()}）"
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写原因。"})


class CommentForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExcludeForm(forms.Form):
    excluded = forms.BooleanField(required=False)
    reason = forms.CharField(label="剔除原因", required=False, max_length=200)


class PaymentForm(forms.Form):
    fund_source = forms.ModelChoiceField(
        label="资金来源", queryset=FundSource.objects.all(), empty_label="请选择资金来源",
        error_messages={"required": "请选择资金来源。", "invalid_choice": "请选择资金来源。"},
    )
    voucher_number = forms.CharField(label="凭证号", max_length=50, error_messages={"required": "请填写支付凭证号。"})
    paid_on = forms.DateField(
        label="支付日期", initial=timezone.localdate, widget=DATE,
        error_messages={"required": "请填写支付日期。", "invalid": "支付日期格式应为 年-月-日。"},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class AllocationForm(forms.Form):
    fund_source = forms.ModelChoiceField(
        label="资金来源", queryset=FundSource.objects.all(), empty_label="请选择资金来源",
        error_messages={"required": "请选择资金来源。", "invalid_choice": "请选择资金来源。"},
    )
    amount = forms.DecimalField(
        label="拨入金额（元）", max_digits=14, decimal_places=2, min_value=0.01,
        error_messages={"required": "请填写拨入金额。", "invalid": "拨入金额应填写数字，如 100000.00。",
                        "min_value": "拨入金额应大于 0 元。", "max_decimal_places": "金额最多保留两位小数。"},
    )
    entry_date = forms.DateField(
        label="记账日期", initial=timezone.localdate, widget=DATE,
        error_messages={"required": "请填写记账日期。", "invalid": "记账日期格式应为 年-月-日。"},
    )
    voucher_number = forms.CharField(label="凭证号", max_length=50, required=False)
    memo = forms.CharField(label="摘要", max_length=200, required=False)


class ReversalForm(forms.Form):
    amount = forms.DecimalField(
        label="冲正/追回金额（元）", max_digits=14, decimal_places=2, min_value=0.01,
        error_messages={"required": "请填写金额。", "invalid": "金额应填写数字。", "min_value": "金额应大于 0 元。"},
    )
    reason = forms.CharField(label="原因", max_length=150, error_messages={"required": "请填写冲正或追回的原因。"})
    entry_date = forms.DateField(
        label="记账日期", initial=timezone.localdate, widget=DATE,
        error_messages={"required": "请填写记账日期。", "invalid": "记账日期格式应为 年-月-日。"},
    )
    voucher_number = forms.CharField(label="凭证号", max_length=50, required=False)


class ObjectionForm(forms.Form):
    objector = forms.CharField(label="异议人", max_length=50, required=False)
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "请填写异议内容。"})
    received_on = forms.DateField(
        label="收到日期", initial=timezone.localdate, widget=DATE,
        error_messages={"required": "请填写收到日期。", "invalid": "收到日期格式应为 年-月-日。"},
    )
    enrolment = forms.TypedChoiceField(label="涉及学员", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [("", "整笔申领")] + [(line.enrolment_id, line.trainee.name) for line in lines]


class DecisionForm(forms.Form):
    decision = forms.CharField(label="核实情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                               error_messages={"required": "请填写核实情况。"})


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=ClaimAttachment.Kind.choices)
    file = forms.FileField(label="文件（PDF、JPG、PNG，不超过10 MB）", error_messages={"required": "请选择要上传的文件。"})


# ---------------------------------------------------------------- export filters
# Forms of the subsidy export kinds (subsidies/exports.py, the contract of reports.exporters):
# built with the requesting user, offering only what that user may see; their cleaned values
# are stored as the export's JSON filters.


def _period_field(label: str, example: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=DATE,
        error_messages={"invalid": f"日期格式应为 年-月-日，如 {example}。"},
    )


class _ExportFilterForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned


class ClaimExportForm(_ExportFilterForm):
    """Claims and payments of a period: claims submitted or paid between the dates, payments dated in them."""

    date_from = _period_field("申领提交或支付日期自", "2019-01-01")
    date_to = _period_field("申领提交或支付日期至", "2019-12-31")
    subsidy_type = forms.ChoiceField(label="补贴类型", required=False, choices=[("", "全部"), *SubsidyType.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *SubsidyClaim.Status.choices])
    unit = forms.ModelChoiceField(
        label="责任单位", queryset=None, required=False, empty_label="全部（本账号可查看的）",
        error_messages={"invalid_choice": "所选单位不存在或不在您的查看范围内，请重新选择。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=self.user).order_by("name")


class LedgerExportForm(_ExportFilterForm):
    """The special ledger of a period, with balances by fund source and payouts by subsidy type."""

    date_from = _period_field("记账日期自", "2019-01-01")
    date_to = _period_field("记账日期至", "2019-12-31")
    fund_source = forms.ModelChoiceField(
        label="资金来源", queryset=FundSource.objects.all(), required=False, empty_label="全部资金来源",
        error_messages={"invalid_choice": "所选资金来源不存在，请重新选择。"},
    )


class NoticeExportForm(_ExportFilterForm):
    """The public notice list (公示名单) of one claim the user may see, always masked."""

    claim = forms.CharField(
        label="申领编号", max_length=30, help_text="如 BT2019000123；只能导出已经公示的申领。",
        error_messages={"required": "请填写申领编号。"},
    )

    def clean_claim(self):
        number = (self.cleaned_data.get("claim") or "").strip().upper()
        digits = number[6:] if number.startswith("BT") and len(number) > 6 else ""
        claim = None
        if digits.isdigit():
            claim = selectors.claim_list(user=self.user).filter(pk=int(digits)).first()
        if claim is None or claim.number != number:
            raise forms.ValidationError(f"没有找到编号为 {number} 的申领，或该申领不在您的查看范围内。")
        if claim.status not in selectors.NOTICED_STATUSES:
            raise forms.ValidationError(
                f"申领 {number} 当前为“{claim.get_status_display()}”，没有公示名单；只能导出公示中或已公示的申领。"
            )
        return claim
