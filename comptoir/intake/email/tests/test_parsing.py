"""The parser on the fixture corpus: one row per real-looking mail (Gmail, Outlook, Apple Mail,
Thunderbird, Yahoo; FR and EN; every charset and transfer encoding; malformed; bounces;
auto-replies). Each row states the kind, the sender, what the customer's new text contains and
must not contain, and the attachments."""

from __future__ import annotations

import pytest

from comptoir.intake.email.html_text import html_to_text
from comptoir.intake.email.parsing import decode_bytes, parse_bytes
from comptoir.intake.email.quotes import strip_quotes

from .conftest import FIXTURES, eml

N, A, G, B = "normal", "auto_reply", "automatic", "bounce"

CASES = [
    # name, kind, sender, contains, must not contain, attachments (name, inline)
    ("gmail_en_new_request.eml", N, "ann.walker@gmail.com", ["order 8012-3456-7890-1230", "Thanks,\nAnn"], [], []),
    ("gmail_fr_reply_quoted.eml", N, "camille.berard@gmail.com", ["LP123456789FR", "n’a pas"], ["Pouvez-vous", "a écrit"], []),
    ("gmail_en_reply_wrapped_attribution.eml", N, "ann.walker@gmail.com", ["14 Baker Street"], ["wrote", "confirm your delivery"], []),
    ("outlook_en_reply.eml", N, "mark.jones@outlook.com", ["refund please", "Mark Jones"], ["From:", "Did the seller"], []),
    ("outlook_fr_reply_cp1252.eml", N, "helene.dupre@hotmail.fr", ["49,90 €", "Je n’ai toujours pas reçu"], ["Message d'origine", "a été lancé"], []),
    ("apple_mail_fr_reply.eml", N, "julien.moreau@icloud.com", ["carton était écrasé"], ["Envoyé de mon iPhone", "L’emballage"], []),
    ("apple_mail_en_reply.eml", N, "sarah.lee@me.com", ["Only the charger"], ["Sent from my iPad", "which item"], []),
    ("thunderbird_fr_reply.eml", N, "pierre.martin@laposte.net", ["bureau de poste"], ["06 12 34 56 78", "adresse de retour"], []),
    ("thunderbird_en_inline_answers.eml", N, "tom.baker@protonmail.com", ["Blue, size M.", "still sealed"], ["What colour", "wrote:"], []),
    ("latin1_fr_plain.eml", N, "jacqueline.roux@orange.fr", ["théière est cassée", "remboursée"], [], []),
    ("windows1252_qp_fr.eml", N, "lucas.petit@free.fr", ["2 × 6,50 €", "« inacceptable »", "On m’a"], [], []),
    ("unknown_charset.eml", N, "paul.girard@example.net", ["jamais arrivée", "répond"], [], []),
    ("wrong_charset_declared.eml", N, "nathalie.blanc@example.org", ["livré chez ma voisine", "vérifier"], [], []),
    ("base64_utf8_fr.eml", N, "elodie.faure@sfr.fr", ["litige a été clos", "Élodie"], [], []),
    ("html_only_en.eml", N, "kevin.brown@yahoo.com", ["- resetting the password", "(https://example.com/screenshot)"], ["alert(1)", "color:red", "<p>"], []),
    ("html_only_fr_gmail_quote.eml", N, "sophie.laurent@gmail.com", ["taille L"], ["Souhaitez-vous", "a écrit"], []),
    ("inline_image_apple_mail.eml", N, "chloe.garnier@icloud.com", ["vase cassé"], [], [("IMG_4021.png", True)]),
    ("attachments_pdf_jpeg.eml", N, "marc.lefebvre@gmail.com", ["ci-joint la facture"], [], [("facture-mars.pdf", False), ("etiquette.jpg", False)]),
    ("attachment_refused_docx.eml", N, "rachel.green@outlook.com", ["complaint letter attached"], [], [("complaint.docx", False)]),
    ("attachment_rfc2231_filename.eml", N, "michel.durand@laposte.net", ["bon de retour signé"], [], [("bon de retour n°12.pdf", False)]),
    ("forwarded_gmail_en.eml", N, "emma.wilson@gmail.com", ["tracking number is invalid", "XX000000000XX"], [], []),
    ("forwarded_outlook_fr.eml", N, "andre.lambert@hotmail.fr", ["sans me rembourser", "Votre commande a été annulée"], [], []),
    ("forwarded_apple_fr.eml", N, "manon.roussel@icloud.com", ["arnaque", "directement par virement"], [], []),
    ("forwarded_as_attachment_rfc822.eml", N, "hugo.fontaine@example.fr", ["frauduleux", "Votre compte sera suspendu", "carte bancaire"], [], []),
    ("dsn_postfix_bounce.eml", B, "mailer-daemon@mx.example.net", ["User unknown"], [], []),
    ("dsn_exchange_fr.eml", B, "postmaster@outlook.fr", ["n'a pas pu être remis"], [], []),
    ("dsn_gmail_failure.eml", B, "mailer-daemon@googlemail.com", ["Address not found"], [], []),
    ("ooo_outlook_en.eml", A, "david.clark@contoso.example", ["out of the office"], [], []),
    ("ooo_outlook_fr.eml", A, "valerie.simon@entreprise.example", ["absente jusqu'au 22 avril", "collègue"], [], []),
    ("ooo_gmail_vacation.eml", A, "liam.scott@gmail.com", ["on holiday"], [], []),
    ("ooo_x_autorespond.eml", A, "claire.mercier@wanadoo.fr", ["en congés"], [], []),
    ("auto_generated_notification.eml", G, "notifications@boutique.example", ["opened a dispute"], [], []),
    ("mailing_list_digest.eml", G, "digest@lists.example.org", ["shipping rates"], [], []),
    ("malformed_no_sender.eml", N, "", ["anybody there"], [], []),
    ("malformed_headers.eml", N, "rene.aubert@old-client.example", ["suivre ma commande"], [], []),
    ("malformed_missing_boundary.eml", N, "oliver.king@example.com", ["two weeks"], [], []),
    ("no_message_id.eml", N, "grace.hall@example.co.uk", ["3 Queen Street"], [], []),
    ("encoded_words_subject.eml", N, "francois.noel@gmx.fr", ["ne correspond pas"], [], []),
    ("yahoo_fr_reply.eml", N, "isabelle.moulin@yahoo.fr", ["remboursement partiel de 10 €"], ["Yahoo Mail", "le vendeur propose"], []),
    ("outlook_mobile_en.eml", N, "noah.evans@outlook.com", ["drop it off tomorrow"], ["Get Outlook", "return label."], []),
    ("signature_dashdash_en.eml", N, "jack.turner@company.example", ["VAT number"], ["Purchasing Manager", "+44"], []),
    ("utf8_8bit_emoji.eml", N, "lea.caron@icloud.com", ["🙏😊", "reçu"], [], []),
    ("empty_plain_html_alternative.eml", N, "mia.harris@example.com", ["SPRING10 was not applied"], ["<b>"], []),
    ("other_language_es.eml", N, "lucia.fernandez@gmail.com", ["¿Pueden ayudarme"], [], []),
    ("gb2312_chinese.eml", N, "wang.xiao@163.com", ["我的订单还没有收到"], [], []),
    ("subject_ticket_number_only.eml", N, "pierre.martin@laposte.net", ["du nouveau"], [], []),
    ("windows_mail_base64_html.eml", N, "zoe.adams@outlook.com", ["password reset three times"], ["for Windows"], []),
    ("raw_8bit_utf8_headers_fr.eml", N, "helene.dupre@example.fr", ["arrivé abîmé"], [], [("reçu-été.pdf", False)]),
    ("raw_8bit_latin1_headers_fr.eml", N, "francoise.lefevre@example.fr", ["jamais passé à Orléans"], [], []),
    ("raw_8bit_latin1_headers_utf8_body.eml", N, "jerome.noel@example.com", ["où est mon reçu"], [], []),
    ("encoded_words_names_outlook.eml", N, "jean.dupont@example.fr", ["mon relevé"], [], [("relevé été.pdf", False)]),
]  # fmt: skip


