"""The public disclosure page (/public/, no login): published aggregates of the programme.

四（四） asks that the use of the money be made public regularly; 五（一） that the statistics be
reported. Everything here is an aggregate or masked: no ID number, phone or full name of any
trainee ever reaches this page. The selectors below read without a user on purpose — they
return only district and unit totals, which are what is published.

The page is a list of sections, sorted by ``order``. This app provides the yearly progress
against the plan and the per-unit completion. Two slots are kept for the subsidy app:
``fund_usage`` (资金使用情况) and ``notice_lists`` (补贴公示名单); until a section with that key
is registered the page says that nothing has been published yet.

Extension contract
------------------
An installed app contributes sections in ``<app>/public.py`` (found with find_spec and
imported with import_module over the installed apps, as ``<app>/navigation.py`` is):

``PUBLIC_SECTIONS: list[dict]`` — one dict per section, with the fields of :class:`PublicSection`:

    ``key``       slug; ``"fund_usage"`` or ``"notice_lists"`` fill the reserved slots, any
                  other key adds a section
    ``title``     Chinese heading, e.g. ``"资金使用情况"``
    ``template``  template rendered with the section's context plus ``plan`` and ``section``,
                  e.g. ``"subsidies/public_fund_usage.html"`` (no inline script or style)
    ``context``   ``context(plan) -> dict``: aggregates by fund source and subsidy type, or
                  published lists with names masked ``张*三`` and ID numbers
                  ``500222********1234`` (trainees.masking); never a session, a user or
                  unmasked personal data; it must be cheap (the page is cached by proxies
                  for five minutes)
    ``order``     optional int, smaller first (this app uses 10 and 20; the slots 30 and 40)

Subsidies never imports reports: the dicts are the whole contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum

from programs.models import ActionPlan, Assignment, PlanYear, Quota

from .models import UnitProgress


@dataclass(frozen=True)
class PublicSection:
    key: str
    title: str
    template: str
    context: Callable[[ActionPlan], dict]
    order: int = 100


@dataclass
class RenderedSection:
    section: PublicSection
    context: dict = field(default_factory=dict)
    published: bool = True


# Reserved slots for the subsidy app: key -> (title, order).
SLOTS: dict[str, tuple[str, int]] = {
    "fund_usage": ("资金使用情况", 30),
    "notice_lists": ("补贴公示名单", 40),
}
EMPTY_SLOT_TEMPLATE = "reports/public/_unpublished.html"


def _percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


@dataclass
class YearProgress:
    year: int
    target: int
    achieved: int
    real_name: int
    percent: Decimal | None


def public_year_progress(plan: ActionPlan) -> list[YearProgress]:
    """District totals per year against the plan's yearly targets (11,400 / 14,300 / 17,000).

    The achieved figure is the sum of the units' approved person-times at the year's fourth
    quarter (the roll-up's cumulative row), read from UnitProgress in one GROUP BY.
    """
    sums = {
        row["year"]: row
        for row in UnitProgress.objects.filter(plan=plan, quarter=4)
        .values("year")
        .annotate(achieved=Sum("approved_person_times"), real_name=Sum("real_name_person_times"))
        .order_by()
    }
    rows = []
    for plan_year in PlanYear.objects.filter(plan=plan).order_by("year"):
        figures = sums.get(plan_year.year, {})
        achieved = figures.get("achieved") or 0
        rows.append(
            YearProgress(
                year=plan_year.year, target=plan_year.target, achieved=achieved,
                real_name=figures.get("real_name") or 0, percent=_percent(achieved, plan_year.target),
            )
        )
    return rows


@dataclass
class UnitYear:
    quota: int
    achieved: int
    percent: Decimal | None


@dataclass
class UnitCompletion:
    order: int
    unit: str
    years: list[UnitYear]
    total: UnitYear


def public_unit_completion(plan: ActionPlan) -> list[UnitCompletion]:
    """Each responsible unit's quota, approved person-times and percent per year (UnitProgress, Q4)."""
    achieved = dict(
        ((unit_id, year), value)
        for unit_id, year, value in UnitProgress.objects.filter(plan=plan, quarter=4).values_list(
            "unit_id", "year", "approved_person_times"
        )
    )
    quotas = dict(
        ((unit_id, year), target)
        for unit_id, year, target in Quota.objects.filter(plan=plan).values_list("unit_id", "year", "target")
    )
    rows = []
    for assignment in Assignment.objects.filter(plan=plan).select_related("unit").order_by("order"):
        years = []
        for year in plan.years:
            quota, done = quotas.get((assignment.unit_id, year), 0), achieved.get((assignment.unit_id, year), 0)
            years.append(UnitYear(quota=quota, achieved=done, percent=_percent(done, quota)))
        quota_sum, done_sum = sum(y.quota for y in years), sum(y.achieved for y in years)
        rows.append(
            UnitCompletion(
                order=assignment.order, unit=assignment.unit.name, years=years,
                total=UnitYear(quota=quota_sum, achieved=done_sum, percent=_percent(done_sum, quota_sum)),
            )
        )
    return rows


def _progress_context(plan: ActionPlan) -> dict:
    years = public_year_progress(plan)
    target = sum(row.target for row in years)
    achieved = sum(row.achieved for row in years)
    return {"years": years, "target_total": target, "achieved_total": achieved, "percent_total": _percent(achieved, target)}


def _units_context(plan: ActionPlan) -> dict:
    return {"rows": public_unit_completion(plan), "plan_years": plan.years}


PUBLIC_SECTIONS: list[PublicSection] = [
    PublicSection(key="progress", title="年度目标完成情况", template="reports/public/_progress.html",
                  context=_progress_context, order=10),
    PublicSection(key="units", title="各责任单位完成情况", template="reports/public/_units.html",
                  context=_units_context, order=20),
]


def contributed_modules() -> list[ModuleType]:
    modules = []
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.public"
        if "." in app_config.name or app_config.name == "reports":
            continue
        if find_spec(app_config.name) is not None and find_spec(name) is not None:
            modules.append(import_module(name))
    return modules


def _as_section(entry: PublicSection | dict) -> PublicSection:
    return entry if isinstance(entry, PublicSection) else PublicSection(**entry)


def public_sections() -> list[PublicSection]:
    """This app's sections and every contributed one, by order; duplicate keys are a configuration error."""
    sections = list(PUBLIC_SECTIONS)
    for module in contributed_modules():
        sections.extend(_as_section(entry) for entry in getattr(module, "PUBLIC_SECTIONS", ()))
    keys = [section.key for section in sections]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise ImproperlyConfigured(f"公开页面栏目重复登记：{', '.join(sorted(duplicates))}")
    return sorted(sections, key=lambda section: (section.order, section.key))


def public_page(plan: ActionPlan) -> list[RenderedSection]:
    """The sections to render, with the reserved slots that nobody has filled yet marked unpublished."""
    sections = public_sections()
    filled = {section.key for section in sections}
    rendered = [RenderedSection(section=section, context=section.context(plan)) for section in sections]
    for key, (title, order) in SLOTS.items():
        if key not in filled:
            placeholder = PublicSection(key=key, title=title, template=EMPTY_SLOT_TEMPLATE,
                                        context=lambda plan: {}, order=order)
            rendered.append(RenderedSection(section=placeholder, published=False))
    return sorted(rendered, key=lambda item: (item.section.order, item.section.key))
