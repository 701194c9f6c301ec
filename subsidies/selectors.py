"""Reads of claims, policy, notices and the ledger. Everything unit-owned goes through accounts.scoping.

``claim_facts_load`` gathers the facts the rules need for every line of a claim in a
constant number of queries, whatever the number of lines (see bench/claim_rules.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case, Count, DecimalField, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When,
)
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.scoping import scope_to_units
from programs.models import CertificateType, TrainingClass
from trainees.masking import mask_id_number, mask_name
from trainees.models import Certificate, Enrolment, Trainee

from . import policy
from .models import (
    PARAMETER_SPECS, ClaimLine, ClaimObjection, ClaimSignal, ClaimTransition, FundSource, LedgerEntry, Payment,
    PolicyParameter, PublicHoliday, SubsidyClaim, SubsidyStandard, SubsidyType,
)

# ---------------------------------------------------------------- claims


def claim_list(*, user, filters: dict | None = None) -> QuerySet[SubsidyClaim]:
    """Claims the user may see.

    Institution operators: claims on their institution's classes; unit operators: claims
    on their unit's classes; bureau and auditors: all; finance: only claims waiting for or
    past a payment (they hold programs.view_all_units but not view_claim_pipeline).
    """
    queryset = SubsidyClaim.objects.select_related(
        "training_class__programme__occupation", "training_class__programme__level",
        "training_class__institution", "training_class__unit", "created_by",
    )
    if not (user and user.is_authenticated and user.has_perm("subsidies.view_subsidyclaim")):
        return queryset.none()
    queryset = scope_to_units(
        queryset, user, unit_field="training_class__unit_id", institution_field="training_class__institution_id"
    )
    if not user.has_perm("subsidies.view_claim_pipeline"):
        queryset = queryset.filter(
            Q(status__in=SubsidyClaim.FINANCE_STATUSES) | Exists(Payment.objects.filter(claim_id=OuterRef("pk")))
        )
    filters = filters or {}
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("subsidy_type"):
        queryset = queryset.filter(subsidy_type=filters["subsidy_type"])
    if filters.get("training_class"):
        queryset = queryset.filter(training_class_id=filters["training_class"])
    return queryset


def claim_get(*, user, pk) -> SubsidyClaim:
    return get_object_or_404(claim_list(user=user), pk=pk)


def claim_lines(*, claim: SubsidyClaim) -> QuerySet[ClaimLine]:
    """Lines of a claim already fetched through claim_get (so already in scope)."""
    return (
        ClaimLine.objects.filter(claim=claim)
        .select_related("trainee", "enrolment", "certificate__certificate_type", "standard")
        .prefetch_related(Prefetch("signals", queryset=ClaimSignal.objects.order_by("id")))
        .order_by("id")
    )


def claim_transitions(*, claim: SubsidyClaim) -> QuerySet[ClaimTransition]:
    return ClaimTransition.objects.filter(claim=claim).select_related("actor").order_by("seq")


def claim_signals(*, user, claim: SubsidyClaim) -> QuerySet[ClaimSignal]:
    """Fraud signals are for reviewers (unit, bureau, auditors), never for the applicant."""
    if not user.has_perm("subsidies.view_fraud_signals"):
        return ClaimSignal.objects.none()
    return ClaimSignal.objects.filter(claim=claim).select_related("line__trainee").order_by("id")


def claim_objections(*, claim: SubsidyClaim) -> QuerySet[ClaimObjection]:
    return ClaimObjection.objects.filter(claim=claim).select_related("enrolment__trainee", "recorded_by", "decided_by")


def claim_payments(*, claim: SubsidyClaim) -> QuerySet[Payment]:
    return Payment.objects.filter(claim=claim).select_related("fund_source", "recorded_by").order_by("recorded_at", "id")


def claim_signal_list(*, user) -> QuerySet[SubsidyClaim]:
    """The bureau's list of claims with fraud signals or drawn for a spot check."""
    if not user.has_perm("subsidies.view_fraud_signals"):
        return SubsidyClaim.objects.none()
    return (
        claim_list(user=user)
        .exclude(status=SubsidyClaim.Status.DRAFT)
        .filter(Q(spot_check=True) | Exists(ClaimSignal.objects.filter(claim_id=OuterRef("pk"))))
        .annotate(signal_count=Count("signals"))
        .order_by("-submitted_at", "-id")
    )


def claimable_classes(*, user) -> QuerySet[TrainingClass]:
    """Classes the user may open a claim for: their own institution's or unit's, open or finished."""
    from programs.selectors import training_class_list

    if not user.has_perm("subsidies.add_subsidyclaim"):
        return TrainingClass.objects.none()
    return training_class_list(user=user).filter(
        status__in=[TrainingClass.Status.IN_PROGRESS, TrainingClass.Status.FINISHED]
    )


# ---------------------------------------------------------------- policy in force


def _in_force(queryset: QuerySet, day: date) -> QuerySet:
    return queryset.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def policy_parameters_on(day: date) -> dict[str, object]:
    """Typed parameter values in force on ``day`` (one query)."""
    return {row.code: row.typed_value for row in _in_force(PolicyParameter.objects.all(), day)}


