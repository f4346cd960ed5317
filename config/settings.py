"""Settings, all driven by environment variables (see .env.example)."""

import socket

from django.utils.csp import CSP

from config.env import BASE_DIR, env
from config.logging import logging_config

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me" if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "reports_admin",
]
# The Weblink simulator (`manage.py weblink_simulator`) is for development, the tests and the
# demo only: production neither installs nor serves it.
WEBLINK_SIMULATOR = env.bool("WEBLINK_SIMULATOR", default=False)
if WEBLINK_SIMULATOR:
    INSTALLED_APPS.append("weblink_sim")

MIDDLEWARE = [
    # First, so that its one line per request times and sees everything below.
    "reports_admin.web.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the set_language cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Two-factor sign-in: which device verified this session, then ask for a code if needed.
    "django_otp.middleware.OTPMiddleware",
    "reports_admin.web.middleware.TwoFactorMiddleware",
    "reports_admin.web.middleware.SessionLimitMiddleware",
    "reports_admin.web.middleware.WeblinkConnectionMiddleware",
    "reports_admin.web.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees every failed sign-in the views produce.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                # The CSP nonce, for {% htmx_script %} and any <script nonce>.
                "django.template.context_processors.csp",
                "reports_admin.web.context_processors.layout",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers do not wait for a writer, and writers queue up instead of failing "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Bulk jobs run in the task worker (`manage.py run_worker`), which takes tasks from a table
# in the same database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The longest a bulk job waits before its next call when Weblink asked it to slow down
# (Retry-After on a 429 or 503).
BULK_RETRY_AFTER_CAP_SECONDS = env.float("BULK_RETRY_AFTER_CAP_SECONDS", default=60)

# One cache that every process shares (the report snapshot, send-now's once-only keys and
# cool-offs): Redis with CACHE_URL, else a table in the database (migration 0003). The tests
# use local memory.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://reports_admin_cache"),
    # Rendered HTML under a digest of everything it shows (the report list's results and its
    # filter form), in each process's own memory: such an entry never goes stale, and a warm
    # page then reads it without a round trip to the shared cache (a query, with the
    # database cache). A few hundred KB at most each.
    "rendered": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rendered",
        "OPTIONS": {"MAX_ENTRIES": 100},
    },
}

# Sessions are read from the cache and written through to the database, so any instance can
# serve any request and a cache restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Both limits are enforced by reports_admin.web.middleware.SessionLimitMiddleware: signed out after
# SESSION_IDLE_AGE without a request, and SESSION_ABSOLUTE_AGE after signing in however active.
# The cookie lives as long as the absolute limit; the session is written at most once a
# minute to note activity, not on every page.
SESSION_IDLE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_AGE

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Per user name across addresses, with its own, higher limit (AXES_USERNAME_FAILURE_LIMIT).
    "reports_admin.web.username_lockout.UsernameLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("sv", "Swedish")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice is remembered for a year, on this host only, unread by scripts.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", default="Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves compressed, content-hashed files (collected when the image is built).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- HTTPS, cookies and headers (see docs/deploying.md) ---------------------------------------
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The container's and load balancer's probes speak plain http to the instance itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# check --deploy warns about two deliberate defaults: redirecting http to https is the TLS
# proxy's job unless SECURE_SSL_REDIRECT=true, and HSTS preloading binds the whole domain, so
# its owner opts in with SECURE_HSTS_PRELOAD=true.
SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W021"]

# Secure cookies by default in production; the __Host- prefix makes browsers also insist on
# https, this host only (no Domain) and path /.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
# Pages carry the CSRF token (hx-headers on <body>); no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style: only our own files, and tags carrying the per-response nonce.
# htmx's inline indicator styles are switched off in base.html; ours are in app.css.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Bootstrap draws some icons (select arrows, check marks) as data: SVGs.
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    # A report's HTML preview is framed from our own origin, sandboxed (reports/previews).
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Two-factor sign-in (TOTP, with recovery codes): each person may turn it on; staff must
# when this is set, before any page, /admin/ included.
REQUIRE_2FA_FOR_STAFF = env.bool("REQUIRE_2FA_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "Weblink Reports Admin"

# Failed sign-ins are counted per user name *and* address, so one attacker cannot lock
# everyone out by guessing at all the user names.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Guessing one user name from many addresses: locked after this many failures in all, within
# the same cool-off (reports_admin.web.username_lockout). Higher, so it is costly to lock out
# someone else on purpose. Unlock early with `manage.py axes_reset_username NAME`.
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "reports_admin.web.accounts.locked_out"
# Behind N proxies that each append to X-Forwarded-For, the client's address is the N-th from
# the right; without this, every sign-in seems to come from the proxy. Never set it when
# clients can reach the dashboard directly: they could then make up their address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "reports_admin.web.client_address.client_address"
# Tokens and passwords stay hidden on the debug page too (DEBUG on).
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "reports_admin.web.debug_filter.TokenSafeExceptionReporterFilter"
)

