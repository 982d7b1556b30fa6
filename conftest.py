"""Project-wide pytest fixtures (app tests add their own in <app>/tests/conftest.py)."""

from __future__ import annotations

import os

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright and live servers share the thread

pytest_plugins = ["comptoir.testing.browser"]
