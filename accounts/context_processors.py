"""Navigation by role for the base template."""

from django.urls import reverse

from .roles import roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    roles = sorted(roles_of(user), key=lambda role: list(type(role)).index(role))
    items = []
    if user.has_perm("programs.view_all_units") or user.has_perm("programs.view_own_unit"):
        items.append(("总览", reverse("dashboard")))
    items.append(("接口文档", reverse("api_docs")))
    if user.is_staff:
        items.append(("管理后台", reverse("admin:index")))
    return {"nav_items": items, "user_roles": [role.label for role in roles]}
