"""The claim workflow: every transition legal and illegal for every role, objections, the notice period."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.tests.factories import InstitutionFactory
from subsidies import services
from subsidies.models import ClaimObjection, ClaimTransition, SubsidyClaim
from subsidies.tasks import claims_close_notices

from .conftest import run_to

ROLES = ["applicant", "other_school", "reviewer", "operator_a", "operator_b", "bureau_staff", "bureau_admin",
         "finance", "auditor", "no_role"]


@pytest.fixture
def people(world, operator_a, operator_b, bureau_staff, bureau_admin, finance, auditor, no_role_user):
    return {
        "applicant": world.applicant,
        "other_school": UserFactory(role=Role.INSTITUTION_OPERATOR, institution=InstitutionFactory()),
        "reviewer": world.reviewer, "operator_a": operator_a, "operator_b": operator_b,
        "bureau_staff": bureau_staff, "bureau_admin": bureau_admin, "finance": finance, "auditor": auditor,
        "no_role": no_role_user,
    }


def _pay(claim, actor, source):
    return services.claim_pay(
        claim=claim, fund_source=source, voucher_number="PZ-1", paid_on=datetime.date.today(), actor=actor
    )[0].claim


# action: (state it starts from, service call, allowed roles, resulting state)
ACTIONS = {
    "submit": ("draft", lambda c, u, s: services.claim_submit(claim=c, actor=u), {"applicant", "reviewer", "operator_a"}, "submitted"),
    "review": ("submitted", lambda c, u, s: services.claim_review(claim=c, actor=u), {"reviewer", "operator_a"}, "unit_reviewed"),
    "unit_return": ("submitted", lambda c, u, s: services.claim_return(claim=c, actor=u, reason="签到表缺页"), {"reviewer", "operator_a"}, "draft"),
    "unit_reject": ("submitted", lambda c, u, s: services.claim_reject(claim=c, actor=u, reason="虚假培训"), {"reviewer", "operator_a"}, "rejected"),
    "approve": ("unit_reviewed", lambda c, u, s: services.claim_approve(claim=c, actor=u), {"bureau_staff", "bureau_admin"}, "approved"),
    "bureau_return": ("unit_reviewed", lambda c, u, s: services.claim_return(claim=c, actor=u, reason="证书待核"), {"bureau_staff", "bureau_admin"}, "draft"),
    "bureau_reject": ("unit_reviewed", lambda c, u, s: services.claim_reject(claim=c, actor=u, reason="虚假培训"), {"bureau_staff", "bureau_admin"}, "rejected"),
    "publicize": ("approved", lambda c, u, s: services.claim_publicize(claim=c, actor=u), {"bureau_staff", "bureau_admin"}, "publicized"),
    "object": ("publicized", lambda c, u, s: services.objection_record(claim=c, actor=u, content="未参训").claim, {"bureau_staff", "bureau_admin"}, "publicized"),
    "pay": ("payable", lambda c, u, s: _pay(c, u, s), {"finance"}, "paid"),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_transition_for_each_role(action, who, claim, world, people, bureau_staff, funded):
    start, call, allowed, end = ACTIONS[action]
    claim = run_to(claim, start, world=world, bureau=bureau_staff)
    rows = ClaimTransition.objects.filter(claim=claim).count()
    if who in allowed:
        call(claim, people[who], funded)
        claim.refresh_from_db()
        assert claim.status == end
        if action != "object":
            last = claim.transitions.order_by("-seq").first()
            assert (last.from_status, last.to_status, last.actor) == (start, end, people[who])
    else:
        with pytest.raises(PermissionDenied) as info:
            call(claim, people[who], funded)
        assert str(info.value)  # a Chinese message says who may do it
        claim.refresh_from_db()
        assert claim.status == start
        assert ClaimTransition.objects.filter(claim=claim).count() == rows


ILLEGAL = [
    ("submit", "submitted", "applicant", "申领 {} 当前状态为“待初审”，不能执行“提交”。"),
    ("review", "draft", "reviewer", "当前状态为“草稿”，不能执行“初审通过”。"),
    ("approve", "submitted", "bureau_staff", "当前状态为“待初审”，不能执行“复核通过”。"),
    ("publicize", "unit_reviewed", "bureau_staff", "当前状态为“待复核”，不能执行“发布公示”。"),
    ("pay", "publicized", "finance", "当前状态为“公示中”，不能执行“登记支付”。"),
    ("unit_return", "approved", "reviewer", "当前状态为“已复核待公示”，不能执行“退回修改”。"),
    ("bureau_reject", "payable", "bureau_staff", "当前状态为“待支付”，不能执行“不予补贴”。"),
]


@pytest.mark.parametrize("action, state, who, message", ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(action, state, who, message, claim, world, people, bureau_staff, funded):
    claim = run_to(claim, state, world=world, bureau=bureau_staff)
    rows = ClaimTransition.objects.filter(claim=claim).count()
    with pytest.raises(ValidationError) as info:
        ACTIONS[action][1](claim, people[who], funded)
    assert message.format(claim.number) in info.value.messages[0]
    claim.refresh_from_db()
    assert claim.status == state and ClaimTransition.objects.filter(claim=claim).count() == rows


def test_the_whole_path_writes_transition_and_audit_rows(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    services.claim_pay(claim=claim, fund_source=funded, voucher_number="PZ-9", paid_on=datetime.date.today(), actor=finance)
    claim.refresh_from_db()
    steps = list(claim.transitions.order_by("seq").values_list("seq", "action", "from_status", "to_status"))
    assert steps == [
        (0, "create", "", "draft"), (1, "submit", "draft", "submitted"), (2, "review", "submitted", "unit_reviewed"),
        (3, "approve", "unit_reviewed", "approved"), (4, "publicize", "approved", "publicized"),
        (5, "close_notice", "publicized", "payable"), (6, "pay", "payable", "paid"),
    ]
    assert claim.transitions.get(action="close_notice").actor is None
    audited = AuditEntry.objects.filter(object_type="subsidies.subsidyclaim", object_id=str(claim.pk))
    assert audited.filter(action=AuditEntry.Action.TRANSITION).count() == 7
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PAYMENT, object_type="subsidies.payment").count() == 1


def test_the_submitter_cannot_review_their_own_submission(world, operator_a):
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.reviewer)
    services.claim_submit(claim=claim, actor=world.reviewer)
    with pytest.raises(PermissionDenied, match="提交人不能初审自己提交的申领"):
        services.claim_review(claim=claim, actor=world.reviewer)
    assert services.claim_review(claim=claim, actor=operator_a).status == "unit_reviewed"


def test_return_and_reject_need_a_reason(claim, world):
    services.claim_submit(claim=claim, actor=world.applicant)
    with pytest.raises(ValidationError, match="请填写退回原因。"):
        services.claim_return(claim=claim, actor=world.reviewer, reason="  ")
    with pytest.raises(ValidationError, match="请填写不予补贴的原因。"):
        services.claim_reject(claim=claim, actor=world.reviewer, reason="")
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_returned_claim_can_be_fixed_and_resubmitted_and_a_rejected_one_is_final(claim, world):
    services.claim_submit(claim=claim, actor=world.applicant)
    drawn = SubsidyClaim.objects.get(pk=claim.pk).spot_check
    services.claim_return(claim=claim, actor=world.reviewer, reason="请补充签到表")
    returned = claim.transitions.get(action="return")
    assert returned.reason == "请补充签到表" and returned.to_status == "draft"
    claim = services.claim_submit(claim=claim, actor=world.applicant)
    assert claim.status == "submitted" and claim.spot_check == drawn  # the sample is not drawn again
    services.claim_reject(claim=claim, actor=world.reviewer, reason="经核查为虚假培训")
    with pytest.raises(ValidationError, match="当前状态为“不予补贴”，不能执行“提交”"):
        services.claim_submit(claim=claim, actor=world.applicant)


def test_a_claim_without_eligible_lines_cannot_be_submitted(world):
    for enrolment in world.enrolments:
        enrolment.certificates.all().delete()
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    with pytest.raises(ValidationError, match="没有符合条件的学员，不能提交"):
        services.claim_submit(claim=claim, actor=world.applicant)
    claim.refresh_from_db()
    assert claim.status == "draft" and claim.submitted_at is None


def test_submitted_amounts_do_not_change_when_the_roster_changes(claim, world):
    claim = services.claim_submit(claim=claim, actor=world.applicant)
    world.enrolments[0].certificates.update(issued_on=datetime.date(2018, 1, 1))
    with pytest.raises(ValidationError, match="只有草稿状态的申领可以重新核算"):
        services.claim_evaluate(claim=claim, actor=world.applicant)
    claim.refresh_from_db()
    assert claim.total == 3000 and claim.eligible_count == 3


# ---------------------------------------------------------------- the notice period and objections


def publish_on(day: datetime.date, claim, actor, monkeypatch):
    """Publish as if today were ``day`` (the notice always starts on the day it is published)."""
    from django.utils import timezone

    with monkeypatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a, **k: day)
        return services.claim_publicize(claim=claim, actor=actor)


def test_the_notice_lasts_five_working_days_skipping_weekends_and_holidays(claim, world, bureau_staff, monkeypatch):
    claim = run_to(claim, "approved", world=world, bureau=bureau_staff)
    claim = publish_on(datetime.date(2019, 9, 27), claim, bureau_staff, monkeypatch)
    # 29 Sep (Sunday) is a 调休 working day, 1–7 October the National Day holiday.
    assert claim.notice_ends_on == datetime.date(2019, 10, 10)
    assert claim.transitions.get(action="publicize").detail == {
        "published_on": "2019-09-27", "ends_on": "2019-10-10", "working_days": 5
    }


def test_the_notice_closes_only_after_its_last_day_and_only_once(claim, world, bureau_staff):
    claim = run_to(claim, "publicized", world=world, bureau=bureau_staff)
    assert not services.claim_notice_close(claim=claim, today=claim.notice_ends_on)
    assert SubsidyClaim.objects.get(pk=claim.pk).status == "publicized"
    after = claim.notice_ends_on + datetime.timedelta(days=1)
    assert services.claim_notice_close(claim=claim, today=after)
    assert not services.claim_notice_close(claim=claim, today=after)
    claim.refresh_from_db()
    assert claim.status == "payable" and claim.transitions.filter(action="close_notice").count() == 1


def test_the_scheduled_task_moves_due_claims_and_is_idempotent(world, unit_a, bureau_staff, monkeypatch):
    from .conftest import finished_class

    due = run_to(
        services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant),
        "approved", world=world, bureau=bureau_staff,
    )
    publish_on(datetime.date(2019, 9, 27), due, bureau_staff, monkeypatch)
    other, _ = finished_class(unit=unit_a, institution=world.institution)
    fresh = run_to(
        services.claim_create(training_class=other, subsidy_type="training", actor=world.applicant),
        "publicized", world=world, bureau=bureau_staff,
    )
    assert claims_close_notices.delay().get() == 1
    assert claims_close_notices.delay().get() == 0
    assert SubsidyClaim.objects.get(pk=due.pk).status == "payable"
    assert SubsidyClaim.objects.get(pk=fresh.pk).status == "publicized"


def test_the_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["close-subsidy-notices"]
    assert entry["task"] == "subsidies.tasks.claims_close_notices"
    assert entry["schedule"] == datetime.timedelta(hours=1)


def test_an_upheld_objection_sends_the_claim_back_to_review(claim, world, bureau_staff):
    claim = run_to(claim, "publicized", world=world, bureau=bureau_staff)
    line = claim.lines.first()
    objection = services.objection_record(
        claim=claim, actor=bureau_staff, objector="李*", content="该学员培训期间在外地务工", enrolment_id=line.enrolment_id
    )
    assert objection.status == "pending"
    # A pending objection holds the claim on notice even after the period.
    after = claim.notice_ends_on + datetime.timedelta(days=1)
    assert not services.claim_notice_close(claim=claim, today=after)
    services.objection_uphold(objection=objection, decision="经核实属实", actor=bureau_staff)
    claim.refresh_from_db()
    assert claim.status == "submitted"
    back = claim.transitions.order_by("-seq").first()
    assert (back.action, back.from_status, back.to_status, back.reason) == ("uphold_objection", "publicized", "submitted", "经核实属实")
    assert not services.claim_notice_close(claim=claim, today=after)
    # The unit returns it; the applicant leaves the trainee out and submits again.
    services.claim_return(claim=claim, actor=world.reviewer, reason="异议成立，请剔除该学员")
    claim = services.claim_line_exclude(claim=claim, line_id=claim.lines.get(enrolment_id=line.enrolment_id).pk,
                                        excluded=True, reason="公示异议成立", actor=world.applicant)
    claim = services.claim_submit(claim=claim, actor=world.applicant)
    assert claim.total == 2000 and claim.eligible_count == 2
    with pytest.raises(ValidationError, match="该异议已处理（异议成立），不能重复处理"):
        services.objection_dismiss(objection=objection, decision="x", actor=bureau_staff)


def test_a_dismissed_objection_leaves_the_claim_on_notice(claim, world, bureau_staff):
    claim = run_to(claim, "publicized", world=world, bureau=bureau_staff)
    objection = services.objection_record(claim=claim, actor=bureau_staff, content="询问是否收费")
    services.objection_dismiss(objection=objection, decision="免费培训，异议不成立", actor=bureau_staff)
    assert ClaimObjection.objects.get(pk=objection.pk).status == "dismissed"
    assert services.claim_notice_close(claim=claim, today=claim.notice_ends_on + datetime.timedelta(days=1))


def test_objections_only_during_the_notice(claim, world, bureau_staff):
    claim = run_to(claim, "publicized", world=world, bureau=bureau_staff)
    late = claim.notice_ends_on + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="异议收到日期应在公示期内"):
        services.objection_record(claim=claim, actor=bureau_staff, content="x", received_on=late)
    with pytest.raises(ValidationError, match="请填写异议内容。"):
        services.objection_record(claim=claim, actor=bureau_staff, content=" ")
    services.claim_notice_close(claim=claim, today=late)
    with pytest.raises(ValidationError, match="只有公示中的申领可以登记公示异议。"):
        services.objection_record(claim=claim, actor=bureau_staff, content="x")
    assert not ClaimObjection.objects.exists()


def test_transition_rows_are_append_only(claim):
    row = claim.transitions.get()
    with pytest.raises(DatabaseError, match="只能追加"):
        with transaction.atomic():
            ClaimTransition.objects.filter(pk=row.pk).update(reason="改写")
    row.refresh_from_db()
    assert row.reason == ""


@pytest.mark.worker
def test_a_real_worker_closes_notices(transactional_db, celery_worker_process, unit_a, bureau_staff, monkeypatch):
    from subsidies.tests.conftest import World, finished_class

    institution = InstitutionFactory()
    klass, enrolments = finished_class(unit=unit_a, institution=institution)
    world = World(
        institution=institution, klass=klass, enrolments=enrolments,
        applicant=UserFactory(role=Role.INSTITUTION_OPERATOR, institution=institution),
        reviewer=UserFactory(role=Role.UNIT_OPERATOR, unit=unit_a),
    )
    claim = run_to(
        services.claim_create(training_class=klass, subsidy_type="training", actor=world.applicant),
        "approved", world=world, bureau=bureau_staff,
    )
    publish_on(datetime.date(2019, 9, 27), claim, bureau_staff, monkeypatch)
    result = claims_close_notices.delay()
    assert result.get(timeout=60) == 1
    assert SubsidyClaim.objects.get(pk=claim.pk).status == "payable"


@pytest.fixture
def advance_paid(world, unit_a, bureau_staff, finance, funded):
    """A project-based claim whose 50% advance is paid and whose class has since finished."""
    from programs.models import TrainingClass
    from programs.tests.factories import TrainingClassFactory
    from trainees.tests.factories import CertificateFactory, EnrolmentFactory

    klass = TrainingClassFactory(
        unit=unit_a, institution=world.institution, programme=world.klass.programme, is_project_based=True,
        status=TrainingClass.Status.IN_PROGRESS,
    )
    enrolment = EnrolmentFactory(training_class=klass, status="enrolled", completion_date=None)
    claim = run_to(services.claim_create(training_class=klass, subsidy_type="project", actor=world.applicant),
                   "payable", world=world, bureau=bureau_staff)
    _pay(claim, finance, funded)
    TrainingClass.objects.filter(pk=klass.pk).update(status="finished")
    enrolment.status, enrolment.completion_date = "completed", klass.end_date
    enrolment.save()
    CertificateFactory(enrolment=enrolment)
    claim.refresh_from_db()
    assert claim.status == "advance_paid"
    return claim


@pytest.mark.parametrize("who", ROLES)
def test_settle_for_each_role(who, advance_paid, people):
    if who in {"applicant", "reviewer", "operator_a"}:
        claim = services.claim_settle(claim=advance_paid, actor=people[who])
        assert (claim.status, claim.phase) == ("draft", "settlement")
    else:
        with pytest.raises(PermissionDenied):
            services.claim_settle(claim=advance_paid, actor=people[who])
        advance_paid.refresh_from_db()
        assert advance_paid.status == "advance_paid"


@pytest.mark.parametrize("decision", ["uphold", "dismiss"])
@pytest.mark.parametrize("who", ROLES)
def test_deciding_an_objection_for_each_role(decision, who, claim, world, people, bureau_staff):
    claim = run_to(claim, "publicized", world=world, bureau=bureau_staff)
    objection = services.objection_record(claim=claim, actor=bureau_staff, content="未参训")
    service = services.objection_uphold if decision == "uphold" else services.objection_dismiss
    if who in {"bureau_staff", "bureau_admin"}:
        service(objection=objection, decision="已核实", actor=people[who])
        objection.refresh_from_db()
        assert objection.status == ("upheld" if decision == "uphold" else "dismissed")
    else:
        with pytest.raises(PermissionDenied, match="只有区人力社保局的业务人员可以处理公示异议"):
            service(objection=objection, decision="已核实", actor=people[who])
        objection.refresh_from_db()
        assert objection.status == "pending"
    claim.refresh_from_db()
    assert claim.status == ("submitted" if decision == "uphold" and who in {"bureau_staff", "bureau_admin"} else "publicized")


def test_settle_is_illegal_before_an_advance(claim, world):
    with pytest.raises(ValidationError, match="当前状态为“草稿”，不能执行“申请结算”"):
        services.claim_settle(claim=claim, actor=world.applicant)