def policy_values_on(day: date) -> policy.PolicyValues:
    """The parameters the rules need, in force on ``day``; a missing one is a clear error."""
    values = policy_parameters_on(day)
    wanted = [name for name in policy.PolicyValues.__dataclass_fields__]
    missing = [name for name in wanted if name not in values]
    if missing:
        labels = "、".join(PARAMETER_SPECS[name].label for name in missing)
        raise ValidationError(f"{day:%Y-%m-%d}没有生效的政策参数：{labels}。请区人力社保局在补贴标准中补充。")
    return policy.PolicyValues(**{name: values[name] for name in wanted})


def policy_parameter_on(code: str, day: date):
    value = policy_parameters_on(day).get(code)
    if value is None:
        raise ValidationError(f"{day:%Y-%m-%d}没有生效的政策参数“{PARAMETER_SPECS[code].label}”。请区人力社保局补充。")
    return value


def standard_in_force(*, subsidy_type: str, programme_id: int, level_id: int, day: date) -> SubsidyStandard | None:
    """The most specific standard in force: the programme's own, else the level's, else the type's (one query)."""
    candidates = _in_force(SubsidyStandard.objects.filter(subsidy_type=subsidy_type), day).filter(
        Q(programme_id=programme_id) | Q(programme__isnull=True, level_id=level_id)
        | Q(programme__isnull=True, level__isnull=True)
    )
    best = None
    for row in candidates:
        rank = 0 if row.programme_id else (1 if row.level_id else 2)
        if best is None or rank < best[0]:
            best = (rank, row)
    return best[1] if best else None


def standard_list() -> QuerySet[SubsidyStandard]:
    return SubsidyStandard.objects.select_related("level", "programme__occupation", "programme__level")


def parameter_list() -> QuerySet[PolicyParameter]:
    return PolicyParameter.objects.all()


def holiday_sets(start: date, end: date) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, 调休 working days) between two dates, from the bureau's table (one query)."""
    holidays, workdays = set(), set()
    for day, kind in PublicHoliday.objects.filter(date__range=(start, end)).values_list("date", "kind"):
        (holidays if kind == PublicHoliday.Kind.HOLIDAY else workdays).add(day)
    return frozenset(holidays), frozenset(workdays)


def notice_end_date(*, published_on: date, working_days: int) -> date:
    """The last day of a public notice published on ``published_on`` (weekends and holidays skipped)."""
    holidays, workdays = holiday_sets(published_on, published_on + timedelta(days=working_days * 7 + 60))
    return policy.add_working_days(published_on, working_days, holidays, workdays)


# ---------------------------------------------------------------- facts for the rules


@dataclass
class ClaimFactsBundle:
    """What the evaluation of one claim needs, loaded in a constant number of queries."""

    claim: policy.ClaimFacts
    lines: list[policy.LineFacts]
    signal_lines: list[policy.LineSignalFacts]
    trainee_ids: dict[int, int] = field(default_factory=dict)  # enrolment id → trainee id


def class_facts(training_class: TrainingClass) -> policy.ClassFacts:
    programme = training_class.programme
    return policy.ClassFacts(
        id=training_class.pk,
        status=training_class.status,
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        is_project_based=training_class.is_project_based,
        occupation_id=programme.occupation_id,
        occupation_name=programme.occupation.name,
        level_id=programme.level_id,
        level_name=programme.level.name,
        level_rank=programme.level.rank,
        training_type_code=programme.training_type.code,
        programme_active=programme.is_active,
        programme_valid_from_year=programme.valid_from_year,
        programme_valid_to_year=programme.valid_to_year,
        institution_listed=training_class.institution.catalog_status == "listed",
        institution_name=training_class.institution.name,
    )


def _class_with_catalog(class_id: int) -> TrainingClass:
    return TrainingClass.objects.select_related(
        "programme__occupation", "programme__level", "programme__training_type", "institution"
    ).get(pk=class_id)


