"""A real SMTP conversation with smtplib against the listener on a free port, and IMAP polling
against a local fake IMAP4rev1 server (LOGIN, SELECT, UID SEARCH/FETCH/STORE)."""

from __future__ import annotations

import imaplib
import re
import smtplib
import socket
import socketserver
import threading

import pytest

from comptoir.intake.email.imap import imap_poll
from comptoir.intake.email.models import RawMail, RawStatus
from comptoir.intake.email.smtp import make_controller
from comptoir.tickets.models import Ticket

from .conftest import eml

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def listener(settings):
    settings.INTAKE_EMAIL_MAX_BYTES = 200_000
    controller = make_controller(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_smtp_conversation_stores_and_processes_the_mail(desk, listener):
    data = eml("gmail_en_new_request.eml")
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        code, _banner = client.ehlo()
        assert code == 250
        refused = client.sendmail("ann.walker@gmail.com", ["support@comptoir.localhost"], data)
    assert refused == {}
    raw = RawMail.objects.get()
    assert (raw.source, raw.status, raw.envelope_from) == (
        "smtp",
        RawStatus.PROCESSED,
        "ann.walker@gmail.com",
    )
    assert Ticket.objects.get(number=raw.ticket_number).subject == "Parcel never arrived"


def test_smtp_refuses_other_recipients_and_oversized_mail(desk, listener):
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
        client.ehlo()
        client.mail("x@example.org")
        code, _ = client.rcpt("someone@comptoir.localhost")
        assert code == 550
        code, _ = client.rcpt("support+not-a-token!@comptoir.localhost")
        assert code == 550
        code, _ = client.rcpt("support+AbCdEfGhIjKlMnOpQrStUv@comptoir.localhost")
        assert code == 250
        client.rset()
        with pytest.raises(smtplib.SMTPException):
            client.sendmail(
                "x@example.org",
                ["support@comptoir.localhost"],
                b"Subject: big\r\n\r\n" + b"a" * 300_000,
            )
    assert not RawMail.objects.exists()


# --- a fake IMAP4rev1 server -----------------------------------------------------------------


class Mailbox:
    def __init__(self, mails: list[bytes]) -> None:
        self.mails = {uid: data for uid, data in enumerate(mails, start=101)}
        self.flags: dict[int, set[str]] = {uid: set() for uid in self.mails}
        self.commands: list[str] = []


class FakeImapHandler(socketserver.StreamRequestHandler):
    box: Mailbox

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.send("* OK [CAPABILITY IMAP4rev1] fake ready")
        selected = False
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            tag, _space, rest = raw.decode().strip().partition(" ")
            command, _s, args = rest.partition(" ")
            command = command.upper()
            self.box.commands.append(f"{command} {args}".strip())
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
                self.send(f"{tag} OK CAPABILITY completed")
            elif command == "LOGIN":
                ok = args.split() == ["support", '"s3cret"'] or args.split() == [
                    "support",
                    "s3cret",
                ]
                self.send(f"{tag} OK LOGIN completed" if ok else f"{tag} NO LOGIN failed")
            elif command == "SELECT":
                selected = True
                self.send(f"* {len(self.box.mails)} EXISTS")
                self.send("* OK [UIDVALIDITY 7] UIDs valid")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            elif command == "UID" and selected:
                sub, _s, sub_args = args.partition(" ")
                sub = sub.upper()
                if sub == "SEARCH":
                    assert sub_args.upper() == "UNSEEN"
                    uids = [str(u) for u in self.box.mails if "\\Seen" not in self.box.flags[u]]
                    self.send("* SEARCH " + " ".join(uids))
                    self.send(f"{tag} OK SEARCH completed")
                elif sub == "FETCH":
                    uid = int(sub_args.split()[0])
                    data = self.box.mails[uid]
                    self.send(f"* 1 FETCH (UID {uid} BODY[] {{{len(data)}}}".encode())
                    self.wfile.write(data)
                    self.send(")")
                    self.send(f"{tag} OK FETCH completed")
                elif sub == "STORE":
                    uid_text, _s, flags = sub_args.partition(" ")
                    for flag in re.findall(r"\\\w+", flags):
                        self.box.flags[int(uid_text)].add(flag)
                    self.send(f"{tag} OK STORE completed")
                else:
                    self.send(f"{tag} BAD unknown")
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            else:
                self.send(f"{tag} BAD unsupported")


@pytest.fixture
def imap_server(settings):
    box = Mailbox([eml("latin1_fr_plain.eml"), eml("html_only_en.eml"), eml("ooo_outlook_en.eml")])
    handler = type("Handler", (FakeImapHandler,), {"box": box})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.INTAKE_EMAIL_IMAP_HOST = "127.0.0.1"
    settings.INTAKE_EMAIL_IMAP_PORT = server.server_address[1]
    settings.INTAKE_EMAIL_IMAP_SSL = False
    settings.INTAKE_EMAIL_IMAP_USER = "support"
    settings.INTAKE_EMAIL_IMAP_PASSWORD = "s3cret"
    yield box
    server.shutdown()
    server.server_close()


def test_the_fake_server_speaks_imap4rev1_to_imaplib(imap_server):
    client = imaplib.IMAP4("127.0.0.1", imaplib_port(), timeout=5)
    assert client.login("support", "s3cret")[0] == "OK"
    assert client.select("INBOX")[0] == "OK"
    typ, data = client.uid("SEARCH", "UNSEEN")
    assert (typ, data) == ("OK", [b"101 102 103"])
    client.logout()


def imaplib_port() -> int:
    from django.conf import settings

    return int(settings.INTAKE_EMAIL_IMAP_PORT)


def test_imap_poll_takes_unseen_mails_marks_them_and_is_idempotent(desk, imap_server):
    result = imap_poll()
    assert (result.seen, result.stored, result.duplicates) == (3, 3, 0)
    assert all("\\Seen" in flags for flags in imap_server.flags.values())
    statuses = sorted(RawMail.objects.values_list("status", flat=True))
    assert statuses == [RawStatus.IGNORED, RawStatus.PROCESSED, RawStatus.PROCESSED]
    assert Ticket.objects.count() == 2
    assert any(c.startswith("UID FETCH 101 (BODY.PEEK[])") for c in imap_server.commands)
    # Nothing unseen left: nothing taken again. Unseen again (another client): duplicates.
    assert imap_poll().seen == 0
    for flags in imap_server.flags.values():
        flags.clear()
    again = imap_poll()
    assert (again.stored, again.duplicates) == (0, 3)
    assert RawMail.objects.count() == 3 and Ticket.objects.count() == 2
