"""Sahakar settings.

Two modes share this one module:

* embedded (default, no environment needed): SQLite, in-memory channel layer,
  local-memory cache, everything under ``SAHAKAR_DATA_DIR``;
* production (``SAHAKAR_ENV=production``): ``DATABASE_URL`` (PostgreSQL),
  ``REDIS_URL`` (channel layer + cache), HTTPS-only cookies and HSTS.

Each variable is documented in README.md.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SAHAKAR_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SAHAKAR_ENV = os.environ.get("SAHAKAR_ENV", "development")
PRODUCTION = SAHAKAR_ENV == "production"

_DEV_SECRET = "sahakar-development-only-secret-key-not-for-production-use"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "SAHAKAR_ENV=production needs a strong SECRET_KEY (50+ random characters)."
    )

DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
    ).split(",")
    if h.strip()
]
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SAHAKAR_ENV=production refuses DEBUG=1 (it shows secrets).")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SAHAKAR_ENV=production needs ALLOWED_HOSTS (the site's names).")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "haystack",
    "taggit",
    "modelcluster",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "collab.core",
    "collab.directory",
    "collab.accounts",
    "collab.identity",
    "collab.notifications",
    "collab.health",
    "collab.consultations",
    "collab.workflows",
    "collab.search",
    "realtime",
    "realtime.chat",
    "realtime.calls",
    "knowledge",
    "training",
    "collab.admin_km",  # last: its Khmer for Wagtail's msgids never overrides the suite's own
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "collab.core.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "collab.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in devices list, and the second-factor gate (collab/accounts/mfa.py).
    "collab.accounts.middleware.SessionRecordMiddleware",
    "collab.accounts.middleware.SecondFactorGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Consultations: a patient's one-time-link login sees only its own visit page.
    "collab.consultations.middleware.PatientGuestMiddleware",
    # Knowledge articles from the response cache, before Wagtail routing (after auth+messages).
    "knowledge.middleware.ArticleResponseCacheMiddleware",
    # Wagtail admin: editors' page permissions follow private-space membership.
    "knowledge.middleware.AdminSpaceAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "collab.core.csp.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
    # Single sign-on: a sign-out goes on to the provider's end-session endpoint.
    "collab.identity.middleware.ProviderLogoutMiddleware",
]

ROOT_URLCONF = "collab.urls"
ASGI_APPLICATION = "collab.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "collab" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "collab.core.context_processors.shell",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured("SAHAKAR_ENV=production needs DATABASE_URL (PostgreSQL).")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "sahakar.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("SAHAKAR_ENV=production needs REDIS_URL.")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "sahakar"},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sahakar",
        }
    }
else:
    # One fan-out channel per process receives every group's messages (realtime.fanout):
    # the default capacity (100) would drop a burst silently.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 10_000},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "SAHAKAR_TASK_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": [],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "collab.accounts.backends.PersonModelBackend",
    "django.contrib.auth.backends.ModelBackend",  # sessions from before PersonModelBackend
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en"
LANGUAGES = [("km", _("Khmer")), ("en", _("English"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "sahakar_language"
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The shell's CSS, JS and Khmer font (collab/ itself is not an app).
STATICFILES_DIRS = [BASE_DIR / "collab" / "static"]
# Hashed, gzip + Brotli copies with a year of immutable caching in both modes (collectstatic
# writes them); outside production the app folders are served too, for files not collected yet.
WHITENOISE_USE_FINDERS = not PRODUCTION
# /favicon.ico (browsers ask for it on pages that name no icon, e.g. the admin).
WHITENOISE_ROOT = BASE_DIR / "collab" / "static_root"
STORAGES = {
    # Wagtail documents and original images under PRIVATE_MEDIA_ROOT (knowledge/storage.py).
    "default": {"BACKEND": "knowledge.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "collab.core.staticfiles.StaticStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SAHAKAR_MAX_UPLOAD_BYTES = int(os.environ.get("SAHAKAR_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sahakar <no-reply@sahakar.local>")


def _default_base_url() -> str:
    """Where links in emails and QR codes point when SAHAKAR_BASE_URL is not set: the
    address `make run` / `manage.py serve` listens on, or in production the first allowed host
    over HTTPS."""
    named = [h.lstrip(".") for h in ALLOWED_HOSTS if h != "*"]
    if PRODUCTION and named:
        return f"https://{named[0]}"
    host = os.environ.get("HOST", "127.0.0.1")
    if host in ("", "0.0.0.0", "::"):  # listening everywhere: this machine answers locally
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{os.environ.get('PORT', '8000')}"


SAHAKAR_BASE_URL = os.environ.get("SAHAKAR_BASE_URL") or _default_base_url()

WAGTAIL_SITE_NAME = "Sahakar"
WAGTAILADMIN_BASE_URL = SAHAKAR_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv", "mp4", "webm"]
# Knowledge base: approvers are entitled by directory position, not by Wagtail's publish
# permission; non-knowledge pages keep Wagtail's default action.
WAGTAIL_FINISH_WORKFLOW_ACTION = "knowledge.workflows.publish_approved"

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": os.environ.get(
            "SAHAKAR_SEARCH_ENGINE", "collab.search.backend.KhmerWhooshEngine"
        ),
        "PATH": str(DATA_DIR / "whoosh_index"),
    }
}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# WebRTC: no external STUN/TURN server unless configured (nothing leaves the country).
SAHAKAR_STUN_URL = os.environ.get("SAHAKAR_STUN_URL", "")
SAHAKAR_TURN_URL = os.environ.get("SAHAKAR_TURN_URL", "")
SAHAKAR_TURN_SECRET = os.environ.get("SAHAKAR_TURN_SECRET", "")
# Janus instances (WebSocket API, comma-separated) for large meetings; none: the aiortc relay.
SAHAKAR_JANUS_URLS = [u for u in os.environ.get("SAHAKAR_JANUS_URLS", "").split(",") if u]

# Content Security Policy (django-csp 4): no inline script without a nonce, no CDN.
_BASE = urlsplit(SAHAKAR_BASE_URL)
_WS_ORIGIN = f"{'wss' if _BASE.scheme == 'https' else 'ws'}://{_BASE.netloc}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],  # the sentinel, not the string "'nonce'"
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        # 'self' covers same-origin websockets (CSP 3); the base URL's ws origin for older
        # browsers. Never any host: a script could carry data off to its own socket.
        "connect-src": ["'self'", _WS_ORIGIN],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# Sessions read from the cache, written through to the database (every signed-in request).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Wagtail's page preview frames our own pages, so SAMEORIGIN rather than DENY.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}

# Accounts: invitations, password reset, second factor (docs/accounts.md).
SAHAKAR_INVITATION_DAYS = int(os.environ.get("SAHAKAR_INVITATION_DAYS", "7"))
SAHAKAR_PASSWORD_RESET_MINUTES = int(os.environ.get("SAHAKAR_PASSWORD_RESET_MINUTES", "60"))
# Reset requests per hour: per email address, per client IP.
SAHAKAR_PASSWORD_RESET_RATE = (
    int(os.environ.get("SAHAKAR_PASSWORD_RESET_PER_ADDRESS", "3")),
    int(os.environ.get("SAHAKAR_PASSWORD_RESET_PER_IP", "20")),
)
# Who must use a second factor: superuser, staff, perm:<app.codename>, group:<name>,
# tag:<role tag pattern> (fnmatch, on positions held or acted). Enforced in production;
# the embedded (demo) mode relaxes it unless SAHAKAR_MFA_ENFORCED=1.
SAHAKAR_MFA_REQUIRED_FOR = [
    r.strip()
    for r in os.environ.get(
        "SAHAKAR_MFA_REQUIRED_FOR",
        "superuser,staff,perm:health.view_patient,tag:specialist:*,tag:nurse,tag:midwife",
    ).split(",")
    if r.strip()
]
SAHAKAR_MFA_ENFORCED = os.environ.get("SAHAKAR_MFA_ENFORCED", "1" if PRODUCTION else "0") == "1"
# Paths that need a second factor from those who must use one (patient data, admin sites).
SAHAKAR_MFA_PROTECTED_PATHS = (
    "/health/", "/consultations/", "/admin/", "/cms/", "/api/v1/health", "/api/v1/consultations",
    "/accounts/tokens/",
)
OTP_TOTP_ISSUER = "Sahakar"
# Passkeys belong to the host the page came from; a parent domain here lets one passkey
# serve several hosts of one deployment (e.g. "sahakar.gov.kh" for chat.sahakar.gov.kh).
SAHAKAR_WEBAUTHN_RP_ID = os.environ.get("SAHAKAR_WEBAUTHN_RP_ID", "")

# Single sign-on (OpenID Connect) and provisioning: collab/identity, docs/accounts.md.
SAHAKAR_OIDC_ISSUER = os.environ.get("SAHAKAR_OIDC_ISSUER", "")
SAHAKAR_OIDC_CLIENT_ID = os.environ.get("SAHAKAR_OIDC_CLIENT_ID", "")
SAHAKAR_OIDC_CLIENT_SECRET = os.environ.get("SAHAKAR_OIDC_CLIENT_SECRET", "")
SAHAKAR_OIDC_EMPLOYEE_ID_CLAIM = os.environ.get("SAHAKAR_OIDC_EMPLOYEE_ID_CLAIM", "employee_id")
SAHAKAR_OIDC_SCOPES = os.environ.get("SAHAKAR_OIDC_SCOPES", "openid email profile")
SAHAKAR_OIDC_PROVIDER_NAME = os.environ.get("SAHAKAR_OIDC_PROVIDER_NAME", "single sign-on")
SAHAKAR_PASSWORD_LOGIN = os.environ.get("SAHAKAR_PASSWORD_LOGIN", "1") == "1"
AUTHENTICATION_BACKENDS.insert(
    AUTHENTICATION_BACKENDS.index("collab.accounts.backends.PersonModelBackend"),
    "collab.identity.backends.PasswordsOffBackend",
)

# Wagtail's admin speaks Khmer too (collab/admin_km provides the catalogue Wagtail lacks).
WAGTAILADMIN_PERMITTED_LANGUAGES = [("km", "ខ្មែរ"), ("en", "English")]
# The admin reaches no other host (the CSP forbids it, and slow links pay for it): no
# avatars from Gravatar, no check for a newer Wagtail, no "what's new" banner.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
