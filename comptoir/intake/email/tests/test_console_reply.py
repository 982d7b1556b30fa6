"""The console's reply form carries files: on an e-mail ticket they become MIME parts of the
reply mail; a refused file sends nothing."""

from __future__ import annotations

import pytest
from django.core import mail as djmail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from comptoir.core.outbox import OutboxMessage
from comptoir.intake.email.attachments import MAIL_KIND
from comptoir.intake.email.services import raw_mail_receive
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tests.conftest import make_agent

from .conftest import eml

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _setup(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        raw = raw_mail_receive(
            data=eml("gmail_en_new_request.eml"),
            source="test",
            envelope_to=["support@comptoir.localhost"],
        ).raw
    djmail.outbox.clear()
    ticket = Ticket.objects.get(number=raw.ticket_number)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_agent(email="camille@example.org"))
    last = Message.objects.filter(ticket=ticket).order_by("-pk").first()
    assert last is not None
    return ticket, client, last.pk


def test_files_of_the_console_reply_go_with_the_mail(desk, django_capture_on_commit_callbacks):
    ticket, client, last_seen = _setup(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("console:reply", args=[ticket.number]),
            {
                "text": "The label is attached.",
                "last_seen": last_seen,
                "then": "",
                "attachments": [SimpleUploadedFile("label.pdf", PDF, "application/pdf")],
            },
        )
    assert response.status_code == 302
    reply = Message.objects.get(ticket=ticket, direction="out", kind="public")
    assert [a.upload.original_name for a in reply.attachments.all()] == ["label.pdf"]
    (sent,) = djmail.outbox
    assert sent.attachments == [("label.pdf", PDF, "application/pdf")]
    assert OutboxMessage.objects.filter(kind=MAIL_KIND).count() == 1


def test_a_refused_file_sends_no_reply(desk, django_capture_on_commit_callbacks):
    ticket, client, last_seen = _setup(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("console:reply", args=[ticket.number]),
            {
                "text": "See the program.",
                "last_seen": last_seen,
                "then": "",
                "attachments": [SimpleUploadedFile("tool.exe", b"MZ\x90\x00" * 64)],
            },
        )
    assert response.status_code == 422
    assert not Message.objects.filter(ticket=ticket, direction="out", kind="public").exists()
    assert djmail.outbox == []
    assert not OutboxMessage.objects.filter(kind=MAIL_KIND).exists()