def test_the_corpus_has_at_least_forty_mails_and_every_one_is_in_the_table():
    files = sorted(p.name for p in FIXTURES.glob("*.eml"))
    assert len(files) >= 40
    assert sorted(case[0] for case in CASES) == files


@pytest.mark.parametrize(
    ("name", "kind", "sender", "contains", "absent", "attachments"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_fixture(name, kind, sender, contains, absent, attachments):
    parsed = parse_bytes(eml(name))
    assert parsed.kind == kind
    assert parsed.from_address == sender
    text = parsed.new_text
    for fragment in contains:
        assert fragment in text, (fragment, text)
    for fragment in absent:
        assert fragment not in text, (fragment, text)
    assert [(a.filename, a.inline) for a in parsed.attachments] == attachments
    assert "\ufffd" not in text


def test_headers_threading_ids_and_subjects():
    parsed = parse_bytes(eml("gmail_fr_reply_quoted.eml"))
    assert parsed.message_id == "<CAFr9xQ2mB7-reply-fr@mail.gmail.com>"
    assert parsed.in_reply_to == ["<171025.ack.1@comptoir.localhost>"]
    assert parsed.references == [
        "<CAFr9xQ1-first@mail.gmail.com>",
        "<171025.ack.1@comptoir.localhost>",
    ]
    assert parsed.from_name == "Camille Bérard"
    assert "support+REPLYTOKENPLACEHOLDERxxxxxxxxxxx@comptoir.localhost" in parsed.recipients
    assert parse_bytes(eml("encoded_words_subject.eml")).subject == (
        "Réclamation à propos de ma commande – urgent"
    )
    assert parse_bytes(eml("outlook_fr_reply_cp1252.eml")).language == "fr"
    assert parse_bytes(eml("no_message_id.eml")).message_id == ""


def test_bounces_name_the_original_message():
    postfix = parse_bytes(eml("dsn_postfix_bounce.eml"))
    assert postfix.bounced_message_ids == ["<BOUNCED-MESSAGE-ID@comptoir.localhost>"]
    assert postfix.bounce_reason.startswith("Diagnostic-Code: smtp; 550 5.1.1")
    exchange = parse_bytes(eml("dsn_exchange_fr.eml"))
    assert exchange.bounced_message_ids == ["<BOUNCED-EXCHANGE@comptoir.localhost>"]
    assert "5.2.2" in exchange.bounce_reason


def test_attachment_bytes_are_decoded():
    parsed = parse_bytes(eml("attachments_pdf_jpeg.eml"))
    pdf, jpeg = parsed.attachments
    assert pdf.data.startswith(b"%PDF-1.4") and pdf.content_type == "application/pdf"
    assert jpeg.data[:3] == b"\xff\xd8\xff"
    inline = parse_bytes(eml("inline_image_apple_mail.eml")).attachments[0]
    assert inline.content_id == "A1B2C3D4@icloud.com"
    assert inline.data.startswith(b"\x89PNG")


def test_malformed_mails_are_parsed_with_their_problems_listed():
    assert parse_bytes(eml("unknown_charset.eml")).problems == ["unknown charset 'x-mystery-8bit'"]
    assert "bad Date header" in parse_bytes(eml("malformed_headers.eml")).problems
    assert parse_bytes(eml("malformed_no_sender.eml")).problems == ["no sender address"]


def test_decode_bytes_fallbacks():
    assert decode_bytes("été".encode(), "utf-8") == "été"
    assert decode_bytes("été".encode("latin-1"), "iso-8859-1") == "été"
    assert decode_bytes("€".encode("cp1252"), "nonsense") == "€"
    assert decode_bytes("été".encode(), "unknown-8bit") == "été"


def test_html_to_text_blocks_lists_and_quotes():
    html = "<p>Un</p><ul><li>a</li><li>b</li></ul><blockquote>old</blockquote><br>fin"
    assert html_to_text(html) == "Un\n\n- a\n\n- b\n\n> old\n\nfin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Merci\n\nLe 1 mars 2024 à 10:00, X a écrit :\n> avant", "Merci"),
        ("Thanks\n\nOn Mon, 1 Mar 2024, X wrote:\n> before", "Thanks"),
        ("Ok\n\nDe : X\nEnvoyé : lundi\nÀ : Y\nObjet : Z\n\nold", "Ok"),
        ("Ok\n\nFrom: X\nSent: Monday\nTo: Y\n\nold", "Ok"),
        ("Ok\n-- \nJohn", "Ok"),
        ("> only a quote", "> only a quote"),
        ("Voir ci-dessous\n\n---------- Message transféré ---------\nDe : A\nTexte", None),
    ],
)
def test_strip_quotes(text, expected):
    assert strip_quotes(text) == (expected if expected is not None else text)
