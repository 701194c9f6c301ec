"""Read-only admin views: every change goes through the pages so it is checked, audited and notified."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DeadlineException, IndicatorValue, QuarterlyReturn, ReturnDeadline, ReturnGroupLine, ReturnTransition,
    ReturnTypeLine, UnitProgress,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GroupLineInline(ReadOnlyMixin, admin.TabularInline):
    model = ReturnGroupLine
    extra = 0


class TypeLineInline(ReadOnlyMixin, admin.TabularInline):
    model = ReturnTypeLine
    extra = 0


class TransitionInline(ReadOnlyMixin, admin.TabularInline):
    model = ReturnTransition
    extra = 0


@admin.register(QuarterlyReturn)
class QuarterlyReturnAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["unit", "year", "quarter", "person_times", "real_name_person_times", "status", "submitted_late"]
    list_filter = ["plan", "status", "year", "quarter", "submitted_late"]
    search_fields = ["unit__name"]
    inlines = [GroupLineInline, TypeLineInline, TransitionInline]


@admin.register(ReturnDeadline)
class ReturnDeadlineAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["plan", "year", "quarter", "days_after_quarter_end", "lifted", "updated_by", "updated_at"]
    list_filter = ["plan", "year"]


@admin.register(DeadlineException)
class DeadlineExceptionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["unit", "year", "quarter", "until", "granted_by", "granted_at"]
    list_filter = ["plan", "year"]


@admin.register(UnitProgress)
class UnitProgressAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["unit", "year", "quarter", "quota", "approved_person_times", "percent", "status", "computed_at"]
    list_filter = ["plan", "year", "quarter", "status"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["plan", "year", "employed_persons", "skilled_workers", "high_skilled_workers", "updated_by"]
