"""Shared test helpers: factories (``comptoir.testing.factories``) and the live server +
Playwright fixtures (``comptoir.testing.browser``, loaded by the root conftest)."""
