from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    name = "comptoir.helpcenter"
    label = "helpcenter"
    verbose_name = "Help center"

    def ready(self) -> None:
        from . import search, seeders, sweeps  # noqa: F401  (doc type, seeder, sweep)
