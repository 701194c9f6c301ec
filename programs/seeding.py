"""Idempotent loading of reference data shipped in the repository.

``upsert_row`` saves a row only when a value differs, so loading the same data
twice changes nothing, not even the history tables. Each app may ship a
``seed.py`` with ``seed_load() -> SeedResult``; ``manage.py load_reference_data``
runs them all in the order of INSTALLED_APPS.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass
class SeedResult:
    label: str
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        if not self.changed:
            return f"“{self.label}”已是最新，无需变更。"
        return f"已载入“{self.label}”：新增 {self.created} 条，更新 {self.updated} 条，删除 {self.deleted} 条。"


def upsert_row(model: type[models.Model], result: SeedResult, lookup: dict[str, Any], values: dict[str, Any]):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        result.created += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
        result.updated += 1
    return obj


def delete_missing(queryset: models.QuerySet, result: SeedResult) -> None:
    for obj in queryset:
        obj.delete()
        result.deleted += 1
