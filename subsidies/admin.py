"""Admin: bureau admins edit the policy tables (every save audited); money and workflow rows are read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    ClaimLine, ClaimTransition, FundSource, LedgerEntry, Payment, PolicyParameter, PublicHoliday, SubsidyClaim,
    SubsidyStandard,
)


class PolicyAdmin(SimpleHistoryAdmin):
    """Saves go through services.policy_row_save (audit POLICY_CHANGE); rows are never deleted,
    a standard that stops applying gets a 失效日期 instead."""

    def save_model(self, request, obj, form, change):
        services.policy_row_save(obj=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubsidyStandard)
class SubsidyStandardAdmin(PolicyAdmin):
    list_display = ["subsidy_type", "level", "programme", "amount", "basis", "valid_from", "valid_to", "note"]
    list_filter = ["subsidy_type", "level"]
    fields = ["subsidy_type", "level", "programme", "amount", "basis", "valid_from", "valid_to", "note"]
    raw_id_fields = ["programme"]


@admin.register(PolicyParameter)
class PolicyParameterAdmin(PolicyAdmin):
    list_display = ["code", "value", "valid_from", "valid_to", "note"]
    list_filter = ["code"]
    fields = ["code", "value", "valid_from", "valid_to", "note"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(PolicyAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundSource)
class FundSourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "balance"]


@admin.register(SubsidyClaim)
class SubsidyClaimAdmin(ReadOnlyAdmin):
    list_display = ["id", "subsidy_type", "phase", "training_class", "status", "total", "eligible_count", "created_at"]
    list_filter = ["status", "subsidy_type", "phase"]


@admin.register(ClaimLine)
class ClaimLineAdmin(ReadOnlyAdmin):
    list_display = ["claim", "trainee", "amount", "eligible", "excluded"]
    list_filter = ["eligible", "excluded"]


@admin.register(ClaimTransition)
class ClaimTransitionAdmin(ReadOnlyAdmin):
    list_display = ["claim", "seq", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["claim", "stage", "amount", "fund_source", "voucher_number", "paid_on", "recorded_by"]
    list_filter = ["stage", "fund_source"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["entry_date", "fund_source", "kind", "subsidy_type", "amount", "balance_after", "memo"]
    list_filter = ["fund_source", "kind", "subsidy_type"]
