"""What each role may do with returns, deadlines, progress and indicators (merged by accounts.roles)."""

READ = [
    "reports.view_quarterlyreturn", "reports.view_returntransition", "reports.view_returnattachment",
    "reports.view_unitprogress", "reports.view_indicatorvalue", "reports.view_returndeadline",
    "reports.view_deadlineexception",
]
REVIEW = ["reports.review_quarterlyreturn", "reports.grant_deadline_exception", "reports.change_indicatorvalue",
          "reports.add_indicatorvalue"]

ROLE_PERMISSIONS = {
    # Bureau admins keep the deadlines of a plan (including lifting them to catch up on past years).
    "bureau_admin": [*READ, *REVIEW, "reports.change_returndeadline", "reports.add_returndeadline"],
    "bureau_staff": [*READ, *REVIEW],
    "unit_operator": [
        *READ, "reports.add_quarterlyreturn", "reports.change_quarterlyreturn", "reports.submit_quarterlyreturn",
        "reports.add_returnattachment",
    ],
    "finance": ["reports.view_unitprogress", "reports.view_indicatorvalue"],
    "auditor": READ,
}
