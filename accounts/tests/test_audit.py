"""The audit trail is append-only for everybody, in the application and in the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory


def test_an_entry_cannot_be_updated(db):
    entry = audit_record(action=AuditEntry.Action.EXPORT, username="someone")
    with pytest.raises(DatabaseError, match="审计日志只能追加"):
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(result=AuditEntry.Result.FAILURE)
    entry.refresh_from_db()
    assert entry.result == AuditEntry.Result.SUCCESS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="delete trigger is PostgreSQL only; SQLite test flush deletes rows")
def test_an_entry_cannot_be_deleted_on_postgresql(db):
    entry = audit_record(action=AuditEntry.Action.EXPORT, username="someone")
    with pytest.raises(DatabaseError, match="审计日志只能追加"):
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.AUDIT_ADMIN])
def test_readers_of_the_trail_cannot_change_or_delete_it_in_admin(db, client_for, role):
    entry = audit_record(action=AuditEntry.Action.EXPORT, username="someone")
    client = client_for(UserFactory(role=role))
    listing = client.get("/admin/accounts/auditentry/")
    assert listing.status_code == 200 and "审计日志" in listing.content.decode()
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.BUREAU_ADMIN])
def test_other_admins_cannot_read_the_trail(db, client_for, role):
    assert client_for(UserFactory(role=role)).get("/admin/accounts/auditentry/").status_code == 403
