from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "comptoir.taxonomy"
    label = "taxonomy"
    verbose_name = "Contact taxonomy"

    def ready(self) -> None:
        from . import seeders  # noqa: F401  (registers the "taxonomy" seeder)
