"""Logins, failed logins, lockouts and logouts go to the audit trail (等保 2.0 安全审计)."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .audit import audit_record
from .models import AuditEntry


def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session["auth_at"] = time.time()
        request.session["last_seen"] = time.time()
    audit_record(action=AuditEntry.Action.LOGIN, actor=user, request=request)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        reason = getattr(request, "logout_reason", "") if request is not None else ""
        action = AuditEntry.Action.SESSION_EXPIRED if reason else AuditEntry.Action.LOGOUT
        audit_record(action=action, actor=user, request=request, detail={"reason": reason} if reason else None)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action=AuditEntry.Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
        result=AuditEntry.Result.FAILURE,
    )


def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(
        action=AuditEntry.Action.LOCKED_OUT,
        request=request,
        username=str(username or "")[:150],
        result=AuditEntry.Result.DENIED,
        detail={"ip_address": ip_address},
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
