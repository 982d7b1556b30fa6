"""Order numbers (PRODUCT.md §9): 16 digits with a Luhn check digit, shown ``8012-3456-7890-1230``.

``find_order_numbers`` is the one finder used everywhere (forms, e-mail, chat, IVR keypad)."""

from __future__ import annotations

import re
import secrets

ORDER_NUMBER_LENGTH = 16

# 16 digits, contiguous or in four groups of four separated by a dash or one or two spaces,
# and not part of a longer run of digits: no digit right before or after, and no dash-joined
# digit or space-separated group of four digits continuing the run.
_SEP = r"(?:-|[ \u00a0]{1,2})?"
_FINDER = re.compile(
    r"(?<!\d)(?<!\d-)(?<!\d{4} )(?<!\d{4}\u00a0)"
    rf"(\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}})"
    r"(?!\d)(?!-\d)(?![ \u00a0]\d{4}(?!\d))",
    re.ASCII,
)
_SEPARATORS = re.compile(r"[\s\-]")


def _luhn_sum(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def luhn_check_digit(digits15: str) -> str:
    """The Luhn digit to append to ``digits15`` (any length of digits, 15 for order numbers)."""
    if not digits15.isascii() or not digits15.isdigit():
        raise ValueError("luhn_check_digit takes digits only.")
    return str((10 - _luhn_sum(digits15 + "0") % 10) % 10)


def is_valid_order_number(value: str) -> bool:
    """Exactly 16 ASCII digits (no separators) with a correct Luhn check digit."""
    return (
        isinstance(value, str)
        and len(value) == ORDER_NUMBER_LENGTH
        and value.isascii()
        and value.isdigit()
        and _luhn_sum(value) % 10 == 0
    )


def generate_order_number(*, prefix: str = "8") -> str:
    """A random order number (``secrets``): ``prefix`` + random digits + check digit, 16 digits."""
    if not prefix.isascii() or not prefix.isdigit() or len(prefix) >= ORDER_NUMBER_LENGTH:
        raise ValueError("The prefix is 1 to 15 digits.")
    body = prefix + "".join(
        str(secrets.randbelow(10)) for _ in range(ORDER_NUMBER_LENGTH - 1 - len(prefix))
    )
    return body + luhn_check_digit(body)


def format_order_number(value: str) -> str:
    """``8012345678901230`` → ``8012-3456-7890-1230`` (accepts an already formatted one)."""
    digits = normalise_order_number(value)
    if digits is None:
        raise ValueError(f"{value!r} is not an order number.")
    return "-".join(digits[i : i + 4] for i in range(0, ORDER_NUMBER_LENGTH, 4))


def normalise_order_number(value: str) -> str | None:
    """Dashes, spaces or nothing between the digits → 16 digits; None if not a valid number."""
    if not isinstance(value, str):
        return None
    digits = _SEPARATORS.sub("", value.strip())
    return digits if is_valid_order_number(digits) else None


def find_order_numbers(text: str) -> list[str]:
    """Every valid order number in ``text`` (normalised, no dashes), in order, without repeats."""
    found: list[str] = []
    for match in _FINDER.finditer(text or ""):
        digits = _SEPARATORS.sub("", match.group(1))
        if is_valid_order_number(digits) and digits not in found:
            found.append(digits)
    return found
