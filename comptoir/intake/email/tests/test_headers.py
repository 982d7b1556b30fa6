"""Headers as clients really send them: raw 8-bit UTF-8 or Latin-1 (no RFC 2047), encoded
words split mid-character, display names whose decoded form holds a comma, encoded-word
filenames — read as a person would, and the whole path (ticket, contact, attachment) keeps it."""

from __future__ import annotations

import pytest

from comptoir.core.uploads import Upload
from comptoir.intake.email.headers import decode_words, fix_8bit
from comptoir.intake.email.parsing import parse_bytes
from comptoir.intake.email.services import raw_mail_receive
from comptoir.tickets.models import Ticket

from .conftest import eml


def test_raw_utf8_subject_name_and_filename():
    parsed = parse_bytes(eml("raw_8bit_utf8_headers_fr.eml"))
    assert parsed.subject == "Colis abîmé – remboursé ?"
    assert (parsed.from_name, parsed.from_address) == ("Hélène Dupré", "helene.dupre@example.fr")
    assert [a.filename for a in parsed.attachments] == ["reçu-été.pdf"]
    assert parsed.problems == []


def test_raw_latin1_headers_fall_back_to_the_declared_charset():
    parsed = parse_bytes(eml("raw_8bit_latin1_headers_fr.eml"))
    assert parsed.subject == "Problème de livraison à Orléans"
    assert parsed.from_name == "Françoise Lefèvre"
    assert "\ufffd" not in parsed.subject + parsed.from_name


def test_raw_latin1_headers_in_a_utf8_mail_fall_back_to_windows_1252():
    parsed = parse_bytes(eml("raw_8bit_latin1_headers_utf8_body.eml"))
    assert parsed.subject == "Reçu de la commande"
    assert parsed.from_name == "Jérôme Noël"
    assert parsed.new_text == "Bonjour, où est mon reçu ?"


def test_encoded_words_names_and_filenames():
    parsed = parse_bytes(eml("encoded_words_names_outlook.eml"))
    # Two B-encoded words split between "d" and "éjà", joined without the space between them.
    assert parsed.subject == "Remboursement déjà demandé"
    # The decoded name holds a comma: the address is read before the name is decoded.
    assert (parsed.from_name, parsed.from_address) == ("Dupont, Jean", "jean.dupont@example.fr")
    assert parsed.recipients == ["support@comptoir.localhost"]
    assert [a.filename for a in parsed.attachments] == ["relevé été.pdf"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?utf-8?q?caf=C3=A9_cr=C3=A8me?=", "café crème"),
        ("=?ISO-8859-1?Q?Andr=E9?= Dupont", "André Dupont"),
        ("=?utf-8*fr?b?w6l0w6k=?=", "été"),  # RFC 2231 language suffix
        ("=?x-unknown-charset?q?r=C3=A9ponse?=", "réponse"),  # unknown charset: UTF-8 tried
        ("=?utf-8?b?not base64!?=", "=?utf-8?b?not base64!?="),  # not an encoded word
        ("=?utf-8?b?w6k?=", "é"),  # missing padding
        ("plain text", "plain text"),
    ],
)
def test_decode_words(raw, expected):
    assert decode_words(raw) == expected


def test_fix_8bit_prefers_utf8_then_the_declared_charset():
    def as_parsed(data: bytes) -> str:  # how the parser keeps 8-bit header bytes
        return data.decode("ascii", "surrogateescape")

    assert fix_8bit(as_parsed("été".encode()), "latin-1") == "été"
    assert fix_8bit(as_parsed("été".encode("latin-1")), "latin-1") == "été"
    assert fix_8bit(as_parsed("49 € payés".encode("cp1252")), None) == "49 € payés"
    assert fix_8bit(as_parsed("Ωμέγα".encode("iso-8859-7")), "iso-8859-7") == "Ωμέγα"


@pytest.mark.django_db
def test_an_8bit_mail_becomes_a_ticket_with_its_names_intact(
    desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        raw = raw_mail_receive(
            data=eml("raw_8bit_utf8_headers_fr.eml"),
            source="test",
            envelope_to=["support@comptoir.localhost"],
        ).raw
    raw.refresh_from_db()
    assert (raw.status, raw.subject) == ("processed", "Colis abîmé – remboursé ?")
    ticket = Ticket.objects.get(number=raw.ticket_number)
    assert ticket.subject == "Colis abîmé – remboursé ?"
    assert ticket.contact.display_name == "Hélène Dupré"
    (attachment,) = ticket.messages.get().attachments.all()
    upload = Upload.objects.get(pk=attachment.upload_id)
    assert (upload.original_name, upload.content_type) == ("reçu-été.pdf", "application/pdf")
