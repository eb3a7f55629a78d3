"""A real Celery worker started by the tests marked `worker`: test settings, tasks not eager."""

from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
