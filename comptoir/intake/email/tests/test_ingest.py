"""Raw storage, processing into intake, threading, acknowledgements, loop protection, bounces,
agent replies and delivery failures — all through the real services."""

from __future__ import annotations

import datetime as dt
from email import message_from_string, policy

import pytest
from django.core import mail as djmail
from django.utils import translation

from comptoir.core import clock
from comptoir.core.outbox import OutboxMessage, OutboxState
from comptoir.intake.email.models import AutoReply, OutboundMail, RawMail, RawStatus
from comptoir.intake.email.selectors import delivery_entries
from comptoir.intake.email.services import raw_mail_process, raw_mail_receive, raw_mail_retry
from comptoir.testing.factories import StaffFactory, UserFactory
from comptoir.tickets.enums import Channel, Direction
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.services import ticket_reply

from .conftest import eml

pytestmark = pytest.mark.django_db


def receive(data: bytes, **kw):
    kw.setdefault("envelope_to", ["support@comptoir.localhost"])
    return raw_mail_receive(data=data, source="test", **kw).raw


def outbox_mails(kind=None):
    rows = OutboxMessage.objects.filter(kind="email").order_by("pk")
    return [
        r for r in rows if kind is None or OutboundMail.objects.filter(outbox=r, kind=kind).exists()
    ]


def test_a_new_mail_is_stored_raw_then_opens_a_ticket_and_is_acknowledged(
    desk, django_capture_on_commit_callbacks
):
    data = eml("gmail_en_new_request.eml")
    with django_capture_on_commit_callbacks(execute=True):
        raw = receive(data)
    raw.refresh_from_db()
    assert raw.status == RawStatus.PROCESSED and raw.kind == "normal"
    with raw.file.open("rb") as fp:
        assert fp.read() == data
    ticket = Ticket.objects.get(number=raw.ticket_number)
    assert ticket.channel == Channel.EMAIL and ticket.language == "en"
    assert ticket.subject == "Parcel never arrived"
    identity = ticket.contact.identities.get()
    assert (identity.value, identity.verified_at) == ("ann.walker@gmail.com", None)
    message = ticket.messages.get()
    assert message.channel_message_id == "<CAJx7dK0aZ1Xo-Qk3@mail.gmail.com>"
    assert message.body_text.startswith("Hello,\n\nI ordered a lamp")
    assert len(djmail.outbox) == 1
    ack = djmail.outbox[0]
    assert ack.to == ["ann.walker@gmail.com"]
    assert ack.subject == f"Re: Parcel never arrived [{ticket.number}]"
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert ack.extra_headers["In-Reply-To"] == "<CAJx7dK0aZ1Xo-Qk3@mail.gmail.com>"
    assert ack.reply_to == [f"support+{ticket.reply_token}@comptoir.localhost"]
    assert f"opened the request {ticket.number}" in ack.body
    assert ack.alternatives and ack.alternatives[0][1] == "text/html"
    assert AutoReply.objects.filter(address="ann.walker@gmail.com").count() == 1


def test_the_acknowledgement_is_in_french_for_a_french_mail(desk):
    raw = receive(eml("latin1_fr_plain.eml"))
    ticket = Ticket.objects.get(number=raw.ticket_number)
    assert ticket.language == "fr"
    payload = OutboxMessage.objects.get().payload
    assert f"ouvert la demande {ticket.number}" in payload["body_text"]
    assert "Pour ajouter quelque chose" in payload["body_text"]


def test_other_languages_are_acknowledged_in_english(desk):
    raw = receive(eml("other_language_es.eml"))
    ticket = Ticket.objects.get(number=raw.ticket_number)
    assert ticket.language == "es"
    assert "opened the request" in OutboxMessage.objects.get().payload["body_text"]


