"""J3 end to end, FR and EN: a customer's mail arrives over SMTP at the listener, an agent
answers it in the console (with a file), and the reply reaches a local SMTP sink as a normal,
correctly threaded mail in the customer's language; the customer's answer to it, sent to the
reply address, lands in the same ticket."""

from __future__ import annotations

import smtplib
import threading
import time
from email import message_from_bytes, policy
from email.utils import make_msgid
from typing import Any

import pytest

from comptoir.intake.email.tests.conftest import eml
from comptoir.testing.browser import _free_port, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

CASES = {
    "fr": {
        "fixture": "latin1_fr_plain.eml",
        "customer": "jacqueline.roux@orange.fr",
        "first_id": "<20240325091500.4B1C2D3E@smtp.orange.fr>",
        "reply": "Bonjour Jacqueline,\nvotre colis repart demain. L'étiquette est jointe.",
        "footer": "Pour répondre, répondez simplement à cet e-mail.",
        "answer": "Merci beaucoup, je guette le facteur.",
        "sent": "Réponse envoyée.",
    },
    "en": {
        "fixture": "gmail_en_new_request.eml",
        "customer": "ann.walker@gmail.com",
        "first_id": "<CAJx7dK0aZ1Xo-Qk3@mail.gmail.com>",
        "reply": "Hello Ann,\nyour parcel leaves again tomorrow. The label is attached.",
        "footer": "To answer, simply reply to this e-mail.",
        "answer": "Thank you, I will watch for the postman.",
        "sent": "Reply sent.",
    },
}


class Sink:
    """A local SMTP server that keeps what it is given (the outside world's mailbox)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.mails: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.mails.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[list[str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.mails) >= count:
                    return list(self.mails)
            time.sleep(0.05)
        raise AssertionError(f"the sink got {len(self.mails)} mail(s), expected {count}")


@pytest.fixture
def sink(settings):
    server = Sink()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.controller.stop()


@pytest.fixture
def listener():
    from comptoir.intake.email.smtp import make_controller

    controller = make_controller(host="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


def _desk(language: str) -> None:
    from comptoir.taxonomy.seeders import taxonomy_seed
    from comptoir.tickets.seeders import _calendar, _policies
    from comptoir.tickets.tests.conftest import make_agent

    taxonomy_seed()
    _policies(_calendar())
    agent = make_agent(email="camille@example.org")
    agent.full_name = "Camille Martin"
    agent.language = language
    agent.save(update_fields=["full_name", "language"])


def _send(listener: Any, data: bytes, sender: str, to: str) -> None:
    with smtplib.SMTP(listener.hostname, listener.port, timeout=30) as client:
        client.sendmail(sender, [to], data)


def _ticket_of(message_id: str) -> Any:
    from comptoir.tickets.models import Message

    return Message.objects.select_related("ticket").get(channel_message_id=message_id).ticket


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_agent_answers_an_email_and_the_customer_gets_a_threaded_mail(
    live_url, playwright_browser, sink, listener, language, tmp_path
):
    case = CASES[language]
    off_loop(_desk, language)
    _send(listener, eml(case["fixture"]), case["customer"], "support@comptoir.localhost")
    ticket = off_loop(_ticket_of, case["first_id"])
    assert ticket.language == language
    ((ack_to, ack_data),) = sink.wait_for(1)
    ack = message_from_bytes(ack_data, policy=policy.default)
    assert ack_to == [case["customer"]] and ack["Auto-Submitted"] == "auto-replied"

    page = new_page(playwright_browser, language=language)
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", "camille@example.org")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_url + f"/console/tickets/{ticket.number}/")
    page.fill("[data-reply-text]", case["reply"])
    label = tmp_path / "etiquette-retour.pdf"
    label.write_bytes(PDF)
    page.set_input_files("[data-reply-files]", str(label))
    screenshot(page, f"email-console-reply-{language}")
    page.click("[data-send]")
    page.wait_for_load_state()
    assert case["sent"] in page.inner_text(".messages")

    (_ack, (reply_to, reply_data)) = sink.wait_for(2)
    assert reply_to == [case["customer"]]
    reply = message_from_bytes(reply_data, policy=policy.default)
    from comptoir.intake.email.models import OutboundMail

    row = off_loop(lambda: OutboundMail.objects.get(ticket__number=ticket.number, kind="reply"))
    assert reply["Message-ID"] == row.message_id
    assert reply["In-Reply-To"] == case["first_id"]
    assert reply["References"].split() == [case["first_id"], ack["Message-ID"]]
    assert "Auto-Submitted" not in reply
    assert ticket.number in reply["Subject"] and reply["Subject"].startswith("Re: ")
    assert str(reply["Reply-To"]) == f"support+{ticket.reply_token}@comptoir.localhost"
    assert reply["Content-Language"] == language
    assert reply.get_content_type() == "multipart/mixed"
    body, pdf = reply.get_payload()
    text, html = body.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    plain = text.get_content().replace("\r\n", "\n")
    assert plain.startswith(case["reply"] + "\n\n--\nCamille Martin, ") and case["footer"] in plain
    assert case["footer"] in html.get_content() and "Camille Martin" in html.get_content()
    assert (pdf.get_filename(), pdf.get_payload(decode=True)) == ("etiquette-retour.pdf", PDF)

    # The customer answers the mail they got: it threads into the same ticket.
    answer = (
        f"Message-ID: {make_msgid(domain='client.example')}\r\n"
        f"From: {case['customer']}\r\nTo: {reply['Reply-To']}\r\n"
        f"Subject: Re: {reply['Subject']}\r\nIn-Reply-To: {reply['Message-ID']}\r\n"
        f"References: {reply['References']} {reply['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{case['answer']}\r\n"
    ).encode()
    _send(listener, answer, case["customer"], str(reply["Reply-To"]))
    page.reload()
    page.wait_for_selector(f"text={case['answer']}")
    screenshot(page, f"email-console-thread-{language}")
    from comptoir.tickets.models import Ticket

    count = off_loop(
        lambda: Ticket.objects.filter(contact__identities__value=case["customer"]).count()
    )
    assert count == 1
    assert len(sink.wait_for(2)) == 2  # no acknowledgement for an answer in a thread
    page.context.close()
