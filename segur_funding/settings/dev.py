"""Local development: the embedded default (SQLite, eager Celery) with demo accounts."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-used-in-production"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
SEGUR_DEMO_MODE = True