def test_recent_orders_are_listed_when_none_was_found(desk):
    from comptoir.tickets.tests.conftest import make_order

    buyer = UserFactory(email="ann.walker@gmail.com", language="en")
    order = make_order(buyer)
    raw = receive(
        eml("signature_dashdash_en.eml", **{"jack.turner@company.example": "ann.walker@gmail.com"})
    )
    ticket = Ticket.objects.get(number=raw.ticket_number)
    assert ticket.contact.user == buyer and ticket.order is None
    body = OutboundMail.objects.get(ticket=ticket, kind="ack").outbox.payload["body_text"]
    assert order.formatted_number in body


def test_automatic_mails_and_bounces_are_never_answered(desk):
    for name in (
        "ooo_outlook_en.eml",
        "ooo_outlook_fr.eml",
        "ooo_gmail_vacation.eml",
        "ooo_x_autorespond.eml",
    ):
        raw = receive(eml(name))
        assert (raw.status, raw.reason, raw.ticket_number) == (RawStatus.IGNORED, "auto_reply", "")
    raw = receive(eml("dsn_postfix_bounce.eml"))
    assert (raw.status, raw.reason) == (RawStatus.IGNORED, "bounce")
    generated = receive(eml("auto_generated_notification.eml"))
    assert generated.status == RawStatus.PROCESSED and generated.ticket_number  # a ticket…
    assert not OutboxMessage.objects.exists()  # …but no acknowledgement
    assert Ticket.objects.count() == 1


def test_loop_protection_limits_automatic_replies_per_sender_per_hour(desk, settings):
    settings.INTAKE_EMAIL_AUTO_REPLIES_PER_HOUR = 2
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    for index in range(4):
        with clock.frozen_at(at + dt.timedelta(minutes=index)):
            receive(eml("no_message_id.eml", **{"Leeds.": f"Leeds ({index})."}))
    assert Ticket.objects.count() == 4
    assert OutboxMessage.objects.count() == 2
    with clock.frozen_at(at + dt.timedelta(minutes=61)):
        receive(eml("no_message_id.eml", **{"Leeds.": "Leeds (later)."}))
    assert OutboxMessage.objects.count() == 3


def test_our_own_address_and_robots_get_no_acknowledgement(desk):
    raw = receive(
        eml("gmail_en_new_request.eml", **{"ann.walker@gmail.com": "support@comptoir.localhost"})
    )
    assert (raw.status, raw.reason) == (RawStatus.IGNORED, "own_address")
    receive(
        eml(
            "gmail_en_new_request.eml",
            **{"ann.walker@gmail.com": "no-reply@shop.example", "CAJx7": "CAJx8"},
        )
    )
    assert Ticket.objects.count() == 1 and not OutboxMessage.objects.exists()


def test_the_same_mail_twice_is_stored_and_processed_once(desk):
    first = receive(eml("base64_utf8_fr.eml"))
    second = raw_mail_receive(data=eml("base64_utf8_fr.eml"), source="test")
    assert not second.created and second.raw.pk == first.pk
    assert RawMail.objects.count() == 1 and Message.objects.count() == 1


def test_attachments_go_through_the_upload_primitive_and_refusals_are_noted(desk):
    raw = receive(eml("attachments_pdf_jpeg.eml"))
    message = Ticket.objects.get(number=raw.ticket_number).messages.get()
    uploads = sorted((a.upload.kind, a.upload.original_name) for a in message.attachments.all())
    assert uploads == [("image", "etiquette.jpg"), ("pdf", "facture-mars.pdf")]
    inline = receive(eml("inline_image_apple_mail.eml"))
    assert [
        a.upload.kind
        for a in Message.objects.get(ticket__number=inline.ticket_number).attachments.all()
    ] == ["image"]
    refused = receive(eml("attachment_refused_docx.eml"))
    assert refused.notes["refused_attachments"] == [
        {"name": "complaint.docx", "code": "upload_type_not_allowed"}
    ]
    assert not Message.objects.get(ticket__number=refused.ticket_number).attachments.exists()


