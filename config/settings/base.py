"""Settings shared by every environment. Production differs only through environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE

from .env import env_bool, env_int, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("CRM_DATA_DIR", str(BASE_DIR / "data"))).resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    key = env_secret("SECRET_KEY", "")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as key_file:
            key_file.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
# Behind a reverse proxy that appends the client's address to X-Forwarded-For: use it for the
# audit log and the lock-out record. Off by default (anyone can send that header).
TRUST_PROXY = env_bool("TRUST_PROXY", False)
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "crm.core",
    "crm.accounts",
    "crm.governance",
    "crm.customers",
    "crm.activities",
    "crm.reports",
    "crm.referrals",
    "crm.reception",
    "crm.pool",
    "crm.handover",
    "crm.verification",
    "crm.retrieval",
    "crm.imports",
    "crm.questionnaires",
    "crm.vcards",
    "crm.sales",
    "crm.care",
    "crm.knowledge",
    "crm.products",
    "crm.orders",
    "crm.service",
    "crm.api",
    "crm.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crm.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "crm.api.middleware.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "crm.core.middleware.RequestContextMiddleware",
    "crm.api.middleware.MethodNotAllowedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if url:
        db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "crm.sqlite3")}
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets readers run while a writer commits; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between two writing requests.
        db["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        db["TEST"] = (
            {"NAME": str(DATA_DIR / "test.sqlite3")} if env_bool("CRM_TEST_FILE_DB", False) else {}
        )
    elif db["ENGINE"].endswith("postgresql"):
        # Server-side prepared statements made the search queries 10-15x slower (generic plans
        # chosen for selective LIKE/tsquery parameters), so psycopg must never prepare.
        db.setdefault("OPTIONS", {})["prepare_threshold"] = None
        if env_str("CRM_TEST_DB_NAME", ""):
            db["TEST"] = {"NAME": env_str("CRM_TEST_DB_NAME", "")}
    return db


DATABASES = {"default": _database()}

# Encryption at rest of customers' phones, ID numbers and bank accounts (ADR 0009): the keyring
# from CRM_ENCRYPTION_KEY, else the file CRM_ENCRYPTION_KEY_FILE. With the embedded database and
# neither set, a keyring is generated once in the data folder (mode 0600); with DATABASE_URL
# (production) a missing key is an error at startup, never a new key.
CRM_ENCRYPTION_KEY = os.environ.get("CRM_ENCRYPTION_KEY", "")
CRM_ENCRYPTION_KEY_GENERATE = not env_str("DATABASE_URL", "") and not os.environ.get(
    "CRM_ENCRYPTION_KEY_FILE"
)
CRM_ENCRYPTION_KEY_FILE = os.environ.get("CRM_ENCRYPTION_KEY_FILE", "") or (
    str(DATA_DIR / "encryption_keys") if CRM_ENCRYPTION_KEY_GENERATE else ""
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["crm.accounts.backends.LockoutBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's checks, worded in the project's catalogue (crm/accounts/validators.py says why)
    {
        "NAME": "crm.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("CRM_PASSWORD_MIN_LENGTH", 8)},
    },
    {
        # at least this many of: lower-case, upper-case letters, digits, other characters
        "NAME": "crm.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": env_int("CRM_PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "crm.accounts.validators.PersonalInfoValidator"},  # not the username or phone
    {"NAME": "crm.accounts.validators.CommonPasswordValidator"},
    {"NAME": "crm.accounts.validators.NumericPasswordValidator"},
    {
        # none of the last N passwords again (their hashes are kept: crm.accounts.PasswordHistory)
        "NAME": "crm.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"remember": env_int("CRM_PASSWORD_HISTORY", 5)},
    },
]
# A password older than this many days must be changed at the next sign-in (0: never).
CRM_PASSWORD_MAX_AGE_DAYS = env_int("CRM_PASSWORD_MAX_AGE_DAYS", 0)
LOGIN_LOCKOUT_ATTEMPTS = env_int("LOGIN_LOCKOUT_ATTEMPTS", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Failed sign-ins from one client address within LOGIN_LOCKOUT_MINUTES before that address is
# refused (any username): someone trying many accounts. An office behind one NAT address shares
# it, hence well above the per-account number.
LOGIN_ADDRESS_ATTEMPTS = env_int("LOGIN_ADDRESS_ATTEMPTS", 30)
# Two-factor sign-in (TOTP). On: managers and above (crm.accounts.twofactor.REQUIRED_ROLES) must
# enrol at their next sign-in. Off by default so that the demo logins work without a phone.
CRM_REQUIRE_2FA = env_bool("CRM_REQUIRE_2FA", False)
CRM_2FA_ISSUER = env_str("CRM_2FA_ISSUER", "CRM")
# Web sessions end after this many idle minutes, and at the latest this many hours after sign-in.
CRM_SESSION_IDLE_MINUTES = env_int("CRM_SESSION_IDLE_MINUTES", 30)
CRM_SESSION_MAX_HOURS = env_int("CRM_SESSION_MAX_HOURS", 12)
# API rate limits (requests per CRM_API_RATE_WINDOW seconds; 0: no limit), per bearer token and
# per client address (crm/api/middleware.py).
CRM_API_RATE_PER_TOKEN = env_int("CRM_API_RATE_PER_TOKEN", 600)
CRM_API_RATE_PER_ADDRESS = env_int("CRM_API_RATE_PER_ADDRESS", 1200)
CRM_API_RATE_WINDOW = env_int("CRM_API_RATE_WINDOW", 60)
# 客户数据调用申请 (crm.retrieval): an approved export may be downloaded once within this many
# hours; one request covers at most this many customers; an export of at most
# CRM_EXPORT_DIRECT_MAX customers needs no approval (0: every export does); any other bulk read of
# customer data (the access log's export …) of more than CRM_BULK_READ_THRESHOLD rows is refused.
CRM_RETRIEVAL_EXPIRY_HOURS = env_int("CRM_RETRIEVAL_EXPIRY_HOURS", 72)
CRM_RETRIEVAL_MAX_RECORDS = env_int("CRM_RETRIEVAL_MAX_RECORDS", 100000)
# 满意度抽查 (crm.care): the share of the month's new retained customers drawn when no size is
# given (percent), the days a customer's survey link stays valid, the days a 整改 action is due
# in, and the public survey page's limits (answers per address and per link per hour)
CRM_SURVEY_SHARE = env_int("CRM_SURVEY_SHARE", 20)
CRM_SURVEY_LINK_DAYS = env_int("CRM_SURVEY_LINK_DAYS", 14)
CRM_CARE_ACTION_DAYS = env_int("CRM_CARE_ACTION_DAYS", 7)
CRM_SURVEY_PUBLIC_PER_ADDRESS = env_int("CRM_SURVEY_PUBLIC_PER_ADDRESS", 30)
CRM_SURVEY_PUBLIC_PER_LINK = env_int("CRM_SURVEY_PUBLIC_PER_LINK", 10)
CRM_EXPORT_DIRECT_MAX = env_int("CRM_EXPORT_DIRECT_MAX", 0)
CRM_BULK_READ_THRESHOLD = env_int("CRM_BULK_READ_THRESHOLD", 500)
# International customers: a phone number typed without a country code is read as a number of
# this region (ISO 3166 code, e.g. CN, HK, US); mainland numbers are stored as their digits,
# others in E.164 (+442079460958).
CRM_DEFAULT_PHONE_REGION = env_str("CRM_DEFAULT_PHONE_REGION", "CN")
# API tokens end this many days after they were issued (and whenever the password changes).
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "crm" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # `crm collectstatic` fills it; finders serve until then
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
# uploaded files (scans of signed forms, ID copies) readable by the owner only
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Served over HTTPS (CRM_HTTPS=1, or the older SECURE_COOKIES=1): cookies only over HTTPS and
# HSTS. Off by default: `make run` serves plain http://127.0.0.1:8000, where a Secure cookie would
# never come back and nobody could sign in.
CRM_HTTPS = env_bool("CRM_HTTPS", env_bool("SECURE_COOKIES", False))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# the pages hand the CSRF token to htmx in the markup, no script reads the cookie
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CRM_HTTPS
CSRF_COOKIE_SECURE = CRM_HTTPS
SECURE_HSTS_SECONDS = env_int("CRM_HSTS_SECONDS", 60 * 60 * 24 * 365) if CRM_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CRM_HTTPS and env_bool("CRM_HSTS_SUBDOMAINS", False)
# Behind a proxy that terminates TLS: it says so in X-Forwarded-Proto (trusted with TRUST_PROXY)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUST_PROXY else None
# http → https here (opt-in: behind a proxy that does not say X-Forwarded-Proto, or without
# TRUST_PROXY, every request would look like http and be redirected for ever)
SECURE_SSL_REDIRECT = CRM_HTTPS and env_bool("CRM_HTTPS_REDIRECT", False)
# the cookie's own life: the absolute maximum of a session (crm.accounts.middleware)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", CRM_SESSION_MAX_HOURS * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],  # django-csp's sentinel, not the string "'nonce'"
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _caches() -> dict[str, Any]:
    """The cache holds the API's rate-limit counters, so every application process must see the
    same one: Redis when CRM_REDIS_URL is set, else a table of the database (created by
    crm/accounts/migrations/0011), never a process's own memory."""
    url = env_str("CRM_REDIS_URL", "")
    if url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "crm_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }


CACHES = _caches()

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crm@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # an ordinary 403 or 404 is one line in the console, without its traceback
    "formatters": {"console": {"()": "crm.core.logformat.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

CRM_PAGE_SIZE = 20
# `crm worker` enqueues the daily digest e-mails at this hour, local time (TIME_ZONE).
CRM_DIGEST_HOUR = env_int("CRM_DIGEST_HOUR", 7)
# The nightly pass of the public pools (customers returned, owners warned) runs from this hour.
CRM_POOL_HOUR = env_int("CRM_POOL_HOUR", 1)
# The address users open the CRM at, for links in e-mails and calendar feeds.
CRM_BASE_URL = env_str("CRM_BASE_URL", "http://127.0.0.1:8000")
