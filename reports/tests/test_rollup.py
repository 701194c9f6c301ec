"""The roll-up of approved returns and real-name records into UnitProgress, and how it is triggered."""

import datetime
import logging
import time
from decimal import Decimal

import pytest
from django.conf import settings

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Unit
from reports import services, tasks
from reports.models import QuarterlyReturn, UnitProgress
from reports.tests.factories import completed_enrolments, make_return
from trainees.models import Enrolment
from trainees.tests.factories import EnrolmentFactory

Status = QuarterlyReturn.Status
AS_OF = datetime.date(2019, 5, 15)  # day 45 of the 91 days of Q2


def figures(unit, year):
    return list(
        UnitProgress.objects.filter(unit=unit, year=year)
        .order_by("quarter")
        .values_list("quarter", "quota", "quarter_person_times", "approved_person_times", "real_name_person_times",
                     "percent", "expected_percent", "status")
    )


@pytest.fixture
def world(unit_a):
    """区教委 (quota 500 in 2019): Q1 approved 100, Q2 approved 150, Q3 submitted 80, Q4 returned 70."""
    make_return(unit_a, 2019, 1, 100, status=Status.APPROVED)
    make_return(unit_a, 2019, 2, 150, status=Status.APPROVED)
    make_return(unit_a, 2019, 3, 80, status=Status.SUBMITTED)
    make_return(unit_a, 2019, 4, 70, status=Status.RETURNED)
    completed_enrolments(unit_a, datetime.date(2019, 3, 31), 3)  # last day of Q1
    completed_enrolments(unit_a, datetime.date(2019, 4, 1), 2)  # first day of Q2
    completed_enrolments(unit_a, datetime.date(2020, 1, 1), 1)
    dropped = completed_enrolments(unit_a, datetime.date(2019, 2, 1), 1)[0]
    Enrolment.objects.filter(pk=dropped.pk).update(status=Enrolment.Status.DROPPED, completion_date=None)
    EnrolmentFactory(status=Enrolment.Status.ENROLLED, completion_date=None)  # another unit, still training
    return unit_a


def test_rollup_matches_hand_computed_figures(plan, world, unit_b):
    count = services.progress_rollup(plan=plan, as_of=AS_OF)
    assert count == 18 * 3 * 4 == UnitProgress.objects.filter(plan=plan).count()
    assert figures(world, 2019) == [
        (1, 500, 100, 100, 3, Decimal("20.00"), Decimal("25.00"), "behind"),
        (2, 500, 150, 250, 5, Decimal("50.00"), Decimal("37.36"), "on_track"),
        (3, 500, 0, 250, 5, Decimal("50.00"), Decimal("37.36"), "on_track"),
        (4, 500, 0, 250, 5, Decimal("50.00"), Decimal("37.36"), "on_track"),
    ]
    # the 1 January 2020 completion belongs to 2020 Q1; 2020 has not begun on the as-of day
    assert figures(world, 2020)[0] == (1, 600, 0, 0, 1, Decimal("0.00"), Decimal("0.00"), "on_track")
    # a unit with no returns and no records: zero against its quota of 800, behind
    assert figures(unit_b, 2019)[0] == (1, 800, 0, 0, 0, Decimal("0.00"), Decimal("25.00"), "behind")


def test_rollup_after_the_year_uses_the_full_year_pace(plan, world):
    services.progress_rollup(plan=plan, as_of=datetime.date(2022, 3, 1))
    rows = figures(world, 2019)
    assert [row[6] for row in rows] == [Decimal("25.00"), Decimal("50.00"), Decimal("75.00"), Decimal("100.00")]
    assert [row[7] for row in rows] == ["behind", "on_track", "behind", "behind"]


def test_unit_reaching_its_quota_is_achieved(plan, unit_a):
    make_return(unit_a, 2019, 1, 500, status=Status.APPROVED, real_name=0, explanation="x")
    services.progress_rollup(plan=plan, as_of=AS_OF)
    assert figures(unit_a, 2019)[0][5:] == (Decimal("100.00"), Decimal("25.00"), "achieved")


def test_rollup_is_idempotent(plan, world):
    services.progress_rollup(plan=plan, as_of=AS_OF)
    first = sorted(UnitProgress.objects.values_list(
        "id", "unit_id", "year", "quarter", "quota", "approved_person_times", "real_name_person_times", "percent",
        "expected_percent", "status",
    ))
    services.progress_rollup(plan=plan, as_of=AS_OF)
    second = sorted(UnitProgress.objects.values_list(
        "id", "unit_id", "year", "quarter", "quota", "approved_person_times", "real_name_person_times", "percent",
        "expected_percent", "status",
    ))
    assert first == second and len(first) == 216