def test_a_failure_is_kept_with_its_reason_and_retried_after_a_fix(desk, monkeypatch):
    import comptoir.intake.email.services as services

    def broken(**kwargs):
        raise RuntimeError("classifier down")

    monkeypatch.setattr(services, "intake_receive", broken)
    raw = receive(eml("windows1252_qp_fr.eml"))
    assert (raw.status, raw.reason, raw.attempts) == (RawStatus.FAILED, "RuntimeError", 1)
    assert "classifier down" in raw.error
    assert not Ticket.objects.exists() and RawMail.objects.count() == 1
    monkeypatch.undo()
    (retried,) = raw_mail_retry(raws=[raw])
    assert (retried.status, retried.attempts) == (RawStatus.PROCESSED, 2)
    assert Ticket.objects.get(number=retried.ticket_number).messages.count() == 1


def test_a_mail_without_sender_fails_visibly(desk):
    raw = receive(eml("malformed_no_sender.eml"))
    assert (raw.status, raw.reason) == (RawStatus.FAILED, "no_sender")


# --- threading ---------------------------------------------------------------------------


def _first_ticket(name="gmail_en_new_request.eml", **swap):
    raw = receive(eml(name, **swap))
    return Ticket.objects.get(number=raw.ticket_number)


def test_the_reply_token_threads_a_reply_from_the_ticket_contact(desk):
    ticket = _first_ticket()
    raw = receive(
        eml("gmail_en_reply_wrapped_attribution.eml", token=ticket.reply_token, number="T-000000"),
        envelope_to=[f"support+{ticket.reply_token}@comptoir.localhost"],
    )
    assert raw.ticket_number == ticket.number
    assert list(ticket.messages.values_list("body_text", flat=True))[-1] == (
        "Yes, the address is correct: 14 Baker Street, London."
    )


def test_a_token_used_by_another_sender_opens_a_new_ticket_linked_to_the_first(desk):
    ticket = _first_ticket()
    raw = receive(eml("apple_mail_en_reply.eml", token=ticket.reply_token, number=ticket.number))
    other = Ticket.objects.get(number=raw.ticket_number)
    assert other.pk != ticket.pk
    assert other.follow_up_of_id == ticket.pk
    assert other.contact_id != ticket.contact_id
    assert ticket.messages.count() == 1  # never two customers in one ticket


def test_in_reply_to_our_mail_threads_without_token(desk):
    ticket = _first_ticket()
    ack = OutboundMail.objects.get(ticket=ticket)
    raw = receive(
        eml(
            "gmail_en_reply_wrapped_attribution.eml",
            token="x" * 20,
            number="T-000000",
            **{"<171030.reply.2@comptoir.localhost>": ack.message_id},
        )
    )
    assert raw.ticket_number == ticket.number


def test_the_ticket_number_in_the_subject_threads_only_for_the_same_contact(desk):
    ticket = _first_ticket("thunderbird_fr_reply.eml", token="y" * 20, number="T-000000")
    same = receive(eml("subject_ticket_number_only.eml", number=ticket.number))
    assert same.ticket_number == ticket.number
    stranger = receive(
        eml(
            "subject_ticket_number_only.eml",
            number=ticket.number,
            **{"pierre.martin@laposte.net": "intrus@example.com", "subjnum-34": "subjnum-35"},
        )
    )
    assert stranger.ticket_number != ticket.number
    assert Ticket.objects.get(number=ticket.number).messages.count() == 2


# --- outbound ----------------------------------------------------------------------------


