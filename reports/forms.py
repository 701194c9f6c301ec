"""Forms of the return, review, deadline and indicator pages (validation of shape only; rules live in services)."""

from django import forms

from accounts.models import AuditEntry
from accounts.scoping import sees_all_units
from programs.models import ActionPlan, TrainingType, Unit
from programs.selectors import plan_current, training_class_list, unit_list
from trainees.models import Enrolment

from .models import QUARTERS
from .selectors import top_target_groups
from .services import ReturnData

QUARTER_CHOICES = [(q, f"第{q}季度") for q in QUARTERS]


def _year_choices(plan: ActionPlan) -> list[tuple[int, str]]:
    return [(year, f"{year}年") for year in plan.years]


def _count(label: str, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, initial=0,
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}必须是整数。"},
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "count"}),
    )


class NewReturnForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=QUARTER_CHOICES)

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(plan)


class ReturnForm(forms.Form):
    """Totals plus one field per top-level target group (and 其他人员) and per training type."""

    person_times = _count("培训人次")
    completions = _count("结业人次")
    certificates_issued = _count("取得证书人次")
    explanation = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="申报人次超过实名制结业人次时必须填写，说明差额的来源。",
    )

    def __init__(self, *args, data_initial: ReturnData | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(top_target_groups())
        self.types = list(TrainingType.objects.order_by("position", "name"))
        for group in self.groups:
            self.fields[f"group_{group.pk}"] = _count(group.name, required=False)
        self.fields["group_other"] = _count("其他人员", required=False)
        for training_type in self.types:
            self.fields[f"type_{training_type.pk}"] = _count(training_type.name, required=False)
        if data_initial is not None:
            self.initial.update(
                person_times=data_initial.person_times,
                completions=data_initial.completions,
                certificates_issued=data_initial.certificates_issued,
                explanation=data_initial.explanation,
            )
            for key, value in data_initial.by_target_group.items():
                self.initial[f"group_{key}" if key is not None else "group_other"] = value
            for key, value in data_initial.by_training_type.items():
                self.initial[f"type_{key}"] = value

    def group_fields(self):
        return [self[f"group_{group.pk}"] for group in self.groups] + [self["group_other"]]

    def type_fields(self):
        return [self[f"type_{training_type.pk}"] for training_type in self.types]

    def to_data(self) -> ReturnData:
        cleaned = self.cleaned_data
        groups: dict[int | None, int] = {
            group.pk: cleaned.get(f"group_{group.pk}") or 0 for group in self.groups
        }
        groups[None] = cleaned.get("group_other") or 0
        return ReturnData(
            person_times=cleaned["person_times"],
            completions=cleaned["completions"],
            certificates_issued=cleaned["certificates_issued"],
            explanation=cleaned.get("explanation", ""),
            by_target_group={key: value for key, value in groups.items() if value},
            by_training_type={
                t.pk: cleaned.get(f"type_{t.pk}") or 0 for t in self.types if cleaned.get(f"type_{t.pk}")
            },
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": "请填写理由。"}
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label="佐证材料", error_messages={"required": "请选择要上传的文件。"})


class DeadlineForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=QUARTER_CHOICES)
    due_date = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请按 年-月-日 填写截止日期。"},
    )
    lifted = forms.BooleanField(label="不限截止日期", required=False)

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(plan)


class PlanDeadlinesForm(forms.Form):
    days_after_quarter_end = forms.IntegerField(
        label="季度结束后天数", required=False, min_value=1, max_value=3650,
        error_messages={"min_value": "天数至少为 1。", "max_value": "天数不能超过 3650。", "invalid": "天数必须是整数。"},
    )
    lifted = forms.BooleanField(label="全部不限截止日期（补报往年数据）", required=False)


class ExceptionForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none(), error_messages={"required": "请选择单位。"})
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=QUARTER_CHOICES)
    until = forms.DateField(
        label="延期至", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写延期截止日期。", "invalid": "请按 年-月-日 填写日期。"},
    )
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": "请填写理由。"})

    def __init__(self, *args, plan: ActionPlan, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(plan)
        self.fields["unit"].queryset = units


class IndicatorForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    employed_persons = _count("就业人员总量（人）")
    skilled_workers = _count("技能劳动者（人）")
    high_skilled_workers = _count("高技能人才（人）")
    note = forms.CharField(label="数据来源", required=False, max_length=200)

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(plan)


# Export filters --------------------------------------------------------------------------------
# Each export kind's filters (see reports.exporters). They are built with the requesting user,
# offer only what that user may see, and their cleaned values are stored as JSON with the export.


class _ExportFilterForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class _PlanFilterForm(_ExportFilterForm):
    plan = forms.ModelChoiceField(
        label="行动计划", queryset=ActionPlan.objects.all(), required=False, empty_label="当前行动计划",
        error_messages={"invalid_choice": "所选行动计划不存在，请重新选择。"},
    )

    def clean_plan(self):
        plan = self.cleaned_data.get("plan") or plan_current()
        if plan is None:
            raise forms.ValidationError("系统中还没有行动计划。")
        return plan


class PlanProgressExportForm(_PlanFilterForm):
    """The attachment table with achieved person-times: only the plan is chosen."""


class AnnualReportExportForm(_PlanFilterForm):
    year = forms.TypedChoiceField(
        label="年度", coerce=int, choices=[],
        error_messages={"required": "请选择年度。", "invalid_choice": "所选年度不在行动计划范围内，请重新选择。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted({year for plan in ActionPlan.objects.all() for year in plan.years})
        self.fields["year"].choices = [(year, f"{year}年") for year in years]

    def clean(self):
        cleaned = super().clean()
        plan, year = cleaned.get("plan"), cleaned.get("year")
        if plan is not None and year is not None and year not in plan.years:
            self.add_error("year", f"{year}年不在{plan.name}范围内，请重新选择。")
        return cleaned


class QuarterlyReportExportForm(AnnualReportExportForm):
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, choices=QUARTER_CHOICES,
        error_messages={"required": "请选择季度。", "invalid_choice": "季度只能是第1至第4季度。"},
    )


class RosterExportForm(_ExportFilterForm):
    """A roster of one unit, one class or one period; at least one of them must be chosen."""

    unit = forms.ModelChoiceField(
        label="责任单位", queryset=Unit.objects.none(), required=False, empty_label="全部（本账号可查看的）",
        error_messages={"invalid_choice": "所选单位不存在或不在您的查看范围内，请重新选择。"},
    )
    training_class = forms.CharField(label="培训班编号", required=False, max_length=40)
    date_from = forms.DateField(label="培训期间自", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "日期格式应为 年-月-日，如 2019-01-01。"})
    date_to = forms.DateField(label="培训期间至", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "日期格式应为 年-月-日，如 2019-12-31。"})
    status = forms.ChoiceField(label="参训状态", required=False, choices=[])
    unmasked = forms.BooleanField(
        label="导出完整身份证号码和手机号码", required=False,
        help_text="仅限有权查看完整个人信息的账号；导出会记入审计日志。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=self.user).order_by("name")
        self.fields["status"].choices = [("", "全部")] + list(Enrolment.Status.choices)
        if not sees_all_units(self.user):
            self.fields["unit"].empty_label = "本账号可查看的全部"

    def clean_training_class(self):
        code = (self.cleaned_data.get("training_class") or "").strip()
        if not code:
            return None
        training_class = training_class_list(user=self.user).filter(code=code).first()
        if training_class is None:
            raise forms.ValidationError(f"没有找到编号为 {code} 的培训班，或该班不在您的查看范围内。")
        return training_class

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "培训期间的结束日期不能早于开始日期。")
        return cleaned


class AuditLogFilterForm(_ExportFilterForm):
    """Filters of the audit log viewer and of its export."""

    username = forms.CharField(label="操作人账号", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False, choices=[])
    result = forms.ChoiceField(label="结果", required=False, choices=[])
    object_type = forms.CharField(label="对象类型", required=False, max_length=100, help_text="如 reports.quarterlyreturn")
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    date_from = forms.DateField(label="日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "日期格式应为 年-月-日，如 2019-01-01。"})
    date_to = forms.DateField(label="日期至", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "日期格式应为 年-月-日，如 2019-12-31。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + list(AuditEntry.Action.choices)
        self.fields["result"].choices = [("", "全部")] + list(AuditEntry.Result.choices)

    def clean(self):
        cleaned = super().clean()
        for name in ("username", "object_type", "object_id"):
            if name in cleaned:
                cleaned[name] = (cleaned[name] or "").strip()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned
