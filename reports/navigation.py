from django.urls import reverse

from accounts.scoping import ALL_UNITS_PERMISSION, OWN_UNIT_PERMISSION

NAV_ORDER = 0  # the dashboard comes first


def nav_items(user) -> list[tuple[str, str]]:
    items = []
    if user.has_perm(ALL_UNITS_PERMISSION) or user.has_perm(OWN_UNIT_PERMISSION):
        items.append(("总览", reverse("dashboard")))
    if user.has_perm("reports.view_quarterlyreturn"):
        items.append(("统计季报", reverse("return_list")))
        items.append(("逾期未报", reverse("return_missing")))
    if user.has_perm("reports.view_returndeadline"):
        items.append(("报送期限", reverse("deadlines")))
    if user.has_perm("reports.view_indicatorvalue"):
        items.append(("目标指标", reverse("indicators")))
    if user.has_perm("reports.export_data"):
        items.append(("导出", reverse("export_list")))
    if user.has_perm("accounts.view_auditentry"):
        items.append(("审计日志", reverse("audit_log")))
    return items
