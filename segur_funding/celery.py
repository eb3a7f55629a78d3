"""Celery application: eager in the embedded default, Redis-backed workers when REDIS_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segur_funding.settings.dev")

app = Celery("segur_funding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
