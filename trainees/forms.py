"""Forms of the registry pages: the trainee list filters, the roster upload, outcomes, certificates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from programs.forms import DATE
from programs.models import CertificateType, Occupation, SkillLevel
from programs.selectors import training_class_list, unit_list

from . import selectors
from .roster_workbook import MAX_BYTES


class TraineeFilterForm(forms.Form):
    """Filters of the trainee list; every choice offered comes from the user's own scope."""

    q = forms.CharField(
        label="查找", required=False, max_length=40,
        help_text="姓名（可填部分），或完整的18位身份证号码",
    )
    group = forms.ModelChoiceField(label="人员类别", queryset=None, required=False, empty_label="全部")
    unit = forms.ModelChoiceField(label="单位", queryset=None, required=False, empty_label="全部")
    training_class = forms.ModelChoiceField(label="培训班", queryset=None, required=False, empty_label="全部")

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = selectors.target_group_list()
        self.fields["unit"].queryset = unit_list(user=user).order_by("name")
        self.fields["training_class"].queryset = training_class_list(user=user)
        self.fields["training_class"].label_from_instance = lambda c: f"{c.code} {c.name}"

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "search": selectors.trainee_search_parse(data.get("q")),
            "group": data.get("group"),
            "unit": data.get("unit"),
            "training_class": data.get("training_class"),
        }


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="花名册文件（.xlsx）",
        help_text=f"不超过{MAX_BYTES // (1024 * 1024)} MB",
        error_messages={
            "required": "请选择要上传的花名册 .xlsx 文件。",
            "empty": "上传的文件是空的（0字节），请选择填好的花名册 .xlsx 文件。",
        },
    )


class EnrolmentOutcomeForm(forms.Form):
    """结业 / 退学 on the class roster: one row (its own button) or the ticked rows (the bulk buttons).

    The services check the date, the reason, the status and the scope again; the choices here are
    the class's roster as the user may see it, so an id from elsewhere is simply not a choice.
    """

    COMPLETE = "complete"
    DROP = "drop"
    VERBS = {COMPLETE: "结业", DROP: "退学"}
    NOT_ON_ROSTER = "所选学员不在本班花名册中，或不在您的管理范围内，请刷新页面后重试。"

    enrolments = forms.ModelMultipleChoiceField(
        label="勾选的学员", queryset=None, required=False,
        error_messages={"invalid_choice": NOT_ON_ROSTER, "invalid_pk_value": NOT_ON_ROSTER},
    )
    completion_date = forms.DateField(
        label="结业日期", required=False, widget=DATE,
        error_messages={"invalid": "结业日期格式不正确，请按“年-月-日”填写，如2019-03-29。"},
    )
    reason = forms.CharField(label="退学原因", required=False, max_length=200,
                             error_messages={"max_length": "退学原因最多200个字，请精简。"})
    action = forms.ChoiceField(label="操作", required=False, choices=[(COMPLETE, "结业"), (DROP, "退学")])
    complete_one = forms.ModelChoiceField(
        queryset=None, required=False, error_messages={"invalid_choice": NOT_ON_ROSTER}
    )
    drop_one = forms.ModelChoiceField(queryset=None, required=False, error_messages={"invalid_choice": NOT_ON_ROSTER})

    def __init__(self, *args: Any, roster, training_class, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"completion_date": default_completion_date(training_class)})
        super().__init__(*args, **kwargs)
        for name in ("enrolments", "complete_one", "drop_one"):
            self.fields[name].queryset = roster

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if data.get("complete_one"):
            data["chosen_action"], data["targets"] = self.COMPLETE, [data["complete_one"]]
        elif data.get("drop_one"):
            data["chosen_action"], data["targets"] = self.DROP, [data["drop_one"]]
        elif data.get("action"):
            data["chosen_action"], data["targets"] = data["action"], list(data.get("enrolments") or [])
            if not data["targets"]:
                raise forms.ValidationError(f"请先勾选要办理{self.VERBS[data['action']]}的学员。")
        else:
            raise forms.ValidationError("请选择要办理的操作：结业或退学。")
        return data


def default_completion_date(training_class) -> date:
    """The class's end date, or today while the class is still running (a completion is never in the future)."""
    return min(training_class.end_date, timezone.localdate())


class CertificateForm(forms.Form):
    """A certificate of one trainee; linked to a class, type, occupation and level default to its programme."""

    enrolment = forms.ModelChoiceField(
        label="对应培训班", queryset=None, required=False, empty_label="（不是在本系统登记的培训班取得的）",
        error_messages={"invalid_choice": "所选培训班不是该学员在您管理范围内的参训记录，请重新选择。"},
    )
    certificate_type = forms.ModelChoiceField(
        label="证书类型", queryset=CertificateType.objects.all(), required=False, empty_label="（按培训项目）",
    )
    occupation = forms.ModelChoiceField(
        label="职业（工种）", queryset=Occupation.objects.all(), required=False, empty_label="（按培训项目）",
    )
    level = forms.ModelChoiceField(label="等级", queryset=SkillLevel.objects.all(), required=False,
                                   empty_label="（按培训项目）")
    number = forms.CharField(label="证书编号", required=False, max_length=60,
                             error_messages={"max_length": "证书编号最多50位，请核对。"})
    issuing_body = forms.CharField(label="发证机构", required=False, max_length=200,
                                   error_messages={"max_length": "发证机构名称最多200个字。"})
    issued_on = forms.DateField(
        label="发证日期", required=False, widget=DATE,
        error_messages={"invalid": "发证日期格式不正确，请按“年-月-日”填写，如2019-04-10。"},
    )

    def __init__(self, *args: Any, trainee, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enrolments = selectors.enrolment_list(user=user).filter(trainee=trainee).order_by("training_class__start_date")
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: (
            f"{e.training_class.code} {e.training_class.name}（{e.training_class.start_date:%Y-%m-%d}至"
            f"{e.training_class.end_date:%Y-%m-%d}，{e.get_status_display()}）"
        )
        for name in ("certificate_type", "occupation", "level"):
            self.fields[name].help_text = "选择了对应培训班时可不选，按该班培训项目登记。"

    @staticmethod
    def initial_for(enrolment) -> dict[str, Any]:
        """What the form starts with when opened from a roster row: the class's programme."""
        if enrolment is None:
            return {}
        programme = enrolment.training_class.programme
        return {
            "enrolment": enrolment.pk,
            "certificate_type": programme.certificate_type_id,
            "occupation": programme.occupation_id,
            "level": programme.level_id,
        }
