"""Who hears about what: transitions, exceptions, deadline reminders; e-mail only with a real backend."""

import datetime

import pytest
from django.core import mail

from accounts.models import Notification
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports import services, tasks
from reports.models import QuarterlyReturn, ReturnReminder
from reports.tests.factories import make_return

Status = QuarterlyReturn.Status


def inbox(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "title"))


@pytest.fixture
def people(bureau_staff, bureau_admin, operator_a, operator_b, auditor, unit_a):
    colleague = UserFactory(role=Role.UNIT_OPERATOR, unit=unit_a, email="colleague@example.cn")
    return {"staff": bureau_staff, "admin": bureau_admin, "a": operator_a, "b": operator_b, "auditor": auditor, "colleague": colleague}


def test_submission_notifies_reviewers_only(people, unit_a, deadlines_lifted):
    quarterly_return = make_return(unit_a, explanation="x")
    services.return_submit(quarterly_return=quarterly_return, actor=people["a"])
    title = "区教委报送了2019年第1季度统计季报"
    assert inbox(people["staff"]) == [("return_submitted", title)]
    assert inbox(people["admin"]) == [("return_submitted", title)]
    assert inbox(people["a"]) == [] and inbox(people["b"]) == [] and inbox(people["auditor"]) == []
    assert Notification.objects.get(recipient=people["staff"]).url == f"/returns/{quarterly_return.pk}/"


def test_review_outcomes_notify_the_units_operators(people, unit_a):
    submitted = make_return(unit_a, 2019, 1, status=Status.SUBMITTED)
    services.return_send_back(quarterly_return=submitted, reason="请补充", actor=people["staff"])
    approved_one = make_return(unit_a, 2019, 2, status=Status.SUBMITTED)
    services.return_approve(quarterly_return=approved_one, actor=people["staff"])
    services.return_reopen(quarterly_return=approved_one, reason="重复", actor=people["staff"])
    expected = [
        ("return_returned", "2019年第1季度统计季报被退回修改"),
        ("return_approved", "2019年第2季度统计季报已审核通过"),
        ("return_reopened", "2019年第2季度统计季报已重新打开"),
    ]
    assert inbox(people["a"]) == expected and inbox(people["colleague"]) == expected
    assert inbox(people["b"]) == [] and inbox(people["staff"]) == []


def test_exception_notifies_the_unit(people, plan, unit_a):
    services.deadline_exception_grant(
        plan=plan, unit=unit_a, year=2019, quarter=1, until=datetime.date(2099, 1, 1), reason="补报", actor=people["staff"]
    )
    assert inbox(people["a"]) == [("deadline_exception", "2019年第1季度统计季报已批准延期至2099年01月01日")]
    assert inbox(people["b"]) == []


def test_email_copies_go_out_only_with_a_real_backend(people, unit_a, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(quarterly_return=make_return(unit_a, 2019, 1, status=Status.SUBMITTED), actor=people["staff"])
    assert [m.to for m in mail.outbox] == [["colleague@example.cn"]]
    assert mail.outbox[0].subject == "【技能提升行动管理系统】2019年第1季度统计季报已审核通过"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(quarterly_return=make_return(unit_a, 2019, 2, status=Status.SUBMITTED), actor=people["staff"])
    assert mail.outbox == []
    assert len(inbox(people["colleague"])) == 2


def test_reminder_before_the_deadline_goes_once_to_units_still_missing(people, plan, unit_a, unit_b):
    make_return(unit_a, 2019, 1, status=Status.SUBMITTED)
    today = datetime.date(2019, 4, 8)  # two days before the 10 April deadline
    sent = services.return_reminders_send(today=today)
    assert sent == 17  # every responsible unit except 区教委
    assert inbox(people["b"]) == [("deadline_near", "2019年第1季度统计季报将于2019年04月10日截止")]
    assert inbox(people["a"]) == [] and inbox(people["staff"]) == []
    assert services.return_reminders_send(today=today) == 0
    assert services.return_reminders_send(today=datetime.date(2019, 4, 9)) == 0
    assert len(inbox(people["b"])) == 1


def test_missed_deadline_reminds_unit_and_bureau_once_except_with_leave(people, plan, unit_a, unit_b):
    services.deadline_exception_grant(
        plan=plan, unit=unit_a, year=2019, quarter=1, until=datetime.date(2019, 4, 30), reason="系统故障",
        actor=people["staff"], today=datetime.date(2019, 4, 11),
    )
    Notification.objects.all().delete()
    sent = services.return_reminders_send(today=datetime.date(2019, 4, 12))
    assert sent == 17
    assert inbox(people["b"]) == [("deadline_missed", "区农业农村委2019年第1季度统计季报已逾期")]
    assert ("deadline_missed", "区农业农村委2019年第1季度统计季报已逾期") in inbox(people["staff"])
    assert inbox(people["a"]) == []
    assert services.return_reminders_send(today=datetime.date(2019, 4, 13)) == 0
    assert ReturnReminder.objects.filter(kind="deadline_missed").count() == 17


def test_old_missed_deadlines_and_lifted_ones_send_nothing(people, plan, bureau_admin):
    assert services.return_reminders_send(today=datetime.date(2019, 6, 1)) == 0  # Q1 missed 52 days ago
    services.plan_deadlines_set(plan=plan, actor=bureau_admin, lifted=True)
    assert services.return_reminders_send(today=datetime.date(2019, 7, 8)) == 0
    assert not Notification.objects.exists()


def test_reminder_task_sends_nothing_for_long_past_deadlines(people, plan):
    assert tasks.return_reminders_send.delay().get() == 0  # the 2019–2021 deadlines are long past
