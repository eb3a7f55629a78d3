"""Settings shared by every environment; everything deployment-specific comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) == 0:
        raise ImproperlyConfigured(f"La variable d'environnement {name} doit être un entier positif.")
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that asks reviewers for their second factor.
    "segur_funding.organizations.apps.SegurAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "segur_funding.organizations.apps.TotpConfig",
    "segur_funding.organizations.apps.BackupCodesConfig",
    "segur_funding.core",
    "segur_funding.organizations",
    "segur_funding.referential",
    "segur_funding.referencing",
    "segur_funding.quotes",
    "segur_funding.funding",
    "segur_funding.alerts",
    "segur_funding.notifications",
    "segur_funding.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the middlewares that answer by themselves (bad input, second factor, session
    # timeout, lockout): their answers to a signed-in visitor are private too.
    "segur_funding.core.middleware.PrivateCacheControlMiddleware",
    # Tells whether the session gave its second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Before any view or the CSRF check reads the body: NUL, lone surrogates, infinite numbers.
    "segur_funding.core.hygiene.InputHygieneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "segur_funding.core.middleware.SessionTimeoutMiddleware",
    # Reviewers and administrators give a TOTP code after their password; until then their
    # session reaches only the code pages (organizations.two_factor).
    "segur_funding.organizations.two_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a lockout flagged during authentication into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "segur_funding.urls"
# Error pages: Django's handlers render templates/400.html, 403.html, 404.html and 500.html (French,
# DSFR); a CSRF refusal gets its own French page, with the request (header, links) unlike Django's.
CSRF_FAILURE_VIEW = "segur_funding.core.views.csrf_failure"
WSGI_APPLICATION = "segur_funding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "segur_funding.notifications.context_processors.unread_notifications",
                "segur_funding.organizations.context_processors.roles",
                # « Mon espace (n) » in the header: one query, only on pages that show it.
                "segur_funding.dashboard.my_space.header_counts",
            ],
            # French plural agreement (« 0 demande validée ») in every template.
            "builtins": ["segur_funding.core.templatetags.french"],
        },
    },
]

# SQLite is the embedded default so that `make run` needs no server; DATABASE_URL switches to
# PostgreSQL, which is what several web and worker processes share in production.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Session options sent when connecting. JIT off by default: on these short list queries,
    # compiling costs more than it saves (2.1 s of a 3.6 s query at national scale,
    # bench/RESULTS.md). Set SEGUR_PG_OPTIONS="" behind a pooler that refuses startup options
    # (PgBouncer) and put `jit = off` in postgresql.conf instead.
    pg_options = os.environ.get("SEGUR_PG_OPTIONS", "-c jit=off")
    if pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = pg_options

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organizations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_space"
LOGOUT_REDIRECT_URL = "home"

# Brute force: django-axes counts failed logins (site and admin login forms) per e-mail address
# and client IP together, so that an attacker cannot lock a real user out from elsewhere, and
# locks that pair for 15 minutes after 10 failures; one address is also locked after
# SEGUR_LOGIN_FAILURES_PER_ADDRESS failures whatever the accounts tried (organizations.security). The
# counts live in the database, shared by every web process. Axes' backend comes first: a locked
# pair is refused before the password is even checked. AccountBackend is Django's ModelBackend
# refusing demo accounts outside demo mode (organizations.backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "segur_funding.organizations.backends.AccountBackend",
    # Single sign-on, inert unless SEGUR_OIDC_* are set (below).
    "segur_funding.organizations.oidc.OidcBackend",
]

# Optional single sign-on with ProConnect or Pro Santé Connect (organizations.oidc): on when the
# issuer, client id and secret are given. It signs in existing active accounts only, by e-mail;
# reviewers still give their TOTP code after it.
SEGUR_OIDC_ISSUER = os.environ.get("SEGUR_OIDC_ISSUER", "").strip().rstrip("/")
SEGUR_OIDC_CLIENT_ID = os.environ.get("SEGUR_OIDC_CLIENT_ID", "").strip()
SEGUR_OIDC_CLIENT_SECRET = os.environ.get("SEGUR_OIDC_CLIENT_SECRET", "").strip()
SEGUR_OIDC_PROVIDER_NAME = os.environ.get("SEGUR_OIDC_PROVIDER_NAME", "").strip() or "ProConnect"
SEGUR_OIDC_SCOPES = os.environ.get("SEGUR_OIDC_SCOPES", "").strip() or "openid email given_name usual_name"
OIDC_RP_SIGN_ALGO = os.environ.get("SEGUR_OIDC_SIGN_ALGO", "").strip() or "RS256"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "organizations:oidc_callback"
AXES_HANDLER = "segur_funding.organizations.security.LoginAttemptHandler"
AXES_FAILURE_LIMIT = 10
SEGUR_LOGIN_FAILURES_PER_ADDRESS = env_int("SEGUR_LOGIN_FAILURES_PER_ADDRESS", 30)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # what both login forms post (the user's e-mail)
AXES_USERNAME_CALLABLE = "segur_funding.organizations.security.axes_username"
AXES_LOCKOUT_CALLABLE = "segur_funding.organizations.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password"]
# No start-up banner: commands such as check_quote keep stderr for their one line.
AXES_VERBOSE = False
# Behind a reverse proxy, REMOTE_ADDR is the proxy: DJANGO_PROXY_COUNT (the number of proxies in
# front of Django) makes axes read the client from X-Forwarded-For, as the proxy appends it.
if int(os.environ.get("DJANGO_PROXY_COUNT", "0") or 0) > 0:
    AXES_IPWARE_PROXY_COUNT = int(os.environ["DJANGO_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Second factor (organizations.two_factor): the issuer shown by authenticator apps; a failed code
# doubles the wait before the next try on that device (1 s, 2 s, 4 s… up to an hour).
OTP_TOTP_ISSUER = "Ségur numérique SONS"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions end after SEGUR_SESSION_IDLE without a request (SEGUR_STAFF_SESSION_IDLE for staff:
# ANS / ASP reviewers and administrators) and SEGUR_SESSION_MAX_AGE after the login however active
# (core.sessions); the cookie itself never outlives the absolute lifetime.
SEGUR_SESSION_IDLE = timedelta(minutes=env_int("SEGUR_SESSION_IDLE_MINUTES", 120))
SEGUR_STAFF_SESSION_IDLE = timedelta(minutes=env_int("SEGUR_STAFF_SESSION_IDLE_MINUTES", 30))
SEGUR_SESSION_MAX_AGE = timedelta(hours=env_int("SEGUR_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = int(SEGUR_SESSION_MAX_AGE.total_seconds())

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed static files served by WhiteNoise: `make setup` and `make deploy` run
# collectstatic, whose manifest the production settings need (without it every page is a 500).
# In DEBUG the manifest is not read (runserver serves the source files).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded proofs, quotes and generated PDFs are never served as public media: they live here and
# are handed out by permission-checked views only.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("SEGUR_PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = "/fichiers/"
# Virus scanning of uploaded proofs through clamd: a Unix socket path or "host:port". Unset, files
# are marked "non analysé" rather than pretending to be clean.
SEGUR_CLAMD_SOCKET = os.environ.get("SEGUR_CLAMD_SOCKET") or None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")

# Celery: with REDIS_URL the tasks go to real workers; without it they run eagerly in-process, the
# embedded default that needs no server.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One beat process in production (see README): periodic sweeps and reminders.
# Every row that waits for a task (an e-mail, a quote PDF, an uploaded quote's check, an export, a
# proof file's scan, a certificate) is found again by its app's sweep once it has waited longer
# than core.tasks.LOST_AFTER: work queued while the broker was down is done when it is back.
_SWEEP = {"schedule": 300.0, "options": {"expires": 290}}
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "notifications.sweep_stuck_notifications", **_SWEEP},
    "quotes-sweep": {"task": "quotes.requeue_lost_work", **_SWEEP},
    "funding-sweep": {"task": "funding.requeue_lost_work", **_SWEEP},
    "referencing-sweep": {"task": "referencing.requeue_lost_work", **_SWEEP},
    # Hourly, so that a reminder leaves early in the (Europe/Paris) day it is due, whatever hour
    # beat started; running it more often or from two beats adds nothing (dedup keys). A run
    # still queued when the next one is due is dropped (expires).
    "notifications-reminders": {
        "task": "notifications.send_due_reminders",
        "schedule": 3600.0,
        "options": {"expires": 3300},
    },
}

# The cache holds the API throttles (the public checker's 60 calls a minute): it must be shared
# by every web process, or each worker grants its own quota. Redis when there is one; otherwise
# a table of the database (created by the core app's migration).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "segur_cache",
            # Django's default (300 entries, a third culled when full) would let a visitor
            # rotating addresses evict other addresses' throttle counts.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "segur_funding.organizations.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "segur_funding.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "segur_funding.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public_checker": "60/min", "anon": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "segur_funding API",
    "DESCRIPTION": "API du back office du programme Ségur numérique (SONS).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets served from our own static files: no CDN in production or here.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "segur@esante.example")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30

# Absolute links in e-mails.
SEGUR_SITE_URL = os.environ.get("SEGUR_SITE_URL", "http://127.0.0.1:8000")

# Keys that seal the quote PDFs this platform issues (quotes/signing.py): "id:secret,id:secret",
# the first signs, all verify (rotation). The default is for dev and tests only; production
# requires its own.
SEGUR_SIGNING_KEYS = os.environ.get("SEGUR_SIGNING_KEYS", "") or (
    "dev:dev-only-signing-key-never-used-in-production"
)

# Demo accounts (SPEC §5) may only be created when this is on; production never turns it on.
SEGUR_DEMO_MODE = False

# Content Security Policy (django-csp): only our own scripts, plus inline ones that carry the
# per-request nonce (`request.csp_nonce`, which the DSFR base template passes to its scripts).
# Inline styles stay allowed: the DSFR pages, the admin and import-export use style attributes,
# which a nonce cannot cover, and a style cannot run code. The one hash is import-export's
# "select all" checkbox handler in the admin export form.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [
            SELF,
            NONCE,
            "'unsafe-hashes'",
            "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
        ],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}


def require(value: str, name: str) -> str:
    if not value:
        raise ImproperlyConfigured(f"La variable d'environnement {name} doit être définie.")
    return value
