"""Forms of the return, review, deadline and indicator pages (validation of shape only; rules live in services)."""

from django import forms

from programs.models import ActionPlan, TrainingType, Unit

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
