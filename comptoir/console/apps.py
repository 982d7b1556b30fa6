from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "comptoir.console"
    label = "console"
    verbose_name = "Agent console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import comptoir.console.timeline  # noqa: F401  (the orders and tickets providers)
        from comptoir.tickets.hooks import ticket_changed_hooks

        from .services.counters import counters_ticket_changed

        ticket_changed_hooks.register("console.queue_counters", counters_ticket_changed)

        from comptoir.taxonomy.hooks import taxonomy_changed_hooks

        from .fragments import forget

        taxonomy_changed_hooks.register("console.fragments", forget)
