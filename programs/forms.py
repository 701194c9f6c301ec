"""Forms of the catalog and training-class pages; the services validate again on save."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.scoping import sees_all_units

from . import selectors
from .creditcodes import CreditCodeError, parse_credit_code
from .models import (
    CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit,
)
from .services import CATALOG_FIELDS, CLASS_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class OccupationForm(forms.ModelForm):
    class Meta:
        model = Occupation
        fields = list(CATALOG_FIELDS[Occupation])
        help_texts = {"code": "可不填；填写时按国家职业分类大典编码，如 6-18-02-04。"}


class SkillLevelForm(forms.ModelForm):
    class Meta:
        model = SkillLevel
        fields = list(CATALOG_FIELDS[SkillLevel])
        help_texts = {"rank": "从低到高排序，数字越大等级越高。"}


class TrainingTypeForm(forms.ModelForm):
    class Meta:
        model = TrainingType
        fields = list(CATALOG_FIELDS[TrainingType])


class CertificateTypeForm(forms.ModelForm):
    class Meta:
        model = CertificateType
        fields = list(CATALOG_FIELDS[CertificateType])


class InstitutionForm(forms.ModelForm):
    # Longer than 18 so that codes typed with spaces or copied with separators reach the check.
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=40, help_text="18位，见营业执照或登记证书；全角字符和空格会自动规范。"
    )

    class Meta:
        model = Institution
        fields = list(CATALOG_FIELDS[Institution])

    def clean_credit_code(self) -> str:
        try:
            return parse_credit_code(self.cleaned_data.get("credit_code", ""))
        except CreditCodeError as exc:
            raise forms.ValidationError(str(exc), code="credit_code")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = list(CATALOG_FIELDS[Programme])


CATALOG_FORMS: dict[str, type[forms.ModelForm]] = {
    "occupations": OccupationForm,
    "skill-levels": SkillLevelForm,
    "training-types": TrainingTypeForm,
    "certificate-types": CertificateTypeForm,
    "institutions": InstitutionForm,
    "programmes": ProgrammeForm,
}


class CatalogFilterForm(forms.Form):
    """Search text plus one select per filter field of the catalog (choices, yes/no, related rows)."""

    q = forms.CharField(label="搜索", required=False, max_length=100)

    def __init__(self, *args, catalog: selectors.Catalog, **kwargs):
        super().__init__(*args, **kwargs)
        meta = catalog.model._meta
        labels = dict.fromkeys(str(meta.get_field(name.split("__")[0]).verbose_name) for name in catalog.search_fields)
        self.fields["q"].widget.attrs["placeholder"] = "、".join(labels)
        for name in catalog.filter_fields:
            field = meta.get_field(name)
            label = str(field.verbose_name)
            if field.is_relation:
                self.fields[name] = forms.ModelChoiceField(
                    label=label, queryset=field.related_model.objects.all(), required=False, empty_label="全部"
                )
            elif field.choices:
                self.fields[name] = forms.TypedChoiceField(
                    label=label, choices=[("", "全部"), *field.choices], required=False, empty_value=None
                )
            else:
                self.fields[name] = forms.TypedChoiceField(
                    label=label, choices=YES_NO, required=False, coerce=lambda v: v == "1", empty_value=None
                )

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped and its error shown on the form)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, programme: Programme) -> str:
        return f"{programme}（{programme.unit}，{programme.valid_from_year}—{programme.valid_to_year}年）"


class TrainingClassForm(forms.ModelForm):
    """Opening or changing a class; the choices follow the user's role (services enforce the same)."""

    programme = ProgrammeChoiceField(label="培训项目", queryset=Programme.objects.none())

    class Meta:
        model = TrainingClass
        fields = list(CLASS_FIELDS)
        widgets = {"start_date": DATE, "end_date": DATE}
        help_texts = {"code": "全区唯一，如 QJ2019-0001。"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        self.fields["programme"].queryset = selectors.programme_choices(
            user=user, include_pk=current.programme_id if current else None
        )
        if selectors.user_institution(user) is not None:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = selectors.institution_choices(
                include_pk=current.institution_id if current else None
            )


class TrainingClassFilterForm(forms.Form):
    q = forms.CharField(label="班级编号或名称", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *TrainingClass.Status.choices], required=False)
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none(), required=False, empty_label="全部")
    institution = forms.ModelChoiceField(
        label="培训机构", queryset=Institution.objects.all(), required=False, empty_label="全部"
    )
    year = forms.IntegerField(label="开班年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(programmes__isnull=False).distinct()
        if not sees_all_units(user):
            del self.fields["unit"]
        if selectors.user_institution(user) is not None:
            del self.fields["institution"]

    def filters(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        error_messages={"required": "撤销培训班须填写撤销原因。"},
    )
