"""Opening and evaluating claims against the database: amounts from the standards in force, reasons,
fraud signals and a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Institution, Occupation, SkillLevel, TrainingClass, TrainingType
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, TrainingClassFactory
from subsidies import selectors, services
from subsidies.models import ClaimSignal, PolicyParameter, SubsidyClaim, SubsidyStandard
from subsidies.policy import Code
from trainees.tests.factories import CertificateFactory, EnrolmentFactory, TraineeFactory

from trainees.idnumbers import check_character

from .conftest import finished_class, group, run_to


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


def reasons(claim, trainee) -> list[str]:
    return [r["code"] for r in claim.lines.get(trainee=trainee).reasons]


def test_a_claim_lists_every_enrolment_and_computes_each_amount(world):
    dropped = EnrolmentFactory(training_class=world.klass, status="dropped")
    uncertified = EnrolmentFactory(training_class=world.klass)
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    assert claim.status == "draft" and claim.phase == "full"
    assert claim.line_count == 5 and claim.eligible_count == 3
    assert claim.total == Decimal("3000.00")  # 初级工 standard 1,000 yuan × 3
    assert reasons(claim, dropped.trainee) == [Code.ENROLMENT_NOT_COMPLETED, Code.CERTIFICATE_MISSING]
    assert reasons(claim, uncertified.trainee) == [Code.CERTIFICATE_MISSING]
    line = claim.lines.get(trainee=world.enrolments[0].trainee)
    assert line.amount == Decimal("1000.00") and line.certificate is not None and line.standard.amount == Decimal("1000.00")
    assert claim.policy_snapshot["values"]["annual_cap"] == "3"
    assert claim.transitions.get().action == "create"


def test_the_fourth_subsidy_in_a_year_is_refused_counting_approved_and_pending_claims(world, unit_a, bureau_staff):
    trainee = world.enrolments[0].trainee
    occupations = ["钳工", "家政", "养老护理", "汽车维修"]
    claims = []
    for n, occupation in enumerate(occupations):
        programme = ProgrammeFactory(unit=unit_a, occupation=Occupation.objects.get(name=occupation))
        klass = TrainingClassFactory(
            unit=unit_a, programme=programme, institution=world.institution,
            start_date=datetime.date(2019, 4 + n, 1), end_date=datetime.date(2019, 4 + n, 20),
        )
        CertificateFactory(enrolment=EnrolmentFactory(training_class=klass, trainee=trainee))
        claims.append(services.claim_create(training_class=klass, subsidy_type="training", actor=world.applicant))
    # 1st approved, 2nd pending first review, 3rd still a draft (drafts do not count yet).
    run_to(claims[0], "approved", world=world, bureau=bureau_staff)
    services.claim_submit(claim=claims[1], actor=world.applicant)
    fourth = services.claim_evaluate(claim=claims[3], actor=world.applicant)
    # The class of the fixture (March) is not claimed yet: so far 2 live claims this year.
    assert reasons(fourth, trainee) == []
    services.claim_submit(claim=claims[2], actor=world.applicant)
    fourth = services.claim_evaluate(claim=claims[3], actor=world.applicant)
    assert reasons(fourth, trainee) == [Code.ANNUAL_CAP_REACHED]
    line = fourth.lines.get(trainee=trainee)
    assert line.amount == 0 and "该学员2019年已享受（含审核中）3次职业培训补贴，每人每年不超过3次。" == line.reasons[0]["message"]
    # A rejected claim frees the slot again.
    services.claim_reject(claim=claims[2], actor=world.reviewer, reason="培训未按计划组织实施")
    assert reasons(services.claim_evaluate(claim=claims[3], actor=world.applicant), trainee) == []


def test_the_same_occupation_and_level_twice_is_refused(world, unit_a, bureau_staff):
    first = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    run_to(first, "approved", world=world, bureau=bureau_staff)
    trainee = world.enrolments[0].trainee
    again = TrainingClassFactory(
        unit=unit_a, programme=world.klass.programme, institution=world.institution,
        start_date=datetime.date(2020, 5, 4), end_date=datetime.date(2020, 5, 29),
    )
    CertificateFactory(enrolment=EnrolmentFactory(training_class=again, trainee=trainee), number="S-2020-1")
    claim = services.claim_create(training_class=again, subsidy_type="training", actor=world.applicant)
    assert reasons(claim, trainee) == [Code.SAME_OCCUPATION_LEVEL]
    assert claim.eligible_count == 0


def test_living_allowance_for_an_enterprise_employee_is_refused(world):
    employee = EnrolmentFactory(training_class=world.klass, trainee=TraineeFactory(target_groups=[group("enterprise-employee")]))
    poor = EnrolmentFactory(training_class=world.klass, trainee=TraineeFactory(target_groups=[group("poverty-labourer")]))
    claim = services.claim_create(training_class=world.klass, subsidy_type="living", actor=world.applicant)
    assert reasons(claim, employee.trainee) == [Code.LIVING_ALLOWANCE_GROUP]
    line = claim.lines.get(trainee=poor.trainee)
    # 2019-03-04 to 2019-03-29: 26 days at 30 yuan.
    assert line.eligible and line.amount == Decimal("780.00") and line.quantity == 26
    assert claim.lines.get(trainee=employee.trainee).reasons[0]["message"].startswith("生活费补贴仅限贫困劳动力")


def _work_based_class(unit, institution, end: datetime.date) -> TrainingClass:
    programme = ProgrammeFactory(unit=unit, training_type=TrainingType.objects.get(code="work-based"))
    return TrainingClassFactory(
        unit=unit, programme=programme, institution=institution, start_date=datetime.date(2019, 3, 1), end_date=end
    )


def test_work_based_training_beyond_six_months_is_refused(world, unit_a):
    six = _work_based_class(unit_a, world.institution, datetime.date(2019, 8, 31))
    seven = _work_based_class(unit_a, world.institution, datetime.date(2019, 9, 30))
    poor = TraineeFactory(target_groups=[group("poverty-labourer")])
    EnrolmentFactory(training_class=six, trainee=poor)
    EnrolmentFactory(training_class=seven, trainee=TraineeFactory(target_groups=[group("poverty-labourer")]))
    ok = services.claim_create(training_class=six, subsidy_type="work_based", actor=world.applicant, employer_kind="poverty_workshop")
    assert ok.total == Decimal("3000.00") and ok.eligible_count == 1  # 6 months × 500
    too_long = services.claim_create(
        training_class=seven, subsidy_type="work_based", actor=world.applicant, employer_kind="cooperative"
    )
    line = too_long.lines.get()
    assert [r["code"] for r in line.reasons] == [Code.WORK_BASED_TOO_LONG]
    assert line.reasons[0]["message"] == "以工代训补贴每人最长不超过6个月（本次7个月，合计第7个月）。"


def test_work_based_needs_an_employer_kind_and_a_work_based_class(world, unit_a):
    klass = _work_based_class(unit_a, world.institution, datetime.date(2019, 5, 31))
    with pytest.raises(ValidationError, match="请填写吸纳就业的生产经营主体类型"):
        services.claim_create(training_class=klass, subsidy_type="work_based", actor=world.applicant)
    with pytest.raises(ValidationError, match="以工代训补贴只适用于培训类型为“以工代训”的培训班"):
        services.claim_create(
            training_class=world.klass, subsidy_type="work_based", actor=world.applicant, employer_kind="enterprise"
        )
    assert SubsidyClaim.objects.count() == 0


def _apprenticeship_class(unit, institution, start: datetime.date) -> TrainingClass:
    programme = ProgrammeFactory(unit=unit, training_type=TrainingType.objects.get(code="apprenticeship"))
    klass = TrainingClassFactory(
        unit=unit, programme=programme, institution=institution, start_date=start,
        end_date=start + datetime.timedelta(days=300),
    )
    EnrolmentFactory(training_class=klass, trainee=TraineeFactory(target_groups=[group("enterprise-employee")]))
    return klass


def test_an_apprenticeship_standard_of_3999_yuan_is_refused(world, unit_a, bureau_admin):
    seeded = SubsidyStandard.objects.get(seed_key="standard-apprenticeship")
    seeded.valid_to = datetime.date(2019, 5, 31)
    services.policy_row_save(obj=seeded, actor=bureau_admin)
    services.policy_row_save(
        obj=SubsidyStandard(subsidy_type="apprenticeship", amount=Decimal("3999.00"), basis="per_year",
                            valid_from=datetime.date(2019, 6, 1)),
        actor=bureau_admin,
    )
    before = services.claim_create(
        training_class=_apprenticeship_class(unit_a, world.institution, datetime.date(2019, 3, 1)),
        subsidy_type="apprenticeship", actor=world.applicant,
    )
    assert before.total == Decimal("4000.00") and before.eligible_count == 1
    after = services.claim_create(
        training_class=_apprenticeship_class(unit_a, world.institution, datetime.date(2019, 7, 1)),
        subsidy_type="apprenticeship", actor=world.applicant,
    )
    line = after.lines.get()
    assert [r["code"] for r in line.reasons] == [Code.APPRENTICESHIP_BELOW_MINIMUM] and after.total == 0


def test_a_standard_that_changed_between_two_classes_and_never_changes_an_approved_claim(
    world, unit_a, bureau_admin, bureau_staff
):
    standard = SubsidyStandard.objects.get(seed_key="standard-training-level-5")
    standard.valid_to = datetime.date(2019, 6, 30)
    services.policy_row_save(obj=standard, actor=bureau_admin)
    services.policy_row_save(
        obj=SubsidyStandard(subsidy_type="training", level=SkillLevel.objects.get(code="level-5"),
                            amount=Decimal("1200.00"), valid_from=datetime.date(2019, 7, 1)),
        actor=bureau_admin,
    )
    march = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    september, _ = finished_class(
        unit=unit_a, institution=world.institution, start_date=datetime.date(2019, 9, 2), end_date=datetime.date(2019, 9, 27)
    )
    later = services.claim_create(training_class=september, subsidy_type="training", actor=world.applicant)
    assert march.total == Decimal("3000.00") and later.total == Decimal("3600.00")
    assert set(later.lines.values_list("amount", flat=True)) == {Decimal("1200.00")}

    march = run_to(march, "approved", world=world, bureau=bureau_staff)
    # The bureau corrects the old row in place: the approved claim keeps its amounts.
    standard.amount = Decimal("1500.00")
    services.policy_row_save(obj=standard, actor=bureau_admin)
    march.refresh_from_db()
    assert march.total == Decimal("3000.00")
    assert set(march.lines.values_list("amount", flat=True)) == {Decimal("1000.00")}
    assert march.policy_snapshot["standard"]["amount"] == "1000.00"


def test_overlapping_standards_are_refused(bureau_admin):
    overlapping = SubsidyStandard(
        subsidy_type="training", level=SkillLevel.objects.get(code="level-5"), amount=Decimal("1100.00"),
        valid_from=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError, match="有效期重叠"):
        services.policy_row_save(obj=overlapping, actor=bureau_admin)


def test_a_suspended_institution_and_a_programme_out_of_the_catalog(world):
    Institution.objects.filter(pk=world.institution.pk).update(catalog_status="suspended")
    world.klass.programme.__class__.objects.filter(pk=world.klass.programme_id).update(is_active=False)
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    assert reasons(claim, world.enrolments[0].trainee) == [Code.PROGRAMME_NOT_IN_CATALOG, Code.INSTITUTION_SUSPENDED]


def test_pension_and_district_link_in_the_database(world):
    pensioner = EnrolmentFactory(training_class=world.klass, trainee=TraineeFactory(receives_monthly_pension=True))
    CertificateFactory(enrolment=pensioner)
    outsider = EnrolmentFactory(
        training_class=world.klass,
        trainee=TraineeFactory(household_address="四川省成都市", residence_address="四川省成都市", seeks_work_in_district=False),
    )
    CertificateFactory(enrolment=outsider)
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    assert reasons(claim, pensioner.trainee) == [Code.PENSION_RECIPIENT]
    assert reasons(claim, outsider.trainee) == [Code.NOT_LINKED_TO_DISTRICT]


def test_claim_creation_refusals_change_nothing(world, unit_a, unit_b, bureau_staff, operator_b):
    planned = TrainingClassFactory(unit=unit_a, institution=world.institution, status=TrainingClass.Status.PLANNED)
    with pytest.raises(ValidationError, match="培训班尚未开班，不能申领补贴。"):
        services.claim_create(training_class=planned, subsidy_type="training", actor=world.applicant)
    with pytest.raises(ValidationError, match="项目制培训补贴只适用于项目制培训班"):
        services.claim_create(training_class=world.klass, subsidy_type="project", actor=world.applicant)
    with pytest.raises(PermissionDenied, match="只能为本机构或本单位的培训班办理补贴申领"):
        services.claim_create(training_class=world.klass, subsidy_type="training", actor=operator_b)
    with pytest.raises(PermissionDenied, match="只有培训机构或责任单位的经办人可以申领"):
        services.claim_create(training_class=world.klass, subsidy_type="training", actor=bureau_staff)
    other_school = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=InstitutionFactory())
    with pytest.raises(PermissionDenied):
        services.claim_create(training_class=world.klass, subsidy_type="training", actor=other_school)
    assert SubsidyClaim.objects.count() == 0
    first = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    with pytest.raises(ValidationError, match=f"该培训班已有一笔职业培训补贴申领（{first.number}，草稿）"):
        services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.reviewer)
    assert SubsidyClaim.objects.count() == 1


def test_a_unit_operator_may_claim_for_the_units_own_class(world):
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.reviewer)
    assert claim.applicant_unit == world.klass.unit and claim.payee_name == "綦江区职业培训中心"


def test_missing_policy_parameters_are_a_clear_error(world):
    PolicyParameter.objects.filter(code="annual_cap").update(valid_from=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="2019-03-04没有生效的政策参数：每人每年享受职业培训补贴次数上限"):
        services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)


def test_excluding_a_line_needs_a_reason_and_lowers_the_total(claim, world):
    line = claim.lines.first()
    with pytest.raises(ValidationError, match="请填写剔除原因"):
        services.claim_line_exclude(claim=claim, line_id=line.pk, excluded=True, reason="", actor=world.applicant)
    claim = services.claim_line_exclude(claim=claim, line_id=line.pk, excluded=True, reason="未实际参训", actor=world.applicant)
    assert claim.total == Decimal("2000.00") and claim.eligible_count == 2
    excluded = claim.lines.get(enrolment=line.enrolment)
    assert excluded.excluded and excluded.exclusion_reason == "未实际参训" and excluded.amount == 0
    line = claim.lines.get(enrolment=line.enrolment)
    claim = services.claim_line_exclude(claim=claim, line_id=line.pk, excluded=False, actor=world.applicant)
    assert claim.total == Decimal("3000.00")


def test_fraud_signals_are_found_in_the_database(world, unit_a):
    young = EnrolmentFactory(
        training_class=world.klass, trainee=TraineeFactory(id_number=id_number("11010520040101003"))
    )
    shared = world.enrolments[1].trainee
    TraineeFactory(mobile=shared.mobile)
    reused = world.enrolments[2].trainee
    CertificateFactory(trainee=TraineeFactory(), enrolment=None, number=reused.certificates.get().number,
                       certificate_type=reused.certificates.get().certificate_type.__class__.objects.get(code="special-ability"))
    overlap_class = TrainingClassFactory(unit=unit_a, start_date=datetime.date(2019, 3, 20), end_date=datetime.date(2019, 4, 20))
    EnrolmentFactory(training_class=overlap_class, trainee=world.enrolments[0].trainee)
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    signals = {(s.line.trainee_id if s.line else None, s.code) for s in ClaimSignal.objects.filter(claim=claim)}
    assert (young.trainee_id, "under_age") in signals
    assert (shared.pk, "shared_mobile") in signals
    assert (reused.pk, "certificate_reused") in signals
    assert (world.enrolments[0].trainee_id, "overlapping_classes") in signals
    assert signals == {
        (young.trainee_id, "under_age"), (shared.pk, "shared_mobile"), (reused.pk, "certificate_reused"),
        (world.enrolments[0].trainee_id, "overlapping_classes"),
    }


def test_filing_before_the_class_ended_is_flagged(world, unit_a, monkeypatch):
    from django.utils import timezone

    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2019, 3, 20))
    services.claim_submit(claim=claim, actor=world.applicant)
    assert ClaimSignal.objects.filter(claim=claim, code="filed_before_class_ended").exists()


def test_spot_checks_follow_the_configured_rate(world, unit_a):
    PolicyParameter.objects.filter(code="spot_check_rate").update(value="1")
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    claim = services.claim_submit(claim=claim, actor=world.applicant)
    assert claim.spot_check and claim.signals.filter(code="spot_check").exists()
    PolicyParameter.objects.filter(code="spot_check_rate").update(value="0")
    other, _ = finished_class(unit=unit_a, institution=world.institution)
    other_claim = services.claim_submit(
        claim=services.claim_create(training_class=other, subsidy_type="training", actor=world.applicant), actor=world.applicant
    )
    assert not other_claim.spot_check and other_claim.spot_check_drawn


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_facts_for_all_lines_load_in_a_constant_number_of_queries(world, unit_a):
    small, _ = finished_class(unit=unit_a, institution=world.institution, certificates=2)
    big, _ = finished_class(unit=unit_a, institution=world.institution, certificates=25)
    for klass in (small, big):
        for e in klass.enrolments.all():
            e.trainee.target_groups.add(group("poverty-labourer"))
    load = lambda k: selectors.claim_facts_load(class_id=k.pk, subsidy_type="training")  # noqa: E731
    assert _queries(lambda: load(small)) == _queries(lambda: load(big)) == 11
    bundle = load(big)
    assert len(bundle.lines) == 25 and all("poverty-labourer" in line.trainee.group_codes for line in bundle.lines)


def test_evaluating_a_claim_takes_the_same_number_of_queries_for_3_or_30_lines(world, unit_a):
    big, _ = finished_class(unit=unit_a, institution=world.institution, certificates=30)
    small_claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    big_claim = services.claim_create(training_class=big, subsidy_type="training", actor=world.applicant)
    assert big_claim.line_count == 30
    small = _queries(lambda: services.claim_evaluate(claim=small_claim, actor=world.applicant))
    large = _queries(lambda: services.claim_evaluate(claim=big_claim, actor=world.applicant))
    assert small == large
