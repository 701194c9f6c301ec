"""Forms of the registry pages: the trainee list filters and the roster upload."""

from __future__ import annotations

from typing import Any

from django import forms

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
