"""Settings for 老兵e家, read from the environment.

Development (DEBUG on) falls back to generated keys kept under ``var/`` so that
``make run`` works on a fresh clone. Production (DEBUG off) refuses to start
without real keys: a silent default key would make every deployment share it.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LAOBING_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)


def _dev_key(name: str) -> str:
    """A key kept in var/ for development only, generated on first use."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f"{name.lower()}.dev"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _required_key(name: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG:
        return _dev_key(name)
    raise ImproperlyConfigured(
        f"{name} 未设置：生产模式（DEBUG=false）必须通过环境变量提供密钥。 / "
        f"{name} is not set: production mode (DEBUG=false) requires it from the environment."
    )


SECRET_KEY = _required_key("SECRET_KEY")
# Encrypts personal data at rest (ID numbers, phones). Losing it loses the data.
FIELD_ENCRYPTION_KEY = _required_key("FIELD_ENCRYPTION_KEY")
# Keys the audit log's hash chain and its anchors (HMAC-SHA256). Kept out of the database, so someone who can
# only write to the database cannot recompute the chain; changing it makes every keyed entry fail verification.
AUDIT_KEY = _required_key("AUDIT_KEY")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "core",
    "audit",
    "accounts",
    "regions",
    "veterans",
    "workflow",
    "petitions",
    "cases",
    "benefits",
    "points",
    "aid",
    "care",
    "martyrs",
    "campaigns",
    # after the modules: it hears their events and reads their indicators.py
    "cockpit",
    "portal",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    # A write that cannot get the database in time answers 503 "busy, try again" (not a 500).
    "core.middleware.BusyDatabaseMiddleware",
    # Django's, except that a page read never fails for the write that refreshes the session's expiry.
    "core.middleware.SessionMiddleware",
    # Instead of Django's LocaleMiddleware: the language switcher's choice, never the browser's Accept-Language.
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "laobing.urls"
WSGI_APPLICATION = "laobing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'laobing.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
    # one failing half-way with "database is locked"; WAL lets readers go on.
    # A web request's write waits SQLITE_BUSY_TIMEOUT seconds for the lock, then answers 503 "busy, try
    # again" (core.middleware); the worker waits WORKER_SQLITE_BUSY_TIMEOUT (its jobs have no one waiting).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "5")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# No JIT compilation on PostgreSQL: a page's query over a few thousand rows would spend more compiling (30 ms,