# The Weblink API.
WEBLINK_API_URL = env("WEBLINK_API_URL", default="https://api-nguc.weblink.se")
WEBLINK_QUEUES_PATH = env("WEBLINK_QUEUES_PATH", default="/company/queue")
WEBLINK_USERS_PATH = env("WEBLINK_USERS_PATH", default="/company/user")
WEBLINK_CALLBACK_DESTINATIONS_PATH = env(
    "WEBLINK_CALLBACK_DESTINATIONS_PATH", default="/company/callback/destination"
)
WEBLINK_CONNECT_TIMEOUT = env.float("WEBLINK_CONNECT_TIMEOUT", default=5.0)
WEBLINK_READ_TIMEOUT = env.float("WEBLINK_READ_TIMEOUT", default=30.0)
WEBLINK_DOWNLOAD_READ_TIMEOUT = env.float("WEBLINK_DOWNLOAD_READ_TIMEOUT", default=300.0)
# Attempts to connect to Weblink (sign-in, pasted token) per minute, per person and per
# company and user name.
WEBLINK_CONNECT_ATTEMPTS = env.int("WEBLINK_CONNECT_ATTEMPTS", default=5)
# Every JSON call: its whole time, retries included, and the size of its answer.
WEBLINK_TOTAL_TIMEOUT = env.float("WEBLINK_TOTAL_TIMEOUT", default=60.0)
WEBLINK_MAX_JSON_BYTES = env.int("WEBLINK_MAX_JSON_BYTES", default=20_000_000)
WEBLINK_METADATA_CACHE_SECONDS = env.int("WEBLINK_METADATA_CACHE_SECONDS", default=600)
# The snapshot of a company's reports (reports_admin/reports/snapshot.py): fresh for
# WEBLINK_REPORTS_CACHE_SECONDS, kept as the fallback for WEBLINK_REPORTS_STALE_SECONDS; read
# in pages of WEBLINK_LIST_PAGE_SIZE, WEBLINK_LIST_CONCURRENCY at a time, at most
# WEBLINK_MAX_REPORTS reports and WEBLINK_REPORTS_READ_SECONDS per read.
WEBLINK_REPORTS_CACHE_SECONDS = env.int("WEBLINK_REPORTS_CACHE_SECONDS", default=60)
WEBLINK_REPORTS_STALE_SECONDS = env.int("WEBLINK_REPORTS_STALE_SECONDS", default=24 * 3600)
WEBLINK_LIST_PAGE_SIZE = env.int("WEBLINK_LIST_PAGE_SIZE", default=100)
WEBLINK_LIST_CONCURRENCY = env.int("WEBLINK_LIST_CONCURRENCY", default=4)
WEBLINK_MAX_REPORTS = env.int("WEBLINK_MAX_REPORTS", default=20_000)
WEBLINK_REPORTS_READ_SECONDS = env.float("WEBLINK_REPORTS_READ_SECONDS", default=60.0)
# Send now: a report just sent is not sent again within this many seconds, whoever asks.
SEND_COOLOFF_SECONDS = env.int("SEND_COOLOFF_SECONDS", default=30)
# The activity log keeps entries (with the reports' versions, recipients' addresses included)
# this many days; `manage.py prune_activity` deletes older ones.
ACTIVITY_RETENTION_DAYS = env.int("ACTIVITY_RETENTION_DAYS", default=365)

# This instance's name in every access line (compose sets it per service); the host name
# (a container's id) when unset.
INSTANCE_NAME = env("INSTANCE_NAME", default=socket.gethostname())

# Keys that encrypt the stored Weblink tokens: "id:key" entries, newest first.
WEBLINK_TOKEN_KEYS = env("WEBLINK_TOKEN_KEYS", default="")

# One line per record on stderr; LOG_FORMAT=json for JSON lines (see config/logging.py).
LOGGING = logging_config(
    log_format=env("LOG_FORMAT", default="plain"), level=env("LOG_LEVEL", default="INFO")
)
