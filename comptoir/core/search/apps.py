from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Shared full-text search (a small app of its own so it owns its index table)."""

    name = "comptoir.core.search"
    label = "core_search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"
