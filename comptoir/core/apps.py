from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"
    verbose_name = "Comptoir core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
