"""Visitors without an account attach photos or PDF to the contact form: the files wait with
the pending request, join the ticket once the e-mail address is verified, and nobody but staff
can download them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from comptoir.accounts.enums import Role
from comptoir.core.outbox.models import OutboxMessage
from comptoir.core.uploads import Upload
from comptoir.helpcenter.models import PendingContactRequest
from comptoir.testing.factories import UserFactory
from comptoir.tickets.models import MessageAttachment, Ticket

URL = "/help/contact/account.login.forgot_password/"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png(name: str = "capture.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _token() -> str:
    mail = OutboxMessage.objects.latest("pk")
    link = next(word for word in str(mail.payload).split() if "/help/contact/verify/" in word)
    return link.split("/help/contact/verify/")[1].split("/")[0]


@pytest.mark.django_db
def test_attachments_wait_for_verification_then_join_the_ticket(help_content: int) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="fr")
    response = visitor.post(
        URL,
        {
            "email": "visitor@example.org",
            "text": "Voici la capture de l'erreur.",
            "attachments": [_png("erreur.png"), _png("écran.png")],
        },
    )
    assert response.status_code == 200 and "visitor@example.org" in response.content.decode()
    pending = PendingContactRequest.objects.get()
    uploads = list(Upload.objects.order_by("pk"))
    assert [u.original_name for u in uploads] == ["erreur.png", "écran.png"]
    assert pending.upload_ids == [u.pk for u in uploads]
    assert all(u.owner_id is None and u.anonymous_key for u in uploads)
    assert Ticket.objects.count() == 0
    for upload in uploads:  # the visitor, another customer: never
        assert visitor.get(upload.url).status_code == 404
    other = Client()
    other.force_login(UserFactory())
    assert other.get(uploads[0].url).status_code == 404

    assert visitor.get(f"/help/contact/verify/{_token()}/").status_code == 200
    ticket = Ticket.objects.get()
    attached = MessageAttachment.objects.filter(message__ticket=ticket).order_by("upload_id")
    assert [a.upload_id for a in attached] == [u.pk for u in uploads]
    agent = Client()
    agent.force_login(UserFactory(role=Role.AGENT))
    assert agent.get(uploads[0].url).status_code == 200
    assert visitor.get(uploads[0].url).status_code == 404


@pytest.mark.django_db
def test_refused_attachments_create_nothing(help_content: int) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    base = {"email": "visitor@example.org", "text": "Hello"}
    too_many = visitor.post(URL, {**base, "attachments": [_png(f"{i}.png") for i in range(6)]})
    assert too_many.status_code == 200 and "At most 5 files." in too_many.content.decode()
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = visitor.post(URL, {**base, "attachments": [fake]})
    assert refused.status_code == 200
    assert "This type of file is not accepted." in refused.content.decode()
    assert PendingContactRequest.objects.count() == 0
    assert Upload.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