def claim_facts_load(
    *,
    class_id: int,
    subsidy_type: str,
    phase: str = policy.PHASE_FULL,
    claim_id: int | None = None,
    employer_kind: str = "",
    employer_insured: bool = False,
    with_signals: bool = True,
) -> ClaimFactsBundle:
    """The facts of every enrolment of a class, for the rules of one subsidy type.

    Queries: the class, the parameters, the standard, the certificate types, the
    enrolments with their trainees, the trainees' target groups, their certificates and
    their lines in other live claims (8), plus three for the fraud signals — never one per line.
    """
    training_class = _class_with_catalog(class_id)
    klass = class_facts(training_class)
    values = policy_values_on(klass.start_date)
    standard_row = None
    if subsidy_type != policy.LIVING:
        standard_row = standard_in_force(
            subsidy_type=subsidy_type, programme_id=training_class.programme_id, level_id=klass.level_id,
            day=klass.start_date,
        )
    standard = (
        policy.StandardFacts(id=standard_row.pk, amount=standard_row.amount, basis=standard_row.basis)
        if standard_row else None
    )
    accepted = frozenset(CertificateType.objects.values_list("code", flat=True))
    claim = policy.ClaimFacts(
        subsidy_type=subsidy_type, klass=klass, values=values, standard=standard, phase=phase, claim_id=claim_id,
        employer_kind=employer_kind, employer_insured=employer_insured, accepted_certificate_types=accepted,
    )

    trainees_of_class = Enrolment.objects.filter(training_class_id=class_id).values("trainee_id")
    enrolments = list(
        Enrolment.objects.filter(training_class_id=class_id)
        .order_by("id")
        .values_list(
            "id", "status", "completion_date", "overlaps_other_class", "trainee_id", "trainee__name",
            "trainee__birth_date", "trainee__sex", "trainee__mobile", "trainee__household_type",
            "trainee__household_address", "trainee__residence_address", "trainee__seeks_work_in_district",
            "trainee__receives_monthly_pension",
        )
    )

    # PostgreSQL probes the trainee_id indexes with the literal ids (a subquery makes it scan whole
    # tables of millions); SQLite caps the number of parameters, so it gets the subquery.
    trainee_ids = _literal_or(sorted({row[4] for row in enrolments}), trainees_of_class)

    groups: dict[int, set[str]] = defaultdict(set)
    for trainee_id, code, parent_code in Trainee.target_groups.through.objects.filter(
        trainee_id__in=trainee_ids
    ).values_list("trainee_id", "targetgroup__code", "targetgroup__parent__code"):
        groups[trainee_id].add(code)
        if parent_code:
            groups[trainee_id].add(parent_code)

    certificates: dict[int, list[policy.CertificateFacts]] = defaultdict(list)
    for cid, trainee_id, type_code, occupation_id, level_id, number, issued_on, enrolment_id in (
        Certificate.objects.filter(trainee_id__in=trainee_ids).values_list(
            "id", "trainee_id", "certificate_type__code", "occupation_id", "level_id", "number", "issued_on",
            "enrolment_id",
        )
    ):
        certificates[trainee_id].append(
            policy.CertificateFacts(cid, type_code, occupation_id, level_id, number, issued_on, enrolment_id)
        )

    prior: dict[int, list[policy.PriorLine]] = defaultdict(list)
    prior_rows = (
        ClaimLine.objects.filter(
            trainee_id__in=trainee_ids, eligible=True, excluded=False,
            claim__status__in=SubsidyClaim.LIVE_STATUSES,
        )
        .exclude(claim_id=claim_id)
        .values_list(
            "trainee_id", "claim_id", "claim__subsidy_type", "claim__training_class_id",
            "claim__training_class__start_date", "claim__training_class__end_date",
            "claim__training_class__programme__occupation_id", "claim__training_class__programme__level_id",
            "certificate_id",
        )
    )
    certificates_in_other_claims: set[int] = set()
    for trainee_id, other_claim, other_type, other_class, start, end, occupation_id, level_id, cert_id in prior_rows:
        prior[trainee_id].append(
            policy.PriorLine(
                claim_id=other_claim, subsidy_type=other_type, class_id=other_class, class_end_year=end.year,
                occupation_id=occupation_id, level_id=level_id,
                months=policy.months_started(start, end) if other_type == policy.WORK_BASED else 0,
            )
        )
        if cert_id and other_class != class_id:
            certificates_in_other_claims.add(cert_id)

    lines: list[policy.LineFacts] = []
    trainee_of: dict[int, int] = {}
    trainee_facts: dict[int, policy.TraineeFacts] = {}
    overlaps: dict[int, bool] = {}
    seen: set[int] = set()
    for (
        enrolment_id, status, completion_date, overlap_flag, trainee_id, name, birth_date, sex, mobile,
        household_type, household_address, residence_address, seeks_work, pension,
    ) in enrolments:
        trainee = policy.TraineeFacts(
            id=trainee_id, name=name, birth_date=birth_date, sex=sex, mobile=mobile, household_type=household_type,
            household_address=household_address, residence_address=residence_address,
            seeks_work_in_district=seeks_work, group_codes=frozenset(groups.get(trainee_id, ())),
            receives_monthly_pension=pension,
        )
        trainee_facts[enrolment_id] = trainee
        trainee_of[enrolment_id] = trainee_id
        overlaps[enrolment_id] = overlap_flag
        lines.append(
            policy.LineFacts(
                enrolment_id=enrolment_id, enrolment_status=status, completion_date=completion_date, trainee=trainee,
                certificates=tuple(certificates.get(trainee_id, ())), prior_lines=tuple(prior.get(trainee_id, ())),
                duplicate_in_claim=trainee_id in seen,
            )
        )
        seen.add(trainee_id)

    signal_lines: list[policy.LineSignalFacts] = []
    if with_signals:
        signal_lines = _signal_facts(
            class_id=class_id, klass=klass, trainees_of_class=trainees_of_class, trainee_ids=trainee_ids,
            enrolments=enrolments,
            trainee_facts=trainee_facts, overlaps=overlaps, certificates=certificates,
            certificates_in_other_claims=certificates_in_other_claims,
        )
    return ClaimFactsBundle(claim=claim, lines=lines, signal_lines=signal_lines, trainee_ids=trainee_of)


