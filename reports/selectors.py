"""Reads of returns, deadlines, progress and indicators. Unit-owned rows go through accounts.scoping."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.scoping import scope_to_units, sees_all_units
from programs.models import ActionPlan, Assignment, OutcomeIndicator, PlanYear, Quota, Unit
from trainees.models import Certificate, Enrolment, TargetGroup
from trainees.selectors import enrolment_list

from .models import (
    DEFAULT_DAYS_AFTER_QUARTER_END, QUARTERS, DeadlineException, ExportFile, IndicatorValue, QuarterlyReturn,
    ReturnDeadline, ReturnGroupLine, ReturnTypeLine, UnitProgress, quarter_end, quarter_of, quarter_start,
)

VIEW_RETURNS = "reports.view_quarterlyreturn"
VIEW_PROGRESS = "reports.view_unitprogress"


# Returns ---------------------------------------------------------------------------------------


def return_list(*, user, filters: dict | None = None) -> QuerySet[QuarterlyReturn]:
    """Returns the user may read: bureau roles and auditors all, a unit operator their unit's, others none."""
    if not (user and user.is_authenticated and user.has_perm(VIEW_RETURNS)):
        return QuarterlyReturn.objects.none()
    queryset = QuarterlyReturn.objects.select_related("plan", "unit", "created_by")
    queryset = scope_to_units(queryset, user, unit_field="unit_id")
    filters = filters or {}
    for name in ("plan", "unit", "year", "quarter"):
        value = filters.get(name)
        if value not in (None, ""):
            queryset = queryset.filter(**{f"{name}_id" if name in ("plan", "unit") else name: value})
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    return queryset.order_by("-year", "-quarter", "unit__name", "id")


def return_get(*, user, pk) -> QuarterlyReturn:
    queryset = return_list(user=user).prefetch_related(
        "group_lines__target_group", "type_lines__training_type", "transitions__actor", "attachments"
    )
    return get_object_or_404(queryset, pk=pk)


def top_target_groups() -> QuerySet[TargetGroup]:
    """The groups a return is broken down by: the top-level ones; sub-groups count under their parent."""
    return TargetGroup.objects.filter(parent__isnull=True).order_by("position")


def responsible_units(*, user, plan: ActionPlan) -> QuerySet[Unit]:
    """Responsible units of a plan within the user's scope, in the attachment table's order."""
    units = Unit.objects.filter(assignments__plan=plan).order_by("assignments__order")
    return scope_to_units(units, user, unit_field="pk")


@dataclass
class RealNameFigures:
    """What the real-name registry says about one unit's quarter: the pre-fill of a return."""

    completions: int
    certificates: int
    by_training_type: dict[int, int]
    by_target_group: dict[int | None, int]


def _completed_enrolments(*, unit_id: int, year: int, quarter: int) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        status=Enrolment.Status.COMPLETED,
        training_class__unit_id=unit_id,
        completion_date__gte=quarter_start(year, quarter),
        completion_date__lte=quarter_end(year, quarter),
    )


def real_name_person_times(*, unit_id: int, year: int, quarter: int) -> int:
    """Completed enrolments in the unit's classes with a completion date in the quarter (one COUNT)."""
    return _completed_enrolments(unit_id=unit_id, year=year, quarter=quarter).count()


