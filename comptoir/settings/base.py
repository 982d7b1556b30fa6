"""Settings shared by every deployment. Environment parsing lives in env.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = env_path("COMPTOIR_VAR_DIR", BASE_DIR / "var")

SECRET_KEY = env_str("SECRET_KEY", "embedded-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "comptoir.core",
    "comptoir.accounts",
    "comptoir.taxonomy",
    "comptoir.api",
    "comptoir.assistant",
    "comptoir.catalog",
    "comptoir.orders",
    "comptoir.core.search",
    "comptoir.tickets",
    "comptoir.intake",
    "comptoir.ledger",
    "comptoir.helpcenter",
    "comptoir.messaging",
    "comptoir.console",
    "comptoir.intake.email",
    "comptoir.disputes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "comptoir.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
ASGI_APPLICATION = "comptoir.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "comptoir.core.context_processors.site",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["comptoir.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "comptoir_language"

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# WhiteNoise warns when STATIC_ROOT is missing (the embedded default never runs collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"  # private: served only through permission-checking views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# E-mail: outbound always goes through the outbox (core.outbox), then this backend.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Comptoir <no-reply@comptoir.localhost>")
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@comptoir.localhost")

# Where absolute links in e-mails point.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = "Comptoir"

# Rate limits (login and token attempts), counted in the shared cache.
RATE_LIMIT_LOGIN = (
    env_int("RATE_LIMIT_LOGIN_ATTEMPTS", 10),
    env_int("RATE_LIMIT_LOGIN_WINDOW", 900),
)

# Uploads (core.uploads).
UPLOAD_MAX_IMAGE_BYTES = 5 * 1024 * 1024
UPLOAD_MAX_VIDEO_BYTES = 100 * 1024 * 1024
UPLOAD_MAX_PDF_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_IMAGE_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Demo data: the home page lists the demo logins while this is on and the seeders ran.
COMPTOIR_DEMO = env_bool("COMPTOIR_DEMO", True)
DEMO_PASSWORD = "comptoir-demo"

# Celery (production and the smoke test; the embedded default runs sweeps in-process).
CELERY_BROKER_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"

# In-process scheduler of the serve command (embedded default).
COMPTOIR_SCHEDULER = env_bool("COMPTOIR_SCHEDULER", True)
COMPTOIR_SCHEDULER_INTERVAL = env_int("COMPTOIR_SCHEDULER_INTERVAL", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# User.email is unique case-insensitively (a functional unique constraint Django's check cannot see).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Buyer protection and money (comptoir.ledger; PRODUCT.md §3). Amounts in minor units.
PROTECTION_HOLD_DAYS = env_int("PROTECTION_HOLD_DAYS", 60)
NOT_RECEIVED_GRACE_DAYS = env_int("NOT_RECEIVED_GRACE_DAYS", 15)
# The order page's dates (comptoir.orders.conf) read these names: one source of truth.
BUYER_PROTECTION_HOLD_DAYS = PROTECTION_HOLD_DAYS
BUYER_PROTECTION_NOT_RECEIVED_GRACE_DAYS = NOT_RECEIVED_GRACE_DAYS
COMMISSION_RATE = Decimal(env_str("COMMISSION_RATE", "5"))  # per cent, half-even to the cent
# Seller-paid return postage refunded on top, at most this much (in the order's currency).
RETURN_POSTAGE_CAP = Decimal(env_str("RETURN_POSTAGE_CAP", "25.00"))
# Payment provider: "sandbox" (the loopback sandbox, started in-process when no URL is given)
# or "stripe" (any Stripe-compatible API at PAYMENT_PROVIDER_URL).
PAYMENT_PROVIDER = env_str("PAYMENT_PROVIDER", "sandbox")
PAYMENT_PROVIDER_URL = env_str("PAYMENT_PROVIDER_URL", "")
PAYMENT_PROVIDER_SECRET_KEY = env_str("PAYMENT_PROVIDER_SECRET_KEY", "sk_test_comptoir_sandbox")
PAYMENT_PROVIDER_WEBHOOK_SECRET = env_str(
    "PAYMENT_PROVIDER_WEBHOOK_SECRET", "whsec_comptoir_sandbox"
)
PAYMENT_PROVIDER_TIMEOUT = env_int("PAYMENT_PROVIDER_TIMEOUT", 10)  # seconds per request
PAYMENT_WEBHOOK_TOLERANCE = env_int("PAYMENT_WEBHOOK_TOLERANCE", 300)  # seconds
# Attempts of one refund or payout at the provider before it is shown to staff as failed.
LEDGER_PROVIDER_MAX_ATTEMPTS = env_int("LEDGER_PROVIDER_MAX_ATTEMPTS", 3)

# Contact requests of visitors whose address is never verified are deleted, with their
# attachments, this many days after they were made (sweep "helpcenter.unverified_requests").
HELPCENTER_UNVERIFIED_RETENTION_DAYS = env_int("HELPCENTER_UNVERIFIED_RETENTION_DAYS", 7)

# Help center "Contact us" page (comptoir.helpcenter): details shown next to each listed channel.
# Fictional demo values (PRODUCT.md §9); {"fr": …, "en": …} values are shown in the page's language.
HELPCENTER_CONTACT = {
    "email": {"address": SUPPORT_EMAIL},  # the e-mail channel's address (INTAKE_EMAIL_ADDRESSES)
    "phone": {
        "number": "+33 1 99 00 12 34",
        "hours": {"fr": "du lundi au vendredi, 9 h – 18 h", "en": "Monday to Friday, 9:00–18:00"},
    },
    "post": {
        "addresses": [
            {
                "name": {"fr": "Service client Comptoir", "en": "Comptoir customer service"},
                "lines": ["12 rue des Exemples", "75099 Paris Cedex 02", "France"],
            },
            {
                "name": {"fr": "Retours (adresse par défaut)", "en": "Returns (default address)"},
                "lines": ["Entrepôt Comptoir, ZA du Démo", "69999 Lyon", "France"],
            },
        ]
    },
    "social": {
        "accounts": [
            {"network": "Facebook Messenger", "handle": "@ComptoirDemo"},
            {"network": "WhatsApp", "handle": "+33 6 99 00 56 78"},
            {"network": "X (Twitter)", "handle": "@comptoir_demo"},
        ]
    },
}

# E-mail channel (comptoir.intake.email; issue 11). Support addresses accepted by the SMTP
# listener (each also in its "+token" form); the first one is the From/Reply-To of support mail.
INTAKE_EMAIL_ADDRESSES = env_list("INTAKE_EMAIL_ADDRESSES", [SUPPORT_EMAIL])
INTAKE_EMAIL_SMTP_HOST = env_str("INTAKE_EMAIL_SMTP_HOST", "127.0.0.1")
INTAKE_EMAIL_SMTP_PORT = env_int("INTAKE_EMAIL_SMTP_PORT", 2525)
INTAKE_EMAIL_MAX_BYTES = env_int("INTAKE_EMAIL_MAX_BYTES", 30 * 1024 * 1024)
# "auto": `manage.py serve` starts the listener in a thread when it runs the in-process
# scheduler (the embedded default); "1"/"0" force it; production runs `manage.py smtp_listener`.
INTAKE_EMAIL_SMTP_IN_SERVE = env_str("INTAKE_EMAIL_SMTP_IN_SERVE", "auto")
# IMAP polling (`manage.py imap_poll` and the "intake_email_imap" sweep): off without a host.
INTAKE_EMAIL_IMAP_HOST = env_str("INTAKE_EMAIL_IMAP_HOST", "")
INTAKE_EMAIL_IMAP_PORT = env_int("INTAKE_EMAIL_IMAP_PORT", 993)
INTAKE_EMAIL_IMAP_SSL = env_bool("INTAKE_EMAIL_IMAP_SSL", True)
INTAKE_EMAIL_IMAP_USER = env_str("INTAKE_EMAIL_IMAP_USER", "")
INTAKE_EMAIL_IMAP_PASSWORD = env_str("INTAKE_EMAIL_IMAP_PASSWORD", "")
INTAKE_EMAIL_IMAP_MAILBOX = env_str("INTAKE_EMAIL_IMAP_MAILBOX", "INBOX")
INTAKE_EMAIL_IMAP_TIMEOUT = env_int("INTAKE_EMAIL_IMAP_TIMEOUT", 30)  # seconds
# Loop protection: at most this many automatic mails (acknowledgements) per sender per hour.
INTAKE_EMAIL_AUTO_REPLIES_PER_HOUR = env_int("INTAKE_EMAIL_AUTO_REPLIES_PER_HOUR", 5)

# Disputes (PRODUCT.md §3): seller's answer, agreement after a refusal, appeal window — days.
DISPUTES_SELLER_RESPONSE_DAYS = env_int("DISPUTES_SELLER_RESPONSE_DAYS", 5)
DISPUTES_AGREEMENT_DAYS = env_int("DISPUTES_AGREEMENT_DAYS", 7)
DISPUTES_APPEAL_DAYS = env_int("DISPUTES_APPEAL_DAYS", 5)
