from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionPlan, Assignment, Cooperation, OutcomeIndicator, PlanYear, Quota, Unit


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
