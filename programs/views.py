"""Pages of the plan: one unit's page."""

from django.shortcuts import render

from . import selectors


def unit_detail(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    rows = selectors.unit_plan_rows(user=request.user, unit=unit)
    return render(request, "programs/unit_detail.html", {"unit": unit, "rows": rows})
