from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "comptoir.messaging"
    label = "messaging"
    verbose_name = "Messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import comptoir.messaging.seeders
        import comptoir.messaging.sweeps  # noqa: F401
        from comptoir.core.timeline import timeline_providers
        from comptoir.core.uploads import upload_access
        from comptoir.orders.panels import order_page_panels

        from . import search, sources
        from .access import attachment_visible_to
        from .panels import contact_seller_panel
        from .timeline import conversation_entries

        search.register()
        sources.register()
        upload_access.register("messaging", attachment_visible_to)
        order_page_panels.register("messaging", contact_seller_panel)
        timeline_providers.register("messaging", conversation_entries)
