from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    POST = "post", _("Letter")
    SOCIAL = "social", _("Social network")
    SYSTEM = "system", _("Platform (automatic)")


# Channels staff may record by hand (a call taken, a letter received).
STAFF_RECORDED_CHANNELS = frozenset({Channel.PHONE, Channel.POST})


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting for your reply")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Reply")
    NOTE = "note", _("Internal note")


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("From support")


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    SOCIAL = "social", _("Social account")


class SlaState(models.TextChoices):
    NONE = "none", _("No target")
    OK = "ok", _("On time")
    PAUSED = "paused", _("Paused")
    WARNING = "warning", _("Due soon")
    BREACHED = "breached", _("Breached")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")