def real_name_figures(*, user, unit: Unit, year: int, quarter: int) -> RealNameFigures:
    """Aggregates of the unit's real-name records for one quarter, for a user who may see that unit."""
    if not unit_in_scope(user=user, unit_id=unit.pk):
        return RealNameFigures(0, 0, {}, {})
    enrolments = _completed_enrolments(unit_id=unit.pk, year=year, quarter=quarter)
    by_type = dict(
        enrolments.values("training_class__programme__training_type_id")
        .annotate(n=Count("id"))
        .values_list("training_class__programme__training_type_id", "n")
    )
    # A person in several groups counts once, under the first top-level group in the notice's order.
    primary_group = (
        TargetGroup.objects.filter(trainees=OuterRef("trainee_id"))
        .annotate(top=Coalesce("parent_id", "id"), top_position=Coalesce("parent__position", "position"))
        .order_by("top_position", "top")
        .values("top")[:1]
    )
    by_group = dict(
        enrolments.annotate(group=Subquery(primary_group)).values("group").annotate(n=Count("id")).values_list("group", "n")
    )
    certificates = Certificate.objects.filter(
        enrolment__in=enrolments.values("pk"),
        issued_on__gte=quarter_start(year, quarter),
        issued_on__lte=quarter_end(year, quarter),
    ).count()
    return RealNameFigures(
        completions=sum(by_type.values()), certificates=certificates, by_training_type=by_type, by_target_group=by_group
    )


def unit_in_scope(*, user, unit_id: int) -> bool:
    return scope_to_units(Unit.objects.filter(pk=unit_id), user, unit_field="pk").exists()