def _literal_or(values: list, subquery: QuerySet):
    return values if connection.vendor == "postgresql" else subquery


def _signal_facts(
    *, class_id, klass, trainees_of_class, trainee_ids, enrolments, trainee_facts, overlaps, certificates,
    certificates_in_other_claims,
) -> list[policy.LineSignalFacts]:
    """Three grouped queries: shared mobiles, certificate numbers held twice, overlapping classes."""
    mobiles = _literal_or(
        sorted({t.mobile for t in trainee_facts.values() if t.mobile}),
        Trainee.objects.filter(pk__in=trainees_of_class).values("mobile"),
    )
    mobile_counts = dict(
        Trainee.objects.filter(mobile__in=mobiles)
        .values("mobile").annotate(n=Count("id")).filter(n__gt=1).values_list("mobile", "n")
    )
    numbers = _literal_or(
        sorted({c.number for held in certificates.values() for c in held}),
        Certificate.objects.filter(trainee_id__in=trainees_of_class).values("number"),
    )
    reused_numbers = set(
        Certificate.objects.filter(number__in=numbers)
        .values("number")
        .annotate(holders=Count("trainee_id", distinct=True))
        .filter(holders__gt=1)
        .values_list("number", flat=True)
    )
    overlapping = set(
        Enrolment.objects.filter(
            trainee_id__in=trainee_ids,
            training_class__start_date__lte=klass.end_date,
            training_class__end_date__gte=klass.start_date,
        )
        .exclude(training_class_id=class_id)
        .exclude(status="dropped")
        .values_list("trainee_id", flat=True)
    )
    result = []
    for row in enrolments:
        enrolment_id, trainee_id = row[0], row[4]
        trainee = trainee_facts[enrolment_id]
        reused = sorted(
            {
                c.number for c in certificates.get(trainee_id, ())
                if c.number in reused_numbers or c.id in certificates_in_other_claims
            }
        )
        shared = mobile_counts.get(trainee.mobile, 0)
        result.append(
            policy.LineSignalFacts(
                enrolment_id=enrolment_id, trainee=trainee,
                overlaps_other_class=overlaps[enrolment_id] or trainee_id in overlapping,
                mobile_shared_with=max(shared - 1, 0), reused_certificate_numbers=tuple(reused),
            )
        )
    return result


# ---------------------------------------------------------------- public notice (公示)


def notice_claims() -> QuerySet[SubsidyClaim]:
    """Claims on public notice now. Public by design (no scoping): only masked data leaves this module."""
    return (
        SubsidyClaim.objects.filter(status=SubsidyClaim.Status.PUBLICIZED)
        .select_related("training_class__programme__occupation", "training_class__programme__level",
                        "training_class__institution", "training_class__unit")
        .order_by("notice_ends_on", "id")
    )


def notice_get(*, pk) -> SubsidyClaim:
    return get_object_or_404(notice_claims(), pk=pk)


@dataclass(frozen=True)
class NoticeRow:
    name: str
    id_number: str
    occupation: str
    level: str
    subsidy_type: str
    amount: Decimal


@dataclass(frozen=True)
class NoticeBlock:
    """One claim's public notice: what a public page shows, masked (张*三, 500222********1234)."""

    claim_id: int
    number: str
    subsidy_type: str
    class_name: str
    class_code: str
    institution: str
    unit: str
    start_date: date
    end_date: date
    published_on: date | None
    ends_on: date | None
    total: Decimal
    rows: list[NoticeRow]


def notice_blocks(claims) -> list[NoticeBlock]:
    """Masked notice tables for the given claims (one query for all their lines)."""
    claims = list(claims)
    by_id = {c.pk: c for c in claims}
    lines_by_claim: dict[int, list[NoticeRow]] = defaultdict(list)
    for claim_id, name, id_number, amount, subsidy_type in (
        ClaimLine.objects.filter(claim__in=[c.pk for c in claims], eligible=True, excluded=False)
        .order_by("claim_id", "id")
        .values_list("claim_id", "trainee__name", "trainee__id_number", "amount", "claim__subsidy_type")
    ):
        claim = by_id[claim_id]
        programme = claim.training_class.programme
        lines_by_claim[claim_id].append(
            NoticeRow(
                name=mask_name(name), id_number=mask_id_number(id_number), occupation=programme.occupation.name,
                level=programme.level.name, subsidy_type=SubsidyType(subsidy_type).label, amount=amount,
            )
        )
    return [
        NoticeBlock(
            claim_id=c.pk, number=c.number, subsidy_type=c.get_subsidy_type_display(),
            class_name=c.training_class.name, class_code=c.training_class.code,
            institution=c.training_class.institution.name, unit=c.training_class.unit.name,
            start_date=c.training_class.start_date, end_date=c.training_class.end_date,
            published_on=c.notice_published_on, ends_on=c.notice_ends_on, total=c.total,
            rows=lines_by_claim.get(c.pk, []),
        )
        for c in claims
    ]


