"""Writes to the plan: loading a plan data file into the database."""

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from .models import ActionPlan, Assignment, Cooperation, OutcomeIndicator, PlanYear, Quota, Unit
from .plan_files import PlanFile


@dataclass
class PlanLoadResult:
    plan: ActionPlan
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _upsert(model: type[models.Model], result: PlanLoadResult, lookup: dict[str, Any], values: dict[str, Any]):
    """Create or update one row, saving only when a value differs (so history stays quiet)."""
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


def _delete_missing(queryset: models.QuerySet, result: PlanLoadResult) -> None:
    for obj in queryset:
        obj.delete()
        result.deleted += 1


@transaction.atomic
def plan_load(*, data: PlanFile) -> PlanLoadResult:
    """Load one plan file; running it twice changes nothing the second time.

    The file is authoritative for its plan: years, quotas, assignments and
    cooperating units absent from the file are removed from the plan.
    """
    plan_values = {key: value for key, value in data.plan.items() if key != "code"}
    plan = ActionPlan.objects.filter(code=data.plan["code"]).first()
    result = PlanLoadResult(plan=plan)  # type: ignore[arg-type]
    result.plan = _upsert(ActionPlan, result, {"code": data.plan["code"]}, plan_values)
    plan = result.plan

    for year, target in data.yearly_targets.items():
        _upsert(PlanYear, result, {"plan": plan, "year": year}, {"target": target})
    _delete_missing(plan.plan_years.exclude(year__in=data.yearly_targets), result)

    for position, indicator in enumerate(data.indicators, start=1):
        values = {key: value for key, value in indicator.items() if key != "code"} | {"position": position}
        _upsert(OutcomeIndicator, result, {"plan": plan, "code": indicator["code"]}, values)
    _delete_missing(plan.indicators.exclude(code__in=[i["code"] for i in data.indicators]), result)

    units = {}
    for unit in data.units:
        values = {"kind": unit["kind"], "description": unit.get("description", "")}
        units[unit["name"]] = _upsert(Unit, result, {"name": unit["name"]}, values)

    # Orders may be renumbered between versions of a file; free them first.
    kept_units = [units[row.unit].pk for row in data.assignments]
    _delete_missing(plan.assignments.exclude(unit_id__in=kept_units), result)
    for row in data.assignments:
        assignment = _upsert(
            Assignment, result, {"plan": plan, "unit": units[row.unit]}, {"order": row.order, "duties": row.duties}
        )
        for position, name in enumerate(row.cooperating_units, start=1):
            _upsert(Cooperation, result, {"assignment": assignment, "unit": units[name]}, {"position": position})
        names = set(row.cooperating_units)
        _delete_missing(assignment.cooperations.exclude(unit__name__in=names), result)
        for year, target in row.quotas.items():
            _upsert(Quota, result, {"plan": plan, "unit": units[row.unit], "year": year}, {"target": target})
        _delete_missing(plan.quotas.filter(unit=units[row.unit]).exclude(year__in=row.quotas), result)
    _delete_missing(plan.quotas.exclude(unit_id__in=kept_units), result)
    return result
