from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .forms import CertificateTypeForm, InstitutionForm, OccupationForm, ProgrammeForm, SkillLevelForm, TrainingTypeForm
from .models import (
    ActionPlan, Assignment, CertificateType, Cooperation, Institution, Occupation, OutcomeIndicator, PlanYear,
    Programme, Quota, SkillLevel, TrainingClass, TrainingClassTransition, TrainingType, Unit,
)
from .services import CATALOG_FIELDS, catalog_entry_create, catalog_entry_update


class PlanYearInline(admin.TabularInline):
    model = PlanYear
    extra = 0


class OutcomeIndicatorInline(admin.TabularInline):
    model = OutcomeIndicator
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "document_number", "start_year", "end_year"]
    inlines = [PlanYearInline, OutcomeIndicatorInline]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name"]


class CooperationInline(admin.TabularInline):
    model = Cooperation
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["order", "unit", "plan"]
    list_filter = ["plan"]
    inlines = [CooperationInline]
    autocomplete_fields = ["unit"]


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "year", "target", "plan"]
    list_filter = ["plan", "year"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(PlanYear)
class PlanYearAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "year", "target"]
    list_filter = ["plan"]


class CatalogAdmin(SimpleHistoryAdmin):
    """Catalog entries saved in admin go through the same services as the pages (permission, audit)."""

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in CATALOG_FIELDS[type(obj)] if name in form.cleaned_data}
        if change:
            saved = catalog_entry_update(entry=obj, values=values, actor=request.user)
        else:
            saved = catalog_entry_create(model=type(obj), values=values, actor=request.user)
        obj.pk = saved.pk


@admin.register(Occupation)
class OccupationAdmin(CatalogAdmin):
    form = OccupationForm
    list_display = ["name", "code", "is_featured", "is_active"]
    list_filter = ["is_featured", "is_active"]
    search_fields = ["name", "code"]


@admin.register(SkillLevel)
class SkillLevelAdmin(CatalogAdmin):
    form = SkillLevelForm
    list_display = ["rank", "name", "code"]
    search_fields = ["name", "code"]


@admin.register(TrainingType)
class TrainingTypeAdmin(CatalogAdmin):
    form = TrainingTypeForm
    list_display = ["position", "name", "code"]
    search_fields = ["name", "code"]


@admin.register(CertificateType)
class CertificateTypeAdmin(CatalogAdmin):
    form = CertificateTypeForm
    list_display = ["position", "name", "code"]
    search_fields = ["name", "code"]


@admin.register(Institution)
class InstitutionAdmin(CatalogAdmin):
    form = InstitutionForm
    list_display = ["name", "credit_code", "kind", "ownership", "catalog_status", "joined_alliance"]
    list_filter = ["catalog_status", "kind", "ownership", "joined_alliance"]
    search_fields = ["name", "credit_code"]


@admin.register(Programme)
class ProgrammeAdmin(CatalogAdmin):
    form = ProgrammeForm
    list_display = ["occupation", "level", "training_type", "hours", "certificate_type", "unit", "valid_from_year", "valid_to_year", "is_active"]
    list_filter = ["unit", "level", "training_type", "is_active"]
    search_fields = ["occupation__name"]
    autocomplete_fields = ["occupation", "unit"]


class TrainingClassTransitionInline(admin.TabularInline):
    model = TrainingClassTransition
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_status", "to_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrainingClass)
class TrainingClassAdmin(SimpleHistoryAdmin):
    """Read-only here: classes are opened, changed and moved through their states on the pages and the API."""

    list_display = ["code", "name", "unit", "institution", "start_date", "end_date", "capacity", "status"]
    list_filter = ["status", "unit", "is_project_based"]
    search_fields = ["code", "name", "institution__name"]
    date_hierarchy = "start_date"
    inlines = [TrainingClassTransitionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrainingClassTransition)
class TrainingClassTransitionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "training_class", "from_status", "to_status", "actor", "reason"]
    list_filter = ["to_status"]
    search_fields = ["training_class__code", "training_class__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
