"""The pure rules of section 四: one passing and one failing case per rule, no database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from subsidies import policy
from subsidies.policy import Code

CLASS = policy.ClassFacts(
    id=10, status="finished", start_date=date(2019, 3, 4), end_date=date(2019, 3, 29), is_project_based=False,
    occupation_id=1, occupation_name="电焊", level_id=2, level_name="初级工（五级）", level_rank=1,
    training_type_code="employment-skills", programme_active=True, programme_valid_from_year=2019,
    programme_valid_to_year=2021, institution_listed=True, institution_name="綦江区职业培训中心",
)
TRAINEE = policy.TraineeFacts(
    id=100, name="张小三", birth_date=date(1990, 5, 1), sex="M", mobile="13900000001",
    household_type="agricultural", household_address="重庆市綦江区古南街道", residence_address="重庆市綦江区古南街道",
    group_codes=frozenset({"rural-migrant"}),
)
CERT = policy.CertificateFacts(
    id=7, type_code="skill-level", occupation_id=1, level_id=2, number="S1", issued_on=date(2019, 4, 8), enrolment_id=50
)
LINE = policy.LineFacts(
    enrolment_id=50, enrolment_status="completed", completion_date=date(2019, 3, 29), trainee=TRAINEE,
    certificates=(CERT,),
)
STANDARD = policy.StandardFacts(id=3, amount=Decimal("1000.00"))
CLAIM = policy.ClaimFacts(subsidy_type="training", klass=CLASS, values=policy.PolicyValues(), standard=STANDARD, claim_id=1)


def prior(**kwargs) -> policy.PriorLine:
    values = dict(claim_id=90, subsidy_type="training", class_id=20, class_end_year=2019, occupation_id=5, level_id=2)
    return policy.PriorLine(**(values | kwargs))


def codes(claim=CLAIM, line=LINE) -> list[str]:
    return policy.evaluate_line(claim, line).codes


def with_trainee(**kwargs) -> policy.LineFacts:
    return replace(LINE, trainee=replace(TRAINEE, **kwargs))


def test_a_clean_line_qualifies_with_the_standard_amount():
    result = policy.evaluate_line(CLAIM, LINE)
    assert result.eligible and result.reasons == ()
    assert result.amount == Decimal("1000.00") and result.certificate_id == 7 and result.standard_id == 3


# 四（二） at most 3 a year -------------------------------------------------------------


def test_third_subsidy_in_a_year_passes_and_the_fourth_fails():
    two = (prior(claim_id=91, occupation_id=5), prior(claim_id=92, occupation_id=6))
    assert codes(line=replace(LINE, prior_lines=two)) == []
    three = two + (prior(claim_id=93, occupation_id=7),)
    result = policy.evaluate_line(CLAIM, replace(LINE, prior_lines=three))
    assert result.codes == [Code.ANNUAL_CAP_REACHED]
    assert result.amount == Decimal("0.00")
    assert result.reasons[0].message == "该学员2019年已享受（含审核中）3次职业培训补贴，每人每年不超过3次。"
    assert result.reasons[0].section == "四（二）"


def test_subsidies_of_another_year_and_of_uncapped_types_do_not_count():
    others = (
        prior(claim_id=91, class_end_year=2018, occupation_id=5), prior(claim_id=92, class_end_year=2018, occupation_id=6),
        prior(claim_id=93, class_end_year=2018, occupation_id=7), prior(claim_id=94, subsidy_type="living"),
        prior(claim_id=95, subsidy_type="apprenticeship"),
    )
    assert codes(line=replace(LINE, prior_lines=others)) == []


def test_the_cap_is_a_parameter():
    values = replace(policy.PolicyValues(), annual_cap=2)
    two = (prior(claim_id=91, occupation_id=5), prior(claim_id=92, occupation_id=6))
    assert codes(claim=replace(CLAIM, values=values), line=replace(LINE, prior_lines=two)) == [Code.ANNUAL_CAP_REACHED]


def test_the_claim_itself_does_not_count_against_its_own_lines():
    own = (prior(claim_id=1, class_id=10, occupation_id=1), prior(claim_id=1, occupation_id=5))
    assert codes(line=replace(LINE, prior_lines=own)) == []


# 四（二） same occupation and level never twice ------------------------------------------


def test_same_occupation_at_another_level_passes_and_at_the_same_level_fails():
    assert codes(line=replace(LINE, prior_lines=(prior(occupation_id=1, level_id=3),))) == []
    result = policy.evaluate_line(CLAIM, replace(LINE, prior_lines=(prior(occupation_id=1, level_id=2, class_end_year=2017),)))
    assert result.codes == [Code.SAME_OCCUPATION_LEVEL]
    assert "同一职业同一等级不得重复享受" in result.reasons[0].message and "电焊·初级工（五级）" in result.reasons[0].message


# 四（二） certificate ----------------------------------------------------------------------


def test_no_certificate_fails():
    result = policy.evaluate_line(CLAIM, replace(LINE, certificates=()))
    assert result.codes == [Code.CERTIFICATE_MISSING] and result.certificate_id is None


def test_certificate_of_an_unaccepted_type_fails():
    claim = replace(CLAIM, accepted_certificate_types=frozenset({"qualification"}))
    assert codes(claim=claim) == [Code.CERTIFICATE_MISSING]


def test_a_matching_certificate_not_linked_to_the_enrolment_passes():
    cert = replace(CERT, enrolment_id=None, issued_on=date(2019, 3, 29))
    assert codes(line=replace(LINE, certificates=(cert,))) == []


def test_certificate_earned_before_this_training_fails():
    cert = replace(CERT, enrolment_id=None, issued_on=date(2018, 12, 1))
    result = policy.evaluate_line(CLAIM, replace(LINE, certificates=(cert,)))
    assert result.codes == [Code.CERTIFICATE_NOT_AFTER_TRAINING]
    assert "2018-12-01" in result.reasons[0].message and "2019-03-04" in result.reasons[0].message


def test_certificate_of_another_occupation_fails():
    cert = replace(CERT, enrolment_id=None, occupation_id=99)
    assert codes(line=replace(LINE, certificates=(cert,))) == [Code.CERTIFICATE_MISSING]


# 四（一） living allowance -----------------------------------------------------------------

LIVING = replace(CLAIM, subsidy_type="living", standard=None)


@pytest.mark.parametrize(
    "groups, household",
    [
        ({"poverty-labourer"}, "non_agricultural"),
        ({"employment-difficulty", "disabled"}, "non_agricultural"),
        ({"zero-employment-family"}, "non_agricultural"),
        ({"liang-hou-sheng"}, "agricultural"),
        ({"liang-hou-sheng", "urban-dibao"}, "non_agricultural"),
    ],
)
def test_living_allowance_for_the_listed_groups(groups, household):
    result = policy.evaluate_line(LIVING, with_trainee(group_codes=frozenset(groups), household_type=household))
    assert result.eligible
    assert result.amount == Decimal("780.00")  # 26 days × 30 yuan
    assert result.quantity == Decimal(26) and result.unit_amount == Decimal("30.00")


@pytest.mark.parametrize(
    "groups, household",
    [({"enterprise-employee"}, "agricultural"), ({"liang-hou-sheng"}, "non_agricultural"), ({"rural-migrant"}, "agricultural")],
)
def test_living_allowance_refused_for_other_groups(groups, household):
    result = policy.evaluate_line(LIVING, with_trainee(group_codes=frozenset(groups), household_type=household))
    assert result.codes == [Code.LIVING_ALLOWANCE_GROUP]
    assert result.reasons[0].message.startswith("生活费补贴仅限贫困劳动力、就业困难人员、零就业家庭成员")


# 四（二） pension; district link ------------------------------------------------------------


def test_pension_recipient_fails():
    assert codes(line=with_trainee(receives_monthly_pension=True)) == [Code.PENSION_RECIPIENT]


@pytest.mark.parametrize(
    "household, residence, seeks",
    [("重庆市綦江区古南街道", "四川省成都市", False), ("四川省成都市", "重庆市綦江区文龙街道", False), ("四川省成都市", "四川省成都市", True)],
)
def test_linked_by_household_residence_or_job_seeking(household, residence, seeks):
    assert codes(line=with_trainee(household_address=household, residence_address=residence, seeks_work_in_district=seeks)) == []


def test_not_linked_to_the_district_fails():
    line = with_trainee(household_address="四川省成都市", residence_address="贵州省遵义市", seeks_work_in_district=False)
    result = policy.evaluate_line(CLAIM, line)
    assert result.codes == [Code.NOT_LINKED_TO_DISTRICT]
    assert "綦江区" in result.reasons[0].message


# 四（一） 以工代训 ----------------------------------------------------------------------------

WORK = replace(
    CLAIM, subsidy_type="work_based", standard=policy.StandardFacts(id=4, amount=Decimal("500.00"), basis="per_month"),
    klass=replace(CLASS, start_date=date(2019, 3, 1), end_date=date(2019, 8, 31), training_type_code="work-based"),
    employer_kind="cooperative",
)
POOR = with_trainee(group_codes=frozenset({"poverty-labourer"}))


def test_work_based_six_months_passes():
    result = policy.evaluate_line(WORK, POOR)
    assert result.eligible and result.quantity == Decimal(6) and result.amount == Decimal("3000.00")


def test_work_based_month_seven_fails():
    claim = replace(WORK, klass=replace(WORK.klass, end_date=date(2019, 9, 1)))
    result = policy.evaluate_line(claim, POOR)
    assert result.codes == [Code.WORK_BASED_TOO_LONG]
    assert result.reasons[0].message == "以工代训补贴每人最长不超过6个月（本次7个月，合计第7个月）。"


def test_work_based_months_add_up_across_claims():
    earlier = replace(POOR, prior_lines=(prior(subsidy_type="work_based", months=4),))
    short = replace(WORK, klass=replace(WORK.klass, end_date=date(2019, 4, 30)))
    assert policy.evaluate_line(short, earlier).eligible
    result = policy.evaluate_line(replace(WORK, klass=replace(WORK.klass, end_date=date(2019, 5, 31))), earlier)
    assert result.codes == [Code.WORK_BASED_TOO_LONG] and "合计第7个月" in result.reasons[0].message


def test_work_based_employment_difficulty_needs_an_insured_enterprise():
    line = with_trainee(group_codes=frozenset({"zero-employment-family"}))
    assert codes(claim=replace(WORK, employer_kind="enterprise", employer_insured=True), line=line) == []
    result = policy.evaluate_line(replace(WORK, employer_kind="enterprise", employer_insured=False), line)
    assert result.codes == [Code.WORK_BASED_EMPLOYER]
    assert result.reasons[0].message == "吸纳就业困难人员、零就业家庭成员开展以工代训的，用人单位须为参保企业。"


def test_work_based_trainee_of_another_kind_fails():
    assert codes(claim=WORK, line=with_trainee(group_codes=frozenset({"college-graduate"}))) == [Code.WORK_BASED_TRAINEE]


def test_work_based_without_an_employer_kind_fails():
    assert codes(claim=replace(WORK, employer_kind=""), line=POOR) == [Code.WORK_BASED_EMPLOYER]


# 四（一） apprenticeship ----------------------------------------------------------------------

APPRENTICE = replace(
    CLAIM, subsidy_type="apprenticeship", standard=policy.StandardFacts(id=5, amount=Decimal("4000.00"), basis="per_year"),
    klass=replace(CLASS, training_type_code="apprenticeship"),
)
EMPLOYEE = with_trainee(group_codes=frozenset({"enterprise-employee"}))


def test_apprenticeship_at_the_minimum_passes():
    result = policy.evaluate_line(APPRENTICE, EMPLOYEE)
    assert result.eligible and result.amount == Decimal("4000.00")


def test_apprenticeship_of_3999_yuan_fails():
    claim = replace(APPRENTICE, standard=policy.StandardFacts(id=6, amount=Decimal("3999.00"), basis="per_year"))
    result = policy.evaluate_line(claim, EMPLOYEE)
    assert result.codes == [Code.APPRENTICESHIP_BELOW_MINIMUM]
    assert "3,999.00 元低于每人每年 4,000.00 元" in result.reasons[0].message


def test_apprenticeship_is_for_enterprise_employees():
    assert codes(claim=APPRENTICE, line=LINE) == [Code.ENTERPRISE_EMPLOYEE_ONLY]


def test_insured_upgrade_for_an_enterprise_employee_and_not_for_others():
    claim = replace(CLAIM, subsidy_type="insured_upgrade")
    assert codes(claim=claim, line=EMPLOYEE) == []
    assert codes(claim=claim, line=LINE) == [Code.ENTERPRISE_EMPLOYEE_ONLY]


# 五（二） catalog; class finished; duplicates; standards -------------------------------------


def test_programme_not_in_the_catalog_fails():
    assert codes(claim=replace(CLAIM, klass=replace(CLASS, programme_active=False))) == [Code.PROGRAMME_NOT_IN_CATALOG]
    outside = replace(CLASS, start_date=date(2022, 3, 1), end_date=date(2022, 3, 20))
    later = replace(LINE, certificates=(replace(CERT, issued_on=date(2022, 3, 25)),))
    result = policy.evaluate_line(replace(CLAIM, klass=outside), later)
    assert result.codes == [Code.PROGRAMME_NOT_IN_CATALOG]
    assert result.reasons[0].message == "培训项目（电焊·初级工（五级））在开班年度不在培训项目目录中，不能享受补贴。"


def test_suspended_institution_fails():
    result = policy.evaluate_line(replace(CLAIM, klass=replace(CLASS, institution_listed=False)), LINE)
    assert result.codes == [Code.INSTITUTION_SUSPENDED] and "綦江区职业培训中心" in result.reasons[0].message


def test_class_not_finished_fails():
    result = policy.evaluate_line(replace(CLAIM, klass=replace(CLASS, status="in_progress")), LINE)
    assert Code.CLASS_NOT_FINISHED in result.codes
    assert result.reasons[0].message == "培训班尚未结业，结业后才能申领补贴。"


def test_dropped_or_unfinished_enrolment_fails():
    assert codes(line=replace(LINE, enrolment_status="dropped")) == [Code.ENROLMENT_NOT_COMPLETED]
    assert codes(line=replace(LINE, enrolment_status="enrolled")) == [Code.ENROLMENT_NOT_COMPLETED]


def test_duplicate_line_in_the_claim_or_in_another_live_claim_fails():
    assert codes(line=replace(LINE, duplicate_in_claim=True)) == [Code.DUPLICATE_LINE]
    other = prior(claim_id=77, class_id=10, occupation_id=99)
    result = policy.evaluate_line(CLAIM, replace(LINE, prior_lines=(other,)))
    assert result.codes == [Code.DUPLICATE_LINE] and "申领编号 77" in result.reasons[0].message
    # The same class under another subsidy type (living allowance) is not a duplicate.
    assert codes(line=replace(LINE, prior_lines=(prior(claim_id=77, class_id=10, subsidy_type="living"),))) == []


def test_missing_standard_fails():
    result = policy.evaluate_line(replace(CLAIM, standard=None), LINE)
    assert result.codes == [Code.NO_STANDARD] and result.amount == Decimal("0.00")


def test_a_line_can_break_several_rules_at_once():
    line = replace(with_trainee(receives_monthly_pension=True, household_address="四川", residence_address="四川"), certificates=())
    assert set(codes(line=line)) == {Code.PENSION_RECIPIENT, Code.NOT_LINKED_TO_DISTRICT, Code.CERTIFICATE_MISSING}


def test_every_rule_cites_the_notice():
    rules = {rule for rules in policy.RULES_BY_TYPE.values() for rule in rules}
    assert len(rules) == 16
    for rule in rules:
        assert "四（" in rule.__doc__ or "五（" in rule.__doc__, rule.__name__


# 四（二） advance ----------------------------------------------------------------------------


def test_advance_phase_needs_an_open_class_but_not_a_certificate():
    project = replace(CLAIM, subsidy_type="project", phase="advance", klass=replace(CLASS, status="in_progress", is_project_based=True))
    assert codes(claim=project, line=replace(LINE, enrolment_status="enrolled", certificates=())) == []
    planned = replace(project, klass=replace(project.klass, status="planned"))
    assert codes(claim=planned, line=replace(LINE, enrolment_status="enrolled")) == [Code.CLASS_NOT_FINISHED]


def test_advance_allowed_for_project_and_enterprise_training_only():
    assert policy.advance_allowed(subsidy_type="project", is_project_based=True)
    assert not policy.advance_allowed(subsidy_type="project", is_project_based=False)
    assert policy.advance_allowed(subsidy_type="apprenticeship", is_project_based=False)
    assert not policy.advance_allowed(subsidy_type="training", is_project_based=True)
    assert policy.advance_amount(Decimal("3001.01"), Decimal("0.50")) == Decimal("1500.51")


# calendar ----------------------------------------------------------------------------------


def test_months_started():
    assert policy.months_started(date(2019, 3, 1), date(2019, 3, 31)) == 1
    assert policy.months_started(date(2019, 3, 1), date(2019, 9, 30)) == 7
    assert policy.months_started(date(2019, 3, 15), date(2019, 4, 14)) == 1
    assert policy.months_started(date(2019, 3, 15), date(2019, 4, 15)) == 2


def test_working_days_skip_weekends():
    # Published Friday 2019-03-01: Mon 4 … Fri 8 are the five working days.
    assert policy.add_working_days(date(2019, 3, 1), 5) == date(2019, 3, 8)


def test_working_days_skip_holidays_and_count_make_up_days():
    holidays = {date(2019, 10, d) for d in range(1, 8)}
    workdays = {date(2019, 9, 29), date(2019, 10, 12)}
    # Fri 27 Sep: Sun 29 (调休) 1, Mon 30 2, 1–7 Oct off, Tue 8 3, Wed 9 4, Thu 10 5.
    assert policy.add_working_days(date(2019, 9, 27), 5, holidays, workdays) == date(2019, 10, 10)
    assert policy.add_working_days(date(2019, 9, 27), 5) == date(2019, 10, 4)


# fraud signals -----------------------------------------------------------------------------

VALUES = policy.PolicyValues()


@pytest.mark.parametrize(
    "birth, sex, code",
    [
        (date(2003, 3, 5), "M", policy.Signal.UNDER_AGE),  # 15 on 2019-03-04
        (date(1959, 3, 4), "M", policy.Signal.OVER_RETIREMENT_AGE),  # 60
        (date(1964, 1, 1), "F", policy.Signal.OVER_RETIREMENT_AGE),  # 55
    ],
)
def test_age_signals(birth, sex, code):
    line = policy.LineSignalFacts(enrolment_id=1, trainee=replace(TRAINEE, birth_date=birth, sex=sex))
    assert [hit.code for hit in policy.line_signals(klass=CLASS, values=VALUES, line=line)] == [code]


def test_no_age_signal_for_working_age():
    line = policy.LineSignalFacts(enrolment_id=1, trainee=replace(TRAINEE, birth_date=date(2003, 3, 4)))
    assert policy.line_signals(klass=CLASS, values=VALUES, line=line) == []
    line = policy.LineSignalFacts(enrolment_id=1, trainee=replace(TRAINEE, birth_date=date(1964, 3, 5), sex="F"))
    assert policy.line_signals(klass=CLASS, values=VALUES, line=line) == []


def test_overlap_shared_mobile_and_reused_certificate_signals():
    line = policy.LineSignalFacts(
        enrolment_id=1, trainee=TRAINEE, overlaps_other_class=True, mobile_shared_with=2, reused_certificate_numbers=("S9",)
    )
    hits = policy.line_signals(klass=CLASS, values=VALUES, line=line)
    assert [hit.code for hit in hits] == ["overlapping_classes", "shared_mobile", "certificate_reused"]
    assert hits[1].message == "张小三的手机号码另有2名学员登记使用。"


def test_claim_signals_filed_early_and_spot_check():
    hits = policy.claim_signals(klass=CLASS, phase="full", filed_on=date(2019, 3, 20), spot_check=True)
    assert [hit.code for hit in hits] == ["filed_before_class_ended", "spot_check"]
    assert policy.claim_signals(klass=CLASS, phase="full", filed_on=date(2019, 3, 29), spot_check=False) == []
    assert policy.claim_signals(klass=CLASS, phase="advance", filed_on=date(2019, 3, 20), spot_check=False) == []


def test_spot_check_draw_follows_the_rate():
    assert policy.spot_check_drawn(draw=0.099, rate=Decimal("0.10"))
    assert not policy.spot_check_drawn(draw=0.1, rate=Decimal("0.10"))
    assert not policy.spot_check_drawn(draw=0.0, rate=Decimal("0"))


def test_yuan_formatting():
    assert policy.yuan(Decimal("1200")) == "1,200.00" and policy.yuan(Decimal("0.005")) == "0.01"
