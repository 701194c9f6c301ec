"""Scheduled maintenance task, in-process and through a real Celery worker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import sessions_clear_expired


def _sessions() -> tuple[str, str]:
    expired, live = SessionStore(), SessionStore()
    expired.create()
    live.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(minutes=1))
    return expired.session_key, live.session_key


def test_expired_sessions_are_purged_and_live_ones_kept(db):
    expired, live = _sessions()
    assert sessions_clear_expired.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert sessions_clear_expired.delay().get() == 0


def test_the_purge_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] == "accounts.tasks.sessions_clear_expired"
    assert entry["schedule"] == timedelta(hours=1)


@pytest.mark.worker
def test_a_real_worker_purges_expired_sessions(transactional_db, celery_worker_process):
    expired, live = _sessions()
    result = sessions_clear_expired.delay()
    assert result.get(timeout=60) == 1
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
    assert result.status == "SUCCESS"
