"""Background work of the registry (idempotent: running a task twice leaves the same state)."""

from celery import shared_task

from .uploads import failed_uploads_purge


@shared_task
def failed_roster_uploads_purge() -> int:
    """Delete refused roster uploads kept for their error download and older than a day (personal data).

    Downloads and new uploads purge too; this catches the ones nobody came back for.
    """
    return failed_uploads_purge()
