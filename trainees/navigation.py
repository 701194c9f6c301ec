"""Menu entry of the registry (discovered by accounts.context_processors.navigation)."""

from django.urls import reverse

from .selectors import VIEW_PERMISSION


def nav_items(user) -> list[tuple[str, str]]:
    if user.has_perm(VIEW_PERMISSION):
        return [("学员", reverse("trainee_list"))]
    return []
