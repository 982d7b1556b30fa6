"""System checks for the project's own rules."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import Error, register
from django.db import models


@register()
def no_auto_now(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """auto_now/auto_now_add bypass the clock (and so run_sweeps --at and tests): banned."""
    errors = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.DateField) and (
                getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            ):
                errors.append(
                    Error(
                        f"{model._meta.label}.{field.name} uses auto_now/auto_now_add.",
                        hint="Use default=comptoir.core.clock.now and set it in the service.",
                        obj=model,
                        id="comptoir.E001",
                    )
                )
    return errors