# ---------------------------------------------------------------- ledger


def fund_source_list() -> QuerySet[FundSource]:
    return FundSource.objects.all()


def ledger_list(*, user, filters: dict | None = None) -> QuerySet[LedgerEntry]:
    """The special ledger is district-wide: bureau, finance and auditors read it, nobody else."""
    if not (user and user.is_authenticated and user.has_perm("subsidies.view_ledger")):
        return LedgerEntry.objects.none()
    queryset = LedgerEntry.objects.select_related("fund_source", "claim", "payment", "created_by", "reverses").order_by(
        "-created_at", "-id"
    )
    filters = filters or {}
    if filters.get("fund_source"):
        queryset = queryset.filter(fund_source_id=filters["fund_source"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("subsidy_type"):
        queryset = queryset.filter(subsidy_type=filters["subsidy_type"])
    if filters.get("date_from"):
        queryset = queryset.filter(entry_date__gte=filters["date_from"])
    if filters.get("date_to"):
        queryset = queryset.filter(entry_date__lte=filters["date_to"])
    return queryset


def ledger_entry_get(*, user, pk) -> LedgerEntry:
    return get_object_or_404(ledger_list(user=user), pk=pk)


def payment_list(*, user) -> QuerySet[Payment]:
    """Payments of the claims the user may see."""
    return (
        Payment.objects.filter(claim__in=claim_list(user=user).values("pk"))
        .select_related("claim__training_class", "fund_source", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


@dataclass
class SourceBalance:
    source: FundSource
    allocated: Decimal = Decimal("0.00")
    paid_out: Decimal = Decimal("0.00")
    recovered: Decimal = Decimal("0.00")
    allocation_corrections: Decimal = Decimal("0.00")
    ledger_sum: Decimal = Decimal("0.00")

    @property
    def balance(self) -> Decimal:
        return self.source.balance


@dataclass
class TypeBalance:
    subsidy_type: str
    label: str
    by_source: dict[int, Decimal]
    total: Decimal


@dataclass
class Balances:
    sources: list[SourceBalance]
    types: list[TypeBalance]
    total_balance: Decimal
    total_allocated: Decimal
    total_paid_out: Decimal


def ledger_balances(*, user) -> Balances | None:
    """Balances per fund source and net payouts per subsidy type and source (one GROUP BY)."""
    if not (user and user.is_authenticated and user.has_perm("subsidies.view_ledger")):
        return None
    sources = list(FundSource.objects.all())
    by_id = {s.pk: SourceBalance(source=s) for s in sources}
    type_sums: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: Decimal("0.00")))
    rows = (
        LedgerEntry.objects.values("fund_source_id", "kind", "subsidy_type")
        .annotate(total=Sum("amount"))
        .values_list("fund_source_id", "kind", "subsidy_type", "total")
    )
    for source_id, kind, subsidy_type, total in rows:
        row = by_id[source_id]
        row.ledger_sum += total
        if kind == LedgerEntry.Kind.ALLOCATION:
            row.allocated += total
        elif kind == LedgerEntry.Kind.PAYOUT:
            row.paid_out -= total
        elif subsidy_type:
            row.recovered += total
        else:
            row.allocation_corrections += total
        if subsidy_type:
            type_sums[subsidy_type][source_id] -= total
    types = [
        TypeBalance(
            subsidy_type=value, label=label, by_source={s.pk: type_sums[value][s.pk] for s in sources},
            total=sum(type_sums[value].values(), Decimal("0.00")),
        )
        for value, label in SubsidyType.choices
    ]
    return Balances(
        sources=list(by_id.values()),
        types=types,
        total_balance=sum((s.balance for s in sources), Decimal("0.00")),
        total_allocated=sum((b.allocated + b.allocation_corrections for b in by_id.values()), Decimal("0.00")),
        total_paid_out=sum((t.total for t in types), Decimal("0.00")),
    )


# ---------------------------------------------------------------- archive


def trainee_subsidy_lines(*, user, trainee_id: int) -> QuerySet[ClaimLine]:
    """A trainee's counted lines in the claims the user may see, past the draft stage."""
    return (
        ClaimLine.objects.filter(
            trainee_id=trainee_id, eligible=True, excluded=False,
            claim__in=claim_list(user=user).exclude(status=SubsidyClaim.Status.DRAFT).values("pk"),
        )
        .select_related("claim__training_class__programme__occupation", "claim__training_class__programme__level")
        .prefetch_related("claim__payments")
        .order_by("claim__created_at", "id")
    )


# ---------------------------------------------------------------- exports, report sheets and the public page
#
# Read by subsidies/exports.py (the Excel exports and the subsidy sheets of the 季报/年报, through
# the contract of reports.exporters) and by subsidies/public.py (the public page). The scoped ones
# start from claim_list / ledger_list above; the public ones return sums or masked rows only.

ZERO = Decimal("0.00")
# Statuses in which a claim's notice list stands: on notice now, or through it without an upheld objection.
NOTICED_STATUSES = frozenset({
    SubsidyClaim.Status.PUBLICIZED, SubsidyClaim.Status.PAYABLE, SubsidyClaim.Status.ADVANCE_PAID,
    SubsidyClaim.Status.PAID,
})
# Statuses a claim reaches only through the bureau's approval (复核通过), and that still stand.
APPROVED_STATUSES = frozenset({SubsidyClaim.Status.APPROVED, *NOTICED_STATUSES})
# How long a notice list stays on the public page after its notice period ended.
NOTICE_KEPT_DAYS = 30


def _day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Aware datetimes [start 00:00, the day after end 00:00) in the local time zone (Asia/Shanghai)."""
    zone = timezone.get_current_timezone()
    low = datetime.combine(start, time.min, tzinfo=zone) if start else None
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) if end else None
    return low, high


def _payments_between(start: date | None, end: date | None) -> QuerySet[Payment]:
    queryset = Payment.objects.all()
    if start:
        queryset = queryset.filter(paid_on__gte=start)
    if end:
        queryset = queryset.filter(paid_on__lte=end)
    return queryset


def _claims_of(*, user, filters: dict) -> QuerySet[SubsidyClaim]:
    """claim_list with the export's filters: status, subsidy type and responsible unit."""
    queryset = claim_list(user=user, filters=filters)
    if filters.get("unit"):
        queryset = queryset.filter(training_class__unit_id=filters["unit"])
    return queryset


def claim_period_list(*, user, filters: dict | None = None) -> QuerySet[SubsidyClaim]:
    """Claims the user may see that were (last) submitted, or had a payment, between two dates.

    Scoped exactly as claim_list: institution operators their classes' claims, unit operators
    their unit's, finance the payable and paid ones, bureau and auditors all. Without dates,
    every claim in scope (drafts included).
    """
    filters = filters or {}
    queryset = _claims_of(user=user, filters=filters)
    start, end = filters.get("date_from"), filters.get("date_to")
    if start or end:
        low, high = _day_bounds(start, end)
        submitted = Q(submitted_at__isnull=False)
        if low:
            submitted &= Q(submitted_at__gte=low)
        if high:
            submitted &= Q(submitted_at__lt=high)
        paid = _payments_between(start, end).filter(claim_id=OuterRef("pk"))
        queryset = queryset.filter(submitted | Exists(paid))
    return queryset


def claim_export_list(*, user, filters: dict | None = None) -> QuerySet[SubsidyClaim]:
    """claim_period_list with what an export row needs, in the order the claims were opened.

    ``recovered`` is the money taken back on the claim (追回, ledger reversals of its payouts):
    the money side of the user's own claims, never the ledger of anybody else's.
    ``last_reason`` is the latest reason or comment of its workflow (退回、不予补贴、异议).
    """
    recovered = (
        LedgerEntry.objects.filter(claim_id=OuterRef("pk"), kind=LedgerEntry.Kind.REVERSAL)
        .exclude(subsidy_type="")
        .order_by()
        .values("claim_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    reason = ClaimTransition.objects.filter(claim_id=OuterRef("pk")).exclude(reason="").order_by("-seq").values("reason")
    return (
        claim_period_list(user=user, filters=filters)
        .annotate(
            recovered=Subquery(recovered, output_field=DecimalField(max_digits=14, decimal_places=2)),
            last_reason=Subquery(reason[:1]),
        )
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("fund_source").order_by("paid_on", "id"))
        )
        .order_by("created_at", "id")
    )


def payment_period_list(*, user, filters: dict | None = None) -> QuerySet[Payment]:
    """Payments dated between two dates of the claims the user may see (with the same claim filters)."""
    filters = filters or {}
    if not (user and user.is_authenticated and user.has_perm("subsidies.view_payment")):
        return Payment.objects.none()
    claims = _claims_of(user=user, filters=filters)
    return (
        _payments_between(filters.get("date_from"), filters.get("date_to"))
        .filter(claim__in=claims.values("pk"))
        .select_related(
            "claim__training_class__unit", "claim__training_class__institution", "fund_source",
        )
        .order_by("paid_on", "id")
    )


@dataclass
class SourcePeriod:
    """One fund source over a period: the balance before, what moved, the balance after, and the checks."""

    source: FundSource
    opening: Decimal = ZERO
    allocated: Decimal = ZERO
    paid_out: Decimal = ZERO
    recovered: Decimal = ZERO
    allocation_corrections: Decimal = ZERO
    ledger_total: Decimal = ZERO  # every entry ever written for the source
    last_balance_after: Decimal | None = None

    @property
    def movement(self) -> Decimal:
        return self.allocated - self.paid_out + self.recovered + self.allocation_corrections

    @property
    def closing(self) -> Decimal:
        return self.opening + self.movement

    @property
    def balance(self) -> Decimal:
        """The balance the fund source row holds (what payments are checked against)."""
        return self.source.balance

    @property
    def agrees(self) -> bool:
        """The sum of every ledger entry, and the last entry's running balance, equal the stated balance."""
        last_ok = self.last_balance_after is None or self.last_balance_after == self.source.balance
        return self.ledger_total == self.source.balance and last_ok


@dataclass
class TypePeriod:
    """Money paid out for one subsidy type over a period, net of recoveries, by fund source."""

    subsidy_type: str
    label: str
    paid_out: Decimal = ZERO
    recovered: Decimal = ZERO
    net_by_source: dict[int, Decimal] = field(default_factory=dict)
    net_to_date: Decimal = ZERO  # from the first entry to the end of the period

    @property
    def net(self) -> Decimal:
        return self.paid_out - self.recovered


@dataclass
class LedgerPeriod:
    start: date | None
    end: date | None
    sources: list[SourcePeriod]
    types: list[TypePeriod]


def ledger_period(*, user, filters: dict | None = None) -> LedgerPeriod | None:
    """Balances by fund source and payouts by subsidy type over a period (one GROUP BY over the ledger).

    Entries are placed by their 记账日期: before the period (opening balance), in it, or after
    it (only in the all-time sum that is checked against the fund source's balance).
    """
    if not (user and user.is_authenticated and user.has_perm("subsidies.view_ledger")):
        return None
    filters = filters or {}
    start, end = filters.get("date_from"), filters.get("date_to")
    sources = FundSource.objects.annotate(
        last_balance_after=Subquery(
            LedgerEntry.objects.filter(fund_source_id=OuterRef("pk")).order_by("-id").values("balance_after")[:1]
        )
    )
    if filters.get("fund_source"):
        sources = sources.filter(pk=filters["fund_source"])
    by_id = {s.pk: SourcePeriod(source=s, last_balance_after=s.last_balance_after) for s in sources}
    whens = []
    if start:
        whens.append(When(entry_date__lt=start, then=Value(-1)))
    if end:
        whens.append(When(entry_date__gt=end, then=Value(1)))
    bucket = Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0, IntegerField())
    types = {
        value: TypePeriod(subsidy_type=value, label=label, net_by_source={pk: ZERO for pk in by_id})
        for value, label in SubsidyType.choices
    }
    rows = (
        LedgerEntry.objects.filter(fund_source_id__in=list(by_id))
        .annotate(bucket=bucket)
        .values("fund_source_id", "kind", "subsidy_type", "bucket")
        .annotate(total=Sum("amount"))
        .values_list("fund_source_id", "kind", "subsidy_type", "bucket", "total")
        .order_by()
    )
    for source_id, kind, subsidy_type, where, total in rows:
        row = by_id[source_id]
        row.ledger_total += total
        if where < 0:
            row.opening += total
        if subsidy_type and where <= 0:
            types[subsidy_type].net_to_date -= total
        if where != 0:
            continue
        if kind == LedgerEntry.Kind.ALLOCATION:
            row.allocated += total
        elif kind == LedgerEntry.Kind.PAYOUT:
            row.paid_out -= total
            types[subsidy_type].paid_out -= total
        elif subsidy_type:
            row.recovered += total
            types[subsidy_type].recovered += total
        else:
            row.allocation_corrections += total
        if subsidy_type:
            types[subsidy_type].net_by_source[source_id] -= total
    return LedgerPeriod(start=start, end=end, sources=list(by_id.values()), types=list(types.values()))


@dataclass
class PeriodMoney:
    """Subsidies of one period in the user's scope, for the 季报/年报.

    Approved figures come from the claims (复核通过 in the period, amounts as approved); paid
    figures from the special ledger's payouts and recoveries (追回) of those claims, dated in
    the period. Fund sources are chosen at payment, so approvals have none.
    """

    approved_claims: dict[str, int] = field(default_factory=dict)
    approved_persons: dict[str, int] = field(default_factory=dict)
    approved_amount: dict[str, Decimal] = field(default_factory=dict)
    paid_by_type: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    recovered_by_type: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    paid_by_source: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    recovered_by_source: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def period_money(*, user, start: date, end: date) -> PeriodMoney:
    """Approved and paid subsidies between two dates, of the claims the user may see (three GROUP BYs at most)."""
    money = PeriodMoney()
    claims = claim_list(user=user)
    low, high = _day_bounds(start, end)
    last_approved = (
        ClaimTransition.objects.filter(claim_id=OuterRef("pk"), action="approve").order_by("-seq").values("created_at")
    )
    approved = (
        claims.filter(status__in=APPROVED_STATUSES)
        .annotate(last_approved=Subquery(last_approved[:1]))
        .filter(last_approved__gte=low, last_approved__lt=high)
        .order_by()
        .values("subsidy_type")
        .annotate(n=Count("id"), persons=Sum("eligible_count"), amount=Sum("total"))
        .values_list("subsidy_type", "n", "persons", "amount")
    )
    for subsidy_type, n, persons, amount in approved:
        money.approved_claims[subsidy_type] = n
        money.approved_persons[subsidy_type] = persons or 0
        money.approved_amount[subsidy_type] = amount or ZERO
    if not user.has_perm("subsidies.view_payment"):
        return money
    moved = (
        LedgerEntry.objects.filter(claim__in=claims.values("pk"), entry_date__gte=start, entry_date__lte=end)
        .exclude(subsidy_type="")
        .values("subsidy_type", "fund_source_id", "kind")
        .annotate(total=Sum("amount"))
        .values_list("subsidy_type", "fund_source_id", "kind", "total")
        .order_by()
    )
    for subsidy_type, source_id, kind, total in moved:
        if kind == LedgerEntry.Kind.PAYOUT:
            money.paid_by_type[subsidy_type] -= total
            money.paid_by_source[source_id] -= total
        else:
            money.recovered_by_type[subsidy_type] += total
            money.recovered_by_source[source_id] += total
    return money


@dataclass
class SourceUsage:
    name: str
    allocated: Decimal = ZERO  # allocations net of their corrections
    paid_out: Decimal = ZERO  # subsidy payouts net of recoveries
    balance: Decimal = ZERO  # at the end of the year (or now, for the totals)


@dataclass
class YearUsage:
    year: int
    sources: list[SourceUsage]
    allocated: Decimal
    paid_out: Decimal
    balance: Decimal


@dataclass
class TypeUsage:
    subsidy_type: str
    label: str
    by_year: list[Decimal]
    total: Decimal


@dataclass
class FundUsage:
    """What 四（四） asks to publish: money into and out of the special ledger, per year, by fund source and type."""

    years: list[YearUsage]
    types: list[TypeUsage]
    type_totals: list[Decimal]  # per year, all types
    sources: list[SourceUsage]  # from the first entry to now
    allocated: Decimal
    paid_out: Decimal
    balance: Decimal


def public_fund_usage(*, years) -> FundUsage:
    """Public by design (no user): sums of the special ledger only (one GROUP BY), never a row,
    a memo, a voucher or a claim. ``years`` are always shown; years with entries are added."""
    sources = list(FundSource.objects.all())
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])  # allocated, paid, net
    by_type: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        LedgerEntry.objects.annotate(year=ExtractYear("entry_date"))
        .values("year", "fund_source_id", "kind", "subsidy_type")
        .annotate(total=Sum("amount"))
        .values_list("year", "fund_source_id", "kind", "subsidy_type", "total")
        .order_by()
    )
    shown = set(years)
    for year, source_id, kind, subsidy_type, total in rows:
        shown.add(year)
        figures = sums[(year, source_id)]
        figures[2] += total
        if subsidy_type:
            figures[1] -= total
            by_type[(year, subsidy_type)] -= total
        else:
            figures[0] += total
    ordered = sorted(shown)
    running = {s.pk: ZERO for s in sources}
    year_rows = []
    for year in ordered:
        usages = []
        for s in sources:
            allocated, paid_out, net = sums.get((year, s.pk), (ZERO, ZERO, ZERO))
            running[s.pk] += net
            usages.append(SourceUsage(name=s.name, allocated=allocated, paid_out=paid_out, balance=running[s.pk]))
        year_rows.append(
            YearUsage(
                year=year, sources=usages, allocated=sum((u.allocated for u in usages), ZERO),
                paid_out=sum((u.paid_out for u in usages), ZERO), balance=sum((u.balance for u in usages), ZERO),
            )
        )
    types = [
        TypeUsage(
            subsidy_type=value, label=label, by_year=[by_type.get((year, value), ZERO) for year in ordered],
            total=sum((by_type.get((year, value), ZERO) for year in ordered), ZERO),
        )
        for value, label in SubsidyType.choices
    ]
    totals = [
        SourceUsage(
            name=s.name,
            allocated=sum((sums[(year, s.pk)][0] for year in ordered if (year, s.pk) in sums), ZERO),
            paid_out=sum((sums[(year, s.pk)][1] for year in ordered if (year, s.pk) in sums), ZERO),
            balance=running[s.pk],
        )
        for s in sources
    ]
    return FundUsage(
        years=year_rows, types=types,
        type_totals=[sum((t.by_year[i] for t in types), ZERO) for i in range(len(ordered))],
        sources=totals, allocated=sum((t.allocated for t in totals), ZERO),
        paid_out=sum((t.paid_out for t in totals), ZERO), balance=sum((t.balance for t in totals), ZERO),
    )


def notice_claims_recent(*, today: date, days: int = NOTICE_KEPT_DAYS) -> QuerySet[SubsidyClaim]:
    """Claims on notice now, or whose notice ended at most ``days`` ago and stood (public, like notice_claims)."""
    return (
        SubsidyClaim.objects.filter(
            Q(status=SubsidyClaim.Status.PUBLICIZED)
            | Q(status__in=NOTICED_STATUSES, notice_ends_on__gte=today - timedelta(days=days))
        )
        .select_related("training_class__programme__occupation", "training_class__programme__level",
                        "training_class__institution", "training_class__unit")
        .order_by("-notice_published_on", "-id")
    )
