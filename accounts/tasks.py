from celery import shared_task

from .services import sessions_purge_expired


@shared_task
def sessions_clear_expired() -> int:
    return sessions_purge_expired()
