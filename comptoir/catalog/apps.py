from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "comptoir.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        import comptoir.catalog.seeders  # noqa: F401  (registers the "catalog" seeder)
