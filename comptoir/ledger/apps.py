from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "comptoir.ledger"
    label = "ledger"
    verbose_name = "Buyer protection ledger"

    def ready(self) -> None:
        import comptoir.ledger.seeders
        import comptoir.ledger.services
        import comptoir.ledger.sweeps  # noqa: F401
        from comptoir.ledger.panels import protection_panel
        from comptoir.ledger.services import ledger_capture_for_order
        from comptoir.ledger.services.escrow import ledger_order_dates_changed
        from comptoir.orders.panels import order_page_panels
        from comptoir.orders.payments import payment_capture_hooks
        from comptoir.orders.services._events import order_dates_hooks

        payment_capture_hooks.register("ledger", ledger_capture_for_order)
        order_dates_hooks.register("ledger", ledger_order_dates_changed)
        order_page_panels.register("ledger", protection_panel)
