"""Reads of the plan, the catalogs and the classes. Everything unit-owned goes through accounts.scoping."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.scoping import (
    OWN_INSTITUTION_PERMISSION, OWN_UNIT_PERMISSION, scope_to_units, sees_all_units,
)

from .models import (
    ActionPlan, Assignment, CertificateType, Cooperation, Institution, Occupation, Programme, Quota, SkillLevel,
    TrainingClass, TrainingClassTransition, TrainingType, Unit,
)


def plan_list() -> QuerySet[ActionPlan]:
    """Plans are the district's published targets: every signed-in user may read them."""
    return ActionPlan.objects.prefetch_related("plan_years", "indicators")


def plan_current() -> ActionPlan | None:
    """The plan covering this year, else the most recent one."""
    year = timezone.localdate().year
    plans = plan_list()
    return plans.filter(start_year__lte=year, end_year__gte=year).first() or plans.first()


def plan_get(*, pk: int | str | None) -> ActionPlan | None:
    if pk in (None, ""):
        return plan_current()
    try:
        return plan_list().get(pk=int(pk))
    except (ValueError, ActionPlan.DoesNotExist):
        return None


@dataclass(frozen=True)
class QuotaMismatch:
    year: int
    plan_target: int
    quota_sum: int

    @property
    def message(self) -> str:
        return (
            f"{self.year}年各责任单位指导计划合计 {self.quota_sum} 人次，"
            f"与全区目标 {self.plan_target} 人次不一致，相差 {self.quota_sum - self.plan_target} 人次。"
        )


def plan_quota_mismatches(*, plan: ActionPlan) -> list[QuotaMismatch]:
    """Years whose unit quotas do not add up to the plan's yearly total (one aggregate query)."""
    sums = dict(
        Quota.objects.filter(plan=plan).values_list("year").annotate(total=Sum("target")).values_list("year", "total")
    )
    return [
        QuotaMismatch(year=py.year, plan_target=py.target, quota_sum=sums.get(py.year, 0) or 0)
        for py in plan.plan_years.all()
        if (sums.get(py.year, 0) or 0) != py.target
    ]


def assignment_list(*, user, plan: ActionPlan) -> QuerySet[Assignment]:
    """The attachment-table rows of a plan that the user may see, with cooperating units and quotas."""
    queryset = (
        Assignment.objects.filter(plan=plan)
        .select_related("unit")
        .prefetch_related(
            Prefetch("cooperations", queryset=Cooperation.objects.select_related("unit").order_by("position")),
        )
        .order_by("order")
    )
    return scope_to_units(queryset, user, unit_field="unit_id")


def unit_list(*, user) -> QuerySet[Unit]:
    return scope_to_units(Unit.objects.all(), user, unit_field="pk")


def unit_get(*, user, pk) -> Unit:
    return get_object_or_404(unit_list(user=user), pk=pk)


@dataclass
class PlanRow:
    assignment: Assignment
    quotas: dict[int, int]
    total: int
    cooperating_units: list[Unit] = field(default_factory=list)


@dataclass
class PlanTable:
    plan: ActionPlan
    years: list[int]
    rows: list[PlanRow]
    year_totals: dict[int, int]
    grand_total: int
    plan_targets: dict[int, int]
    plan_target_total: int
    mismatches: list[QuotaMismatch]
    all_units: bool


def plan_table(*, user, plan: ActionPlan) -> PlanTable:
    """The attachment table as the user may see it: rows in the notice's order and their sums."""
    assignments = list(assignment_list(user=user, plan=plan))
    unit_ids = [a.unit_id for a in assignments]
    quotas: dict[int, dict[int, int]] = {}
    for unit_id, year, target in Quota.objects.filter(plan=plan, unit_id__in=unit_ids).values_list(
        "unit_id", "year", "target"
    ):
        quotas.setdefault(unit_id, {})[year] = target
    years = plan.years
    rows = [
        PlanRow(
            assignment=a,
            quotas={year: quotas.get(a.unit_id, {}).get(year, 0) for year in years},
            total=sum(quotas.get(a.unit_id, {}).values()),
            cooperating_units=[c.unit for c in a.cooperations.all()],
        )
        for a in assignments
    ]
    year_totals = dict.fromkeys(years, 0)
    year_totals.update(
        Quota.objects.filter(plan=plan, unit_id__in=unit_ids)
        .values("year")
        .annotate(total=Sum("target"))
        .values_list("year", "total")
    )
    plan_targets = {py.year: py.target for py in plan.plan_years.all()}
    return PlanTable(
        plan=plan,
        years=years,
        rows=rows,
        year_totals=year_totals,
        grand_total=sum(year_totals.values()),
        plan_targets=plan_targets,
        plan_target_total=sum(plan_targets.values()),
        mismatches=plan_quota_mismatches(plan=plan),
        all_units=sees_all_units(user),
    )


def unit_plan_rows(*, user, unit: Unit) -> list[PlanRow]:
    """A unit's attachment-table row in every plan where it is responsible (for the unit page)."""
    assignments = scope_to_units(
        Assignment.objects.filter(unit=unit)
        .select_related("plan", "unit")
        .prefetch_related(
            Prefetch("cooperations", queryset=Cooperation.objects.select_related("unit").order_by("position")),
            "plan__plan_years",
        ),
        user,
        unit_field="unit_id",
    )
    quotas: dict[int, dict[int, int]] = {}
    for plan_id, year, target in Quota.objects.filter(unit=unit).values_list("plan_id", "year", "target"):
        quotas.setdefault(plan_id, {})[year] = target
    return [
        PlanRow(
            assignment=a,
            quotas={year: quotas.get(a.plan_id, {}).get(year, 0) for year in a.plan.years},
            total=sum(quotas.get(a.plan_id, {}).values()),
            cooperating_units=[c.unit for c in a.cooperations.all()],
        )
        for a in assignments
    ]


