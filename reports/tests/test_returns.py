"""The return workflow through its services: roles, states, locking, deadlines, breakdowns."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import TrainingType
from reports import services
from reports.models import DeadlineException, QuarterlyReturn, ReturnDeadline, ReturnTransition
from reports.services import ReturnData
from reports.tests.factories import completed_enrolments, make_return
from trainees.models import TargetGroup

Status = QuarterlyReturn.Status


def data(total: int, *, completions: int | None = None, groups=None, types=None, explanation: str = "") -> ReturnData:
    employment = TrainingType.objects.get(code="employment-skills").pk
    return ReturnData(
        person_times=total,
        completions=total if completions is None else completions,
        certificates_issued=0,
        explanation=explanation,
        by_target_group=groups if groups is not None else {None: total},
        by_training_type=types if types is not None else {employment: total},
    )


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# Creating and pre-filling ------------------------------------------------------------------------


def test_operator_opens_a_return_prefilled_from_real_name_records(plan, operator_a, unit_a):
    # given 3 completions in Q1 2019 (one on 31 March) and 2 on 1 April, in区教委's classes
    completed_enrolments(unit_a, datetime.date(2019, 3, 15), 2)
    completed_enrolments(unit_a, datetime.date(2019, 3, 31), 1)
    completed_enrolments(unit_a, datetime.date(2019, 4, 1), 2)
    migrant = TargetGroup.objects.get(code="rural-migrant")
    new_generation = TargetGroup.objects.get(code="new-generation-migrant")
    first = completed_enrolments(unit_a, datetime.date(2019, 2, 1), 1)[0]
    first.trainee.target_groups.set([new_generation])  # a sub-group counts under its parent
    # when the operator opens the Q1 return
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a)
    # then it is a draft pre-filled with the 4 Q1 completions, broken down consistently
    assert quarterly_return.status == Status.DRAFT and quarterly_return.unit == unit_a
    assert (quarterly_return.person_times, quarterly_return.completions) == (4, 4)
    groups = {line.target_group_id: line.person_times for line in quarterly_return.group_lines.all()}
    assert groups == {migrant.pk: 1, None: 3}
    types = {line.training_type.code: line.person_times for line in quarterly_return.type_lines.all()}
    assert types == {"employment-skills": 4}


def test_second_return_for_the_same_quarter_is_refused(plan, operator_a):
    services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a)
    with pytest.raises(ValidationError) as excinfo:
        services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a)
    assert "本单位2019年第1季度的统计季报已经存在" in messages_of(excinfo)
    assert QuarterlyReturn.objects.count() == 1


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.BUREAU_ADMIN, Role.AUDITOR, Role.FINANCE, None])
def test_only_unit_operators_open_returns(plan, role):
    user = UserFactory(role=role) if role else UserFactory()
    with pytest.raises(PermissionDenied) as excinfo:
        services.return_create(plan=plan, year=2019, quarter=1, actor=user)
    assert "只有单位经办人可以填报统计季报" in str(excinfo.value)
    assert not QuarterlyReturn.objects.exists()


def test_year_outside_the_plan_and_future_quarter_are_refused(plan, operator_a):
    with pytest.raises(ValidationError) as excinfo:
        services.return_create(plan=plan, year=2022, quarter=1, actor=operator_a)
    assert "年度 2022 不在" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.return_create(plan=plan, year=2019, quarter=5, actor=operator_a)
    assert "季度只能是 1 至 4" in messages_of(excinfo)


# Breakdowns and counts ---------------------------------------------------------------------------


def test_breakdowns_that_do_not_add_up_are_refused_and_change_nothing(plan, operator_a):
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a, data=data(10))
    employment = TrainingType.objects.get(code="employment-skills").pk
    with pytest.raises(ValidationError) as excinfo:
        services.return_update(
            quarterly_return=quarterly_return, actor=operator_a,
            data=data(20, groups={None: 15}, types={employment: 19}),
        )
    text = messages_of(excinfo)
    assert "按人员类别分的人次合计为 15，与培训人次 20 不一致" in text
    assert "按培训类型分的人次合计为 19，与培训人次 20 不一致" in text
    quarterly_return.refresh_from_db()
    assert quarterly_return.person_times == 10
    assert [line.person_times for line in quarterly_return.group_lines.all()] == [10]


def test_negative_counts_are_refused(plan, operator_a):
    with pytest.raises(ValidationError) as excinfo:
        services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a, data=data(-5, groups={None: -5}))
    assert "培训人次不能为负数" in messages_of(excinfo)
    assert "人员类别“其他人员”的人次不能为负数" in messages_of(excinfo)
    assert not QuarterlyReturn.objects.exists()


def test_completions_above_total_are_refused(plan, operator_a):
    with pytest.raises(ValidationError) as excinfo:
        services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a, data=data(10, completions=11))
    assert "结业人次（11）不能超过培训人次（10）" in messages_of(excinfo)


def test_sub_group_cannot_be_used_as_a_breakdown_line(plan, operator_a):
    sub = TargetGroup.objects.get(code="new-generation-migrant").pk
    with pytest.raises(ValidationError) as excinfo:
        services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a, data=data(5, groups={sub: 5}))
    assert "不是一级类别" in messages_of(excinfo)


# Submitting ---------------------------------------------------------------------------------------


def test_submit_stores_the_real_name_figure_and_records_the_transition(deadlines_lifted, operator_a, unit_a):
    completed_enrolments(unit_a, datetime.date(2019, 2, 20), 3)
    quarterly_return = services.return_create(plan=deadlines_lifted, year=2019, quarter=1, actor=operator_a, data=data(3))
    completed_enrolments(unit_a, datetime.date(2019, 3, 20), 1)  # registered after the draft was opened
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.SUBMITTED
    assert quarterly_return.real_name_person_times == 4
    assert quarterly_return.submitted_late is False
    transition = ReturnTransition.objects.get(quarterly_return=quarterly_return)
    assert (transition.sequence, transition.action, transition.from_status, transition.to_status, transition.actor) == (
        1, "submit", "draft", "submitted", operator_a,
    )
    audit = AuditEntry.objects.get(action=AuditEntry.Action.TRANSITION, object_id=str(quarterly_return.pk))
    assert audit.actor == operator_a and audit.detail["to"] == "submitted"


def test_declared_total_above_real_name_needs_an_explanation(deadlines_lifted, operator_a, unit_a):
    completed_enrolments(unit_a, datetime.date(2019, 2, 20), 2)
    quarterly_return = services.return_create(plan=deadlines_lifted, year=2019, quarter=1, actor=operator_a, data=data(5))
    with pytest.raises(ValidationError) as excinfo:
        services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
    assert "申报的培训人次（5）超过本单位培训班实名制结业人次（2），请在“情况说明”中说明原因后再报送" in messages_of(excinfo)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.DRAFT and not quarterly_return.transitions.exists()
    services.return_update(
        quarterly_return=quarterly_return, actor=operator_a, data=data(5, explanation="3人在市级平台培训，实名制信息补录中。")
    )
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.SUBMITTED and quarterly_return.exceeds_real_name


def test_other_units_operator_cannot_edit_or_submit(deadlines_lifted, operator_b, unit_a):
    quarterly_return = make_return(unit_a, person_times=0)
    with pytest.raises(PermissionDenied) as excinfo:
        services.return_update(quarterly_return=quarterly_return, actor=operator_b, data=data(1))
    assert "只能填报和报送本单位的统计季报" in str(excinfo.value)
    with pytest.raises(PermissionDenied):
        services.return_submit(quarterly_return=quarterly_return, actor=operator_b)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.DRAFT and quarterly_return.person_times == 0


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.BUREAU_ADMIN, Role.AUDITOR, Role.FINANCE])
def test_bureau_roles_and_auditors_cannot_submit_for_a_unit(deadlines_lifted, unit_a, role):
    quarterly_return = make_return(unit_a, person_times=0)
    with pytest.raises(PermissionDenied):
        services.return_submit(quarterly_return=quarterly_return, actor=UserFactory(role=role))
    assert QuarterlyReturn.objects.get().status == Status.DRAFT


def test_submitting_twice_or_an_approved_return_is_refused(deadlines_lifted, operator_a, unit_a):
    submitted = make_return(unit_a, quarter=1, status=Status.SUBMITTED)
    approved = make_return(unit_a, quarter=2, status=Status.APPROVED)
    with pytest.raises(ValidationError) as excinfo:
        services.return_submit(quarterly_return=submitted, actor=operator_a)
    assert "该季报已报送，正在等待区人力社保局审核，不能重复报送" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.return_submit(quarterly_return=approved, actor=operator_a)
    assert "该季报已审核通过并锁定" in messages_of(excinfo)


def test_quarter_not_yet_ended_cannot_be_submitted(deadlines_lifted, operator_a):
    quarterly_return = services.return_create(plan=deadlines_lifted, year=2019, quarter=2, actor=operator_a, data=data(0))
    with pytest.raises(ValidationError) as excinfo:
        services.return_submit(quarterly_return=quarterly_return, actor=operator_a, today=datetime.date(2019, 6, 30))
    assert "2019年第2季度尚未结束（2019年06月30日结束），季度结束后才能报送" in messages_of(excinfo)


# Locking ------------------------------------------------------------------------------------------


def test_submitted_and_approved_returns_are_locked_for_the_unit(operator_a, unit_a):
    submitted = make_return(unit_a, quarter=1, status=Status.SUBMITTED)
    approved = make_return(unit_a, quarter=2, status=Status.APPROVED)
    with pytest.raises(ValidationError) as excinfo:
        services.return_update(quarterly_return=submitted, actor=operator_a, data=data(1))
    assert "正在等待区人力社保局审核，不能修改" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.return_update(quarterly_return=approved, actor=operator_a, data=data(1))
    assert "该季报已审核通过并锁定，不能修改；如需更正，请联系区人力社保局重新打开" in messages_of(excinfo)
    assert sorted(QuarterlyReturn.objects.values_list("person_times", flat=True)) == [100, 100]


# Review ------------------------------------------------------------------------------------------


def test_staff_approve_a_submitted_return(bureau_staff, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.APPROVED and quarterly_return.approved_at is not None
    last = quarterly_return.transitions.last()
    assert (last.sequence, last.action, last.from_status, last.to_status, last.actor) == (
        2, "approve", "submitted", "approved", bureau_staff,
    )


def test_transition_rows_cannot_be_edited(bureau_staff, unit_a):
    from django.db import DatabaseError, transaction

    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    with pytest.raises(DatabaseError, match="季报流转记录只能追加"):
        with transaction.atomic():
            ReturnTransition.objects.filter(quarterly_return=quarterly_return).update(reason="改写")
    assert not ReturnTransition.objects.filter(reason="改写").exists()


def test_bureau_admin_may_review_too(bureau_admin, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    services.return_approve(quarterly_return=quarterly_return, actor=bureau_admin)
    assert QuarterlyReturn.objects.get().status == Status.APPROVED


@pytest.mark.parametrize("role", [Role.UNIT_OPERATOR, Role.AUDITOR, Role.FINANCE, None])
def test_other_roles_cannot_approve_return_or_reopen(unit_a, role):
    user = UserFactory(role=role, unit=unit_a if role == Role.UNIT_OPERATOR else None) if role else UserFactory()
    submitted = make_return(unit_a, quarter=1, status=Status.SUBMITTED)
    approved = make_return(unit_a, quarter=2, status=Status.APPROVED)
    with pytest.raises(PermissionDenied) as excinfo:
        services.return_approve(quarterly_return=submitted, actor=user)
    assert "只有区人力社保局业务人员可以审核统计季报" in str(excinfo.value)
    with pytest.raises(PermissionDenied):
        services.return_send_back(quarterly_return=submitted, reason="请更正", actor=user)
    with pytest.raises(PermissionDenied):
        services.return_reopen(quarterly_return=approved, reason="请更正", actor=user)
    assert dict(QuarterlyReturn.objects.values_list("quarter", "status")) == {1: "submitted", 2: "approved"}


def test_return_needs_a_reason_and_the_unit_resubmits(deadlines_lifted, bureau_staff, operator_a, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as excinfo:
        services.return_send_back(quarterly_return=quarterly_return, reason="  ", actor=bureau_staff)
    assert "请填写退回理由" in messages_of(excinfo)
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED
    services.return_send_back(quarterly_return=quarterly_return, reason="按类型分的人次有误", actor=bureau_staff)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.RETURNED
    assert quarterly_return.transitions.last().reason == "按类型分的人次有误"
    with pytest.raises(ValidationError) as excinfo:
        services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    assert "该季报已退回单位修改，须单位修改后重新报送，才能审核" in messages_of(excinfo)
    services.return_update(quarterly_return=quarterly_return, actor=operator_a, data=data(100, explanation="已更正"))
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
    services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    actions = list(quarterly_return.transitions.values_list("sequence", "action"))
    assert actions == [(1, "submit"), (2, "return"), (3, "submit"), (4, "approve")]


def test_reopen_an_approved_return_with_a_reason(bureau_staff, unit_a):
    quarterly_return = make_return(unit_a, status=Status.APPROVED)
    with pytest.raises(ValidationError):
        services.return_reopen(quarterly_return=quarterly_return, reason="", actor=bureau_staff)
    services.return_reopen(quarterly_return=quarterly_return, reason="审计发现重复计数", actor=bureau_staff)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.RETURNED and quarterly_return.approved_at is None
    last = quarterly_return.transitions.last()
    assert (last.action, last.from_status, last.to_status, last.reason) == ("reopen", "approved", "returned", "审计发现重复计数")


@pytest.mark.parametrize(
    "status, action, message",
    [
        (Status.DRAFT, "approve", "该季报尚未报送，须单位报送后才能审核"),
        (Status.DRAFT, "reopen", "该季报尚未报送"),
        (Status.APPROVED, "approve", "该季报已审核通过并锁定"),
        (Status.APPROVED, "return", "该季报已审核通过并锁定"),
        (Status.SUBMITTED, "reopen", "该季报尚未审核通过，不需要重新打开"),
        (Status.RETURNED, "return", "该季报已退回单位修改"),
    ],
)
def test_illegal_review_transitions_say_why(bureau_staff, unit_a, status, action, message):
    quarterly_return = make_return(unit_a, status=status)
    before = quarterly_return.transitions.count()
    call = {
        "approve": lambda: services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff),
        "return": lambda: services.return_send_back(quarterly_return=quarterly_return, reason="x", actor=bureau_staff),
        "reopen": lambda: services.return_reopen(quarterly_return=quarterly_return, reason="x", actor=bureau_staff),
    }[action]
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert message in messages_of(excinfo)
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == status and quarterly_return.transitions.count() == before


def test_transition_rows_are_unique_per_sequence(unit_a, bureau_staff):
    from django.db import IntegrityError, transaction

    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnTransition.objects.create(
            quarterly_return=quarterly_return, sequence=1, action="approve", from_status="submitted", to_status="approved"
        )


# Deadlines ----------------------------------------------------------------------------------------


def test_default_deadline_is_ten_days_after_the_quarter_and_refuses_late_submission(plan, operator_a):
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a, data=data(0))
    # on the due date it is accepted …
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a, today=datetime.date(2019, 4, 10))
    assert QuarterlyReturn.objects.get().submitted_late is False
    # … one day later it is refused, saying when it was due and what to do
    second = services.return_create(plan=plan, year=2019, quarter=2, actor=operator_a, data=data(0))
    with pytest.raises(ValidationError) as excinfo:
        services.return_submit(quarterly_return=second, actor=operator_a, today=datetime.date(2019, 7, 11))
    assert (
        "2019年第2季度统计季报的报送截止日期为2019年07月10日，已经逾期，不能报送。请联系区人力社保局批准延期报送。"
        in messages_of(excinfo)
    )
    second.refresh_from_db()
    assert second.status == Status.DRAFT


def test_exception_lets_a_unit_submit_late_and_is_recorded(plan, bureau_staff, operator_a, unit_a):
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=2, actor=operator_a, data=data(0))
    leave = services.deadline_exception_grant(
        plan=plan, unit=unit_a, year=2019, quarter=2, until=datetime.date(2019, 7, 20), reason="系统故障",
        actor=bureau_staff, today=datetime.date(2019, 7, 12),
    )
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a, today=datetime.date(2019, 7, 15))
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.SUBMITTED and quarterly_return.submitted_late is True
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DEADLINE_CHANGE, object_id=str(leave.pk)).count() == 1


def test_expired_exception_is_refused_with_its_date(plan, bureau_staff, operator_a, unit_a):
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=2, actor=operator_a, data=data(0))
    services.deadline_exception_grant(
        plan=plan, unit=unit_a, year=2019, quarter=2, until=datetime.date(2019, 7, 20), reason="系统故障",
        actor=bureau_staff, today=datetime.date(2019, 7, 12),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.return_submit(quarterly_return=quarterly_return, actor=operator_a, today=datetime.date(2019, 7, 21))
    assert "批准的延期已于2019年07月20日到期" in messages_of(excinfo)


@pytest.mark.parametrize("role", [Role.UNIT_OPERATOR, Role.AUDITOR, Role.FINANCE])
def test_only_bureau_staff_grant_exceptions(plan, unit_a, role):
    user = UserFactory(role=role, unit=unit_a if role == Role.UNIT_OPERATOR else None)
    with pytest.raises(PermissionDenied) as excinfo:
        services.deadline_exception_grant(
            plan=plan, unit=unit_a, year=2019, quarter=2, until=datetime.date(2099, 1, 1), reason="x", actor=user
        )
    assert "只有区人力社保局业务人员可以批准延期报送" in str(excinfo.value)
    assert not DeadlineException.objects.exists()


def test_returned_return_may_be_resubmitted_after_the_deadline(plan, operator_a, unit_a):
    quarterly_return = make_return(unit_a, status=Status.RETURNED, explanation="实名制信息在市级平台")
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a, today=datetime.date(2020, 1, 5))
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED


def test_admin_extends_and_lifts_a_deadline_with_history_and_audit(plan, bureau_admin, operator_a):
    row = services.deadline_set(plan=plan, year=2019, quarter=2, due_date=datetime.date(2019, 7, 31), actor=bureau_admin)
    assert row.days_after_quarter_end == 31 and row.due_date == datetime.date(2019, 7, 31)
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=2, actor=operator_a, data=data(0))
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a, today=datetime.date(2019, 7, 25))
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED
    services.deadline_set(plan=plan, year=2019, quarter=2, lifted=True, actor=bureau_admin)
    row.refresh_from_db()
    assert row.lifted is True
    assert row.history.count() == 2
    audits = AuditEntry.objects.filter(action=AuditEntry.Action.DEADLINE_CHANGE).order_by("id")
    assert [a.detail["after"]["lifted"] for a in audits] == [False, True]
    assert audits[0].detail["before"]["due_date"] == "2019-07-10"


def test_catching_up_on_a_past_plan_lifts_every_deadline(plan, bureau_admin, operator_a):
    quarterly_return = services.return_create(plan=plan, year=2019, quarter=1, actor=operator_a, data=data(0))
    with pytest.raises(ValidationError):
        services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
    assert services.plan_deadlines_set(plan=plan, actor=bureau_admin, lifted=True) == 12
    services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED
    assert ReturnDeadline.objects.filter(plan=plan, lifted=True).count() == 12
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DEADLINE_CHANGE, detail__all_quarters=True).count() == 1


def test_deadline_before_quarter_end_is_refused(plan, bureau_admin):
    with pytest.raises(ValidationError) as excinfo:
        services.deadline_set(plan=plan, year=2019, quarter=1, due_date=datetime.date(2019, 3, 30), actor=bureau_admin)
    assert "截止日期必须晚于季度结束日（2019年03月31日）" in messages_of(excinfo)
    assert not ReturnDeadline.objects.exists()


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.UNIT_OPERATOR, Role.AUDITOR])
def test_only_bureau_admins_set_deadlines(plan, unit_a, role):
    user = UserFactory(role=role, unit=unit_a if role == Role.UNIT_OPERATOR else None)
    with pytest.raises(PermissionDenied) as excinfo:
        services.plan_deadlines_set(plan=plan, actor=user, lifted=True)
    assert "只有局管理员可以设置报送截止日期" in str(excinfo.value)
    assert not ReturnDeadline.objects.exists()


# Concurrency --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_make_one_transition(unit_a):
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks; this runs on PostgreSQL")
    staff = [UserFactory(role=Role.BUREAU_STAFF) for _ in range(2)]
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait(timeout=10)
            services.return_approve(quarterly_return=QuarterlyReturn.objects.get(pk=quarterly_return.pk), actor=user)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["approved", "该季报已审核通过并锁定，不能再报送、审核或退回；如需更正，请由区人力社保局重新打开。"])
    assert ReturnTransition.objects.filter(quarterly_return=quarterly_return, action="approve").count() == 1
    assert QuarterlyReturn.objects.get(pk=quarterly_return.pk).transition_count == 2
