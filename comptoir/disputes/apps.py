from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "comptoir.disputes"
    label = "disputes"
    verbose_name = "Disputes"

    def ready(self) -> None:
        import comptoir.disputes.sweeps  # noqa: F401
        from comptoir.core.uploads.services import upload_access
        from comptoir.disputes.panels import dispute_order_panel, evidence_access
        from comptoir.orders.panels import order_page_panels

        order_page_panels.register("disputes", dispute_order_panel)
        upload_access.register("disputes", evidence_access)
        from comptoir.core.timeline import timeline_providers
        from comptoir.disputes import escalation, inbox, seeders  # noqa: F401
        from comptoir.disputes.timeline import dispute_entries

        inbox.register()
        timeline_providers.register("disputes", dispute_entries)
        escalation.register_system_channel()