def test_an_agent_reply_is_a_threaded_multipart_mail(desk, django_capture_on_commit_callbacks):
    ticket = _first_ticket()
    ack = OutboundMail.objects.get(ticket=ticket)
    agent = StaffFactory(email="agent@example.org", full_name="Camille Martin")
    with_token = receive(
        eml(
            "gmail_en_reply_wrapped_attribution.eml", token=ticket.reply_token, number=ticket.number
        )
    )
    assert with_token.ticket_number == ticket.number
    djmail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(user=agent, ticket=ticket, text="Hello Ann,\nthe parcel is on its way.")
    reply_row = OutboundMail.objects.get(ticket=ticket, kind="reply")
    payload = reply_row.outbox.payload
    headers = payload["headers"]
    assert headers["Message-ID"] == reply_row.message_id
    assert headers["In-Reply-To"] == "<CAJx7dK9-wrapped@mail.gmail.com>"
    assert headers["References"].split() == [
        "<CAJx7dK0aZ1Xo-Qk3@mail.gmail.com>",
        ack.message_id,
        "<CAJx7dK9-wrapped@mail.gmail.com>",
    ]
    assert "Auto-Submitted" not in headers
    assert payload["reply_to"] == [f"support+{ticket.reply_token}@comptoir.localhost"]
    assert payload["to"] == ["ann.walker@gmail.com"]
    assert payload["body_text"].startswith("Hello Ann,\nthe parcel is on its way.")
    assert "<p>Hello Ann,<br>the parcel is on its way.</p>" in payload["body_html"]
    sent = djmail.outbox[-1].message()
    assert sent["Message-ID"] == reply_row.message_id
    assert sent.get_content_type() == "multipart/alternative"
    # The customer's answer to the agent's reply threads back by In-Reply-To alone.
    answer = receive(
        eml(
            "outlook_en_reply.eml",
            number="T-000000",
            **{
                "mark.jones@outlook.com": "ann.walker@gmail.com",
                "<171050.reply.3@comptoir.localhost>": reply_row.message_id,
            },
        )
    )
    assert answer.ticket_number == ticket.number


def test_delivery_failures_and_bounces_show_on_the_ticket(desk, settings):
    settings.EMAIL_BACKEND = "comptoir.intake.email.tests.failing_backend.Backend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    ticket = _first_ticket()
    agent = StaffFactory(email="agent@example.org")
    from comptoir.core.outbox import drain_outbox

    drain_outbox()
    ack = OutboundMail.objects.get(ticket=ticket)
    assert ack.outbox.__class__.objects.get(pk=ack.outbox_id).state == OutboxState.DEAD
    with translation.override("en"):
        (entry,) = delivery_entries(user=agent, ticket=ticket)
    assert entry.title == "E-mail not delivered" and "SMTP refused" in entry.lines[0]
    assert delivery_entries(user=ticket.contact.user or UserFactory(), ticket=ticket) == []
    OutboundMail.objects.filter(pk=ack.pk).update(
        message_id="<BOUNCED-MESSAGE-ID@comptoir.localhost>"
    )
    raw = receive(eml("dsn_postfix_bounce.eml"))
    assert raw.ticket_number == ticket.number
    with translation.override("en"):
        titles = [e.title for e in delivery_entries(user=agent, ticket=ticket)]
    assert titles == ["E-mail bounced"]


def test_the_contact_page_lists_the_email_channel(desk):
    from comptoir.helpcenter.contact import contact_channels

    codes = [card.code for card in contact_channels(language="en")]
    assert "email" in codes


def test_raw_processing_crash_leaves_the_mail_for_the_sweep(desk, monkeypatch):
    from comptoir.intake.email.services import raw_mail_store
    from comptoir.intake.email.sweeps import sweep_unprocessed

    stored = raw_mail_store(data=eml("latin1_fr_plain.eml"), source="test").raw
    assert stored.status == RawStatus.RECEIVED
    assert sweep_unprocessed(clock.now()) == 0  # not stuck yet
    assert sweep_unprocessed(clock.now() + dt.timedelta(minutes=5)) == 1
    stored.refresh_from_db()
    assert stored.status == RawStatus.PROCESSED


def test_inbound_message_direction(desk):
    ticket = _first_ticket()
    assert ticket.messages.get().direction == Direction.INBOUND
    assert message_from_string("Subject: x\n\n", policy=policy.default)["Subject"] == "x"
    assert raw_mail_process  # exported
