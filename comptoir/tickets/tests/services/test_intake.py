from __future__ import annotations

import datetime as dt

import pytest

from comptoir.core.errors import ValidationFailed
from comptoir.core.notifications.models import Notification
from comptoir.core.outbox import OutboxMessage
from comptoir.core.search import search_filter
from comptoir.core.search.models import SearchDocument
from comptoir.tickets.enums import Channel, IdentityKind, MessageKind, TicketStatus
from comptoir.tickets.followups import ticket_opened_deliver
from comptoir.tickets.models import Contact, Message, Ticket
from comptoir.tickets.services import SenderIdentity, ticket_change_status, ticket_reply
from comptoir.tickets.tests.conftest import T0, make_agent, make_order, receive

pytestmark = pytest.mark.django_db


def test_new_ticket_is_numbered_routed_and_acknowledged(
    buyer, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = receive(
            buyer,
            text="Bonjour, mon colis est en retard, le suivi ne bouge plus.",
            node_code="delivery.delay",
        )
    ticket = result.ticket
    # In the intake transaction the acknowledgement and the indexing are only an outbox row…
    assert list(OutboxMessage.objects.values_list("kind", "payload")) == [
        ("tickets.opened", {"ticket_id": ticket.pk, "message_id": result.message.pk})
    ]
    assert not Notification.objects.exists()
    assert not SearchDocument.objects.filter(doc_type="ticket").exists()
    # …delivered after commit (here in-process; a Celery worker in production).
    for callback in callbacks:
        callback()
    assert result.created and not result.duplicate
    assert ticket.number.startswith("T-") and ticket.number[2:].isdigit()
    assert ticket.number != f"T-{ticket.pk}"
    assert len(ticket.reply_token) >= 32  # 24 random bytes = 192 bits
    assert ticket.status == TicketStatus.NEW
    assert ticket.language == "fr"
    assert ticket.team.code == "delivery-delay"
    assert ticket.assignee == agent
    assert ticket.contact.user == buyer
    # Acknowledged through the outbound registry: a notification e-mail in the outbox.
    assert OutboxMessage.objects.filter(idempotency_key__startswith="notification:").count() == 1
    assert Notification.objects.get().event_key == (f"ticket:{ticket.pk}:ack:{result.message.pk}")
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert [
        t.number for t in search_filter(Ticket.objects.all(), doc_type="ticket", query="colis")
    ] == [ticket.number]
    # Delivered twice (at-least-once): nothing more.
    ticket_opened_deliver({"ticket_id": ticket.pk, "message_id": result.message.pk})
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.filter(idempotency_key__startswith="notification:").count() == 1
    fields = list(ticket.audit_events.values_list("field", "new"))
    assert ("status", "new") in fields and ("assignee", agent.email) in fields


def test_numbers_are_distinct_and_increasing(buyer):
    numbers = [receive(buyer, text=f"Bonjour, question {i}").ticket.number for i in range(3)]
    values = [int(n[2:]) for n in numbers]
    assert values == sorted(values) and len(set(values)) == 3


def test_same_channel_message_twice_creates_nothing_more(buyer):
    first = receive(buyer, mid="abc-1")
    second = receive(buyer, mid="abc-1", text="another text")
    assert second.duplicate and second.ticket == first.ticket and second.message == first.message
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_same_id_on_another_channel_is_another_message(buyer):
    receive(buyer, mid="x")
    receive(buyer, mid="x", channel=Channel.API)
    assert Message.objects.count() == 2


def test_language_detected_in_english(other_buyer):
    ticket = receive(other_buyer, text="Hello, I was charged twice for the same order.").ticket
    assert ticket.language == "en"


def test_node_predicted_from_free_text_when_none_given(buyer):
    ticket = receive(
        buyer, text="Bonjour, le colis est arrivé complètement écrasé et cassé."
    ).ticket
    assert ticket.node.code == "item.damaged"
    assert ticket.team.code == "item-damaged"


def test_unknown_or_retired_node_refused(buyer):
    with pytest.raises(ValidationFailed):
        receive(buyer, node_code="delivery.nope")
    assert Ticket.objects.count() == 0


def test_threading_by_reply_token_from_the_contact(buyer):
    ticket = receive(buyer).ticket
    again = receive(
        buyer, text="Toujours rien.", reply_token=ticket.reply_token, at=T0 + dt.timedelta(hours=1)
    )
    assert not again.created and again.ticket == ticket
    assert Ticket.objects.count() == 1


def test_token_from_the_wrong_sender_opens_a_new_linked_ticket(buyer, other_buyer):
    ticket = receive(buyer).ticket
    intruder = receive(
        other_buyer, text="Hello, this is my own question.", reply_token=ticket.reply_token
    )
    assert intruder.created and intruder.ticket != ticket
    assert intruder.ticket.follow_up_of == ticket
    assert intruder.ticket.contact.user == other_buyer
    assert ticket.messages.count() == 1  # never two customers in one ticket


def test_token_from_unknown_email_sender_never_threads(buyer):
    ticket = receive(buyer).ticket
    stranger = receive(
        None,
        sender=SenderIdentity(IdentityKind.EMAIL, "X@Evil.example"),
        channel=Channel.EMAIL,
        reply_token=ticket.reply_token,
        text="Hello there",
    )
    assert stranger.created and stranger.ticket.contact != ticket.contact
    contact = stranger.ticket.contact
    identity = contact.identities.get()
    assert identity.value == "x@evil.example" and identity.verified_at is None


def test_threading_by_hints_only_for_the_same_contact(buyer, other_buyer):
    first = receive(buyer, channel=Channel.EMAIL, mid="<m1@mail>")
    reply = receive(buyer, channel=Channel.EMAIL, mid="<m2@mail>", in_reply_to=("<m1@mail>",))
    assert reply.ticket == first.ticket
    other = receive(
        other_buyer,
        channel=Channel.EMAIL,
        mid="<m3@mail>",
        in_reply_to=("<m1@mail>",),
        thread_ticket_number=first.ticket.number,
        text="Hello, my own problem.",
    )
    assert other.created and other.ticket != first.ticket


def test_customer_answer_reopens_pending_and_solved(buyer, agent):
    ticket = receive(buyer, node_code="delivery.delay").ticket
    ticket_reply(user=agent, ticket=ticket, text="Pouvez-vous préciser ?", then="pend")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING
    receive(buyer, thread_ticket_number=ticket.number, text="Voici les détails.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    ticket_change_status(user=agent, ticket=ticket, action="solve")
    receive(buyer, thread_ticket_number=ticket.number, text="En fait non, toujours rien.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert list(
        ticket.audit_events.filter(field="status").order_by("pk").values_list("old", "new")
    ) == [
        ("", "new"),
        ("new", "open"),
        ("open", "pending"),
        ("pending", "open"),
        ("open", "solved"),
        ("solved", "open"),
    ]


def test_reply_to_closed_ticket_opens_linked_follow_up(buyer, agent):
    ticket = receive(buyer).ticket
    ticket_change_status(user=agent, ticket=ticket, action="solve")
    ticket_change_status(user=agent, ticket=ticket, action="close")
    follow = receive(buyer, reply_token=ticket.reply_token, text="Le problème est revenu.")
    assert follow.created and follow.ticket.follow_up_of == ticket


def test_order_numbers_linked_only_when_they_belong_to_the_sender(buyer, other_buyer):
    mine = make_order(buyer)
    theirs = make_order(other_buyer)
    ticket = receive(
        buyer, text=f"Commande {theirs.formatted_number} puis {mine.formatted_number}"
    ).ticket
    assert ticket.order == mine
    ticket2 = receive(buyer, text=f"Ma commande {theirs.number} n'arrive pas").ticket
    assert ticket2.order is None


def test_chosen_order_of_someone_else_is_refused(buyer, other_buyer):
    from django.utils import translation

    theirs = make_order(other_buyer)
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        receive(buyer, order_number=theirs.number)
    assert exc.value.details == {"fields": {"order": ["This order is not one of your orders."]}}
    assert Ticket.objects.count() == 0


def test_html_is_sanitised_and_text_kept_verbatim(buyer):
    result = receive(
        buyer,
        text="<script>alert(1)</script> bonjour",
        html='<p onclick="x()">Bonjour <script>alert(1)</script><b>gras</b></p>',
    )
    message = result.message
    assert message.body_text == "<script>alert(1)</script> bonjour"
    assert "script" not in message.body_html and "onclick" not in message.body_html
    assert "<b>gras</b>" in message.body_html


def test_contact_with_several_identities(buyer):
    from comptoir.tickets.services import contact_identity_add

    contact = receive(buyer).ticket.contact
    contact_identity_add(
        contact=contact, kind=IdentityKind.PHONE, value="+33 6 12 34 56 78", verified=True
    )
    by_phone = receive(
        None,
        sender=SenderIdentity(IdentityKind.PHONE, "+33612345678"),
        channel=Channel.PHONE,
        text="Appel: le client rappelle.",
    )
    assert by_phone.ticket.contact == contact
    assert Contact.objects.count() == 1
    assert sorted(contact.identities.values_list("kind", flat=True)) == ["email", "phone"]


def test_internal_notes_are_notes(buyer, agent):
    from comptoir.tickets.services import ticket_note

    ticket = receive(buyer).ticket
    note = ticket_note(user=agent, ticket=ticket, text="Client déjà remboursé une fois.")
    assert note.kind == MessageKind.NOTE


def test_routing_prefers_skill_language_and_low_load(buyer, other_buyer, desk):
    team = ("delivery-delay",)
    busy = make_agent(email="busy@example.org", teams=team, skills=("delivery-delay",))
    free = make_agent(email="free@example.org", teams=team, skills=("delivery-delay",))
    make_agent(email="offline@example.org", teams=team, skills=("delivery-delay",), online=False)
    noskill = make_agent(email="noskill@example.org", teams=team)
    english = make_agent(
        email="english@example.org", teams=team, skills=("delivery-delay",), languages=("en",)
    )
    Ticket.objects.none()
    first = receive(buyer, node_code="delivery.delay").ticket
    assert first.assignee in (busy, free)
    second = receive(buyer, node_code="delivery.delay").ticket
    assert {first.assignee, second.assignee} == {busy, free}  # load balances
    en = receive(other_buyer, text="Hello, where is my parcel?", node_code="delivery.delay").ticket
    assert en.assignee in (english, busy, free)
    assert en.assignee != noskill


def test_routing_skips_full_and_offline_agents(buyer, desk):
    full = make_agent(email="full@example.org", teams=("delivery-delay",), cap=0)
    make_agent(email="off@example.org", teams=("delivery-delay",), online=False)
    ticket = receive(buyer, node_code="delivery.delay").ticket
    assert ticket.assignee is None and full is not None
