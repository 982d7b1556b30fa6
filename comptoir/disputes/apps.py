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
