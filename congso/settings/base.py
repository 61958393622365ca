"""Settings shared by every environment; everything that varies is read through ``env()``.

The defaults run the embedded demo: SQLite (WAL) in ``var/``, media on the local disk and the
built-in database-backed worker. ``DATABASE_URL`` switches to PostgreSQL and
``CONGSO_BROKER_URL`` switches background work to Celery on Redis or RabbitMQ.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from congso.config import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DATA_DIR = Path(
    env(
        "CONGSO_DATA_DIR",
        str(BASE_DIR / "var"),
        "Folder for the embedded database, uploaded files and collected static files.",
        group="Storage",
        shown_default="var/ in the project folder",
    )
)

SECRET_KEY = env(
    "CONGSO_SECRET_KEY",
    "insecure-demo-key-do-not-use-in-production-0123456789abcdef",
    "Django secret key. Required (and checked) in production; the default is for the demo only.",
    group="Security",
)
DEBUG = env("CONGSO_DEBUG", False, "Django debug mode. Never on in production.", cast=bool)
ALLOWED_HOSTS: list[str] = env(
    "CONGSO_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost"],
    "Comma-separated host names the platform answers to.",
    group="Security",
    cast=list,
)
SSL_REDIRECT = env(
    "CONGSO_SSL_REDIRECT",
    True,
    "Production only: redirect plain HTTP to HTTPS (turn off only when a proxy already does it).",
    group="Security",
    cast=bool,
)
CSRF_TRUSTED_ORIGINS: list[str] = env(
    "CONGSO_CSRF_TRUSTED_ORIGINS",
    [],
    "Comma-separated origins (scheme://host) trusted for CSRF behind a proxy.",
    group="Security",
    cast=list,
)

PROXY_ADDRESSES: list[str] = env(
    "CONGSO_PROXY_ADDRESSES",
    [],
    "Comma-separated addresses or networks (CIDR) of the reverse proxies in front of the "
    "platform. Set: the client's address is read from X-Forwarded-For as these proxies append "
    "it (sign-in throttle, audit) and HTTPS from X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); "
    "each proxy must overwrite X-Forwarded-Proto. Empty: the platform is reached directly and "
    "every X-Forwarded-* header is ignored.",
    group="Security",
    cast=list,
)
if PROXY_ADDRESSES:
    # Only behind a configured proxy: ProxyHeadersMiddleware removes the header from requests
    # that did not come through one, so a direct client cannot claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy, in the shape of Django 6.0's SECURE_CSP (congso.core.middleware.
# SecurityHeadersMiddleware until the upgrade). Every script and style is a static file of the
# project: no inline script or style, no eval, nothing from another site.
CSP_REPORT_URI = env(
    "CONGSO_CSP_REPORT_URI",
    "",
    "Where browsers report Content-Security-Policy violations (report-uri); empty: no reports.",
    group="Security",
)
SECURE_CSP: dict[str, list[str] | bool] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # data: for the small icons the admin's and the API explorer's style sheets embed.
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "report-uri": [CSP_REPORT_URI] if CSP_REPORT_URI else [],
}
#: Browser features no page of the platform uses, switched off for every page and frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    name: []
    for name in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

INSTALLED_APPS = [
    "congso.core",
    "congso.accounts",
    "congso.audit",
    "congso.calendar",
    "congso.org",
    "congso.catalog",
    "congso.catalog.national",
    "congso.dossiers",
    "congso.api",
    "congso.benchfloor",
    "congso.printing",
    "congso.portal",
    "congso.backoffice",
    "congso.notify",
    "congso.signing",
    "congso.results",
    "congso.indicators",
    "congso.reports",
    "congso.eoffice",
    "congso.identity",
    "congso.feedback",
    "congso.records",
    "congso.integration",
    "congso.docstore",
    "congso.lifeevents",
    # Vendor plugins (congso/contrib/<vendor>/): each registers with the platform's registries.
    "congso.contrib.kannel",
    "congso.contrib.smtp",
    "congso.contrib.zalo",
    "congso.contrib.docaxis",
    "congso.payments",
    "congso.contrib.vnpay",
    "congso.contrib.paygov",
    "congso.contrib.vietqr",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The API explorer (/api/v1/docs) from the package's static files instead of a CDN.
    "ninja",
]

#: A province's own plugin apps (NetBox's PLUGINS): Django apps whose ``plugin`` module registers
#: channels, providers, field types… (``docs/architecture.md``, "Where to put a new …").
PLUGINS: list[str] = env(
    "CONGSO_PLUGINS",
    [],
    "Comma-separated Python paths of extra plugin apps, added to INSTALLED_APPS (each app "
    "registers its classes with the platform's registries when it starts).",
    group="General",
    cast=list,
)
INSTALLED_APPS += [app for app in PLUGINS if app not in INSTALLED_APPS]

MIDDLEWARE = [
    "congso.core.middleware.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "congso.core.middleware.SecurityHeadersMiddleware",
    # Up here, so answers given by the middleware below (refused text, shed load) have it too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "congso.core.middleware.RequestIdMiddleware",
    "congso.core.middleware.LoadSheddingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "congso.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "congso.core.middleware.InvalidTextMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "congso.accounts.middleware.OfficerSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "congso.urls"
WSGI_APPLICATION = "congso.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "congso" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'congso.sqlite3'}",
    "Database URL. Default: the embedded SQLite file in CONGSO_DATA_DIR (WAL mode). "
    "Use postgres://user:pass@host:5432/name for PostgreSQL.",
    group="Database",
    shown_default="sqlite:///<CONGSO_DATA_DIR>/congso.sqlite3",
)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Persistent connections (one per server thread): opening one, with its PRAGMAs, cost 8–11 %
    # of request time (issue 22). The test settings close them after each request.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue on the busy timeout instead of failing half-way through.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Server-side parameter binding lets psycopg 3 prepare a statement on the server once it has run
# this many times on a connection, so PostgreSQL skips parsing and planning it again (the
# connections are persistent, CONN_MAX_AGE, and not shared through a pooler).
DB_PREPARE_THRESHOLD = env(
    "CONGSO_DB_PREPARE_THRESHOLD",
    5,
    "PostgreSQL: prepare a statement on the server after this many runs on one connection "
    "(psycopg 3, server-side binding). -1 turns prepared statements off (e.g. behind PgBouncer "
    "in transaction pooling mode).",
    group="Database",
    cast=int,
)
# PgBouncer in transaction pooling mode (docs/deployment.md): a server connection serves another
# client after each transaction, so nothing may outlive one — no named server-side cursors
# (QuerySet.iterator() holds one across fetches) and no prepared statements (PgBouncer 1.18, the
# Debian 12 package, does not track them; client-side binding sends each query whole).
DB_PGBOUNCER = env(
    "CONGSO_DB_PGBOUNCER",
    False,
    "PostgreSQL is reached through PgBouncer in transaction mode: turns off server-side "
    "cursors and prepared statements (whatever CONGSO_DB_PREPARE_THRESHOLD says).",
    group="Database",
    cast=bool,
)
if DB_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and DB_PREPARE_THRESHOLD >= 0
    and not DB_PGBOUNCER
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": DB_PREPARE_THRESHOLD}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work --------------------------------------------------------------------------
BROKER_URL = env(
    "CONGSO_BROKER_URL",
    "",
    "Celery broker (redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//). "
    "Empty: the built-in worker (`manage.py worker`) drains the job table in the database.",
    group="Background work",
)
WORKER_BACKEND = "celery" if BROKER_URL else "embedded"
CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env(
    "CONGSO_CELERY_QUEUE",
    "congso",
    "Celery queue name (give each deployment sharing a broker its own).",
    group="Background work",
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
WORKER_POLL_SECONDS = env(
    "CONGSO_WORKER_POLL_SECONDS",
    1,
    "How often the built-in worker looks for due jobs, in seconds.",
    group="Background work",
    cast=int,
)
WORKER_MAX_ATTEMPTS = env(
    "CONGSO_WORKER_MAX_ATTEMPTS",
    8,
    "Attempts before a job is parked as dead (exponential backoff between attempts).",
    group="Background work",
    cast=int,
)
WORKER_LEASE_SECONDS = env(
    "CONGSO_WORKER_LEASE_SECONDS",
    600,
    "How long a claimed job belongs to its worker. A worker killed during a job leaves it "
    "claimed: once the lease has passed, another worker (or the Celery sweep) runs it again.",
    group="Background work",
    cast=int,
)
WORKER_SWEEP_SECONDS = env(
    "CONGSO_WORKER_SWEEP_SECONDS",
    30,
    "Celery mode: how often beat sweeps the job table, re-publishing jobs due for this long "
    "whose message was lost, and jobs whose worker died (lease passed).",
    group="Background work",
    cast=int,
)
WORKER_STALE_SECONDS = env(
    "CONGSO_WORKER_STALE_SECONDS",
    60,
    "A worker heartbeat older than this makes /healthz report the worker as down.",
    group="Background work",
    cast=int,
)
# One beat in the installation schedules these (docs/deployment.md); read by core.celery_app.
CELERY_BEAT_SCHEDULE = {
    "congso-sweep": {"task": "congso.sweep_jobs", "schedule": float(WORKER_SWEEP_SECONDS)},
    "congso-heartbeat": {"task": "congso.heartbeat", "schedule": 15.0},
    "congso-periodic": {"task": "congso.periodic", "schedule": 15.0},
}

# --- Authentication and sessions ---------------------------------------------------------------
# Every password set through a form (sign-up, change, reset, the admin): docs/security.md.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "full_name", "first_name", "last_name", "email")
        },
    },
    {
        "NAME": "congso.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "congso.accounts.passwords.CommonWordsValidator"},
]
SESSION_COOKIE_AGE = env(
    "CONGSO_SESSION_IDLE_SECONDS",
    1800,
    "A session ends after this many seconds without a request (sliding expiry).",
    group="Security",
    cast=int,
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The idle expiry slides without a write per request (congso.core.middleware
# SessionRefreshMiddleware, issue 22): saved when changed or this long after its last save.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env(
    "CONGSO_SESSION_REFRESH_SECONDS",
    60,
    "A signed-in session is rewritten (its idle expiry slid) at most this often; it then ends "
    "between CONGSO_SESSION_IDLE_SECONDS minus this and CONGSO_SESSION_IDLE_SECONDS after its "
    "last request.",
    group="Security",
    cast=int,
)
# Sign-in throttle (congso/accounts/throttle.py, docs/security.md "Sign-in throttle").
LOGIN_FREE_FAILURES = env(
    "CONGSO_LOGIN_FREE_FAILURES",
    5,
    "Wrong passwords (or second-factor codes) for one account before each further attempt "
    "waits. Attempts from a browser the account signed in from before are counted apart.",
    group="Security",
    cast=int,
)
LOGIN_IP_FREE_FAILURES = env(
    "CONGSO_LOGIN_IP_FREE_FAILURES",
    20,
    "Failed sign-ins from one client address (any account) within CONGSO_LOGIN_IP_WINDOW_SECONDS "
    "before each further attempt from it waits (429). Behind a proxy set CONGSO_PROXY_ADDRESSES.",
    group="Security",
    cast=int,
)
LOGIN_DELAY_SECONDS = env(
    "CONGSO_LOGIN_DELAY_SECONDS",
    30,
    "First wait once the free failures are used; each further failure doubles it.",
    group="Security",
    cast=int,
)
LOGIN_MAX_DELAY_SECONDS = env(
    "CONGSO_LOGIN_MAX_DELAY_SECONDS",
    900,
    "Longest wait between two attempts (there is no hard lock).",
    group="Security",
    cast=int,
)
LOGIN_WINDOW_SECONDS = env(
    "CONGSO_LOGIN_WINDOW_SECONDS",
    86400,
    "An account's failures are forgotten this long after the first one (a success forgets them "
    "at once).",
    group="Security",
    cast=int,
)
LOGIN_IP_WINDOW_SECONDS = env(
    "CONGSO_LOGIN_IP_WINDOW_SECONDS",
    900,
    "An address's failures are forgotten this long after the first one.",
    group="Security",
    cast=int,
)
LOGIN_DEVICE_DAYS = env(
    "CONGSO_LOGIN_DEVICE_DAYS",
    180,
    "A browser that completed a sign-in is recognised for this many days (signed cookie): its "
    "attempts are not delayed by failures from elsewhere.",
    group="Security",
    cast=int,
)
PASSWORD_RESET_TIMEOUT = env(
    "CONGSO_PASSWORD_RESET_SECONDS",
    3600,
    "A password reset link (e-mail) stays valid this many seconds, and only until used.",
    group="Security",
    cast=int,
)
API_TOKEN_DAYS = env(
    "CONGSO_API_TOKEN_DAYS",
    30,
    "API tokens expire after this many days unless a shorter life is asked for.",
    group="Security",
    cast=int,
)
API_TOKEN_MAX_DAYS = env(
    "CONGSO_API_TOKEN_MAX_DAYS",
    365,
    "Longest life of an API token, in days.",
    group="Security",
    cast=int,
)
API_TOKEN_STRONG_HOURS = env(
    "CONGSO_API_TOKEN_STRONG_HOURS",
    12,
    "Longest life of an API token that may approve or sign (scopes approve, sign), in hours: it "
    "stands for a second-factor check, which should not outlive a working day.",
    group="Security",
    cast=int,
)
THROTTLE_CACHE_URL = env(
    "CONGSO_THROTTLE_CACHE_URL",
    "",
    "Shared cache for the request throttles (redis://127.0.0.1:6379/1); empty: each server "
    "process counts in its own memory, so the limits apply per process.",
    group="Security",
)
LOOKUP_LIMIT = env(
    "CONGSO_LOOKUP_LIMIT",
    30,
    "Public dossier look-ups (page and API) one client address may make per window; then "
    "429 until the window ends (0 = no throttle).",
    group="Security",
    cast=int,
)
LOOKUP_FAILURE_LIMIT = env(
    "CONGSO_LOOKUP_FAILURE_LIMIT",
    5,
    "Wrong second factors (last 4 digits of the applicant's ID or phone) one client address "
    "may send per window.",
    group="Security",
    cast=int,
)
LOOKUP_CODE_FAILURE_LIMIT = env(
    "CONGSO_LOOKUP_CODE_FAILURE_LIMIT",
    10,
    "Wrong second factors for one dossier code per window, all addresses together; the "
    "code's status is then shown only to its signed-in applicant until the window ends.",
    group="Security",
    cast=int,
)
LOOKUP_WINDOW_SECONDS = env(
    "CONGSO_LOOKUP_WINDOW_SECONDS",
    600,
    "Length of the public look-up throttle windows, in seconds.",
    group="Security",
    cast=int,
)
# Citizen feedback and the 1022 hotline (congso/feedback, docs/feedback.md).
FEEDBACK_PROVINCE = env(
    "CONGSO_FEEDBACK_PROVINCE",
    "51",
    "Code of the province whose feedback this installation takes (QĐ 19/2025 two-digit code): "
    "the portal form, the hotline form and Open311 (jurisdiction_id) file reports there.",
    group="Feedback",
)
FEEDBACK_IP_LIMIT = env(
    "CONGSO_FEEDBACK_IP_LIMIT",
    10,
    "Reports one client address may file per window (portal, API, Open311; 0 = no limit).",
    group="Feedback",
    cast=int,
)
FEEDBACK_PHONE_LIMIT = env(
    "CONGSO_FEEDBACK_PHONE_LIMIT",
    5,
    "Reports one reporter phone number may file per window, whatever the channel except the "
    "hotline operator (0 = no limit).",
    group="Feedback",
    cast=int,
)
FEEDBACK_WINDOW_SECONDS = env(
    "CONGSO_FEEDBACK_WINDOW_SECONDS",
    3600,
    "Length of the feedback rate-limit windows, in seconds.",
    group="Feedback",
    cast=int,
)
FEEDBACK_REOPEN_DAYS = env(
    "CONGSO_FEEDBACK_REOPEN_DAYS",
    10,
    "Working days after an answer during which the reporter may reopen a report they are not "
    "satisfied with; then the report is closed.",
    group="Feedback",
    cast=int,
)
FEEDBACK_MAX_FILES = env(
    "CONGSO_FEEDBACK_MAX_FILES",
    5,
    "Photos or files one report may carry.",
    group="Feedback",
    cast=int,
)
FEEDBACK_MAX_FILE_BYTES = env(
    "CONGSO_FEEDBACK_MAX_FILE_BYTES",
    10 * 1024 * 1024,
    "Size limit of one photo or file of a report, in bytes.",
    group="Feedback",
    cast=int,
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": THROTTLE_CACHE_URL}
        if THROTTLE_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "congso-throttle",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    ),
}
OFFICER_2FA_REQUIRED = env(
    "CONGSO_OFFICER_2FA_REQUIRED",
    True,
    "Officers must confirm a TOTP code after their password before using officer pages.",
    group="Security",
    cast=bool,
)
OTP_TOTP_ISSUER = "Công Sở"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "congso" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(
    env(
        "CONGSO_MEDIA_ROOT",
        str(DATA_DIR / "media"),
        "Folder for uploaded files (attachments, results).",
        group="Storage",
        shown_default="<CONGSO_DATA_DIR>/media",
    )
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Province ---------------------------------------------------------------------------------
DEMO_PROVINCE_CODE = env(
    "CONGSO_DEMO_PROVINCE",
    "51",
    "Code of the province the demo loader builds (QĐ 19/2025 two-digit code; 51 = Quảng Ngãi).",
    group="Province",
)
CATALOG_NATIONAL_DATA = Path(
    env(
        "CONGSO_CATALOG_NATIONAL_DATA",
        str(BASE_DIR.parent / "shared" / "catalog-data"),
        "Folder holding the national procedure database exports (one sub-folder per export, "
        "see docs/catalog.md §10); the national import reads its files from there by default.",
        group="Province",
        shown_default="../shared/catalog-data (beside the checkout)",
    )
)
DEMO_PASSWORD = env(
    "CONGSO_DEMO_PASSWORD",
    "congso-demo-2026",
    "Password of every demo account `manage.py load_demo` creates. Demo data only.",
    group="Province",
)

# --- Web server (gunicorn, congso/gunicorn.conf.py) -----------------------------------------------
WEB_BIND = env(
    "CONGSO_BIND", "127.0.0.1:8000", "Address the web server listens on.", group="Web server"
)
WEB_WORKERS = env(
    "CONGSO_WEB_WORKERS", 2, "Gunicorn worker processes.", group="Web server", cast=int
)
WEB_THREADS = env(
    "CONGSO_WEB_THREADS", 4, "Threads per gunicorn worker process.", group="Web server", cast=int
)
BENCH_FLOOR = env(
    "CONGSO_BENCH_FLOOR",
    False,
    "Mount the benchmark's floor views under /bench-floor/ (benchmarks only; never in production).",
    group="Web server",
    cast=bool,
)
SHED_QUEUE_MS = env(
    "CONGSO_SHED_QUEUE_MS",
    2000,
    "Refuse a request with 503 + Retry-After when it waited longer than this for a server thread "
    "(milliseconds; 0 = never shed).",
    group="Web server",
    cast=int,
)
SHED_RETRY_AFTER_SECONDS = env(
    "CONGSO_SHED_RETRY_AFTER",
    2,
    "Retry-After (seconds) sent with a refused request.",
    group="Web server",
    cast=int,
)

# --- Digital signatures (congso/signing, docs/signing.md) ----------------------------------------
SIGNING_DEMO_PKI_DIR = Path(
    env(
        "CONGSO_SIGNING_DEMO_PKI_DIR",
        str(DATA_DIR / "pki"),
        "Folder of the demo government PKI (`manage.py signing_demo_pki`); relative PKCS#12 "
        "paths of signer profiles are read from here. Demo and tests only.",
        group="Digital signatures",
        shown_default="<CONGSO_DATA_DIR>/pki",
    )
)
SIGNING_DEMO_PKI_URL = env(
    "CONGSO_SIGNING_DEMO_PKI_URL",
    "http://127.0.0.1:8079",
    "Base URL the demo certificates name for OCSP (/ocsp), CRLs (/crl/) and the TSA (/tsa); "
    "`manage.py signing_services` listens there.",
    group="Digital signatures",
)
SIGNING_TRUST_ROOTS: list[str] = env(
    "CONGSO_SIGNING_TRUST_ROOTS",
    [str(SIGNING_DEMO_PKI_DIR / "root.crt")],
    "Comma-separated PEM/DER files of the trust anchors signatures are validated against "
    "(never the operating system's store). Production: the real CA chain's roots.",
    group="Digital signatures",
    cast=list,
    shown_default="<CONGSO_SIGNING_DEMO_PKI_DIR>/root.crt",
)
SIGNING_TSA_URL = env(
    "CONGSO_SIGNING_TSA_URL",
    "",
    "RFC 3161 time-stamping service for B-T and higher levels. Empty: the demo TSA at "
    "CONGSO_SIGNING_DEMO_PKI_URL/tsa.",
    group="Digital signatures",
)
SIGNING_ONLINE_REVOCATION = env(
    "CONGSO_SIGNING_ONLINE_REVOCATION",
    True,
    "Fetch OCSP responses and CRLs when validating; off: only the validation data embedded in "
    "the document (offline validation of B-LT/B-LTA results).",
    group="Digital signatures",
    cast=bool,
)
SIGNING_REVOCATION_CACHE_SIZE = env(
    "CONGSO_SIGNING_REVOCATION_CACHE_SIZE",
    256,
    "OCSP responses and CRL sets kept in memory per process for validation (least recently used "
    "dropped first); 0 turns the cache off.",
    group="Digital signatures",
    cast=int,
)
SIGNING_REVOCATION_CACHE_SECONDS = env(
    "CONGSO_SIGNING_REVOCATION_CACHE_SECONDS",
    300,
    "Longest time a cached OCSP response or CRL is reused; never past its own nextUpdate.",
    group="Digital signatures",
    cast=int,
)
SIGNING_P12_PASSPHRASE = env(
    "CONGSO_SIGNING_P12_PASSPHRASE",
    "congso-demo",
    "Passphrase of the officers' PKCS#12 soft tokens (a profile may name another variable).",
    group="Digital signatures",
)
SIGNING_RETIMESTAMP_DAYS = env(
    "CONGSO_SIGNING_RETIMESTAMP_DAYS",
    180,
    "signing_retimestamp adds an archival document time-stamp (PAdES-LTA) to a stored signed "
    "PDF whose latest time-stamp's TSA certificate expires within this many days.",
    group="Digital signatures",
    cast=int,
)
AUDIT_CHAIN_KEY = env(
    "CONGSO_AUDIT_CHAIN_KEY",
    "insecure-audit-chain-key-for-development-only",
    "Secret key of the audit chain (HMAC-SHA256 of every event). Keep it outside the database "
    "and its backups (a secrets store, the service's environment); whoever holds it and the "
    "database can rewrite history. Production refuses the default and keys under 32 characters.",
    group="Audit log",
    shown_default="insecure-… (development only)",
)
AUDIT_LEGACY_UNTIL_SEQ = env(
    "CONGSO_AUDIT_LEGACY_UNTIL_SEQ",
    0,
    "Events up to this seq were written before the chain was keyed and are verified with the "
    "old unkeyed SHA-256; set it once, on upgrade, to the head seq audit_verify printed then "
    "(0: every event must be keyed).",
    group="Audit log",
    cast=int,
)
AUDIT_ANCHOR_P12 = env(
    "CONGSO_AUDIT_ANCHOR_P12",
    "officers/van-thu.p12",
    "PKCS#12 soft token that signs the daily anchor of the audit chain head (relative paths "
    "under CONGSO_SIGNING_DEMO_PKI_DIR; passphrase CONGSO_SIGNING_P12_PASSPHRASE). Empty: "
    "anchors carry the time-stamp and HMAC only.",
    group="Audit log",
)
AUDIT_ANCHOR_MAX_AGE_HOURS = env(
    "CONGSO_AUDIT_ANCHOR_MAX_AGE_HOURS",
    48,
    "audit_verify warns (fails with --require-anchor) when events were written after the newest "
    "anchor and that anchor is older than this.",
    group="Audit log",
    cast=int,
)
SIGNING_PKCS11_PIN = env(
    "CONGSO_SIGNING_PKCS11_PIN",
    "",
    "User PIN of the PKCS#11 token (a profile may name another variable in pin_env).",
    group="Digital signatures",
)
SIGNING_PUBLIC_URL = env(
    "CONGSO_SIGNING_PUBLIC_URL",
    "http://127.0.0.1:8000",
    "Public address of this site, printed in the QR code of signed results (verification page).",
    group="Digital signatures",
)

# --- Notifications (congso/notify, docs/notify.md) ------------------------------------------------
NOTIFY_SMS_PROVIDER = env(
    "CONGSO_NOTIFY_SMS_PROVIDER", "kannel", "SMS provider (registry id).", group="Notifications"
)
NOTIFY_EMAIL_PROVIDER = env(
    "CONGSO_NOTIFY_EMAIL_PROVIDER", "smtp", "E-mail provider (registry id).", group="Notifications"
)
NOTIFY_SMS_SENDER = env(
    "CONGSO_NOTIFY_SMS_SENDER",
    "CONGSO",
    "SMS sender: the brandname registered with the operators (≤ 11 characters).",
    group="Notifications",
)
NOTIFY_SMS_UNICODE = env(
    "CONGSO_NOTIFY_SMS_UNICODE",
    False,
    "Send SMS in Unicode (UCS-2, 70 characters per segment) instead of text without accents "
    "(GSM-7, 160 characters).",
    group="Notifications",
    cast=bool,
)
NOTIFY_KANNEL_URL = env(
    "CONGSO_NOTIFY_KANNEL_URL",
    "http://127.0.0.1:13013/cgi-bin/sendsms",
    "Kannel smsbox sendsms URL.",
    group="Notifications",
)
NOTIFY_KANNEL_USER = env(
    "CONGSO_NOTIFY_KANNEL_USER", "congso", "Kannel sendsms-user username.", group="Notifications"
)
NOTIFY_KANNEL_PASSWORD = env(
    "CONGSO_NOTIFY_KANNEL_PASSWORD",
    "congso-kannel",
    "Kannel sendsms-user password.",
    group="Notifications",
)
NOTIFY_KANNEL_TIMEOUT = env(
    "CONGSO_NOTIFY_KANNEL_TIMEOUT",
    10,
    "Seconds to wait for Kannel's answer to one sendsms call.",
    group="Notifications",
    cast=int,
)
NOTIFY_DLR_BASE_URL = env(
    "CONGSO_NOTIFY_DLR_BASE_URL",
    "http://127.0.0.1:8000",
    "Base URL Kannel calls back with delivery reports (this site, as Kannel reaches it).",
    group="Notifications",
)
NOTIFY_DLR_GRACE_SECONDS = env(
    "CONGSO_NOTIFY_DLR_GRACE_SECONDS",
    120,
    "A message left 'sending' this long with no delivery report is sent again (reconciliation).",
    group="Notifications",
    cast=int,
)
NOTIFY_DLR_TIMEOUT_HOURS = env(
    "CONGSO_NOTIFY_DLR_TIMEOUT_HOURS",
    48,
    "An SMS accepted by the gateway with no final delivery report after this many hours is "
    "marked 'no_report' (never resent: it may well have arrived).",
    group="Notifications",
    cast=int,
)
NOTIFY_MAX_ATTEMPTS = env(
    "CONGSO_NOTIFY_MAX_ATTEMPTS",
    6,
    "Sending attempts before a message is parked as dead (backoff between attempts).",
    group="Notifications",
    cast=int,
)
NOTIFY_QUIET_HOURS = env(
    "CONGSO_NOTIFY_QUIET_HOURS",
    "21:00-07:00",
    "Local hours without SMS except urgent ones (HH:MM-HH:MM; empty = none).",
    group="Notifications",
)
NOTIFY_SMS_PER_NUMBER_PER_HOUR = env(
    "CONGSO_NOTIFY_SMS_PER_NUMBER_PER_HOUR",
    10,
    "SMS per phone number per hour; more wait (0 = no limit).",
    group="Notifications",
    cast=int,
)
NOTIFY_EMAIL_DOMAIN = env(
    "CONGSO_NOTIFY_EMAIL_DOMAIN",
    "congso.local",
    "Domain of the Message-ID of notification e-mails.",
    group="Notifications",
)
DEFAULT_FROM_EMAIL = env(
    "CONGSO_EMAIL_FROM",
    "Cong dich vu cong <no-reply@congso.local>",
    "Sender address of e-mails.",
    group="Notifications",
)
EMAIL_HOST = env("CONGSO_EMAIL_HOST", "127.0.0.1", "SMTP server.", group="Notifications")
EMAIL_PORT = env("CONGSO_EMAIL_PORT", 25, "SMTP port.", group="Notifications", cast=int)
EMAIL_HOST_USER = env("CONGSO_EMAIL_USER", "", "SMTP user (empty: none).", group="Notifications")
EMAIL_HOST_PASSWORD = env("CONGSO_EMAIL_PASSWORD", "", "SMTP password.", group="Notifications")
EMAIL_USE_TLS = env(
    "CONGSO_EMAIL_TLS",
    False,
    "Use STARTTLS with the SMTP server.",
    group="Notifications",
    cast=bool,
)
EMAIL_TIMEOUT = 10

# --- Zalo ZNS (congso/contrib/zalo, docs/notify.md "Zalo") ---------------------------------------
NOTIFY_ZALO_PROVIDER = env(
    "CONGSO_NOTIFY_ZALO_PROVIDER",
    "zalo_zns",
    "Zalo channel provider (registry id).",
    group="Zalo ZNS",
)
ZALO_APP_ID = env(
    "CONGSO_ZALO_APP_ID",
    "",
    "Id of the Zalo app (Zalo for Developers) linked to the province's Official Account. Empty: "
    "the Zalo channel is off (no Zalo messages, no Zalo choice on the preferences page).",
    group="Zalo ZNS",
)
ZALO_APP_SECRET = env(
    "CONGSO_ZALO_APP_SECRET",
    "",
    "Secret key of the Zalo app: the secret_key header of the access-token refresh.",
    group="Zalo ZNS",
)
ZALO_OA_SECRET = env(
    "CONGSO_ZALO_OA_SECRET",
    "",
    "Secret key of the Official Account: verifies the X-ZEvent-Signature of Zalo's callbacks "
    "(empty: every callback is refused).",
    group="Zalo ZNS",
)
ZALO_ACCESS_TOKEN = env(
    "CONGSO_ZALO_ACCESS_TOKEN",
    "",
    "The OA access token to start with (valid 25 h). Refreshed tokens are kept, encrypted, in "
    "the database; a changed value here (after re-authorising the app) replaces them.",
    group="Zalo ZNS",
)
ZALO_REFRESH_TOKEN = env(
    "CONGSO_ZALO_REFRESH_TOKEN",
    "",
    "The OA refresh token to start with (single use, valid 3 months); see "
    "CONGSO_ZALO_ACCESS_TOKEN.",
    group="Zalo ZNS",
)
ZALO_API_URL = env(
    "CONGSO_ZALO_API_URL",
    "https://business.openapi.zalo.me",
    "Base URL of the ZNS API (POST /message/template).",
    group="Zalo ZNS",
)
ZALO_OAUTH_URL = env(
    "CONGSO_ZALO_OAUTH_URL",
    "https://oauth.zaloapp.com",
    "Base URL of Zalo's OAuth server (POST /v4/oa/access_token).",
    group="Zalo ZNS",
)
ZALO_TIMEOUT = env(
    "CONGSO_ZALO_TIMEOUT",
    10,
    "Seconds to wait for Zalo's API (a timeout is retried like any transient failure).",
    group="Zalo ZNS",
    cast=int,
)
ZALO_RECEIPT_TIMEOUT_MINUTES = env(
    "CONGSO_ZALO_RECEIPT_TIMEOUT_MINUTES",
    30,
    "A Zalo message accepted by Zalo with no user_received_message callback after this many "
    "minutes is recorded as no_report and the notice goes by SMS (0: wait as long as for SMS "
    "delivery reports, CONGSO_NOTIFY_DLR_TIMEOUT_HOURS).",
    group="Zalo ZNS",
    cast=int,
)
ZALO_DEFAULT_ON = env(
    "CONGSO_ZALO_DEFAULT_ON",
    False,
    "Citizens who have not chosen receive Zalo first (SMS when Zalo fails); off: Zalo only for "
    "citizens who ticked it on the preferences page.",
    group="Zalo ZNS",
    cast=bool,
)
ZALO_DEVELOPMENT_MODE = env(
    "CONGSO_ZALO_DEVELOPMENT_MODE",
    False,
    'Send with "mode": "development" (Zalo delivers only to the OA\'s and app\'s admins, '
    "free of charge): for a staging site.",
    group="Zalo ZNS",
    cast=bool,
)

# --- E-office and the national document axis (docs/eoffice.md) -------------------------------
EOFFICE_SEALS_DIR = env(
    "CONGSO_EOFFICE_SEALS_DIR",
    str(DATA_DIR / "eoffice-seals"),
    "Directory of the agencies' XML-DSig seals for edXML packages: <OrganId>.key.pem and "
    "<OrganId>.crt.pem (the certificate names the agency as urn:qcvn102:<OrganId>).",
    group="E-office",
    shown_default="eoffice-seals/ in CONGSO_DATA_DIR",
)
EOFFICE_TRUST_ANCHORS = env(
    "CONGSO_EOFFICE_TRUST_ANCHORS",
    str(DATA_DIR / "eoffice-seals" / "ca.pem"),
    "PEM bundle of the certificate authorities whose seals incoming edXML packages may carry.",
    group="E-office",
    shown_default="ca.pem in the seals folder",
)
EOFFICE_MAX_ATTEMPTS = env(
    "CONGSO_EOFFICE_MAX_ATTEMPTS",
    6,
    "Attempts to hand one package to the axis before it is marked failed (shown to the clerk).",
    group="E-office",
    cast=int,
)
EOFFICE_POLL_SECONDS = env(
    "CONGSO_EOFFICE_POLL_SECONDS",
    60,
    "How often the worker asks the axis for received packages.",
    group="E-office",
    cast=int,
)
EOFFICE_INTERNAL_ROUTING = env(
    "CONGSO_EOFFICE_INTERNAL_ROUTING",
    True,
    "Hand a package for an agency of this instance over directly, without the axis.",
    group="E-office",
    cast=bool,
)
EOFFICE_SIGNATURE_LEVEL = env(
    "CONGSO_EOFFICE_SIGNATURE_LEVEL",
    "B-B",
    "PAdES level of the leader's and the agency seal's signatures on outgoing documents "
    "(B-B, B-T, B-LT, B-LTA; B-T and above need the TSA, B-LT and above the OCSP/CRL services).",
    group="E-office",
)
EOFFICE_SEAL_REQUIRED = env(
    "CONGSO_EOFFICE_SEAL_REQUIRED",
    False,
    "Refuse to issue an outgoing document when its agency has no active seal signer profile "
    "(off: such a document is issued with the leader's signature only).",
    group="E-office",
    cast=bool,
)
DOCAXIS_URL = env(
    "CONGSO_DOCAXIS_URL",
    "",
    "Base URL of the national document axis (empty: the exchange is off).",
    group="E-office",
)
DOCAXIS_SYSTEM_ID = env(
    "CONGSO_DOCAXIS_SYSTEM_ID", "", "This system's id on the document axis.", group="E-office"
)
DOCAXIS_SECRET = env(
    "CONGSO_DOCAXIS_SECRET", "", "This system's secret on the document axis.", group="E-office"
)
DOCAXIS_TIMEOUT = env(
    "CONGSO_DOCAXIS_TIMEOUT",
    20,
    "Seconds to wait for the document axis (a timeout is retried).",
    group="E-office",
    cast=int,
)
DOCAXIS_VIA_LGSP = env(
    "CONGSO_DOCAXIS_VIA_LGSP",
    False,
    "Reach the document axis through the province's integration platform (the LGSP client, "
    "services VDXP.*) instead of calling CONGSO_DOCAXIS_URL directly.",
    group="E-office",
    cast=bool,
)

# --- National identity (congso/identity, docs/identity.md) ---------------------------------------
VNEID_ISSUER = env(
    "CONGSO_VNEID_ISSUER",
    "",
    "Issuer of VNeID's OpenID provider (its discovery document is at ISSUER/.well-known/"
    'openid-configuration). Empty: no "Đăng nhập bằng VNeID".',
    group="National identity",
)
VNEID_CLIENT_ID = env(
    "CONGSO_VNEID_CLIENT_ID",
    "",
    "Client id the province was given by VNeID.",
    group="National identity",
)
VNEID_CLIENT_SECRET = env(
    "CONGSO_VNEID_CLIENT_SECRET",
    "",
    "Client secret for VNeID's token endpoint (HTTP Basic).",
    group="National identity",
)
DVCQG_SSO_ISSUER = env(
    "CONGSO_DVCQG_SSO_ISSUER",
    "",
    "Issuer of the national portal's SSO (WSO2 Identity Server, e.g. https://xacthuc.dichvucong."
    "gov.vn/oauth2/token). Empty: no sign-in through the national portal.",
    group="National identity",
)
DVCQG_SSO_CLIENT_ID = env(
    "CONGSO_DVCQG_SSO_CLIENT_ID",
    "",
    "Client id at the national portal's SSO.",
    group="National identity",
)
DVCQG_SSO_CLIENT_SECRET = env(
    "CONGSO_DVCQG_SSO_CLIENT_SECRET",
    "",
    "Client secret at the national portal's SSO.",
    group="National identity",
)
OIDC_CLOCK_SKEW_SECONDS = env(
    "CONGSO_OIDC_CLOCK_SKEW_SECONDS",
    120,
    "Clock difference tolerated with an identity provider when checking an ID token's exp and iat.",
    group="National identity",
    cast=int,
)
OIDC_TIMEOUT_SECONDS = env(
    "CONGSO_OIDC_TIMEOUT_SECONDS",
    5,
    "Seconds to wait for an identity provider (discovery, keys, token, userinfo) before telling "
    "the citizen it does not answer.",
    group="National identity",
    cast=int,
)
OIDC_DISCOVERY_SECONDS = env(
    "CONGSO_OIDC_DISCOVERY_SECONDS",
    3600,
    "How long a provider's discovery document is kept before it is read again (its signing keys "
    "are read again at once when a token names an unknown key).",
    group="National identity",
    cast=int,
)
OIDC_FLOW_SECONDS = env(
    "CONGSO_OIDC_FLOW_SECONDS",
    600,
    "A sign-in must come back from the provider within this many seconds.",
    group="National identity",
    cast=int,
)

POPULATION_URL = env(
    "CONGSO_POPULATION_URL",
    "",
    "The national population database's look-up at the province's integration platform (LGSP), "
    "JSON POST. Empty: no look-ups (no prefill from it).",
    group="National identity",
)
POPULATION_TOKEN = env(
    "CONGSO_POPULATION_TOKEN",
    "",
    "Bearer token for the LGSP look-up.",
    group="National identity",
)
POPULATION_VIA_LGSP = env(
    "CONGSO_POPULATION_VIA_LGSP",
    False,
    "Ask the population database through the province's integration platform with the LGSP "
    "client (service CSDLDC.TraCuuCongDan; CONGSO_LGSP_*) instead of CONGSO_POPULATION_URL.",
    group="National identity",
    cast=bool,
)
POPULATION_INTEGRATION_CODE = env(
    "CONGSO_POPULATION_INTEGRATION_CODE",
    "",
    "MaTichHop: the code the LGSP gave this system.",
    group="National identity",
)
POPULATION_TIMEOUT_SECONDS = env(
    "CONGSO_POPULATION_TIMEOUT_SECONDS",
    5,
    "Seconds to wait for the population database.",
    group="National identity",
    cast=int,
)
POPULATION_CACHE_SECONDS = env(
    "CONGSO_POPULATION_CACHE_SECONDS",
    600,
    "How long an answer of the population database is reused (for the same person, name and "
    "birth year) before it is asked again; every use is still in the person's access log.",
    group="National identity",
    cast=int,
)

# --- Integration: LGSP, portal sync, webhooks (congso/integration, docs/integration.md) ----------
LGSP_URL = env(
    "CONGSO_LGSP_URL",
    "",
    "Base URL of the province's integration platform (LGSP) adapter for the national public-"
    "service portal (POST /auth, POST /service). Empty: no dossier is synchronised (the sync "
    "outbox still fills up and is sent once it is set).",
    group="Integration (LGSP)",
)
LGSP_USERNAME = env(
    "CONGSO_LGSP_USERNAME",
    "",
    "Account of congso on the LGSP (session authentication).",
    group="Integration (LGSP)",
)
LGSP_PASSWORD = env(
    "CONGSO_LGSP_PASSWORD", "", "Password of that account.", group="Integration (LGSP)"
)
LGSP_UNIT_CODE = env(
    "CONGSO_LGSP_UNIT_CODE",
    "",
    "Identifier of the province on the platform (madonvi, e.g. 000.00.00.H51), sent with every "
    "call.",
    group="Integration (LGSP)",
)
LGSP_PROVINCES = env(
    "CONGSO_LGSP_PROVINCES",
    "",
    'Per-province overrides, JSON: {"51": {"url": …, "username": …, "password": …, '
    '"unit_code": …}}; a dossier goes through the platform of its competent agency\'s province, '
    "the CONGSO_LGSP_* values otherwise.",
    group="Integration (LGSP)",
)
LGSP_TIMEOUT = env(
    "CONGSO_LGSP_TIMEOUT",
    10,
    "Seconds to wait for an answer of the LGSP (a timeout counts as an uncertain failure: the "
    "next attempt looks the dossier up before sending again).",
    group="Integration (LGSP)",
    cast=int,
)
LGSP_BREAKER_FAILURES = env(
    "CONGSO_LGSP_BREAKER_FAILURES",
    5,
    "Consecutive failures that open the circuit breaker of a platform (calls then fail at once).",
    group="Integration (LGSP)",
    cast=int,
)
LGSP_BREAKER_SECONDS = env(
    "CONGSO_LGSP_BREAKER_SECONDS",
    30,
    "Seconds an open circuit stays open before one trial call is let through.",
    group="Integration (LGSP)",
    cast=int,
)
SYNC_BATCH_SIZE = env(
    "CONGSO_SYNC_BATCH_SIZE",
    20,
    "Sync items sent per worker run (one per dossier at a time, in the dossier's order).",
    group="Integration (LGSP)",
    cast=int,
)
SYNC_MAX_ATTEMPTS = env(
    "CONGSO_SYNC_MAX_ATTEMPTS",
    8,
    "Attempts of one sync item before it becomes a dead letter (shown to officers, who may sync "
    "it again).",
    group="Integration (LGSP)",
    cast=int,
)
SYNC_BACKOFF_SECONDS = env(
    "CONGSO_SYNC_BACKOFF_SECONDS",
    10,
    "First retry delay of a sync item; doubled at every attempt (with ±50 % jitter), capped at "
    "one hour.",
    group="Integration (LGSP)",
    cast=int,
)
SYNC_POLL_SECONDS = env(
    "CONGSO_SYNC_POLL_SECONDS",
    30,
    "How often the worker sends the due sync items (the periodic task integration.sync).",
    group="Integration (LGSP)",
    cast=int,
)
WEBHOOK_POLL_SECONDS = env(
    "CONGSO_WEBHOOK_POLL_SECONDS",
    30,
    "How often the worker retries the due webhook deliveries (new events are sent at once).",
    group="Integration (webhooks)",
    cast=int,
)
WEBHOOK_TIMEOUT = env(
    "CONGSO_WEBHOOK_TIMEOUT",
    10,
    "Seconds to wait for a webhook receiver's answer.",
    group="Integration (webhooks)",
    cast=int,
)
WEBHOOK_MAX_ATTEMPTS = env(
    "CONGSO_WEBHOOK_MAX_ATTEMPTS",
    8,
    "Attempts of one webhook delivery before it is given up (dead).",
    group="Integration (webhooks)",
    cast=int,
)
WEBHOOK_BACKOFF_SECONDS = env(
    "CONGSO_WEBHOOK_BACKOFF_SECONDS",
    30,
    "First retry delay of a webhook delivery; doubled at every attempt (±50 % jitter), capped at "
    "six hours.",
    group="Integration (webhooks)",
    cast=int,
)
WEBHOOK_SUSPEND_AFTER = env(
    "CONGSO_WEBHOOK_SUSPEND_AFTER",
    3,
    "Dead deliveries in a row after which a subscription is suspended (its owner is told by "
    "e-mail; they reactivate it once the endpoint works).",
    group="Integration (webhooks)",
    cast=int,
)
TRANSFER_PARTNERS = env(
    "CONGSO_TRANSFER_PARTNERS",
    "",
    "The systems this instance transfers dossiers with (liên thông), JSON: a list of "
    '{"unit_code", "name", "secret", "agencies": [{"code", "name"}]} — the partner\'s unit '
    "code on the LGSP, the shared HMAC-SHA256 key of the messages, the agencies it decides for. "
    "Empty: no transfer.",
    group="Integration (transfers)",
)
TRANSFER_POLL_SECONDS = env(
    "CONGSO_TRANSFER_POLL_SECONDS",
    30,
    "How often the worker sends the due transfer messages and fetches the incoming ones from "
    "the LGSP (the periodic task integration.transfers).",
    group="Integration (transfers)",
    cast=int,
)
TRANSFER_MAX_ATTEMPTS = env(
    "CONGSO_TRANSFER_MAX_ATTEMPTS",
    8,
    "Attempts of one transfer message before it is given up (dead, shown on the dossier page); "
    "retries wait like the portal sync's (CONGSO_SYNC_BACKOFF_SECONDS, doubled).",
    group="Integration (transfers)",
    cast=int,
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the request id (X-Request-ID; "-" outside a request): one request's
    # lines can be found across web nodes and workers (congso.core.context).
    "filters": {"request_id": {"()": "congso.core.context.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("CONGSO_LOG_LEVEL", "INFO", "Log level.")},
}

NINJA_PAGINATION_PER_PAGE = 50


# --- Payments (congso/payments, congso/contrib/vnpay, congso/contrib/vietqr; docs/payments.md) ---
PAYMENTS_INTENT_MINUTES = env(
    "CONGSO_PAYMENTS_INTENT_MINUTES",
    15,
    "Minutes a started payment stays payable at the gateway (vnp_ExpireDate); then it expires.",
    group="Payments",
    cast=int,
)
PAYMENTS_CALLBACK_WINDOW_MINUTES = env(
    "CONGSO_PAYMENTS_CALLBACK_WINDOW_MINUTES",
    60,
    "A gateway callback whose own timestamp is older than this (or as much in the future) is "
    "refused as a replay.",
    group="Payments",
    cast=int,
)
PAYMENTS_RECEIPT_TEMPLATE = env(
    "CONGSO_PAYMENTS_RECEIPT_TEMPLATE",
    "01BLP0-001",
    "Template symbol (mẫu số) printed on the e-receipts.",
    group="Payments",
)
PAYMENTS_RECEIPT_SERIES = env(
    "CONGSO_PAYMENTS_RECEIPT_SERIES",
    "CS{yy}E",
    "Series symbol (ký hiệu) of the e-receipts; {yy} is the year's last two digits (numbers "
    "restart at 1 every year).",
    group="Payments",
)
VNPAY_PAY_URL = env(
    "CONGSO_VNPAY_PAY_URL",
    "",
    "VNPay's payment page (…/paymentv2/vpcpay.html); empty: the VNPay gateway is off.",
    group="Payments",
)
VNPAY_TMN_CODE = env(
    "CONGSO_VNPAY_TMN_CODE", "", "The merchant's terminal code (vnp_TmnCode).", group="Payments"
)
VNPAY_HASH_SECRET = env(
    "CONGSO_VNPAY_HASH_SECRET",
    "",
    "The merchant's secret for the HMAC-SHA512 of requests and callbacks (vnp_HashSecret).",
    group="Payments",
)
PAYGOV_URL = env(
    "CONGSO_PAYGOV_URL",
    "",
    "The national payment platform's base URL (assumed protocol, docs/payments.md); empty: off.",
    group="Payments",
)
PAYGOV_PARTNER_CODE = env(
    "CONGSO_PAYGOV_PARTNER_CODE", "", "congso's partner code at the platform.", group="Payments"
)
PAYGOV_SECRET = env(
    "CONGSO_PAYGOV_SECRET",
    "",
    "The partner secret for the HMAC-SHA256 of orders and notifications.",
    group="Payments",
)
PAYGOV_NOTIFY_URL = env(
    "CONGSO_PAYGOV_NOTIFY_URL",
    "",
    "Where the platform notifies congso; empty: this site's /thanh-toan/paygov/ipn/.",
    group="Payments",
)
VNPAY_API_URL = env(
    "CONGSO_VNPAY_API_URL",
    "",
    "VNPay's merchant API (querydr, refund: .../merchant_webapi/api/transaction); empty: "
    "refunds are recorded by hand.",
    group="Payments",
)
VIETQR_BANK_BIN = env(
    "CONGSO_VIETQR_BANK_BIN",
    "",
    "NAPAS BIN (6 digits) of the collecting account's bank; empty: VietQR is off.",
    group="Payments",
)
VIETQR_ACCOUNT = env(
    "CONGSO_VIETQR_ACCOUNT", "", "The collecting account number (VietQR).", group="Payments"
)
VIETQR_ACCOUNT_NAME = env(
    "CONGSO_VIETQR_ACCOUNT_NAME",
    "",
    "The collecting account's holder, shown beside the QR code.",
    group="Payments",
)
VIETQR_WEBHOOK_SECRET = env(
    "CONGSO_VIETQR_WEBHOOK_SECRET",
    "",
    "Secret of the bank's credit-notification webhook (HMAC-SHA256 of the raw body in "
    "X-Signature); empty: VietQR transfers are confirmed by the statement only.",
    group="Payments",
)
