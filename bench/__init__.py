"""Benchmarks: ``make bench`` runs them all, ``make bench NAME=order_numbers`` one of them.

A benchmark is a module ``bench/<name>.py`` with ``run() -> dict[str, object]`` returning its
measurements. Generated input data is cached under ``var/bench/`` (``cached``), keyed by a version
that the benchmark bumps when its generator changes. Not run by ``make test``."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("COMPTOIR_BENCH_DIR", ROOT / "var" / "bench"))


def cached(name: str, version: int, build: Callable[[], Any]) -> Any:
    """``build()``'s JSON-serialisable result, generated once and kept in var/bench/."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"{name}-v{version}.json"
    if path.exists():
        return json.loads(path.read_text())
    data = build()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)
    return data


def timed(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> dict[str, float]:
    """Wall time of ``fn()`` in seconds: best and median of ``repeat`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"best_s": min(times), "median_s": statistics.median(times)}


def setup_django(settings: str = "comptoir.settings.embedded") -> None:
    """For benchmarks that need the ORM."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django

    django.setup()


def free_port() -> int:
    """A free loopback TCP port for a server the benchmark starts."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env() -> dict[str, str]:
    """The environment of the servers a benchmark starts: production settings on loopback
    (BENCH_SETTINGS overrides the settings module), mail kept in memory."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=env.get("BENCH_SETTINGS", "comptoir.settings.production"),
        SECRET_KEY=env.get("SECRET_KEY", "bench-" + "x" * 50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env
