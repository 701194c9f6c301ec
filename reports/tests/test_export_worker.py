"""A background export of 20,000 rows through the real Celery worker (PostgreSQL + Redis run)."""

import datetime
import time

import pytest
from django.conf import settings

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Unit
from programs.tests.factories import TrainingClassFactory
from reports import services
from reports.models import ExportFile
from reports.tests.exporting import workbook_of
from trainees.models import Enrolment, Trainee

ROWS = 20_000


@pytest.mark.worker
def test_a_20000_row_roster_is_written_by_the_worker(transactional_db, celery_worker_process, client_for):
    # given 20,000 completed enrolments of 区教委, generated with bulk_create
    unit = Unit.objects.get(name="区教委")
    training_class = TrainingClassFactory(unit=unit, code="QJ-WORKER-01")
    trainees = Trainee.objects.bulk_create(
        [
            Trainee(id_number=f"500222199001{n:06d}", name=f"学员{n}", sex="F", birth_date=datetime.date(1990, 1, 1),
                    mobile=f"138{n:08d}", household_address="重庆市綦江区古南街道")
            for n in range(ROWS)
        ],
        batch_size=5000,
    )
    Enrolment.objects.bulk_create(
        [Enrolment(trainee=t, training_class=training_class, status=Enrolment.Status.COMPLETED,
                   completion_date=training_class.end_date) for t in trainees],
        batch_size=5000,
    )
    auditor = UserFactory(role=Role.AUDITOR)
    assert settings.EXPORT_BACKGROUND_THRESHOLD == 5000

    # when the auditor asks for the roster, it is above the threshold: queued for the worker
    export = services.export_request(kind="roster", data={"training_class": "QJ-WORKER-01"}, actor=auditor)
    assert isinstance(export, ExportFile) and export.row_count == ROWS

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (ExportFile.Status.DONE, ExportFile.Status.FAILED):
            break
        time.sleep(0.5)
    assert export.status == ExportFile.Status.DONE, f"status {export.status}: {export.error}"
    assert (export.row_count, export.progress, export.percent) == (ROWS, ROWS, 100)
    assert export.started_at and export.finished_at and export.expires_at

    try:
        response = client_for(auditor).get(f"/exports/{export.pk}/download/")
        ws = workbook_of(b"".join(response.streaming_content)).active
        assert ws.max_row == 3 + ROWS + 1  # title, period, header, rows, note
        assert ws.cell(4, 1).value == 1 and ws.cell(3 + ROWS, 1).value == ROWS
        assert ws.cell(4, 12).value == "500222********0000" and ws.cell(4, 13).value == "138****0000"
        assert ws.cell(4 + ROWS, 1).value.startswith(f"共 {ROWS} 人次。")
        assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_id=str(export.pk)).count() == 2
    finally:
        export.file.delete(save=False)
