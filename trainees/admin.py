"""Admin for the registry's reference data only.

Trainees, enrolments and certificates are deliberately not in the admin: it would show ID
numbers and phones unmasked, outside the recorded reveal (SECURITY.md).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.audit import audit_record
from accounts.models import AuditEntry

from .models import TargetGroup


@admin.register(TargetGroup)
class TargetGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "parent", "free_training", "living_allowance", "work_based_training", "position"]
    list_filter = ["free_training", "living_allowance", "work_based_training"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        # The flags drive the subsidy rules of 四（一）: a change is a policy change, recorded.
        super().save_model(request, obj, form, change)
        audit_record(
            action=AuditEntry.Action.POLICY_CHANGE,
            request=request,
            obj=obj,
            detail={"changed": sorted(form.changed_data), "created": not change},
        )
