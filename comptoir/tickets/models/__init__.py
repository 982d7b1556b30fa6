"""Support desk tables (split by subdomain)."""

from .cache import DeskVersion
from .contacts import Contact, ContactIdentity
from .desk import AgentPresence, Csat, Macro
from .sla import BusinessCalendar, Holiday, SlaPolicy
from .tickets import (
    AuditEvent,
    Message,
    MessageAttachment,
    Tag,
    Ticket,
    TicketNumberCounter,
)

__all__ = [
    "AgentPresence",
    "AuditEvent",
    "BusinessCalendar",
    "Contact",
    "ContactIdentity",
    "Csat",
    "DeskVersion",
    "Holiday",
    "Macro",
    "Message",
    "MessageAttachment",
    "SlaPolicy",
    "Tag",
    "Ticket",
    "TicketNumberCounter",
]
