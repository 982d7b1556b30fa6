"""An agent's reply with files goes out as one mail whose files are MIME parts, under a size
cap; files over the cap are named in the mail and shown to agents on the ticket."""

from __future__ import annotations

import io

import pytest
from django.core import mail as djmail
from django.utils import translation
from PIL import Image

from comptoir.core.outbox import OutboxMessage
from comptoir.core.uploads import UploadKind, upload_create
from comptoir.intake.email.attachments import MAIL_KIND
from comptoir.intake.email.models import OutboundMail
from comptoir.intake.email.selectors import delivery_entries
from comptoir.intake.email.services import raw_mail_receive
from comptoir.testing.factories import StaffFactory
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_reply

from .conftest import eml

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _ticket(django_capture_on_commit_callbacks) -> Ticket:
    with django_capture_on_commit_callbacks(execute=True):
        raw = raw_mail_receive(
            data=eml("gmail_en_new_request.eml"),
            source="test",
            envelope_to=["support@comptoir.localhost"],
        ).raw
    djmail.outbox.clear()
    return Ticket.objects.get(number=raw.ticket_number)


def _reply(agent, ticket, files, django_capture_on_commit_callbacks):
    uploads = [
        upload_create(owner=agent, file=(name, data), allowed_kinds=set(UploadKind.values))
        for name, data in files
    ]
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(user=agent, ticket=ticket, text="Here is the label.", attachments=uploads)
    return uploads


def test_reply_files_become_mime_parts_of_the_threaded_mail(
    desk, django_capture_on_commit_callbacks
):
    ticket = _ticket(django_capture_on_commit_callbacks)
    agent = StaffFactory(email="agent@example.org")
    image = png()
    _reply(
        agent,
        ticket,
        [("label.pdf", PDF), ("photo.png", image)],
        django_capture_on_commit_callbacks,
    )
    (sent,) = djmail.outbox
    parsed = sent.message()
    assert parsed.get_content_type() == "multipart/mixed"
    body, *files = parsed.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.get_payload()] == ["text/plain", "text/html"]
    assert [(f.get_filename(), f.get_content_type()) for f in files] == [
        ("label.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    assert files[0].get_payload(decode=True) == PDF
    assert files[1].get_payload(decode=True)[:8] == b"\x89PNG\r\n\x1a\n"
    row = OutboundMail.objects.get(ticket=ticket, kind="reply")
    assert parsed["Message-ID"] == row.message_id
    assert parsed["In-Reply-To"] == "<CAJx7dK0aZ1Xo-Qk3@mail.gmail.com>"
    assert row.outbox.kind == MAIL_KIND and row.attachments_left_out == []
    assert "too large" not in sent.body


def test_files_over_the_cap_are_named_in_the_mail_and_shown_to_agents(
    desk, django_capture_on_commit_callbacks, settings
):
    settings.INTAKE_EMAIL_REPLY_ATTACHMENTS_MAX_BYTES = len(PDF) + 10
    ticket = _ticket(django_capture_on_commit_callbacks)
    agent = StaffFactory(email="agent@example.org")
    _reply(
        agent,
        ticket,
        [("label.pdf", PDF), ("photo.png", png(400))],
        django_capture_on_commit_callbacks,
    )
    (sent,) = djmail.outbox
    assert [a[0] for a in sent.attachments] == ["label.pdf"]
    assert "These files were too large to be sent by e-mail" in sent.body
    assert "- photo.png" in sent.body
    row = OutboundMail.objects.get(ticket=ticket, kind="reply")
    assert row.attachments_left_out == ["photo.png"]
    with translation.override("fr"):
        (entry,) = delivery_entries(user=agent, ticket=ticket)
    assert entry.title == "Fichiers non envoyés par e-mail (trop volumineux)"
    assert entry.lines == ["photo.png"]


def test_in_french_the_note_about_left_out_files_is_in_french(
    desk, django_capture_on_commit_callbacks, settings
):
    settings.INTAKE_EMAIL_REPLY_ATTACHMENTS_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        raw = raw_mail_receive(
            data=eml("latin1_fr_plain.eml"),
            source="test",
            envelope_to=["support@comptoir.localhost"],
        ).raw
    ticket = Ticket.objects.get(number=raw.ticket_number)
    djmail.outbox.clear()
    agent = StaffFactory(email="agent@example.org")
    _reply(agent, ticket, [("etiquette.pdf", PDF)], django_capture_on_commit_callbacks)
    (sent,) = djmail.outbox
    assert sent.attachments == []
    assert "Ces fichiers étaient trop volumineux pour être envoyés par e-mail" in sent.body
    assert "- etiquette.pdf" in sent.body
    # Nothing fit: the mail went through core's plain e-mail kind, no MIME parts.
    assert OutboundMail.objects.get(ticket=ticket, kind="reply").outbox.kind == "email"


def test_a_reply_without_files_uses_the_plain_email_kind(desk, django_capture_on_commit_callbacks):
    ticket = _ticket(django_capture_on_commit_callbacks)
    agent = StaffFactory(email="agent@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(user=agent, ticket=ticket, text="On its way.")
    (sent,) = djmail.outbox
    assert sent.attachments == []
    assert not OutboxMessage.objects.filter(kind=MAIL_KIND).exists()
    assert delivery_entries(user=agent, ticket=ticket) == []


def test_a_file_deleted_before_sending_keeps_the_mail_for_a_retry(
    desk, django_capture_on_commit_callbacks
):
    ticket = _ticket(django_capture_on_commit_callbacks)
    agent = StaffFactory(email="agent@example.org")
    uploads = [upload_create(owner=agent, file=("a.pdf", PDF), allowed_kinds={"pdf"})]
    ticket_reply(user=agent, ticket=ticket, text="See attached.", attachments=uploads)
    row = OutboundMail.objects.get(ticket=ticket, kind="reply")
    row.outbox.payload["attachments"][0]["upload"] = "missing"
    row.outbox.save(update_fields=["payload"])
    from comptoir.core.outbox import drain_outbox

    assert drain_outbox() == 0
    row.outbox.refresh_from_db()
    assert row.outbox.state == "pending" and "is gone" in row.outbox.last_error
    assert djmail.outbox == []
