"""Background work of the reports app: the progress roll-up and deadline reminders (idempotent)."""

from celery import shared_task

from programs.models import ActionPlan

from . import services


@shared_task
def progress_rollup_plan(plan_id: int) -> int:
    plan = ActionPlan.objects.filter(pk=plan_id).first()
    return services.progress_rollup(plan=plan) if plan else 0


@shared_task
def progress_rollup_all() -> int:
    return services.progress_rollup_all()


@shared_task
def return_reminders_send() -> int:
    return services.return_reminders_send()


@shared_task
def export_run(export_id: int) -> str:
    export = services.export_run(export_id=export_id)
    return export.status if export else "skipped"


@shared_task
def exports_expire() -> int:
    return services.exports_expire()
