"""Production settings plus the smoke app (a test-only sweep), for the smoke test's Celery
worker, beat and driver. The web nodes run the plain production settings."""

from comptoir.settings.production import *  # noqa: F403
from comptoir.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "comptoir.core.tests.smoke"]
