from django.urls import reverse

from accounts.scoping import ALL_UNITS_PERMISSION, OWN_UNIT_PERMISSION

NAV_ORDER = 0  # the dashboard comes first


def nav_items(user) -> list[tuple[str, str]]:
    if user.has_perm(ALL_UNITS_PERMISSION) or user.has_perm(OWN_UNIT_PERMISSION):
        return [("总览", reverse("dashboard"))]
    return []
