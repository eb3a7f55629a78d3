"""Test settings: same database switch as every environment (SQLite or DATABASE_URL)."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SEGUR_DEMO_MODE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests run tasks eagerly even when REDIS_URL is set; the tests marked `worker` switch a real
# Celery worker process on for themselves (tests/conftest.py: `celery_worker_process`).
CELERY_TASK_ALWAYS_EAGER = True

# A file-based SQLite test database (not in-memory): concurrent tests then meet SQLite's real
# write lock, as several processes would.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file per process, so that several test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")
    }

# With Redis, each test process gets its own cache database (1, 2, …; the broker keeps 0): a
# test's `cache.clear()` empties the whole database, and must neither wipe another process's
# throttle counts in the middle of a test nor the Celery queue.
if REDIS_URL:
    from urllib.parse import urlsplit, urlunsplit

    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    _cache_db = 1 + (int(_worker) if _worker.isdigit() else 0) % 15
    CACHES["default"]["LOCATION"] = urlunsplit(
        urlsplit(REDIS_URL)._replace(path=f"/{_cache_db}")
    )
