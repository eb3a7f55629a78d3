"""Production: everything from the environment, secure by default, no demo accounts."""

import os

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool, require

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = require(SECRET_KEY, "DJANGO_SECRET_KEY")
SEGUR_DEMO_MODE = False
# Quote seals must not be made with the public dev key (settings/base.py).
SEGUR_SIGNING_KEYS = require(os.environ.get("SEGUR_SIGNING_KEYS", ""), "SEGUR_SIGNING_KEYS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# The __Host- prefix makes the browser accept these cookies only over HTTPS, for this exact host
# and path "/": a sibling subdomain can neither plant nor overwrite a session or CSRF cookie.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
