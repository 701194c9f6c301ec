"""Menu entries of the subsidies app (discovered by accounts.context_processors)."""

from django.urls import reverse


def nav_items(user) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if user.has_perm("subsidies.view_subsidyclaim"):
        items.append(("补贴申领", reverse("subsidy_claim_list")))
    if user.has_perm("subsidies.view_subsidyclaim") or user.has_perm("subsidies.view_subsidystandard"):
        items.append(("补贴公示", reverse("subsidy_notice_list")))
    if user.has_perm("subsidies.view_fraud_signals") and user.has_perm("programs.view_all_units"):
        items.append(("疑点核查", reverse("subsidy_signal_list")))
    if user.has_perm("subsidies.view_ledger"):
        items.append(("专账", reverse("subsidy_ledger")))
    if user.has_perm("subsidies.view_subsidystandard"):
        items.append(("补贴标准", reverse("subsidy_policy")))
    return items
