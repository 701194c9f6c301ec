"""The scheduled purge of refused roster uploads kept for their error download (personal data)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from django.conf import settings as django_settings

from trainees import uploads
from trainees.roster_workbook import RosterError
from trainees.tasks import failed_roster_uploads_purge


def keep(class_id: int = 1) -> str:
    return uploads.failed_upload_store(
        data=b"PK fake workbook", errors=[RosterError(2, "姓名", "请填写姓名")], filename="花名册.xlsx",
        user_id=7, class_id=class_id,
    )


def age(settings, token: str, *, days: float) -> None:
    when = time.time() - days * 24 * 3600
    for name in (f"{token}.xlsx", f"{token}.json"):
        os.utime(settings.MEDIA_ROOT / uploads.DIRECTORY / name, (when, when))


def test_leftovers_older_than_a_day_are_purged_and_fresh_ones_kept(db, settings):
    # Given one refused upload nobody came back for (two days old) and one from an hour ago
    old, fresh = keep(), keep()
    age(settings, old, days=2)
    age(settings, fresh, days=1 / 24)
    # When the scheduled task runs
    assert failed_roster_uploads_purge.delay().get() == 2
    # Then the old pair is gone and the fresh one can still be downloaded
    assert sorted(os.listdir(settings.MEDIA_ROOT / uploads.DIRECTORY)) == [f"{fresh}.json", f"{fresh}.xlsx"]
    assert uploads.failed_upload_take(token=old, user_id=7, class_id=1) is None
    # and running it again changes nothing (idempotent)
    assert failed_roster_uploads_purge.delay().get() == 0
    taken = uploads.failed_upload_take(token=fresh, user_id=7, class_id=1)
    assert taken is not None and taken.data == b"PK fake workbook" and taken.errors[0].message == "请填写姓名"


def test_nothing_kept_nothing_to_do(db, settings):
    assert not (settings.MEDIA_ROOT / uploads.DIRECTORY).exists()
    assert failed_roster_uploads_purge.delay().get() == 0


def test_the_purge_is_on_the_beat_schedule():
    from qijiang_training.celery import app

    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-failed-roster-uploads"]
    assert entry["task"] == "trainees.tasks.failed_roster_uploads_purge"
    assert entry["schedule"] == timedelta(hours=1)
    assert app.tasks[entry["task"]].name == failed_roster_uploads_purge.name
    # Hourly runs keep nothing much longer than the one day the uploads module promises
    assert uploads.MAX_AGE == timedelta(days=1)
