from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "comptoir.taxonomy"
    label = "taxonomy"
    verbose_name = "Contact taxonomy"
