import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.order_numbers import (
    find_order_numbers,
    format_order_number,
    generate_order_number,
    is_valid_order_number,
    luhn_check_digit,
    normalise_order_number,
)

EXAMPLE = "8012345678901230"  # PRODUCT.md §9: 8012-3456-7890-1230

digits15 = st.text(alphabet="0123456789", min_size=15, max_size=15)


def test_the_product_example_is_valid():
    assert luhn_check_digit("801234567890123") == "0"
    assert is_valid_order_number(EXAMPLE)
    assert format_order_number(EXAMPLE) == "8012-3456-7890-1230"


@pytest.mark.parametrize(
    ("body", "digit"), [("7992739871", "3"), ("000000000000000", "0"), ("400000000000000", "2")]
)
def test_luhn_check_digit_known_values(body, digit):
    assert luhn_check_digit(body) == digit


@pytest.mark.parametrize("bad", ["", "12a4", "１２３"])
def test_luhn_check_digit_takes_digits_only(bad):
    with pytest.raises(ValueError):
        luhn_check_digit(bad)


@pytest.mark.parametrize(
    "value",
    [
        "8012345678901231",
        "801234567890123",
        "80123456789012300",
        "8012-3456-7890-1230",
        "",
        "８０１２３４５６７８９０１２３０",
    ],
)
def test_invalid_numbers(value):
    assert not is_valid_order_number(value)


def test_generate():
    numbers = {generate_order_number() for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert len(number) == 16
        assert number.startswith("8")
        assert is_valid_order_number(number)
    assert generate_order_number(prefix="42").startswith("42")
    with pytest.raises(ValueError):
        generate_order_number(prefix="x")
    with pytest.raises(ValueError):
        generate_order_number(prefix="1" * 16)


@pytest.mark.parametrize(
    "written",
    ["8012-3456-7890-1230", "8012 3456 7890 1230", "8012345678901230", " 8012-3456 7890-1230 "],
)
def test_normalise_accepts_dashes_spaces_or_nothing(written):
    assert normalise_order_number(written) == EXAMPLE


@pytest.mark.parametrize(
    "written", ["8012-3456-7890-1231", "8012-3456-7890", "80123456789012301", "abcd", ""]
)
def test_normalise_refuses(written):
    assert normalise_order_number(written) is None


def test_format_refuses_invalid():
    with pytest.raises(ValueError):
        format_order_number("1234")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Commande 8012-3456-7890-1230 pas reçue", [EXAMPLE]),
        ("order 8012 3456 7890 1230.", [EXAMPLE]),
        ("ref:8012345678901230,", [EXAMPLE]),
        ("n°8012-3456-7890-1230", [EXAMPLE]),
        ("8012345678901230#", [EXAMPLE]),  # IVR keypad
        ("8012 3456 7890 1230 2 articles", [EXAMPLE]),
        ("twice 8012345678901230 and 8012-3456-7890-1230", [EXAMPLE]),
        ("8012-3456-7890-1231", []),  # bad check digit
        ("98012345678901230", []),  # part of a longer run
        ("80123456789012309", []),
        ("8012-3456-7890-1230-1234", []),
        ("1234 8012 3456 7890 1230", []),
        ("80123456789012308012345678901230", []),
        ("call 01 23 45 67 89", []),
        ("", []),
    ],
)
def test_find_order_numbers(text, found):
    assert find_order_numbers(text) == found


def test_find_keeps_order_of_appearance():
    other = "4000000000000002"
    text = f"first {other}, then {format_order_number(EXAMPLE)}, then {other} again"
    assert find_order_numbers(text) == [other, EXAMPLE]


@settings(max_examples=200, derandomize=True)
@given(digits15)
def test_round_trip(body):
    number = body + luhn_check_digit(body)
    assert is_valid_order_number(number)
    formatted = format_order_number(number)
    assert normalise_order_number(formatted) == number
    assert normalise_order_number(formatted.replace("-", " ")) == number
    assert find_order_numbers(f"Bonjour, ma commande {formatted} !") == [number]
    assert find_order_numbers(f"order#{number}") == [number]


@settings(max_examples=200, derandomize=True)
@given(digits15, st.integers(min_value=0, max_value=15), st.integers(min_value=1, max_value=9))
def test_any_single_digit_typo_is_rejected(body, position, delta):
    number = body + luhn_check_digit(body)
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid_order_number(typo)
    assert normalise_order_number(typo) is None
    assert find_order_numbers(typo) == []
