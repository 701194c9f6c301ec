"""Navigation by role for the base template.

Each app may contribute menu entries in ``<app>/navigation.py`` with a function
``nav_items(user) -> list[tuple[str, str]]`` (label, URL) and an optional
``NAV_ORDER`` (smaller first; apps without one follow in INSTALLED_APPS order).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import reverse

from .roles import Role, roles_of


def _navigation_modules():
    modules = [
        import_module(f"{app_config.name}.navigation")
        for app_config in apps.get_app_configs()
        if "." not in app_config.name and find_spec(f"{app_config.name}.navigation") is not None
    ]
    return sorted(modules, key=lambda module: getattr(module, "NAV_ORDER", 100))


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items: list[tuple[str, str]] = []
    for module in _navigation_modules():
        items.extend(module.nav_items(user))
    items.append(("接口文档", reverse("api_docs")))
    if user.is_staff:
        items.append(("管理后台", reverse("admin:index")))
    order = list(Role)
    roles = sorted(roles_of(user), key=order.index)
    return {"nav_items": items, "user_roles": [role.label for role in roles]}
