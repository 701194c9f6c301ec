"""Menu entries of the programs app (see accounts.context_processors)."""

from django.urls import reverse

from .selectors import CATALOGS


def nav_items(user) -> list[tuple[str, str]]:
    items = []
    if any(user.has_perm(catalog.permission("view")) for catalog in CATALOGS.values()):
        items.append(("目录清单", reverse("catalog_index")))
    if user.has_perm("programs.view_trainingclass"):
        items.append(("培训班", reverse("class_list")))
    return items
