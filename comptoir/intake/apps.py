from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Channel adapters only: each turns its input into one InboundMessage for
    tickets.services.intake_receive (webform/ now; email/, social/, phone/, post/ later)."""

    name = "comptoir.intake"
    label = "intake"
    verbose_name = "Intake"
