"""Warm a web worker before it serves its first request.

Without it, the first requests of a fresh worker import every URLconf (the API and its
routers), build the language detector and load the node predictor's model: seconds of CPU
holding the GIL, during which the worker's event loop cannot answer uvicorn's health check, so
under load the supervisor kills the worker and its in-flight requests fail (seen in
bench/tickets_intake.py). ``comptoir/asgi.py`` starts ``warm_up`` in a background thread once
per process, so the server starts (and answers health checks) as fast as before while the
loading happens before traffic arrives. uvicorn's ``--timeout-worker-healthcheck`` (5 s by
default) must still exceed a worker's start-up time on a loaded machine."""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Best effort: a failure is logged and the worker serves anyway (cold)."""
    from django.urls import get_resolver

    from comptoir.core.language import warm_up as warm_language
    from comptoir.core.node_predictor import warm_up as warm_predictor

    start = time.perf_counter()
    try:
        get_resolver().url_patterns  # noqa: B018  (imports every URLconf and the API routers)
        warm_language()
        warm_predictor()
    except Exception:
        logger.exception("warm-up failed; the first requests will load what is missing")
        return
    logger.info("web worker warmed up in %.1f s", time.perf_counter() - start)


def warm_up_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm_up, name="comptoir-warm-up", daemon=True)
    thread.start()
    return thread
