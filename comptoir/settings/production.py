"""Production: PostgreSQL, Redis (channel layer, cache, Celery broker), real SMTP; all from the environment."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAR_DIR
from .databases import database_from_env
from .env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")  # required: no default in production
REDIS_URL = env_str("REDIS_URL")

# Required too: a production node never falls back to a local SQLite file.
DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {"default": database_from_env(default_sqlite=VAR_DIR / "comptoir.sqlite3")}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Celery: Redis broker, no result backend (tasks only trigger; outcomes are rows). Beat sends
# every registered sweep (comptoir/celery.py); the sweep lease makes each run once at a time.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message not acknowledged (acks_late) within this time is delivered again: longer than any task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
COMPTOIR_SCHEDULER = False  # Celery beat triggers the sweeps in production.
COMPTOIR_DEMO = env_bool("COMPTOIR_DEMO", False)  # no demo logins on the home page unless asked

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
