"""Browser tests: a live server running the ASGI app (uvicorn, in a thread of the test process)
against the file SQLite test database, and Debian's Chromium driven by Playwright.

Use in a test::

    @pytest.mark.browser
    @pytest.mark.django_db(transaction=True)
    def test_x(live_url, page): page.goto(live_url + "/")

Screenshots go to ``var/screenshots/`` (``screenshot(page, "name")``)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("COMPTOIR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 860}
MOBILE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving ``comptoir.asgi:application`` in a daemon thread."""

    def __init__(self) -> None:
        import uvicorn

        from comptoir.asgi import application

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("The live server did not start.")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server_session(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LiveServer]:
    server = LiveServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_url(live_server_session: LiveServer, transactional_db: Any, settings: Any) -> str:
    """The live server's base URL, for a test with (transactional) database access. E-mail links
    point at it too."""
    from django.core.cache import cache

    settings.SITE_URL = live_server_session.url
    cache.clear()  # rate-limit counters live in the cache table, which flushes do not empty
    return live_server_session.url


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Any, *, language: str = "fr", viewport: dict[str, int] | None = None) -> Any:
    """A page in a fresh context (own cookies) whose browser asks for ``language``."""
    context = browser.new_context(
        locale="fr-FR" if language == "fr" else "en-GB",
        extra_http_headers={
            "Accept-Language": "fr-FR,fr;q=0.9" if language == "fr" else "en-GB,en;q=0.9"
        },
        viewport=viewport or DESKTOP,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(playwright_browser: Any) -> Iterator[Any]:
    """A French-speaking browser page at desktop size."""
    p = new_page(playwright_browser, language="fr")
    yield p
    p.context.close()


@pytest.fixture
def page_en(playwright_browser: Any) -> Iterator[Any]:
    """An English-speaking browser page at desktop size."""
    p = new_page(playwright_browser, language="en")
    yield p
    p.context.close()


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def off_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a worker thread and return its result.

    Playwright's sync API keeps an asyncio loop running in the test thread, so code that calls
    ``async_to_sync`` (realtime pushes on commit, e.g. inside seeders) must run elsewhere."""
    result: dict[str, Any] = {}

    def target() -> None:
        from django.db import connection

        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target, name="off-loop")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")
