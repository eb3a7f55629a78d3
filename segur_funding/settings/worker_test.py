"""A real Celery worker started by the tests marked `worker`: test settings, tasks not eager."""

import os

from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
# Tasks a worker queues itself go to the queue the test's worker reads.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("SEGUR_TEST_CELERY_QUEUE", "celery")
