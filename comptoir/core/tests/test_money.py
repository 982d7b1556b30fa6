from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.errors import ValidationFailed
from comptoir.core.money import CurrencyMismatch, Money, MoneyAttribute, format_money


def eur(value: str) -> Money:
    return Money(Decimal(value), "EUR")


def test_construction_and_currency_normalisation():
    money = Money(Decimal("12.34"), "eur")
    assert money.currency == "EUR"
    assert money.amount == Decimal("12.34")
    assert Money("5").amount == Decimal("5")
    assert Money.zero("JPY") == Money(Decimal(0), "JPY")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        Money(12.34)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        eur("1") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        eur("1").percent(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity"])
def test_invalid_amounts(value):
    with pytest.raises(ValidationFailed):
        Money(value)


def test_unknown_currency():
    with pytest.raises(ValidationFailed) as info:
        Money(Decimal(1), "XXX")
    assert info.value.details == {"currency": "XXX"}


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.125", "0.12"), ("0.135", "0.14"), ("0.145", "0.14"), ("-0.125", "-0.12"), ("2.5", "2.50")],
)
def test_quantize_is_half_even(amount, expected):
    assert eur(amount).quantize().amount == Decimal(expected)


def test_half_even_in_other_exponents():
    assert Money(Decimal("2.5"), "JPY").quantize().amount == Decimal("2")
    assert Money(Decimal("3.5"), "JPY").quantize().amount == Decimal("4")
    assert Money(Decimal("1.0005"), "BHD").quantize().amount == Decimal("1.000")


def test_minor_units():
    assert eur("12.34").minor_units == 1234
    assert Money(Decimal("1500"), "JPY").minor_units == 1500
    assert Money(Decimal("1.234"), "BHD").minor_units == 1234
    assert Money.from_minor(1234, "EUR") == eur("12.34")
    assert Money.from_minor(-5, "EUR") == eur("-0.05")
    with pytest.raises(ValueError):
        _ = eur("0.125").minor_units
    with pytest.raises(TypeError):
        Money.from_minor(True, "EUR")
    with pytest.raises(TypeError):
        Money.from_minor(12.0, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,34", "12.34"),
        ("12.34", "12.34"),
        (" 1 234,5 ", "1234.5"),
        ("1\u00a0000", "1000"),
        ("-3", "-3"),
    ],
)
def test_parse(text, expected):
    assert Money.parse(text, "EUR") == eur(expected)


@pytest.mark.parametrize("text", ["12,345", "abc", "", "1,2,3"])
def test_parse_refuses(text):
    with pytest.raises(ValidationFailed):
        Money.parse(text, "EUR")


def test_parse_respects_the_currency_exponent():
    with pytest.raises(ValidationFailed):
        Money.parse("100.5", "JPY")
    assert Money.parse("1.234", "BHD").minor_units == 1234


def test_arithmetic_and_comparisons():
    assert eur("1.10") + eur("2.20") == eur("3.30")
    assert eur("1") - eur("2.5") == eur("-1.5")
    assert -eur("1") == eur("-1")
    assert eur("1.5") * 3 == eur("4.5")
    assert 2 * eur("1.5") == eur("3.0")
    assert eur("1.5") * Decimal("0.5") == eur("0.75")
    assert eur("1") < eur("2") <= eur("2") < eur("3")
    assert eur("3") > eur("2") >= eur("2")
    assert not eur("0")
    assert eur("0.01")
    assert eur("-1").is_negative()


def test_currency_mismatch():
    with pytest.raises(CurrencyMismatch):
        eur("1") + Money(Decimal(1), "USD")
    with pytest.raises(CurrencyMismatch):
        eur("1") < Money(Decimal(1), "USD")  # noqa: B015
    with pytest.raises(TypeError):
        eur("1") + 1  # type: ignore[operator]


def test_percent_rounds_half_even():
    assert eur("10.00").percent(Decimal("12.5")) == eur("1.25")
    assert eur("0.25").percent(Decimal("50")) == eur("0.12")


def test_allocate_examples():
    assert eur("10.00").allocate([1, 1, 1]) == [eur("3.34"), eur("3.33"), eur("3.33")]
    assert eur("0.05").allocate([3, 7]) == [eur("0.02"), eur("0.03")]  # tie: earlier part
    assert eur("100").allocate([0, 1]) == [eur("0"), eur("100")]
    with pytest.raises(ValueError):
        eur("1").allocate([])
    with pytest.raises(ValueError):
        eur("1").allocate([0, 0])
    with pytest.raises(ValueError):
        eur("1").allocate([1, -1])


@settings(max_examples=300, derandomize=True)
@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
    st.sampled_from(["EUR", "JPY", "BHD"]),
)
def test_allocate_never_loses_or_creates_a_minor_unit(minor, weights, currency):
    total = Money.from_minor(minor, currency)
    parts = total.allocate(weights)
    assert len(parts) == len(weights)
    assert sum(p.minor_units for p in parts) == minor
    assert all(p.currency == currency for p in parts)
    assert all(p.minor_units == 0 for p, w in zip(parts, weights, strict=True) if w == 0)
    exact = [Decimal(minor) * w / sum(weights) for w in weights]
    assert all(abs(Decimal(p.minor_units) - e) < 1 for p, e in zip(parts, exact, strict=True))


def test_as_api_and_str():
    assert eur("12.3").as_api() == {"amount": "12.30", "currency": "EUR"}
    assert Money(Decimal("1500"), "JPY").as_api() == {"amount": "1500", "currency": "JPY"}
    assert str(eur("12.3")) == "12.30 EUR"


@pytest.mark.parametrize(
    ("money", "language", "text"),
    [
        (Money(Decimal("1234.5"), "EUR"), "fr", "1\u202f234,50\u00a0€"),
        (Money(Decimal("1234.5"), "EUR"), "en", "€1,234.50"),
        (Money(Decimal("-12.34"), "USD"), "en", "-$12.34"),
        (Money(Decimal("-12.34"), "USD"), "fr", "-12,34\u00a0$"),
        (Money(Decimal("9.99"), "CHF"), "en", "9.99 CHF"),
        (Money(Decimal("9.99"), "CHF"), "fr", "9,99\u00a0CHF"),
        (Money(Decimal("1500"), "JPY"), "fr", "1\u202f500\u00a0JPY"),
    ],
)
def test_format_money(money, language, text):
    assert format_money(money, language) == text


def test_money_attribute():
    class Row:
        price = MoneyAttribute("price")

        def __init__(self):
            self.price_minor = None
            self.price_currency = "EUR"

    row = Row()
    assert row.price is None
    row.price = eur("12.34")
    assert (row.price_minor, row.price_currency) == (1234, "EUR")
    assert row.price == eur("12.34")
    row.price = None
    assert row.price_minor is None
    assert isinstance(Row.price, MoneyAttribute)
