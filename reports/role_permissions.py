"""What each role may do with returns, deadlines, progress and indicators (merged by accounts.roles)."""

READ = [
    "reports.view_quarterlyreturn", "reports.view_returntransition", "reports.view_returnattachment",
    "reports.view_unitprogress", "reports.view_indicatorvalue", "reports.view_returndeadline",
    "reports.view_deadlineexception",
]
REVIEW = ["reports.review_quarterlyreturn", "reports.grant_deadline_exception", "reports.change_indicatorvalue",
          "reports.add_indicatorvalue"]

# Exporting is a right of its own (the security admin can withhold it); what an export holds is
# still decided by the permission of each kind and by the requester's unit scope.
EXPORT = ["reports.export_data"]

ROLE_PERMISSIONS = {
    # Bureau admins keep the deadlines of a plan (including lifting them to catch up on past years).
    "bureau_admin": [*READ, *REVIEW, *EXPORT, "reports.change_returndeadline", "reports.add_returndeadline"],
    "bureau_staff": [*READ, *REVIEW, *EXPORT],
    "unit_operator": [
        *READ, *EXPORT, "reports.add_quarterlyreturn", "reports.change_quarterlyreturn",
        "reports.submit_quarterlyreturn", "reports.add_returnattachment",
    ],
    "institution_operator": EXPORT,
    "finance": ["reports.view_unitprogress", "reports.view_indicatorvalue", *EXPORT],
    "auditor": [*READ, *EXPORT],
    # The audit admin reads and exports the audit log only (its kind needs accounts.view_auditentry).
    "audit_admin": EXPORT,
}
