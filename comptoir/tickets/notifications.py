"""The support desk's notification kind."""

from django.utils.translation import gettext_lazy as _

from comptoir.core.notifications import NotificationKind, register_notification_kind

TICKETS = register_notification_kind(NotificationKind(code="tickets", label=_("Support requests")))
