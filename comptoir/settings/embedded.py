"""The embedded default: one process, SQLite in var/, in-memory channel layer, in-process sweeps."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAR_DIR
from .databases import database_from_env
from .env import env_str

DEBUG = True

DATABASES = {"default": database_from_env(default_sqlite=VAR_DIR / "comptoir.sqlite3")}

CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The database cache is shared by every process on the machine (rate limits must not be per process).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "comptoir_cache",
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"

CELERY_TASK_ALWAYS_EAGER = True
