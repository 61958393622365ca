"""The Celery application object (used only when ``CONGSO_BROKER_URL`` is set).

It lives in ``core`` so that the job outbox (:mod:`congso.core.worker`) publishes job ids by task
name (``send_task``) without importing the task definitions: those are in :mod:`congso.celery`,
which imports the worker — one direction only, no knot between ``core`` and the Celery module
(``celery -A congso`` loads :mod:`congso.celery`, which registers the tasks on this app).
"""

from __future__ import annotations

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings.base")

app = Celery("congso")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The sweep, the heartbeat and the periodic jobs; the sweep's period is a setting.
app.conf.beat_schedule = settings.CELERY_BEAT_SCHEDULE

#: The task that runs one job of the outbox (defined in :mod:`congso.celery`).
RUN_JOB = "congso.run_job"
