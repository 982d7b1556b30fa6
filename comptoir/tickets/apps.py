from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "comptoir.tickets"
    label = "tickets"
    verbose_name = "Support desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import comptoir.tickets.followups
        import comptoir.tickets.notifications
        import comptoir.tickets.outbound
        import comptoir.tickets.search
        import comptoir.tickets.seeders
        import comptoir.tickets.sweeps  # noqa: F401
        from comptoir.core.uploads import upload_access
        from comptoir.taxonomy.hooks import taxonomy_changed_hooks

        from .desk_cache import install_version_triggers
        from .selectors import attachment_visible_to, forget_node_codes

        upload_access.register("tickets", attachment_visible_to)
        taxonomy_changed_hooks.register("tickets.node_codes", lambda change: forget_node_codes())
        # The desk cache's version triggers (tickets.desk_cache), put back after every migrate.
        post_migrate.connect(install_version_triggers, sender=self, dispatch_uid=__name__)
