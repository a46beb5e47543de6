"""Settings, read from environment variables (see README: Configuration)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent  # the repository root (also the working dir of `make run`)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("GONGZHI_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-insecure-key-only-for-local-demo" if DEBUG or "PYTEST_VERSION" in os.environ else ""
)
if not SECRET_KEY:
    # Fail loudly rather than run production with a guessable key.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set (or GONGZHI_DEBUG=1 for local development).")

# ID numbers and phones are encrypted at rest (gongzhi.core.crypto; README: Production). Development and tests
# derive keys from SECRET_KEY so a newcomer needs no set-up; production refuses to start without real ones.
from gongzhi.core.crypto import DataKeyError, dev_key, parse_keys  # noqa: E402

try:
    GONGZHI_DATA_KEYS = parse_keys("GONGZHI_DATA_KEYS", os.environ.get("GONGZHI_DATA_KEYS", ""))
    GONGZHI_LOOKUP_KEYS = parse_keys("GONGZHI_LOOKUP_KEYS", os.environ.get("GONGZHI_LOOKUP_KEYS", ""))
except DataKeyError as exc:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(str(exc)) from exc
if DEBUG or "PYTEST_VERSION" in os.environ:
    GONGZHI_DATA_KEYS = GONGZHI_DATA_KEYS or [dev_key(SECRET_KEY, "data")]
    GONGZHI_LOOKUP_KEYS = GONGZHI_LOOKUP_KEYS or [dev_key(SECRET_KEY, "lookup")]
elif not (GONGZHI_DATA_KEYS and GONGZHI_LOOKUP_KEYS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "GONGZHI_DATA_KEYS and GONGZHI_LOOKUP_KEYS must be set in production: ID numbers and phones are stored "
        "encrypted. Make a key with `GONGZHI_DEBUG=1 gongzhi rotate-key --new-key` (README: Production)."
    )

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "gongzhi.core.admin_site.GongzhiAdminConfig",  # superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves its bundled Swagger UI for /api/v1/docs (no CDN)
    "treebeard",
    "rules.apps.AutodiscoverRulesConfig",
    "gongzhi.core",
    "gongzhi.audit",
    "gongzhi.policy",
    "gongzhi.tree",
    "gongzhi.people",
    "gongzhi.accounts",
    "gongzhi.bodies",
    "gongzhi.access",
    "gongzhi.roster",
    "gongzhi.voting",
    "gongzhi.deliberation",
    "gongzhi.followup",
    "gongzhi.exports",
    "gongzhi.appeals",
    "gongzhi.directives",
    "gongzhi.open311",
    "gongzhi.oversight",
    "gongzhi.notices",
    "gongzhi.demo",
    "gongzhi.web",
    "gongzhi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.core.middleware.ContentSecurityPolicyMiddleware",
    "gongzhi.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): second factor confirmed this session
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.accounts.middleware.SecondFactorMiddleware",  # after OTP and messages: code or set-up page first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongzhi.audit.middleware.AuditRequestMiddleware",
    # Last, as django-axes requires: locks an account (user name + address) after repeated failed log-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
# Serves the bare insert view /bench/floor that `make bench` compares appeal submission with; never in production.
GONGZHI_BENCH_FLOOR = _env_bool("GONGZHI_BENCH_FLOOR")
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.web.context.nav",
                "gongzhi.notices.context.unread",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'gongzhi.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite, conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout so the import page's background worker and the web server can share the file.
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GONGZHI_TEST_SQLITE") or ""}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES and os.environ.get("GONGZHI_PG_SERVER_BINDING", "1") == "1":
    # Values bound on the server, and a statement a connection runs 5 times prepared there: PostgreSQL then plans
    # it once, not on every request (planning the API's hot queries took longer than running them). Django leaves
    # both off for connection poolers' sake; README (Production) says what to do behind PgBouncer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies (and upgrades) older hashes
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",  # gongzhi.access.permissions
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("GONGZHI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Chinese first, English second (both complete; see tests/test_i18n.py). Each app keeps its own catalogue in
# <app>/locale/zh_Hans; `gongzhi compilemessages_py` compiles them without gettext.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GONGZHI_STATIC_ROOT") or BASE_DIR / "var" / "static")
# Front-end packages are installed from the npm registry by `make` (npm ci) and served from node_modules;
# nothing third-party is copied into the repository.
NODE_MODULES = Path(os.environ.get("GONGZHI_NODE_MODULES") or BASE_DIR / "node_modules")
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
MEDIA_ROOT = Path(os.environ.get("GONGZHI_MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
# How an uploaded roster runs: "thread" (in the web process, no worker needed) or "inline" (in the request).
GONGZHI_IMPORT_RUNNER = os.environ.get("GONGZHI_IMPORT_RUNNER", "thread")
# Appeals posted to the API: "inline" (routed in the request) or "queue" (checked and stored in the request, routed
# by `gongzhi appeals-intake`; appeals.intake). The web form and Open311 always route inline.
GONGZHI_APPEAL_INTAKE = os.environ.get("GONGZHI_APPEAL_INTAKE", "inline")
if GONGZHI_APPEAL_INTAKE not in ("inline", "queue"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("GONGZHI_APPEAL_INTAKE must be 'inline' or 'queue'.")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

SECURE_CONTENT_TYPE_NOSNIFF = True
# No inline scripts anywhere: page data travels in json_script tags, code in static files. Inline *style
# attributes* stay blocked too; scripts may still set element.style (ECharts does), which CSP allows.
GONGZHI_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and _env_bool("GONGZHI_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("GONGZHI_HSTS_PRELOAD", True)

# Notices (issue 4 §3; README: Notifications). In the app always; by email only when GONGZHI_EMAIL_URL or
# EMAIL_HOST is set; by SMS for the kinds GONGZHI_SMS_KINDS names, through GONGZHI_SMS_BACKEND (default: a
# backend that only records each message, the number masked).
from gongzhi.notices.email_config import email_settings  # noqa: E402

_email = email_settings(os.environ)
GONGZHI_EMAIL_ENABLED = bool(_email.pop("enabled"))
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _email.pop("EMAIL_HOST", "localhost")
EMAIL_PORT = int(_email.pop("EMAIL_PORT", 25))
EMAIL_HOST_USER = _email.pop("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.pop("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = bool(_email.pop("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.pop("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = os.environ.get("GONGZHI_EMAIL_FROM", "gongzhi@localhost")
GONGZHI_BASE_URL = os.environ.get("GONGZHI_BASE_URL", "")  # put before the links in emails
GONGZHI_SMS_BACKEND = os.environ.get("GONGZHI_SMS_BACKEND", "gongzhi.notices.sms.LoggingSmsBackend")
_SMS_KINDS_DEFAULT = "appeals.alert,appeals.reminder,appeals.supervision_overdue,directives.overdue"
GONGZHI_SMS_KINDS = [
    k.strip() for k in os.environ.get("GONGZHI_SMS_KINDS", _SMS_KINDS_DEFAULT).split(",") if k.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "gongzhi.core.logging.MaskPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG_LEVEL", "INFO")},
    # Django's own loggers write through the same masked handler instead of their defaults.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "weasyprint": {"level": "WARNING"},  # it narrates every rendering step at INFO
        "fontTools": {"level": "WARNING"},  # the font subsetter WeasyPrint uses, likewise
    },
}
