"""Writes to the plan: loading a plan data file into the database."""

from django.db import transaction

from .models import ActionPlan, Assignment, Cooperation, OutcomeIndicator, PlanYear, Quota, Unit
from .plan_files import PlanFile
from .seeding import SeedResult, delete_missing, upsert_row


@transaction.atomic
def plan_load(*, data: PlanFile) -> SeedResult:
    """Load one plan file; running it twice changes nothing the second time.

    The file is authoritative for its plan: years, quotas, assignments and
    cooperating units absent from the file are removed from the plan.
    """
    plan_values = {key: value for key, value in data.plan.items() if key != "code"}
    result = SeedResult(label=data.plan["name"])
    plan = upsert_row(ActionPlan, result, {"code": data.plan["code"]}, plan_values)

    for year, target in data.yearly_targets.items():
        upsert_row(PlanYear, result, {"plan": plan, "year": year}, {"target": target})
    delete_missing(plan.plan_years.exclude(year__in=data.yearly_targets), result)

    for position, indicator in enumerate(data.indicators, start=1):
        values = {key: value for key, value in indicator.items() if key != "code"} | {"position": position}
        upsert_row(OutcomeIndicator, result, {"plan": plan, "code": indicator["code"]}, values)
    delete_missing(plan.indicators.exclude(code__in=[i["code"] for i in data.indicators]), result)

    units = {}
    for unit in data.units:
        values = {"kind": unit["kind"], "description": unit.get("description", "")}
        units[unit["name"]] = upsert_row(Unit, result, {"name": unit["name"]}, values)

    # Orders may be renumbered between versions of a file; free them first.
    kept_units = [units[row.unit].pk for row in data.assignments]
    delete_missing(plan.assignments.exclude(unit_id__in=kept_units), result)
    for row in data.assignments:
        assignment = upsert_row(
            Assignment, result, {"plan": plan, "unit": units[row.unit]}, {"order": row.order, "duties": row.duties}
        )
        for position, name in enumerate(row.cooperating_units, start=1):
            upsert_row(Cooperation, result, {"assignment": assignment, "unit": units[name]}, {"position": position})
        names = set(row.cooperating_units)
        delete_missing(assignment.cooperations.exclude(unit__name__in=names), result)
        for year, target in row.quotas.items():
            upsert_row(Quota, result, {"plan": plan, "unit": units[row.unit], "year": year}, {"target": target})
        delete_missing(plan.quotas.filter(unit=units[row.unit]).exclude(year__in=row.quotas), result)
    delete_missing(plan.quotas.exclude(unit_id__in=kept_units), result)
    return result