@dataclass(frozen=True)
class Catalog:
    """One catalog of 目录清单管理 (五（二）): how it is addressed, searched and filtered."""

    slug: str
    model: type[Model]
    search_fields: tuple[str, ...]
    filter_fields: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def entry_label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    def permission(self, action: str) -> str:
        return f"programs.{action}_{self.model_name}"


CATALOGS: dict[str, Catalog] = {
    catalog.slug: catalog
    for catalog in [
        Catalog("occupations", Occupation, ("name", "code"), ("is_featured", "is_active")),
        Catalog("skill-levels", SkillLevel, ("name", "code")),
        Catalog("training-types", TrainingType, ("name", "code")),
        Catalog("certificate-types", CertificateType, ("name", "code")),
        Catalog(
            "institutions", Institution, ("name", "credit_code"),
            ("catalog_status", "kind", "ownership", "joined_alliance"),
        ),
        Catalog(
            "programmes", Programme, ("occupation__name", "occupation__code"),
            ("unit", "level", "training_type", "certificate_type", "is_active"),
            ("occupation", "level", "training_type", "certificate_type", "unit"),
        ),
    ]
}


def catalog_of(slug: str) -> Catalog | None:
    return CATALOGS.get(slug)


def catalog_list(*, user, catalog: Catalog, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """A catalog is published to every business role (五（二）); users without the view permission get nothing.

    ``filters`` holds already-parsed values: ``q`` (text) and any of ``catalog.filter_fields``;
    ``None`` or ``""`` means no filter on that field.
    """
    queryset = catalog.model.objects.select_related(*catalog.related)
    if not (user and user.is_authenticated and user.is_active and user.has_perm(catalog.permission("view"))):
        return queryset.none()
    filters = filters or {}
    text = (filters.get("q") or "").strip()
    if text:
        condition = Q()
        for name in catalog.search_fields:
            condition |= Q(**{f"{name}__icontains": text})
        queryset = queryset.filter(condition)
    for name in catalog.filter_fields:
        value = filters.get(name)
        if value is not None and value != "":
            queryset = queryset.filter(**{name: value})
    return queryset


def catalog_get(*, user, catalog: Catalog, pk) -> Model:
    return get_object_or_404(catalog_list(user=user, catalog=catalog), pk=pk)


def programme_choices(*, user, include_pk: int | None = None) -> QuerySet[Programme]:
    """Programmes a user may open a class on: active ones; a unit operator only their unit's.

    ``include_pk`` keeps a class's current programme selectable while it is edited.
    """
    queryset = Programme.objects.select_related("occupation", "level", "training_type", "unit")
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    allowed = Q(is_active=True)
    if not sees_all_units(user) and user.has_perm(OWN_UNIT_PERMISSION):
        allowed &= Q(unit_id=user.unit_id) if user.unit_id else Q(pk__in=[])
    if include_pk:
        allowed |= Q(pk=include_pk)
    return queryset.filter(allowed)


def institution_choices(*, include_pk: int | None = None) -> QuerySet[Institution]:
    """Institutions that may get new classes: those listed in the catalog."""
    allowed = Q(catalog_status=Institution.CatalogStatus.LISTED)
    if include_pk:
        allowed |= Q(pk=include_pk)
    return Institution.objects.filter(allowed)


def user_institution(user) -> Institution | None:
    """The institution an institution operator is bound to (None for everyone else)."""
    if sees_all_units(user) or (user.has_perm(OWN_UNIT_PERMISSION) and user.unit_id):
        return None
    if user.has_perm(OWN_INSTITUTION_PERMISSION) and user.institution_id:
        return user.institution
    return None


def training_class_list(*, user) -> QuerySet[TrainingClass]:
    """Classes the user may see: bureau roles all, a unit its own, an institution its own."""
    queryset = TrainingClass.objects.select_related(
        "programme__occupation", "programme__level", "programme__training_type", "institution", "unit"
    )
    return scope_to_units(queryset, user, unit_field="unit_id", institution_field="institution_id")


def training_class_get(*, user, pk) -> TrainingClass:
    return get_object_or_404(training_class_list(user=user), pk=pk)


def training_class_search(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[TrainingClass]:
    """The classes the user may see, narrowed by status, unit, institution, year and code/name text."""
    queryset = training_class_list(user=user)
    filters = filters or {}
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("unit"):
        queryset = queryset.filter(unit=filters["unit"])
    if filters.get("institution"):
        queryset = queryset.filter(institution=filters["institution"])
    if filters.get("year"):
        queryset = queryset.filter(start_date__year=filters["year"])
    text = (filters.get("q") or "").strip()
    if text:
        queryset = queryset.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return queryset


def training_class_transitions(*, training_class: TrainingClass) -> QuerySet[TrainingClassTransition]:
    """The status history of a class already fetched through the scoped selector."""
    return training_class.transitions.select_related("actor").order_by("created_at", "id")


def training_class_enrolment_count(*, training_class: TrainingClass) -> int:
    return training_class.enrolments.count()
