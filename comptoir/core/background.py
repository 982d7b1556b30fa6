"""Background services started by ``manage.py serve`` next to the web server (embedded default).

An app registers a starter in its ``AppConfig.ready``; the starter decides from settings whether
to run, starts its thread and returns a function that stops it (or None when it did not start)::

    background_services.register("smtp_listener", start_listener)
"""

from __future__ import annotations

from collections.abc import Callable

from .registry import Registry

Stop = Callable[[], None]
Starter = Callable[[], Stop | None]

background_services: Registry[Starter] = Registry("background services")
