"""Writing the audit trail. Entries are only ever added (see the migration's triggers)."""

from typing import Any

from django.db import models

from .models import AuditEntry


def client_ip(request) -> str | None:
    """The client address as the lockout sees it (honours TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    obj: models.Model | None = None,
    result: str = AuditEntry.Result.SUCCESS,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry: who, when, what, object, result, source address."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    entry = AuditEntry(
        actor=actor,
        actor_username=(actor.get_username() if actor else username)[:150],
        action=action,
        result=result,
        source_ip=client_ip(request),
        detail=detail or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save(force_insert=True)
    return entry
