"""Admin goes through the services; the database holds the workflow under concurrency."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction

from accounts.models import AuditEntry
from programs.models import Occupation, TrainingClass, TrainingClassTransition
from programs.services import training_class_start
from programs.tests.factories import credit_code


def test_admin_saves_catalog_entries_through_the_service(client_for, bureau_admin):
    client = client_for(bureau_admin)
    response = client.post(
        "/admin/programs/occupation/add/", {"name": "无人机驾驶员", "code": "", "is_active": "on"}
    )
    assert response.status_code == 302
    occupation = Occupation.objects.get(name="无人机驾驶员")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CATALOG_CHANGE)
    assert entry.actor == bureau_admin and entry.object_id == str(occupation.pk)


def test_admin_checks_credit_codes(client_for, bureau_admin):
    good = credit_code(999)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = {"name": "綦江区后台录入学校", "credit_code": bad, "kind": "training", "ownership": "private",
            "catalog_status": "listed"}
    html = client_for(bureau_admin).post("/admin/programs/institution/add/", data).content.decode()
    assert "统一社会信用代码校验位不正确，请逐位核对代码" in html
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE).exists()


def test_admin_shows_classes_read_only(client_for, bureau_admin, auditor, classes):
    a1 = classes["a1"]
    training_class_start(training_class=a1, actor=bureau_admin)
    client = client_for(bureau_admin)
    assert client.get("/admin/programs/trainingclass/add/").status_code == 403
    page = client.get(f"/admin/programs/trainingclass/{a1.pk}/change/").content.decode()
    assert "JW-001" in page and "培训中" in page
    client.post(f"/admin/programs/trainingclass/{a1.pk}/change/", {"status": "finished"})
    assert TrainingClass.objects.get(pk=a1.pk).status == TrainingClass.Status.IN_PROGRESS
    listing = client_for(auditor).get("/admin/programs/trainingclasstransition/")
    assert listing.status_code == 200 and "JW-001" in listing.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="delete trigger is PostgreSQL only; SQLite test flush deletes rows")
def test_transition_rows_cannot_be_deleted_on_postgresql(bureau_staff, classes):
    training_class_start(training_class=classes["a1"], actor=bureau_staff)
    with pytest.raises(DatabaseError, match="培训班状态变更记录只能追加"):
        with transaction.atomic():
            TrainingClassTransition.objects.all().delete()
    assert TrainingClassTransition.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_leave_exactly_one_effect(bureau_staff, operator_a, classes):
    a1 = classes["a1"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start(actor):
        try:
            barrier.wait()
            training_class_start(training_class=a1, actor=actor)
            outcomes.append("started")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(user,)) for user in (bureau_staff, operator_a)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("started") == 1 and len(outcomes) == 2
    refused = next(outcome for outcome in outcomes if outcome != "started")
    assert "当前状态为“培训中”，不能开班" in refused
    assert TrainingClassTransition.objects.filter(training_class=a1).count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).count() == 1
