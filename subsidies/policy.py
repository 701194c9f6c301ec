"""The subsidy rules of 綦江府办发〔2019〕39号 section 四, as pure functions over plain facts.

Nothing here touches the database: ``subsidies.selectors.claim_facts_load`` gathers the
facts of every line of a claim in a constant number of queries, and the functions below
decide, line by line, whether the line qualifies, what it is worth and which rules it
breaks. Every rule returns ``None`` (passes) or a :class:`Reason` with a stable code, a
Chinese message that says what is wrong and the section of the notice it comes from.

Amounts are computed here from the standards and parameters in force on the class's
start date (never typed by anyone); the caller snapshots them on the claim line so a
later change of a standard never changes a claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from trainees.idnumbers import age_on

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Subsidy types (the values of models.SubsidyType).
TRAINING = "training"
LIVING = "living"
INSURED_UPGRADE = "insured_upgrade"
APPRENTICESHIP = "apprenticeship"
WORK_BASED = "work_based"
PROJECT = "project"
SUBSIDY_TYPE_LABELS = {
    TRAINING: "职业培训补贴",
    LIVING: "生活费补贴（含交通费）",
    INSURED_UPGRADE: "参保职工技能提升补贴",
    APPRENTICESHIP: "企业新型学徒制补贴",
    WORK_BASED: "以工代训补贴",
    PROJECT: "项目制培训补贴",
}
# 四（二）: "每人每年可享受不超过3次，但同一职业项目同一等级不得重复享受" is about the
# vocational training subsidy paid for the person's own training.
CAPPED_TYPES = frozenset({TRAINING, INSURED_UPGRADE, PROJECT})
CERTIFICATE_TYPES = frozenset({TRAINING, INSURED_UPGRADE, PROJECT})
DISTRICT_LINK_TYPES = frozenset({TRAINING, LIVING, INSURED_UPGRADE, PROJECT})
# 四（二）: "对企业开展培训或者培训机构开展项目制培训的，可先拨付50%的补贴资金".
ENTERPRISE_TYPES = frozenset({INSURED_UPGRADE, APPRENTICESHIP})

# Payment phases of a claim.
PHASE_FULL = "full"
PHASE_ADVANCE = "advance"
PHASE_SETTLEMENT = "settlement"

# Class and enrolment statuses (values of programs.TrainingClass.Status / trainees.Enrolment.Status).
CLASS_FINISHED = "finished"
CLASS_IN_PROGRESS = "in_progress"
ENROLMENT_COMPLETED = "completed"
ENROLMENT_DROPPED = "dropped"

# Target-group codes (trainees/data/target_groups.json) the rules read.
POVERTY_LABOURER = "poverty-labourer"
EMPLOYMENT_DIFFICULTY = "employment-difficulty"
ZERO_EMPLOYMENT_FAMILY = "zero-employment-family"
LIANG_HOU_SHENG = "liang-hou-sheng"
URBAN_DIBAO = "urban-dibao"
ENTERPRISE_EMPLOYEE = "enterprise-employee"
AGRICULTURAL = "agricultural"

# 以工代训 employers (四（一）: 企业、农民专业合作社和扶贫车间等各类生产经营主体).
EMPLOYER_ENTERPRISE = "enterprise"
EMPLOYER_COOPERATIVE = "cooperative"
EMPLOYER_POVERTY_WORKSHOP = "poverty_workshop"
EMPLOYER_OTHER = "other"
EMPLOYER_KINDS = frozenset({EMPLOYER_ENTERPRISE, EMPLOYER_COOPERATIVE, EMPLOYER_POVERTY_WORKSHOP, EMPLOYER_OTHER})

# Training types of 四（一） for enterprise employees ("岗前培训、安全技能培训、转岗转业培训").
ENTERPRISE_TRAINING_TYPES = frozenset(
    {"pre-job", "safety-skills", "job-transfer", "special-operations", "on-job", "off-job", "job-skills-upgrade"}
)


class Code:
    """Reason codes: stable identifiers for the API, tests and reports."""

    ANNUAL_CAP_REACHED = "annual_cap_reached"
    SAME_OCCUPATION_LEVEL = "same_occupation_level"
    CERTIFICATE_MISSING = "certificate_missing"
    CERTIFICATE_NOT_AFTER_TRAINING = "certificate_not_after_training"
    LIVING_ALLOWANCE_GROUP = "living_allowance_group"
    PENSION_RECIPIENT = "pension_recipient"
    NOT_LINKED_TO_DISTRICT = "not_linked_to_district"
    WORK_BASED_TOO_LONG = "work_based_too_long"
    WORK_BASED_EMPLOYER = "work_based_employer"
    WORK_BASED_TRAINEE = "work_based_trainee"
    APPRENTICESHIP_BELOW_MINIMUM = "apprenticeship_below_minimum"
    ENTERPRISE_EMPLOYEE_ONLY = "enterprise_employee_only"
    PROGRAMME_NOT_IN_CATALOG = "programme_not_in_catalog"
    INSTITUTION_SUSPENDED = "institution_suspended"
    CLASS_NOT_FINISHED = "class_not_finished"
    ENROLMENT_NOT_COMPLETED = "enrolment_not_completed"
    DUPLICATE_LINE = "duplicate_line"
    NO_STANDARD = "no_standard"


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    section: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "section": self.section}


@dataclass(frozen=True)
class PolicyValues:
    """The policy parameters in force on the class's start date."""

    annual_cap: int = 3
    apprenticeship_minimum: Decimal = Decimal("4000.00")
    work_based_max_months: int = 6
    advance_ratio: Decimal = Decimal("0.50")
    living_allowance_per_day: Decimal = Decimal("30.00")
    min_age: int = 16
    retirement_age_male: int = 60
    retirement_age_female: int = 55
    district_name: str = "綦江"

    def as_dict(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class StandardFacts:
    """One SubsidyStandard row in force (amount per person, per month or per apprentice-year)."""

    id: int
    amount: Decimal
    basis: str = "per_person"


@dataclass(frozen=True)
class ClassFacts:
    id: int
    status: str
    start_date: date
    end_date: date
    is_project_based: bool
    occupation_id: int
    occupation_name: str
    level_id: int
    level_name: str
    level_rank: int
    training_type_code: str
    programme_active: bool
    programme_valid_from_year: int
    programme_valid_to_year: int
    institution_listed: bool
    institution_name: str = ""


@dataclass(frozen=True)
class TraineeFacts:
    id: int
    name: str
    birth_date: date
    sex: str
    mobile: str = ""
    household_type: str = ""
    household_address: str = ""
    residence_address: str = ""
    seeks_work_in_district: bool = False
    group_codes: frozenset[str] = frozenset()
    receives_monthly_pension: bool = False


@dataclass(frozen=True)
class CertificateFacts:
    id: int
    type_code: str
    occupation_id: int
    level_id: int
    number: str
    issued_on: date
    enrolment_id: int | None = None


@dataclass(frozen=True)
class PriorLine:
    """An eligible line of another live claim (submitted, in review, approved, paid…) of the same trainee."""

    claim_id: int
    subsidy_type: str
    class_id: int
    class_end_year: int
    occupation_id: int
    level_id: int
    months: int = 0


@dataclass(frozen=True)
class LineFacts:
    enrolment_id: int
    enrolment_status: str
    completion_date: date | None
    trainee: TraineeFacts
    certificates: tuple[CertificateFacts, ...] = ()
    prior_lines: tuple[PriorLine, ...] = ()
    duplicate_in_claim: bool = False


@dataclass(frozen=True)
class ClaimFacts:
    subsidy_type: str
    klass: ClassFacts
    values: PolicyValues
    standard: StandardFacts | None
    phase: str = PHASE_FULL
    claim_id: int | None = None
    employer_kind: str = ""
    employer_insured: bool = False
    accepted_certificate_types: frozenset[str] = frozenset(
        {"qualification", "skill-level", "special-ability", "special-operation", "training-completion"}
    )


@dataclass(frozen=True)
class LineResult:
    eligible: bool
    amount: Decimal
    unit_amount: Decimal
    quantity: Decimal
    reasons: tuple[Reason, ...] = ()
    certificate_id: int | None = None
    standard_id: int | None = None

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """1200 → "1,200.00" (how amounts are written for people)."""
    return f"{money(value):,.2f}"


# ---------------------------------------------------------------- calendar helpers


def months_started(start: date, end: date) -> int:
    """Calendar months a period touches, a started month counting whole (1 Mar–30 Sep is 7)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months + (1 if end.day >= start.day else 0)


def training_days(start: date, end: date) -> int:
    """Days of training for the living allowance: the class's calendar days, both ends included."""
    return max((end - start).days + 1, 0)


def is_working_day(day: date, holidays: frozenset[date] | set[date], workdays: frozenset[date] | set[date]) -> bool:
    """Monday to Friday unless a public holiday; a weekend day the State Council made a working day (调休) counts."""
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, n: int, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> date:
    """The n-th working day after ``start`` (``start`` itself does not count).

    A public notice published on a day runs for the next n working days; it has ended
    when that day is over.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    holidays, workdays = frozenset(holidays), frozenset(workdays)
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            counted += 1
    return day


# ---------------------------------------------------------------- the rules


Rule = Callable[[ClaimFacts, LineFacts], "Reason | None"]


def rule_class_finished(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: the subsidy is paid "参加培训后取得证书", i.e. after the training; the class must be finished.

    Project-based and enterprise training may receive the 50% advance once the class has
    opened (四（二） "可先拨付50%的补贴资金"), so the advance phase needs the class under way.
    """
    if claim.phase == PHASE_ADVANCE:
        if claim.klass.status in (CLASS_IN_PROGRESS, CLASS_FINISHED):
            return None
        return Reason(Code.CLASS_NOT_FINISHED, "培训班尚未开班，开班后才能申请预拨补贴。", "四（二）")
    if claim.klass.status != CLASS_FINISHED:
        return Reason(Code.CLASS_NOT_FINISHED, "培训班尚未结业，结业后才能申领补贴。", "四（二）")
    return None


def rule_enrolment_completed(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: "参加培训后" — the trainee must have completed the class (a dropout gets nothing)."""
    if line.enrolment_status == ENROLMENT_DROPPED:
        return Reason(Code.ENROLMENT_NOT_COMPLETED, "该学员已退学，不能享受补贴。", "四（二）")
    if claim.phase != PHASE_ADVANCE and line.enrolment_status != ENROLMENT_COMPLETED:
        return Reason(Code.ENROLMENT_NOT_COMPLETED, "该学员未结业，请先在花名册中登记结业日期。", "四（二）")
    return None


def rule_programme_in_catalog(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """五（二）: subsidised training follows the published programme catalog (目录清单管理).

    The programme must be in the catalog and valid for the year the class starts.
    """
    k = claim.klass
    if not k.programme_active or not (k.programme_valid_from_year <= k.start_date.year <= k.programme_valid_to_year):
        return Reason(
            Code.PROGRAMME_NOT_IN_CATALOG,
            f"培训项目（{k.occupation_name}·{k.level_name}）在开班年度不在培训项目目录中，不能享受补贴。",
            "五（二）",
        )
    return None


def rule_institution_listed(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """五（二）: only institutions in the published institution catalog; a suspended one gets no subsidy."""
    if not claim.klass.institution_listed:
        return Reason(
            Code.INSTITUTION_SUSPENDED,
            f"培训机构“{claim.klass.institution_name}”已暂停列入培训机构目录，不能享受补贴。",
            "五（二）",
        )
    return None


def rule_pension(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: "对确有培训需求、不具有按月领取养老金资格的人员纳入政策范围" — pension recipients are outside the policy."""
    if line.trainee.receives_monthly_pension:
        return Reason(Code.PENSION_RECIPIENT, "该学员按月领取养老金，不在补贴政策范围内。", "四（二）")
    return None


def rule_district_link(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: training "在户籍地、常住地、求职就业地" — the person must be linked to the district
    by household registration, residence or seeking work here."""
    t, district = line.trainee, claim.values.district_name
    if district and (district in (t.household_address or "") or district in (t.residence_address or "")):
        return None
    if t.seeks_work_in_district:
        return None
    return Reason(
        Code.NOT_LINKED_TO_DISTRICT,
        f"该学员户籍地、常住地都不在{district}区，也未登记在本区求职就业，不能在本区享受补贴。",
        "四（二）",
    )


def _certificate_for(claim: ClaimFacts, line: LineFacts) -> tuple[CertificateFacts | None, Reason | None]:
    """The certificate this training earned, or the reason there is none."""
    k = claim.klass
    accepted = [c for c in line.certificates if c.type_code in claim.accepted_certificate_types]
    linked = [c for c in accepted if c.enrolment_id == line.enrolment_id]
    matching = linked or [c for c in accepted if c.occupation_id == k.occupation_id and c.level_id == k.level_id]
    if not matching:
        return None, Reason(
            Code.CERTIFICATE_MISSING,
            f"没有取得{k.occupation_name}·{k.level_name}的职业资格、职业技能等级、专项职业能力、特种作业操作或培训合格证书。",
            "四（二）",
        )
    after = [c for c in matching if c.issued_on >= k.start_date]
    if not after:
        earliest = min(c.issued_on for c in matching)
        return None, Reason(
            Code.CERTIFICATE_NOT_AFTER_TRAINING,
            f"证书发证日期（{earliest:%Y-%m-%d}）早于本期培训开班日期（{k.start_date:%Y-%m-%d}），不是参加本次培训后取得的。",
            "四（二）",
        )
    return min(after, key=lambda c: (c.issued_on, c.id)), None


def rule_certificate(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: "参加培训后取得证书（职业资格证书、职业技能等级证书、专项职业能力证书、特种作业操作证书、
    培训合格证书等）的，按规定给予职业培训补贴" — a certificate of an accepted type, earned after this training."""
    if claim.phase == PHASE_ADVANCE:
        return None
    return _certificate_for(claim, line)[1]


def _capped_lines(claim: ClaimFacts, line: LineFacts) -> list[PriorLine]:
    return [p for p in line.prior_lines if p.subsidy_type in CAPPED_TYPES and p.claim_id != claim.claim_id]


def rule_annual_cap(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: "原则上每人每年可享受不超过3次" — approved and pending claims both count."""
    year = claim.klass.end_date.year
    cap = claim.values.annual_cap
    taken = sum(1 for p in _capped_lines(claim, line) if p.class_end_year == year)
    if taken >= cap:
        return Reason(
            Code.ANNUAL_CAP_REACHED,
            f"该学员{year}年已享受（含审核中）{taken}次职业培训补贴，每人每年不超过{cap}次。",
            "四（二）",
        )
    return None


def rule_same_occupation_level(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: "同一职业项目同一等级不得重复享受"."""
    k = claim.klass
    for p in _capped_lines(claim, line):
        if p.occupation_id == k.occupation_id and p.level_id == k.level_id:
            return Reason(
                Code.SAME_OCCUPATION_LEVEL,
                f"该学员已享受（含审核中）{k.occupation_name}·{k.level_name}的职业培训补贴，同一职业同一等级不得重复享受。",
                "四（二）",
            )
    return None


def rule_duplicate_line(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（四）: guard against 套取 — one trainee, one class, one subsidy type, one line in one live claim."""
    if line.duplicate_in_claim:
        return Reason(Code.DUPLICATE_LINE, "同一学员在本申领中重复出现。", "四（四）")
    for p in line.prior_lines:
        if p.class_id == claim.klass.id and p.subsidy_type == claim.subsidy_type and p.claim_id != claim.claim_id:
            return Reason(
                Code.DUPLICATE_LINE,
                f"该学员本期培训的{SUBSIDY_TYPE_LABELS[claim.subsidy_type]}已在另一笔申领中（申领编号 {p.claim_id}）。",
                "四（四）",
            )
    return None


def rule_living_allowance_group(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（一）: living allowance only for "贫困劳动力、就业困难人员、零就业家庭成员、'两后生'中的农村学员和
    城市低保家庭学员"."""
    t = line.trainee
    groups = t.group_codes
    if groups & {POVERTY_LABOURER, EMPLOYMENT_DIFFICULTY, ZERO_EMPLOYMENT_FAMILY}:
        return None
    if LIANG_HOU_SHENG in groups and (t.household_type == AGRICULTURAL or URBAN_DIBAO in groups):
        return None
    return Reason(
        Code.LIVING_ALLOWANCE_GROUP,
        "生活费补贴仅限贫困劳动力、就业困难人员、零就业家庭成员，以及“两后生”中的农村学员和城市低保家庭学员。",
        "四（一）",
    )


def rule_enterprise_employee(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（一）: the insured-employee skill-upgrade subsidy and the new apprenticeship are for enterprise
    employees ("符合条件的企业职工参加岗前培训、安全技能培训、转岗转业培训或初级工…高级技师培训";
    "职工参加企业新型学徒制培训的")."""
    if ENTERPRISE_EMPLOYEE not in line.trainee.group_codes:
        return Reason(
            Code.ENTERPRISE_EMPLOYEE_ONLY,
            f"{SUBSIDY_TYPE_LABELS[claim.subsidy_type]}只适用于企业职工，该学员未登记为企业职工。",
            "四（一）",
        )
    k = claim.klass
    if claim.subsidy_type == INSURED_UPGRADE and k.training_type_code not in ENTERPRISE_TRAINING_TYPES and k.level_rank < 1:
        return Reason(
            Code.ENTERPRISE_EMPLOYEE_ONLY,
            "参保职工技能提升补贴只适用于岗前、安全技能、转岗转业培训或初级工至高级技师等级培训。",
            "四（一）",
        )
    return None


def rule_work_based_employer(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（一）: "企业、农民专业合作社和扶贫车间等各类生产经营主体吸纳贫困劳动力就业并开展以工代训，以及
    参保企业吸纳就业困难人员、零就业家庭成员就业并开展以工代训的" — who may employ whom."""
    groups = line.trainee.group_codes
    if claim.employer_kind not in EMPLOYER_KINDS:
        return Reason(Code.WORK_BASED_EMPLOYER, "请在申领中填写吸纳就业的生产经营主体类型。", "四（一）")
    if POVERTY_LABOURER in groups:
        return None
    if groups & {EMPLOYMENT_DIFFICULTY, ZERO_EMPLOYMENT_FAMILY}:
        if claim.employer_kind == EMPLOYER_ENTERPRISE and claim.employer_insured:
            return None
        return Reason(
            Code.WORK_BASED_EMPLOYER,
            "吸纳就业困难人员、零就业家庭成员开展以工代训的，用人单位须为参保企业。",
            "四（一）",
        )
    return Reason(
        Code.WORK_BASED_TRAINEE,
        "以工代训补贴只适用于吸纳贫困劳动力、就业困难人员或零就业家庭成员就业的情形。",
        "四（一）",
    )


def rule_work_based_months(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（一）: 以工代训 "给予一定期限的职业培训补贴，最长不超过6个月" — per person, all claims together."""
    k = claim.klass
    months = months_started(k.start_date, k.end_date)
    before = sum(p.months for p in line.prior_lines if p.subsidy_type == WORK_BASED and p.claim_id != claim.claim_id)
    limit = claim.values.work_based_max_months
    if before + months > limit:
        detail = f"已享受{before}个月，本次{months}个月" if before else f"本次{months}个月"
        return Reason(
            Code.WORK_BASED_TOO_LONG,
            f"以工代训补贴每人最长不超过{limit}个月（{detail}，合计第{before + months}个月）。",
            "四（一）",
        )
    return None


def rule_apprenticeship_minimum(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（一）: new apprenticeship "给予企业每人每年4000元以上的职业培训补贴" — a standard below the minimum is refused."""
    if claim.standard is None:
        return None
    minimum = claim.values.apprenticeship_minimum
    if claim.standard.amount < minimum:
        return Reason(
            Code.APPRENTICESHIP_BELOW_MINIMUM,
            f"企业新型学徒制补贴标准 {yuan(claim.standard.amount)} 元低于每人每年 {yuan(minimum)} 元的最低标准，请区人力社保局核定补贴标准。",
            "四（一）",
        )
    return None


def rule_standard_in_force(claim: ClaimFacts, line: LineFacts) -> Reason | None:
    """四（二）: standards are set by the bureau ("调整享受职业培训补贴标准"); without one in force there is no amount."""
    if claim.subsidy_type == LIVING or claim.standard is not None:
        return None
    k = claim.klass
    return Reason(
        Code.NO_STANDARD,
        f"{k.start_date:%Y-%m-%d}没有适用于{k.occupation_name}·{k.level_name}的{SUBSIDY_TYPE_LABELS[claim.subsidy_type]}标准，请区人力社保局先核定补贴标准。",
        "四（二）",
    )


COMMON_RULES: tuple[Rule, ...] = (
    rule_class_finished,
    rule_enrolment_completed,
    rule_programme_in_catalog,
    rule_institution_listed,
    rule_pension,
    rule_duplicate_line,
    rule_standard_in_force,
)
RULES_BY_TYPE: dict[str, tuple[Rule, ...]] = {
    TRAINING: COMMON_RULES + (rule_district_link, rule_certificate, rule_annual_cap, rule_same_occupation_level),
    PROJECT: COMMON_RULES + (rule_district_link, rule_certificate, rule_annual_cap, rule_same_occupation_level),
    INSURED_UPGRADE: COMMON_RULES
    + (rule_enterprise_employee, rule_district_link, rule_certificate, rule_annual_cap, rule_same_occupation_level),
    LIVING: COMMON_RULES + (rule_district_link, rule_living_allowance_group),
    APPRENTICESHIP: COMMON_RULES + (rule_enterprise_employee, rule_apprenticeship_minimum),
    WORK_BASED: COMMON_RULES + (rule_work_based_employer, rule_work_based_months),
}


def advance_allowed(*, subsidy_type: str, is_project_based: bool) -> bool:
    """四（二）: "对企业开展培训或者培训机构开展项目制培训的，可先拨付50%的补贴资金"."""
    return (subsidy_type == PROJECT and is_project_based) or subsidy_type in ENTERPRISE_TYPES


def unit_amount_and_quantity(claim: ClaimFacts) -> tuple[Decimal, Decimal]:
    """What one eligible line is worth: (amount per unit, number of units)."""
    k = claim.klass
    if claim.subsidy_type == LIVING:
        return money(claim.values.living_allowance_per_day), Decimal(training_days(k.start_date, k.end_date))
    if claim.standard is None:
        return ZERO, Decimal(1)
    if claim.subsidy_type == WORK_BASED:
        return money(claim.standard.amount), Decimal(months_started(k.start_date, k.end_date))
    return money(claim.standard.amount), Decimal(1)


def evaluate_line(claim: ClaimFacts, line: LineFacts) -> LineResult:
    """Apply every rule of the claim's type to one line; the amount is zero unless all pass."""
    reasons = tuple(r for r in (rule(claim, line) for rule in RULES_BY_TYPE[claim.subsidy_type]) if r is not None)
    certificate_id = None
    if claim.subsidy_type in CERTIFICATE_TYPES and claim.phase != PHASE_ADVANCE:
        certificate = _certificate_for(claim, line)[0]
        certificate_id = certificate.id if certificate else None
    unit_amount, quantity = unit_amount_and_quantity(claim)
    eligible = not reasons
    return LineResult(
        eligible=eligible,
        amount=money(unit_amount * quantity) if eligible else ZERO,
        unit_amount=unit_amount,
        quantity=quantity,
        reasons=reasons,
        certificate_id=certificate_id,
        standard_id=claim.standard.id if claim.standard else None,
    )


def evaluate_lines(claim: ClaimFacts, lines: Iterable[LineFacts]) -> list[LineResult]:
    return [evaluate_line(claim, line) for line in lines]


def advance_amount(total: Decimal, ratio: Decimal) -> Decimal:
    """四（二）: "可先拨付50%的补贴资金" — the advance is the ratio of the approved total, to the cent."""
    return money(total * ratio)


# ---------------------------------------------------------------- fraud signals (四（四）)


class Signal:
    UNDER_AGE = "under_age"
    OVER_RETIREMENT_AGE = "over_retirement_age"
    OVERLAPPING_CLASSES = "overlapping_classes"
    SHARED_MOBILE = "shared_mobile"
    CERTIFICATE_REUSED = "certificate_reused"
    FILED_BEFORE_CLASS_ENDED = "filed_before_class_ended"
    SPOT_CHECK = "spot_check"


SIGNAL_LABELS = {
    Signal.UNDER_AGE: "未满法定劳动年龄",
    Signal.OVER_RETIREMENT_AGE: "超过法定退休年龄",
    Signal.OVERLAPPING_CLASSES: "同时参加时间重叠的培训班",
    Signal.SHARED_MOBILE: "多名学员使用同一手机号码",
    Signal.CERTIFICATE_REUSED: "证书编号重复使用",
    Signal.FILED_BEFORE_CLASS_ENDED: "结业前申领",
    Signal.SPOT_CHECK: "随机抽查",
}


@dataclass(frozen=True)
class SignalHit:
    code: str
    message: str
    enrolment_id: int | None = None

    @property
    def label(self) -> str:
        return SIGNAL_LABELS[self.code]


@dataclass(frozen=True)
class LineSignalFacts:
    enrolment_id: int
    trainee: TraineeFacts
    overlaps_other_class: bool = False
    mobile_shared_with: int = 0
    reused_certificate_numbers: tuple[str, ...] = ()


def line_signals(*, klass: ClassFacts, values: PolicyValues, line: LineSignalFacts) -> list[SignalHit]:
    """四（四） "对虚假培训等套取、骗取资金的依法依纪严惩": what a reviewer should look at for one line."""
    hits: list[SignalHit] = []
    t = line.trainee
    age = age_on(t.birth_date, klass.start_date)
    retirement = values.retirement_age_female if t.sex == "F" else values.retirement_age_male
    if age < values.min_age:
        hits.append(SignalHit(Signal.UNDER_AGE, f"{t.name}开班时{age}周岁，未满{values.min_age}周岁。", line.enrolment_id))
    elif age >= retirement:
        hits.append(
            SignalHit(Signal.OVER_RETIREMENT_AGE, f"{t.name}开班时{age}周岁，已达到法定退休年龄（{retirement}周岁）。", line.enrolment_id)
        )
    if line.overlaps_other_class:
        hits.append(SignalHit(Signal.OVERLAPPING_CLASSES, f"{t.name}同时参加了时间重叠的其他培训班。", line.enrolment_id))
    if line.mobile_shared_with:
        hits.append(
            SignalHit(Signal.SHARED_MOBILE, f"{t.name}的手机号码另有{line.mobile_shared_with}名学员登记使用。", line.enrolment_id)
        )
    for number in line.reused_certificate_numbers:
        hits.append(SignalHit(Signal.CERTIFICATE_REUSED, f"{t.name}的证书编号 {number} 被重复使用。", line.enrolment_id))
    return hits


def claim_signals(*, klass: ClassFacts, phase: str, filed_on: date | None, spot_check: bool) -> list[SignalHit]:
    hits: list[SignalHit] = []
    if filed_on is not None and phase != PHASE_ADVANCE and filed_on < klass.end_date:
        hits.append(
            SignalHit(
                Signal.FILED_BEFORE_CLASS_ENDED,
                f"申领提交日期（{filed_on:%Y-%m-%d}）早于培训班结业日期（{klass.end_date:%Y-%m-%d}）。",
            )
        )
    if spot_check:
        hits.append(SignalHit(Signal.SPOT_CHECK, "本申领被随机抽中，请实地核查签到表、培训照片和证书。"))
    return hits


def spot_check_drawn(*, draw: float, rate: Decimal) -> bool:
    """A claim is sampled when a uniform draw in [0, 1) falls below the configured rate."""
    return Decimal(str(draw)) < rate

