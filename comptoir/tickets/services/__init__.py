"""Every write of the support desk: ``<entity>_<action>(*, …)``, atomic, keyword-only."""

from .contacts import contact_for_identity, contact_for_user, contact_identity_add
from .intake import InboundMessage, IntakeResult, SenderIdentity, intake_receive
from .macros import macro_render
from .routing import presence_set, route_pick_agent
from .tickets import (
    csat_submit,
    ticket_assign,
    ticket_change_status,
    ticket_link_order,
    ticket_merge,
    ticket_note,
    ticket_reply,
    ticket_set_priority,
    ticket_tag,
)

__all__ = [
    "InboundMessage",
    "IntakeResult",
    "SenderIdentity",
    "contact_for_identity",
    "contact_for_user",
    "contact_identity_add",
    "csat_submit",
    "intake_receive",
    "macro_render",
    "presence_set",
    "route_pick_agent",
    "ticket_assign",
    "ticket_change_status",
    "ticket_link_order",
    "ticket_merge",
    "ticket_note",
    "ticket_reply",
    "ticket_set_priority",
    "ticket_tag",
]
