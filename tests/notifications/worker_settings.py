"""Settings of the real Celery worker started by tests/notifications/test_worker.py."""

import os

from segur_funding.settings.worker_test import *  # noqa: F403

EMAIL_BACKEND = "tests.notifications.mailbox.DirectoryMailBackend"
SEGUR_SITE_URL = "https://segur.example.fr"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("SEGUR_TEST_CELERY_QUEUE", "celery")
