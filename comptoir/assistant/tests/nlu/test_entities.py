import datetime as dt

import pytest

from comptoir.assistant.nlu.entities import extract_entities

TODAY = dt.date(2026, 3, 20)  # a Friday


def kinds(text):
    return [(e.type, e.value) for e in extract_entities(text, today=TODAY)]


def test_order_numbers_in_messy_french_with_spans():
    text = "bjr jai pas recu la cmd 8012-3456-7890-1230 ni la 8012 3456 7890 1230 !!"
    entities = extract_entities(text, today=TODAY)
    orders = [e for e in entities if e.type == "order_number"]
    assert [e.value for e in orders] == ["8012345678901230", "8012345678901230"]
    assert text[orders[0].start : orders[0].end] == "8012-3456-7890-1230"


def test_order_number_without_separators_and_bad_luhn_is_not_an_order():
    assert ("order_number", "8012345678901230") in kinds("order #8012345678901230 pls")
    assert not [k for k in kinds("order 8012-3456-7890-1231") if k[0] == "order_number"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("tracking LP123456789CN still not moving", "LP123456789CN"),
        ("ups 1z999aa10123456784 says delivered", "1Z999AA10123456784"),
        ("colissimo 6A12345678901 bloqué", "6A12345678901"),
        ("le suivi YT2312345678901234 ne marche pas", "YT2312345678901234"),
        ("fedex 123456789012", "123456789012"),
    ],
)
def test_tracking_numbers(text, value):
    assert ("tracking_number", value) in kinds(text)


def test_a_french_phone_number_is_not_a_tracking_number():
    assert not [k for k in kinds("appelez moi au 0612345678") if k[0] == "tracking_number"]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("on m'a preleve 12,50 € de trop", "12.50", "EUR"),
        ("charged €12.50 twice", "12.50", "EUR"),
        ("I paid 20 EUR", "20.00", "EUR"),
        ("it cost $15 more", "15.00", "USD"),
        ("15.99 USD instead of 9.99 usd", "15.99", "USD"),
        ("30 euros de frais de douane", "30.00", "EUR"),
        ("1 234,56 € debites", "1234.56", "EUR"),
        ("£9.99 on my statement", "9.99", "GBP"),
    ],
)
def test_amounts_with_currency(text, amount, currency):
    amounts = [e.value for e in extract_entities(text, today=TODAY) if e.type == "amount"]
    assert amounts[0] == {"amount": amount, "currency": currency}


def test_a_bare_number_is_not_an_amount():
    assert not [k for k in kinds("I ordered 3 items") if k[0] == "amount"]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("livré hier soi-disant", "2026-03-19"),
        ("avant-hier", "2026-03-18"),
        ("it arrived yesterday", "2026-03-19"),
        ("commandé le 12 mars", "2026-03-12"),
        ("ordered on March 3rd", "2026-03-03"),
        ("le 25 décembre", "2025-12-25"),  # no year: the most recent one
        ("paid on 2026-01-15", "2026-01-15"),
        ("recu le 05/03/2026", "2026-03-05"),
        ("il y a 3 jours", "2026-03-17"),
        ("two weeks ago", "2026-03-06"),
        ("la semaine derniere", "2026-03-13"),
        ("last week", "2026-03-13"),
        ("lundi dernier", "2026-03-16"),
        ("last monday", "2026-03-16"),
    ],
)
def test_dates_absolute_and_relative(text, iso):
    assert ("date", iso) in kinds(text)


def test_emails_are_lowercased_and_not_read_as_other_entities():
    found = kinds("mon mail: Jean.Dupont+shop@Example.COM, merci")
    assert found == [("email", "jean.dupont+shop@example.com")]


def test_long_rambling_message_with_everything():
    text = (
        "Bonjour,\nalors voila j'ai commandé le 2 mars (commande 8012-3456-7890-1230), "
        "payé 49,90 € et le colis LP123456789CN est bloqué depuis hier. "
        "Repondez moi sur lea@example.com svp"
    )
    found = kinds(text)
    assert ("order_number", "8012345678901230") in found
    assert ("amount", {"amount": "49.90", "currency": "EUR"}) in found
    assert ("tracking_number", "LP123456789CN") in found
    assert ("date", "2026-03-02") in found
    assert ("date", "2026-03-19") in found
    assert ("email", "lea@example.com") in found
    spans = [(e.start, e.end) for e in extract_entities(text, today=TODAY)]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlaps


def test_empty_text():
    assert extract_entities("", today=TODAY) == []