# seen in bench/care_coverage.py) than running; the platform's queries are a web application's, not analytics.
# PG_OPTIONS="" leaves the server's own setting (and sends no startup options: a PgBouncer in front refuses them
# unless its ignore_startup_parameters lists "options"); options given in DATABASE_URL win.
PG_OPTIONS = os.environ.get("PG_OPTIONS", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PG_OPTIONS:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", PG_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background tasks ----------------------------------------------------------
WORKER_SQLITE_BUSY_TIMEOUT = float(os.environ.get("WORKER_SQLITE_BUSY_TIMEOUT", "60"))
# A database-backed queue: `python manage.py worker` runs it (`make run` starts one).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
IMPORT_DIR = VAR_DIR / "imports"
# The audit chain's head is appended here every AUDIT_ANCHOR_SECONDS by the worker (docs/audit.md): a file
# outside the database, opened append-only; ship it to another host or set AUDIT_ANCHOR_SYSLOG as well.
AUDIT_ANCHOR_FILE = Path(os.environ.get("AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchors.log"))
AUDIT_ANCHOR_SECONDS = int(os.environ.get("AUDIT_ANCHOR_SECONDS", "3600"))
#: Export jobs' files (masked personal data), deleted a day after they were written.
EXPORT_DIR = VAR_DIR / "exports"
# What an import reads (README: "Import limits"): rows after the header, columns, the unpacked size of
# an xlsx/ods, and the child process that reads it (its memory and wall-clock time).
MAX_IMPORT_ROWS = int(os.environ.get("MAX_IMPORT_ROWS", "200000"))
MAX_IMPORT_COLUMNS = int(os.environ.get("MAX_IMPORT_COLUMNS", "200"))
MAX_IMPORT_UNPACKED_MB = int(os.environ.get("MAX_IMPORT_UNPACKED_MB", "200"))
MAX_IMPORT_COMPRESSION_RATIO = int(os.environ.get("MAX_IMPORT_COMPRESSION_RATIO", "200"))
IMPORT_READ_MEMORY_MB = int(os.environ.get("IMPORT_READ_MEMORY_MB", "1536"))
IMPORT_READ_SECONDS = float(os.environ.get("IMPORT_READ_SECONDS", "300"))
# How often the worker deletes the uploads nobody confirmed within a day.
IMPORT_PURGE_SECONDS = int(os.environ.get("IMPORT_PURGE_SECONDS", "3600"))
ATTACHMENT_DIR = VAR_DIR / "attachments"
MAX_ATTACHMENT_MB = int(os.environ.get("MAX_ATTACHMENT_MB", "10"))

# --- letters ------------------------------------------------------------------------------
# The letters' font, embedded (as a subset) in every PDF letter: Noto Serif SC, a Song style face with
# TrueType outlines (SIL OFL). `make setup` (`make fonts`) brings it from the npm registry to this path.
LETTER_FONT_PATH = Path(os.environ.get("LETTER_FONT_PATH", BASE_DIR / "var" / "fonts" / "NotoSerifSC-Regular.ttf"))

# --- workflow ---------------------------------------------------------------------------
# `manage.py worker` runs the queue and enqueues the deadline sweep this often.
WORKFLOW_SWEEP_SECONDS = int(os.environ.get("WORKFLOW_SWEEP_SECONDS", "300"))
#: how often the worker brings the cockpit's aggregates up to date with the events since its last round
COCKPIT_REFRESH_SECONDS = int(os.environ.get("COCKPIT_REFRESH_SECONDS", "60"))
# Days after a missed deadline before the task escalates to the unit above.
WORKFLOW_ESCALATION_GRACE_DAYS = int(os.environ.get("WORKFLOW_ESCALATION_GRACE_DAYS", "3"))

# 抚恤补助: the annual confirmation (年度确认) is due by this month and day; after it, a beneficiary not yet
# confirmed for the year is held back from the batches.
BENEFITS_CONFIRMATION_DEADLINE = (3, 31)
# How far back (months) a standard published after its date is looked for, to pay its differences (补差).
BENEFITS_BACKPAY_MONTHS = int(os.environ.get("BENEFITS_BACKPAY_MONTHS", "24"))

# “老兵本色” points: how many days a frozen quarter's ranking is publicised for objections (公示期).
POINTS_OBJECTION_DAYS = int(os.environ.get("POINTS_OBJECTION_DAYS", "7"))

# 急难愁盼 needs: the working days a unit has to solve one before the sweep escalates it, and the calendar days
# within which the 回访 (follow-up with a satisfaction rating) is due once it is resolved.
CARE_NEED_WORKING_DAYS = int(os.environ.get("CARE_NEED_WORKING_DAYS", "15"))
CARE_FOLLOWUP_DAYS = int(os.environ.get("CARE_FOLLOWUP_DAYS", "7"))

# --- notifications ------------------------------------------------------------------------
# In-app always; then these channels. SMS goes through SMS_BACKEND (default: written to the log).
NOTIFY_CHANNELS = [c.strip() for c in os.environ.get("NOTIFY_CHANNELS", "email,sms").split(",") if c.strip()]
SMS_BACKEND = os.environ.get("SMS_BACKEND", "core.notify.LogSmsBackend")
# The portal's sign-in codes: how long one is valid, and how many a number and a network address may ask for.
PORTAL_CODE_MINUTES = int(os.environ.get("PORTAL_CODE_MINUTES", "5"))
PORTAL_CODES_PER_HOUR = int(os.environ.get("PORTAL_CODES_PER_HOUR", "5"))
PORTAL_CODES_PER_IP_HOUR = int(os.environ.get("PORTAL_CODES_PER_IP_HOUR", "20"))
# The reverse proxies in front of the platform (their addresses): the client's address is the last one they put in
# X-Forwarded-For (the portal's limits per address read it); without one, REMOTE_ADDR.
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if a.strip()]
# The station's working days to check a veteran's request to correct their record (资料更正).
PORTAL_CORRECTION_WORKING_DAYS = int(os.environ.get("PORTAL_CORRECTION_WORKING_DAYS", "5"))
# A government single sign-on beside the SMS code (portal.sso): key → {"class": …, options}, from a JSON file
# (PORTAL_SSO_FILE) so that its client secret stays out of the code; none by default.
PORTAL_SSO = json.loads(Path(os.environ["PORTAL_SSO_FILE"]).read_text()) if os.environ.get("PORTAL_SSO_FILE") else {}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@laobing.local")
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "50"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- accounts and login hardening --------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours; a city admin can also unlock at once
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

IDLE_TIMEOUT_SECONDS = 30 * 60
SESSION_COOKIE_AGE = IDLE_TIMEOUT_SECONDS
# renewed at most once a minute by core.middleware.SessionMiddleware, not written on every request
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "8"))

# --- security headers --------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script anywhere: every script is a static file from an installed package.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- i18n --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# Each anchor line is also logged to ``laobing.audit.anchor``; with AUDIT_ANCHOR_SYSLOG (a socket such as
# /dev/log, or host:port) that logger writes to syslog too, a copy the database's administrator cannot edit.
if AUDIT_ANCHOR_SYSLOG := os.environ.get("AUDIT_ANCHOR_SYSLOG", ""):
    _host, _, _port = AUDIT_ANCHOR_SYSLOG.rpartition(":")
    LOGGING["handlers"]["audit_anchor_syslog"] = {  # type: ignore[index]
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _host and _port.isdigit() else AUDIT_ANCHOR_SYSLOG,
    }
    LOGGING["loggers"]["laobing.audit.anchor"] = {"handlers": ["audit_anchor_syslog"], "level": "INFO"}  # type: ignore[index]

# Lock by account, not by address: a town's stations share one NAT address,
# and locking it would lock every colleague out with the attacker.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
