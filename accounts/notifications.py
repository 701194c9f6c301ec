"""In-app messages (站内消息) and, when a real e-mail backend is configured, e-mail copies.

Upper apps decide who hears about what; this module only stores, lists and marks
messages. E-mail goes out after the transaction commits, so a rolled-back action
never mails anybody, and a mail server that is down never breaks the action.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Notification, User

logger = logging.getLogger(__name__)

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def users_with_permission(permission: str, *, unit_id: int | None = None) -> QuerySet[User]:
    """Active users whose role grants ``app_label.codename`` (optionally bound to one unit)."""
    app_label, codename = permission.split(".")
    granted = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    granted |= Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    users = User.objects.filter(is_active=True).filter(granted)
    if unit_id is not None:
        users = users.filter(unit_id=unit_id)
    return User.objects.filter(pk__in=users.values("pk")).order_by("pk")


def email_enabled() -> bool:
    return settings.EMAIL_BACKEND != CONSOLE_EMAIL_BACKEND


def _send_emails(messages: list[tuple[str, str, str, list[str]]]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # noqa: BLE001 - a mail server that is down must not undo the action
        logger.exception("站内消息的邮件副本发送失败（%d 封）", len(messages))


def notify(
    *, recipients: Iterable[User], kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Store one message per distinct recipient; mail a copy after commit when e-mail is configured."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url[:300], created_at=now)
            for user in unique.values()
        ]
    )
    if email_enabled():
        text = body + (f"\n\n{url}" if url else "")
        mails = [
            (f"【技能提升行动管理系统】{title}", text, settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in unique.values()
            if user.email
        ]
        if mails:
            transaction.on_commit(lambda: _send_emails(mails))
    return created


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's own messages, newest first; nobody reads anybody else's."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(*, user, pk: int) -> Notification:
    """Mark one of the user's messages read (404 for another user's message)."""
    notification = get_object_or_404(notification_list(user=user), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())