def test_reopened_return_stops_counting_until_approved_again(
    plan, unit_a, bureau_staff, operator_a, deadlines_lifted, django_capture_on_commit_callbacks
):
    quarterly_return = make_return(unit_a, 2019, 1, 120, status=Status.SUBMITTED, explanation="补录中")
    # the roll-up is queued on commit and runs in-process in tests
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    assert UnitProgress.objects.get(unit=unit_a, year=2019, quarter=4).approved_person_times == 120
    with django_capture_on_commit_callbacks(execute=True):
        services.return_reopen(quarterly_return=quarterly_return, reason="重复计数", actor=bureau_staff)
    row = UnitProgress.objects.get(unit=unit_a, year=2019, quarter=4)
    assert (row.approved_person_times, row.percent, row.status) == (0, Decimal("0.00"), "behind")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_submit(quarterly_return=quarterly_return, actor=operator_a)
        services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    assert UnitProgress.objects.get(unit=unit_a, year=2019, quarter=4).percent == Decimal("24.00")


def test_rollup_is_queued_only_when_the_approval_commits(plan, unit_a, bureau_staff, django_capture_on_commit_callbacks):
    quarterly_return = make_return(unit_a, 2019, 1, 50, status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.return_approve(quarterly_return=quarterly_return, actor=bureau_staff)
    assert not UnitProgress.objects.exists()
    rollups = [c for c in callbacks if c.__qualname__.startswith("rollup_queue")]
    assert len(rollups) == 1
    rollups[0]()
    assert UnitProgress.objects.get(unit=unit_a, year=2019, quarter=1).approved_person_times == 50


def test_rollup_all_task_covers_every_plan(plan, world):
    assert tasks.progress_rollup_all.delay().get() == 216
    assert tasks.progress_rollup_plan.delay(plan.pk).get() == 216
    assert tasks.progress_rollup_plan.delay(999999).get() == 0


def test_rollup_is_scheduled_every_ten_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["progress-rollup"]
    assert entry["task"] == "reports.tasks.progress_rollup_all"
    assert entry["schedule"] == datetime.timedelta(minutes=10)
    assert settings.CELERY_BEAT_SCHEDULE["return-reminders"]["task"] == "reports.tasks.return_reminders_send"
    from qijiang_training.celery import app

    assert {"reports.tasks.progress_rollup_all", "reports.tasks.return_reminders_send"} <= set(app.tasks)


@pytest.fixture
def broker_refusing_connections():
    """Celery pointed at a Redis port where nothing listens, as when Redis is down."""
    from qijiang_training.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_publish_retry_policy)
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
    app._after_fork()  # drop pooled connections to the real broker
    yield
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_publish_retry_policy = saved
    app._after_fork()


@pytest.mark.django_db(transaction=True)
def test_approval_succeeds_when_the_broker_is_down(broker_refusing_connections, client_for, caplog):
    # transactional: the on-commit hook runs inside the request, as in production
    unit_a = Unit.objects.get(name="区教委")
    bureau_staff = UserFactory(role=Role.BUREAU_STAFF)
    quarterly_return = make_return(unit_a, 2019, 1, 60, status=Status.SUBMITTED)
    with caplog.at_level(logging.ERROR, logger="reports.services"):
        response = client_for(bureau_staff).post(f"/returns/{quarterly_return.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "已审核通过区教委2019年第1季度统计季报" in response.content.decode()
    assert QuarterlyReturn.objects.get().status == Status.APPROVED
    assert "任务 reports.tasks.progress_rollup_plan 未能放入队列" in caplog.text
    # nothing was rolled up yet; the scheduled roll-up catches up
    assert not UnitProgress.objects.exists()
    services.progress_rollup_all()
    assert UnitProgress.objects.get(unit=unit_a, year=2019, quarter=4).approved_person_times == 60


@pytest.mark.worker
def test_approval_leads_the_worker_to_update_progress(transactional_db, celery_worker_process):
    unit = Unit.objects.get(name="区教委")
    staff = UserFactory(role=Role.BUREAU_STAFF)
    quarterly_return = make_return(unit, 2019, 1, 123, status=Status.SUBMITTED)
    services.return_approve(quarterly_return=quarterly_return, actor=staff)
    deadline = time.monotonic() + 60
    row = None
    while time.monotonic() < deadline:
        row = UnitProgress.objects.filter(unit=unit, year=2019, quarter=4).first()
        if row is not None and row.approved_person_times == 123:
            break
        time.sleep(0.3)
    assert row is not None, "the worker wrote no UnitProgress within 60 s"
    assert (row.approved_person_times, row.quota, row.percent) == (123, 500, Decimal("24.60"))
