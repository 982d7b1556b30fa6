"""DATABASES from DATABASE_URL, with the SQLite options that make it safe for one machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from .env import env_int

SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def sqlite_database(path: Path) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": dict(SQLITE_OPTIONS),
    }


def database_from_env(*, default_sqlite: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return sqlite_database(default_sqlite)
    # CONN_MAX_AGE=0 by default: under ASGI Django serves each request on its own thread, so
    # persistent connections pile up (one per finished request) until PostgreSQL refuses new
    # clients. Pool in front of the database (PgBouncer) when connection set-up time matters.
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    elif pool_size := env_int("DATABASE_POOL_SIZE", 0):
        # Opt-in for web nodes: a psycopg pool per process; a request's connection goes back to
        # the pool when the request ends instead of being closed (no connect per request).
        # Requires CONN_MAX_AGE=0. Leave it off for forking processes (Celery prefork workers).
        config["CONN_MAX_AGE"] = 0
        options = dict(config.get("OPTIONS") or {})
        options["pool"] = {"min_size": min(2, pool_size), "max_size": pool_size, "timeout": 10}
        config["OPTIONS"] = options
    return config
