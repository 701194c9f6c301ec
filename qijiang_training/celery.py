"""Celery application: broker and schedules come from Django settings (CELERY_*)."""
import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qijiang_training.settings")

app = Celery("qijiang_training")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_task(task, *args) -> bool:
    """Send ``task`` to the broker; when the broker is down, log it and return False.

    Pages must keep working while Redis is unavailable (SECURITY.md, availability):
    callers decide how to catch up (a scheduled run, or a visible failure).
    """
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    try:
        task.delay(*args)
    except (OperationalError, RedisError, OSError):
        logging.getLogger(__name__).exception("任务 %s 未能放入队列 %s", task.name, args)
        return False
    return True
