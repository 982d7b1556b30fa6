from django.apps import AppConfig


class IntakeEmailConfig(AppConfig):
    name = "comptoir.intake.email"
    label = "intake_email"
    verbose_name = "E-mail intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import comptoir.intake.email.sweeps  # noqa: F401
        from comptoir.core.background import background_services
        from comptoir.core.timeline import timeline_providers
        from comptoir.tickets.outbound import outbound_channels

        from .outbound import EMAIL_CHANNEL
        from .selectors import delivery_entries
        from .smtp import start_in_serve

        outbound_channels.register(EMAIL_CHANNEL.code, EMAIL_CHANNEL, replace=True)
        timeline_providers.register("email_delivery", delivery_entries)
        background_services.register("smtp_listener", start_in_serve)
