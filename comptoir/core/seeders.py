"""Idempotent, versioned demo seeders.

Each app registers its seeders (``@register_seeder("accounts", version=1, after=[...])``) in
its ``seeders.py``, imported from ``AppConfig.ready``. ``manage.py seed_demo`` (called by
``make run``) applies every seeder whose registered version is newer than the one recorded for
this database, in dependency order. A seeder must be idempotent (get-or-create by natural
keys): it may run again on a database that already has some of its rows."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from . import clock
from .registry import Registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seeder:
    name: str
    version: int
    fn: Callable[[], None]
    after: tuple[str, ...] = field(default_factory=tuple)


seeders: Registry[Seeder] = Registry("seeders")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role_label: str  # lazily translated text
    order: int


# The home page lists these while demo data is loaded (filled by the apps' seeder modules).
demo_login_registry: Registry[DemoLogin] = Registry("demo logins")


def register_seeder(
    name: str, *, version: int, after: tuple[str, ...] = ()
) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        seeders.register(name, Seeder(name=name, version=version, fn=fn, after=tuple(after)))
        return fn

    return wrap


def ordered_seeders() -> list[Seeder]:
    """Topological order by ``after``, ties by name; unknown or cyclic dependencies raise."""
    pending = dict(seeders.items())
    done: list[Seeder] = []
    placed: set[str] = set()
    while pending:
        ready = sorted(name for name, s in pending.items() if all(dep in placed for dep in s.after))
        if not ready:
            missing = {name: [d for d in s.after if d not in placed] for name, s in pending.items()}
            raise RuntimeError(f"Seeder dependencies cannot be satisfied: {missing}")
        for name in ready:
            done.append(pending.pop(name))
            placed.add(name)
    return done


def apply_seeders(*, force: bool = False) -> list[str]:
    """Apply the seeders that are new or newer than recorded. Returns the names applied."""
    from .models import SeederRun

    applied: list[str] = []
    recorded = dict(SeederRun.objects.values_list("name", "version"))
    for seeder in ordered_seeders():
        if not force and recorded.get(seeder.name, 0) >= seeder.version:
            continue
        with transaction.atomic():
            seeder.fn()
            SeederRun.objects.update_or_create(
                name=seeder.name, defaults={"version": seeder.version, "applied_at": clock.now()}
            )
        logger.info("seeded %s v%s", seeder.name, seeder.version)
        applied.append(seeder.name)
    return applied


def demo_loaded() -> bool:
    from .models import SeederRun

    return SeederRun.objects.exists()


def demo_logins() -> list[DemoLogin]:
    if not demo_loaded():
        return []
    return sorted((login for _key, login in demo_login_registry.items()), key=lambda d: d.order)
