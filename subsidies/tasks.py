"""Scheduled work of the subsidies app."""

from celery import shared_task

from .services import claims_close_due_notices


@shared_task
def claims_close_notices() -> int:
    """Daily (and safe to run any time, any number of times): claims whose notice ended become payable."""
    return claims_close_due_notices()
