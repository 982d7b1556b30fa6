from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"
    verbose_name = "Comptoir core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .notifications import kinds  # noqa: F401  (core notification kinds)
        from .outbox import emails, sweeps  # noqa: F401  (e-mail handler, outbox sweep)
        from .tasks import install_outbox_trigger

        install_outbox_trigger()  # production: outbox drained by a Celery worker after commit
