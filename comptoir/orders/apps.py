from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "comptoir.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        import comptoir.orders.notifications
        import comptoir.orders.sandbox
        import comptoir.orders.seeders  # noqa: F401  (the "orders" seeder)
