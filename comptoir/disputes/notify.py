"""What happens around a dispute event besides the state change itself.

``event_recorded`` is called by the services inside the transaction that records each
``DisputeEvent``, so whatever it writes (notifications, outbox messages, the escalation ticket
request) commits or rolls back with the step itself.

Who is told: the other party. A buyer's step is told to the seller's shop members, a seller's
step to the buyer, an officer's or the platform's step to both. Each recipient gets one
notification per event (``core.notifications.notify``, event key
``dispute-event:<event id>``), which is also the event's one item in the Message
Center's "Disputes" filter (``disputes.inbox``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import ShopMembership, User
from comptoir.core.notifications import (
    NotificationKind,
    notification_kinds,
    notify,
    register_notification_kind,
)
from comptoir.core.order_numbers import format_order_number
from comptoir.disputes.enums import ActorKind, DisputeStatus, ReturnStatus
from comptoir.disputes.models import Dispute, DisputeEvent

KIND = "disputes"
if KIND not in notification_kinds:
    register_notification_kind(NotificationKind(code=KIND, label=_("Disputes and returns")))

# What each step says to the people told about it; %(number)s is the order number.
MESSAGES: dict[str, Any] = {
    "open": _("A buyer opened a dispute on order %(number)s"),
    "accept": _("The request of the dispute on order %(number)s was accepted"),
    "refuse": _("The seller refused the request on order %(number)s"),
    "accept-counter": _("The buyer accepted the counter-proposal on order %(number)s"),
    "modify": _("The buyer modified the request on order %(number)s"),
    "cancel": _("The buyer cancelled the dispute on order %(number)s"),
    "escalate": _("The dispute on order %(number)s went to the platform's dispute officers"),
    "request-evidence": _("The platform asks for more evidence on order %(number)s"),
    "submit-evidence": _("More evidence was sent on the dispute on order %(number)s"),
    "evidence-missed": _("No evidence was sent in time on order %(number)s"),
    "decide": _("The platform decided the dispute on order %(number)s"),
    "appeal": _("The decision on order %(number)s was appealed"),
    "decide-appeal": _("The appeal on order %(number)s was decided: the decision is final"),
    "finalise": _("The decision on order %(number)s is now final"),
    "settle": _("The dispute on order %(number)s is settled"),
    "await-return": _("Order %(number)s: the item is to be returned"),
    "return-received": _("Order %(number)s: the item came back and the buyer is refunded"),
    "reopen": _("The buyer reopened the dispute on order %(number)s"),
    "return-open": _("A return was requested on order %(number)s"),
    "return-address": _("Order %(number)s: the seller gave the return address"),
    "return-default-address": _("Order %(number)s: send the item to the platform's address"),
    "return-ship": _("Order %(number)s: the item was sent back"),
    "return-delivered": _("Order %(number)s: the returned item was delivered to the seller"),
    "return-confirm": _("Order %(number)s: the seller received the item back"),
    "return-auto-refund": _("Order %(number)s: the return was not confirmed in time, refunded"),
    "return-not-shipped": _("Order %(number)s: the item was not sent back in time"),
    "return-cancel": _("Order %(number)s: the buyer cancelled the return request"),
}
GENERIC = _("The dispute on order %(number)s moved on: %(status)s")
WHY = {
    "seller_silence": _("The seller did not answer in time: the request is accepted."),
    "no_agreement": _("No agreement was found in time: the platform will decide."),
}
# Steps that open or update the arbitration ticket (disputes.escalation): the dispute goes to
# the officers, is appealed, or comes back to their queue without the evidence asked for.
ESCALATING = frozenset({"escalate", "appeal", "evidence-missed"})


def event_key(event: DisputeEvent) -> str:
    return f"dispute-event:{event.pk}"


def subject_of(event: DisputeEvent) -> Any:
    """The dispute, or the change-of-mind return request, the event belongs to."""
    if event.dispute_id is not None:
        return event.dispute
    return getattr(event, "return_request", None)


def recipients(subject: Any, event: DisputeEvent) -> list[User]:
    """The other party of ``event``: never the person who acted."""
    if event.actor_kind == ActorKind.BUYER:
        sides = {ActorKind.SELLER}
    elif event.actor_kind == ActorKind.SELLER:
        sides = {ActorKind.BUYER}
    else:
        sides = {ActorKind.BUYER, ActorKind.SELLER}
    people: list[User] = []
    if ActorKind.BUYER in sides:
        people.append(subject.buyer)
    if ActorKind.SELLER in sides:
        people.extend(
            m.user
            for m in ShopMembership.objects.filter(shop_id=subject.shop_id)
            .select_related("user")
            .order_by("pk")
        )
    return [p for p in people if p.pk != event.actor_id and p.is_active]


def _status_label(status: str) -> str:
    for enum in (DisputeStatus, ReturnStatus):
        try:
            return str(enum(status).label)
        except ValueError:
            continue
    return status


def title_for(event: DisputeEvent, number: str) -> str:
    """The sentence for ``event`` in the active language."""
    template = MESSAGES.get(event.action)
    if template is None:
        return str(GENERIC) % {"number": number, "status": _status_label(event.new_status)}
    return str(template) % {"number": number}


def body_for(event: DisputeEvent) -> str:
    parts = []
    why = WHY.get(str((event.payload or {}).get("why", "")))
    if why is not None:
        parts.append(str(why))
    if event.new_status:
        parts.append(gettext("Status: %(status)s.") % {"status": _status_label(event.new_status)})
    return " ".join(parts)


def url_for(subject: Any) -> str:
    if isinstance(subject, Dispute):
        return reverse("disputes:detail", args=[subject.public_id])
    return reverse("disputes:return", args=[subject.public_id])


def event_recorded(event: DisputeEvent) -> None:
    """Tell the other party (one notification each), and ask for the arbitration ticket on
    an escalation, an appeal or a missed evidence request (through the outbox)."""
    subject = subject_of(event)
    if subject is None:
        return
    number = format_order_number(subject.order.number)
    # A step of a dispute's return links to the return's page, where its next action is.
    ret = getattr(event, "return_request", None)
    url = url_for(ret if ret is not None else subject)
    for person in recipients(subject, event):
        notify(
            user=person,
            kind=KIND,
            event_key=event_key(event),
            title=lambda: title_for(event, number),
            body=lambda: body_for(event),
            url=url,
        )
    if event.action in ESCALATING and isinstance(subject, Dispute):
        from comptoir.disputes.escalation import escalation_request

        escalation_request(event)