# Deadlines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    plan_id: int
    year: int
    quarter: int
    days_after_quarter_end: int
    lifted: bool
    is_default: bool

    @property
    def quarter_end(self) -> datetime.date:
        return quarter_end(self.year, self.quarter)

    @property
    def due_date(self) -> datetime.date:
        return self.quarter_end + datetime.timedelta(days=self.days_after_quarter_end)

    @property
    def period(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    def passed(self, today: datetime.date) -> bool:
        return not self.lifted and today > self.due_date


def deadline_table(*, plan: ActionPlan) -> dict[tuple[int, int], Deadline]:
    """Every quarter of the plan with its due date: the stored setting, else 10 days after the quarter."""
    rows = {(d.year, d.quarter): d for d in ReturnDeadline.objects.filter(plan=plan)}
    table = {}
    for year in plan.years:
        for quarter in QUARTERS:
            row = rows.get((year, quarter))
            table[(year, quarter)] = Deadline(
                plan_id=plan.pk,
                year=year,
                quarter=quarter,
                days_after_quarter_end=row.days_after_quarter_end if row else DEFAULT_DAYS_AFTER_QUARTER_END,
                lifted=row.lifted if row else False,
                is_default=row is None,
            )
    return table


def deadline_get(*, plan: ActionPlan, year: int, quarter: int) -> Deadline:
    row = ReturnDeadline.objects.filter(plan=plan, year=year, quarter=quarter).first()
    return Deadline(
        plan_id=plan.pk,
        year=year,
        quarter=quarter,
        days_after_quarter_end=row.days_after_quarter_end if row else DEFAULT_DAYS_AFTER_QUARTER_END,
        lifted=row.lifted if row else False,
        is_default=row is None,
    )


def deadline_history(*, plan: ActionPlan, limit: int = 50):
    return (
        ReturnDeadline.history.filter(plan_id=plan.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


def deadline_exception_list(*, user, plan: ActionPlan) -> QuerySet[DeadlineException]:
    if not user.has_perm("reports.view_deadlineexception"):
        return DeadlineException.objects.none()
    queryset = DeadlineException.objects.filter(plan=plan).select_related("unit", "granted_by")
    return scope_to_units(queryset, user, unit_field="unit_id").order_by("-granted_at", "-id")


@dataclass
class MissingReturn:
    unit: Unit
    year: int
    quarter: int
    deadline: Deadline
    status_label: str
    return_id: int | None
    exception_until: datetime.date | None
    overdue: bool

    @property
    def period(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


def missing_returns(
    *, user, plan: ActionPlan, year: int | None = None, today: datetime.date | None = None
) -> list[MissingReturn]:
    """Quarters that have ended for which a unit has not submitted a return (or it was sent back)."""
    if not user.has_perm(VIEW_RETURNS):
        return []
    today = today or timezone.localdate()
    units = list(responsible_units(user=user, plan=plan))
    years = [year] if year else plan.years
    quarters = [(y, q) for y in years for q in QUARTERS if quarter_end(y, q) < today]
    if not units or not quarters:
        return []
    returns = {
        (r.unit_id, r.year, r.quarter): r
        for r in QuarterlyReturn.objects.filter(plan=plan, year__in=years, unit__in=units).only(
            "id", "unit_id", "year", "quarter", "status"
        )
    }
    exceptions = {
        (e.unit_id, e.year, e.quarter): e.until
        for e in DeadlineException.objects.filter(plan=plan, year__in=years, unit__in=units)
    }
    deadlines = deadline_table(plan=plan)
    done = {QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.APPROVED}
    missing = []
    for y, q in quarters:
        deadline = deadlines[(y, q)]
        for unit in units:
            existing = returns.get((unit.pk, y, q))
            if existing is not None and existing.status in done:
                continue
            until = exceptions.get((unit.pk, y, q))
            overdue = deadline.passed(today) and not (until and until >= today)
            missing.append(
                MissingReturn(
                    unit=unit, year=y, quarter=q, deadline=deadline,
                    status_label=existing.get_status_display() if existing else "未填报",
                    return_id=existing.pk if existing else None, exception_until=until, overdue=overdue,
                )
            )
    return missing


def late_returns(*, user, plan: ActionPlan, year: int | None = None) -> QuerySet[QuarterlyReturn]:
    queryset = return_list(user=user, filters={"plan": plan.pk, "year": year}).filter(submitted_late=True)
    return queryset


# Progress --------------------------------------------------------------------------------------


def progress_quarter(*, year: int, today: datetime.date | None = None) -> int:
    """The quarter whose cumulative figures describe a year as of today (Q4 for past years)."""
    today = today or timezone.localdate()
    if year < today.year:
        return 4
    if year > today.year:
        return 1
    return quarter_of(today)


@dataclass
class ProgressTotals:
    quota: int
    achieved: int
    real_name: int
    target: int | None
    percent: Decimal | None
    target_percent: Decimal | None


@dataclass
class ProgressTable:
    plan: ActionPlan
    year: int
    quarter: int
    rows: list[UnitProgress]
    totals: ProgressTotals
    all_units: bool
    computed_at: datetime.datetime | None
    by_quarter: list[dict] = field(default_factory=list)

    @property
    def behind(self) -> list[UnitProgress]:
        return [row for row in self.rows if row.status == UnitProgress.Status.BEHIND]


def _percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def progress_list(*, user, plan: ActionPlan, year: int | None = None, quarter: int | None = None) -> QuerySet[UnitProgress]:
    if not user.has_perm(VIEW_PROGRESS):
        return UnitProgress.objects.none()
    queryset = UnitProgress.objects.filter(plan=plan).select_related("unit")
    if year is not None:
        queryset = queryset.filter(year=year)
    if quarter is not None:
        queryset = queryset.filter(quarter=quarter)
    queryset = queryset.annotate(order=Subquery(
        Assignment.objects.filter(plan=plan, unit_id=OuterRef("unit_id")).values("order")[:1]
    ))
    return scope_to_units(queryset, user, unit_field="unit_id").order_by("order", "unit__name", "quarter")


def progress_table(*, user, plan: ActionPlan, year: int, today: datetime.date | None = None) -> ProgressTable:
    """Per-unit progress for a year as of today, the totals and the quarterly curve, all read from UnitProgress."""
    quarter = progress_quarter(year=year, today=today)
    rows = list(progress_list(user=user, plan=plan, year=year, quarter=quarter))
    all_units = sees_all_units(user)
    quota = sum(row.quota for row in rows)
    achieved = sum(row.approved_person_times for row in rows)
    target = PlanYear.objects.filter(plan=plan, year=year).values_list("target", flat=True).first() if all_units else None
    totals = ProgressTotals(
        quota=quota,
        achieved=achieved,
        real_name=sum(row.real_name_person_times for row in rows),
        target=target,
        percent=_percent(achieved, quota),
        target_percent=_percent(achieved, target) if target else None,
    )
    curve = (
        progress_list(user=user, plan=plan, year=year)
        .order_by()
        .values("quarter")
        .annotate(achieved=Sum("approved_person_times"), real_name=Sum("real_name_person_times"), quota=Sum("quota"))
        .order_by("quarter")
    )
    computed_at = max((row.computed_at for row in rows), default=None)
    return ProgressTable(
        plan=plan, year=year, quarter=quarter, rows=rows, totals=totals, all_units=all_units,
        computed_at=computed_at, by_quarter=list(curve),
    )


def chart_data(table: ProgressTable) -> dict:
    """What the two ECharts need: achieved vs quota per unit, and the cumulative curve vs even pace."""
    basis = table.totals.target if table.totals.target else table.totals.quota
    by_quarter = {item["quarter"]: item for item in table.by_quarter}
    return {
        "year": table.year,
        "units": [row.unit.name for row in table.rows],
        "quota": [row.quota for row in table.rows],
        "achieved": [row.approved_person_times for row in table.rows],
        "status": [row.status for row in table.rows],
        "quarters": [f"第{q}季度" for q in QUARTERS],
        "cumulative": [by_quarter[q]["achieved"] if q in by_quarter and q <= table.quarter else None for q in QUARTERS],
        "real_name": [by_quarter[q]["real_name"] if q in by_quarter and q <= table.quarter else None for q in QUARTERS],
        "even_pace": [round(basis * q / 4) for q in QUARTERS],
        "basis_label": "全区年度目标" if table.totals.target else "指导计划",
    }


# Indicators ------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    year: int
    value: IndicatorValue | None
    skilled_percent: Decimal | None
    high_skilled_percent: Decimal | None


@dataclass
class IndicatorTable:
    plan: ActionPlan
    rows: list[IndicatorRow]
    skilled_target: OutcomeIndicator | None
    high_skilled_target: OutcomeIndicator | None

    def meets(self, row: IndicatorRow, which: str) -> bool | None:
        target = self.skilled_target if which == "skilled" else self.high_skilled_target
        value = row.skilled_percent if which == "skilled" else row.high_skilled_percent
        if target is None or value is None:
            return None
        return value >= target.target_percent


def indicator_table(*, user, plan: ActionPlan) -> IndicatorTable:
    """District statistics per year and the two ratios of 一（二） against their targets."""
    values = {}
    if user.has_perm("reports.view_indicatorvalue"):
        values = {v.year: v for v in IndicatorValue.objects.filter(plan=plan).select_related("updated_by")}
    rows = []
    for year in plan.years:
        value = values.get(year)
        rows.append(
            IndicatorRow(
                year=year,
                value=value,
                skilled_percent=_percent(value.skilled_workers, value.employed_persons) if value else None,
                high_skilled_percent=_percent(value.high_skilled_workers, value.skilled_workers) if value else None,
            )
        )
    indicators = list(plan.indicators.all())
    by_code = {indicator.code: indicator for indicator in indicators}
    # Plan files name the two ratios of 一（二） by code; an older file lists them in that order.
    return IndicatorTable(
        plan=plan,
        rows=rows,
        skilled_target=by_code.get("skilled-share") or (indicators[0] if indicators else None),
        high_skilled_target=by_code.get("high-skilled-share") or (indicators[1] if len(indicators) > 1 else None),
    )



# Periodic reports (季报、年报) -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A quarter (``quarter`` 1–4) or a whole year (``quarter`` None) of statistics."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        return quarter_start(self.year, self.quarter) if self.quarter else datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return quarter_end(self.year, self.quarter) if self.quarter else datetime.date(self.year, 12, 31)

    @property
    def quarters(self) -> tuple[int, ...]:
        return (self.quarter,) if self.quarter else QUARTERS

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年"

    def a_year_earlier(self) -> "Period":
        return Period(self.year - 1, self.quarter)


def _completed_in(enrolments: QuerySet[Enrolment], period: Period) -> QuerySet[Enrolment]:
    return enrolments.filter(
        status=Enrolment.Status.COMPLETED, completion_date__gte=period.start, completion_date__lte=period.end
    )


def _grouped(queryset: QuerySet, field_name: str, measure=None) -> dict:
    measure = measure or Count("id")
    return dict(queryset.order_by().values(field_name).annotate(n=measure).values_list(field_name, "n"))


def _primary_group_counts(enrolments: QuerySet[Enrolment]) -> dict[int | None, int]:
    """A person in several groups counts once, under the first top-level group in the notice's order."""
    primary_group = (
        TargetGroup.objects.filter(trainees=OuterRef("trainee_id"))
        .annotate(top=Coalesce("parent_id", "id"), top_position=Coalesce("parent__position", "position"))
        .order_by("top_position", "top")
        .values("top")[:1]
    )
    return _grouped(enrolments.annotate(group=Subquery(primary_group)), "group")


@dataclass
class PeriodFigures:
    """Aggregates of one period within the user's scope; dict keys are ids (``None``: 其他人员)."""

    approved_by_unit: dict[int, int]
    certificates_declared_by_unit: dict[int, int]
    real_name_by_unit: dict[int, int]
    certificates_by_unit: dict[int, int]
    approved_by_group: dict[int | None, int]
    real_name_by_group: dict[int | None, int]
    approved_by_type: dict[int, int]
    real_name_by_type: dict[int, int]
    real_name_by_occupation: dict[int, int]
    certificates_by_occupation: dict[int, int]
    certificates_by_type: dict[int, int]


def period_figures(*, user, period: Period, plan: ActionPlan | None = None) -> PeriodFigures:
    """Approved returns and real-name records of a period, each read through its scoped selector.

    Approved returns are what units declared and the bureau approved (统计季报); real-name
    figures count completed enrolments with a completion date in the period and certificates
    issued in it (实名制). ``plan`` limits returns to one plan (the previous year may lie before it).
    """
    approved = return_list(user=user, filters={"plan": plan.pk if plan else None, "year": period.year}).filter(
        status=QuarterlyReturn.Status.APPROVED, quarter__in=period.quarters
    )
    lines_of = {"quarterly_return__in": approved.values("pk")}
    completed = _completed_in(enrolment_list(user=user), period)
    certificates = Certificate.objects.filter(
        enrolment__in=enrolment_list(user=user).values("pk"), issued_on__gte=period.start, issued_on__lte=period.end
    )
    return PeriodFigures(
        approved_by_unit=_grouped(approved, "unit_id", Sum("person_times")),
        certificates_declared_by_unit=_grouped(approved, "unit_id", Sum("certificates_issued")),
        real_name_by_unit=_grouped(completed, "training_class__unit_id"),
        certificates_by_unit=_grouped(certificates, "enrolment__training_class__unit_id"),
        approved_by_group=_grouped(ReturnGroupLine.objects.filter(**lines_of), "target_group_id", Sum("person_times")),
        real_name_by_group=_primary_group_counts(completed),
        approved_by_type=_grouped(ReturnTypeLine.objects.filter(**lines_of), "training_type_id", Sum("person_times")),
        real_name_by_type=_grouped(completed, "training_class__programme__training_type_id"),
        real_name_by_occupation=_grouped(completed, "training_class__programme__occupation_id"),
        certificates_by_occupation=_grouped(certificates, "occupation_id"),
        certificates_by_type=_grouped(certificates, "certificate_type_id"),
    )


def year_quotas(*, user, plan: ActionPlan, year: int) -> dict[int, int]:
    queryset = scope_to_units(Quota.objects.filter(plan=plan, year=year), user, unit_field="unit_id")
    return dict(queryset.values_list("unit_id", "target"))


# Roster ----------------------------------------------------------------------------------------


ROSTER_FIELDS = (
    "id", "training_class__code", "training_class__name", "training_class__unit__name",
    "training_class__institution__name", "training_class__programme__occupation__name",
    "training_class__programme__level__name", "training_class__start_date", "training_class__end_date",
    "trainee__name", "trainee__sex", "trainee__id_number", "trainee__mobile", "trainee__household_address",
    "trainee__residence_address", "status", "completion_date",
)


def roster_list(*, user, filters: dict | None = None) -> QuerySet[Enrolment]:
    """The enrolments of a roster export: scoped, narrowed by unit, class, period and status.

    ``filters``: ``unit`` and ``training_class`` (ids), ``date_from`` / ``date_to`` (ISO dates:
    classes running at some time in the period), ``status``.
    """
    filters = filters or {}
    queryset = enrolment_list(user=user)
    if filters.get("unit"):
        queryset = queryset.filter(training_class__unit_id=filters["unit"])
    if filters.get("training_class"):
        queryset = queryset.filter(training_class_id=filters["training_class"])
    if filters.get("date_from"):
        queryset = queryset.filter(training_class__end_date__gte=filters["date_from"])
    if filters.get("date_to"):
        queryset = queryset.filter(training_class__start_date__lte=filters["date_to"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    return queryset.order_by("training_class_id", "id")


# Audit log -------------------------------------------------------------------------------------


AUDIT_VIEW = "accounts.view_auditentry"
AUDIT_PAGE_SIZE = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entry_list(*, user, filters: dict | None = None) -> QuerySet[AuditEntry]:
    """Audit entries for auditors and the audit admin (accounts.view_auditentry), newest first.

    ``filters``: ``username``, ``action``, ``result``, ``object_type``, ``object_id`` (exact),
    ``date_from`` / ``date_to`` (ISO dates, both days included, local time).
    """
    if not (user and user.is_authenticated and user.is_active and user.has_perm(AUDIT_VIEW)):
        return AuditEntry.objects.none()
    filters = filters or {}
    queryset = AuditEntry.objects.all()
    for name, field_name in (("username", "actor_username"), ("action", "action"), ("result", "result"),
                             ("object_type", "object_type"), ("object_id", "object_id")):
        if filters.get(name):
            queryset = queryset.filter(**{field_name: filters[name]})
    if filters.get("date_from"):
        queryset = queryset.filter(created_at__gte=_day_start(datetime.date.fromisoformat(str(filters["date_from"]))))
    if filters.get("date_to"):
        day_after = datetime.date.fromisoformat(str(filters["date_to"])) + datetime.timedelta(days=1)
        queryset = queryset.filter(created_at__lt=_day_start(day_after))
    return queryset.order_by("-created_at", "-id")


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MICROSECOND = datetime.timedelta(microseconds=1)


def audit_cursor(entry: AuditEntry) -> str:
    """An opaque position after ``entry``: microseconds since the epoch (exact integer) and the id."""
    return f"{(entry.created_at - _EPOCH) // _MICROSECOND}-{entry.pk}"


def _parse_cursor(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    try:
        micros, pk = (cursor or "").split("-", 1)
        return _EPOCH + int(micros) * _MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: str | None


def audit_entry_page(*, user, filters: dict | None = None, after: str | None = None,
                     size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """One page of the filtered log after a cursor (keyset on created_at, id: no COUNT, no OFFSET)."""
    queryset = audit_entry_list(user=user, filters=filters)
    position = _parse_cursor(after)
    if position is not None:
        moment, pk = position
        queryset = queryset.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    entries = list(queryset[: size + 1])
    has_more = len(entries) > size
    entries = entries[:size]
    return AuditPage(entries=entries, next_cursor=audit_cursor(entries[-1]) if has_more else None)


# Export files ----------------------------------------------------------------------------------


def export_file_list(*, user) -> QuerySet[ExportFile]:
    """A user's own exports only: nobody else, not even the bureau, sees or downloads them."""
    if not (user and user.is_authenticated and user.is_active):
        return ExportFile.objects.none()
    return ExportFile.objects.filter(requester=user).order_by("-created_at", "-id")


def export_file_get(*, user, pk) -> ExportFile:
    return get_object_or_404(export_file_list(user=user), pk=pk)
