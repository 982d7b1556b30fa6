"""Money: Decimal + ISO 4217 currency in code, integer minor units + currency in the database.

Never float. Rounding is half-even to the currency's minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .errors import ValidationFailed

# Minor-unit exponents (ISO 4217) of the currencies the platform accepts.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "CNY": 2,
    "PLN": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "CZK": 2,
    "MAD": 2,
    "JPY": 0,
    "KRW": 0,
    "BHD": 3,
    "TND": 3,
}
DEFAULT_CURRENCY = "EUR"


class CurrencyMismatch(ValueError):
    pass


def _check_currency(currency: str) -> str:
    code = currency.upper()
    if code not in CURRENCY_EXPONENTS:
        raise ValidationFailed(
            _("Unknown currency %(code)s.") % {"code": currency}, {"currency": currency}
        )
    return code


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float; use Decimal or a string.")
        currency = _check_currency(self.currency)
        try:
            amount = Decimal(self.amount)
        except (InvalidOperation, TypeError) as exc:
            raise ValidationFailed(_("Invalid amount."), {"amount": str(self.amount)}) from exc
        if not amount.is_finite():
            raise ValidationFailed(_("Invalid amount."), {"amount": str(self.amount)})
        object.__setattr__(self, "currency", currency)
        object.__setattr__(self, "amount", amount)

    # --- construction -------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str = DEFAULT_CURRENCY) -> Money:
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError("Minor units are an integer.")
        exponent = CURRENCY_EXPONENTS[_check_currency(currency)]
        return cls(Decimal(minor).scaleb(-exponent), currency)

    @classmethod
    def parse(cls, amount: str, currency: str = DEFAULT_CURRENCY) -> Money:
        """Parse user input ("12.34", "12,34"); refuses more decimals than the currency has."""
        text = str(amount).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationFailed(_("“%(value)s” is not an amount.") % {"value": amount}) from exc
        money = cls(value, currency)
        if money.quantize() != money:
            raise ValidationFailed(
                _("Too many decimals for %(currency)s.") % {"currency": money.currency},
                {"amount": str(amount)},
            )
        return money

    # --- conversion ---------------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    def quantize(self) -> Money:
        """Round half-even to the minor unit."""
        step = Decimal(1).scaleb(-self.exponent)
        return Money(self.amount.quantize(step, rounding=ROUND_HALF_EVEN), self.currency)

    @property
    def minor_units(self) -> int:
        q = self.quantize()
        if q.amount != self.amount:
            raise ValueError(
                f"{self.amount} is not a whole number of minor units; quantize() first."
            )
        return int(q.amount.scaleb(self.exponent))

    def as_api(self) -> dict[str, str]:
        q = self.quantize()
        return {"amount": f"{q.amount:.{self.exponent}f}", "currency": self.currency}

    # --- arithmetic ---------------------------------------------------------------------
    def _same(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}.")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} do not mix.")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float):
            raise TypeError("Money never multiplies by a float; use Decimal.")
        if not isinstance(factor, int | Decimal):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def is_negative(self) -> bool:
        return self.amount < 0

    def percent(self, rate: Decimal) -> Money:
        """``rate`` per cent of this amount, rounded half-even to the minor unit."""
        if isinstance(rate, float):
            raise TypeError("Rates are Decimal.")
        return Money(self.amount * Decimal(rate) / Decimal(100), self.currency).quantize()

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to ``weights`` with no minor unit lost or created
        (largest-remainder method; ties go to the earlier parts)."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("Weights must be non-negative and not all zero.")
        total_minor = self.quantize().minor_units
        total_weight = sum(weights)
        shares = [total_minor * w // total_weight for w in weights]
        remainders = [(total_minor * w) % total_weight for w in weights]
        left = total_minor - sum(shares)
        for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
            shares[index] += 1
        return [Money.from_minor(s, self.currency) for s in shares]

    def __str__(self) -> str:
        q = self.quantize()
        return f"{q.amount:.{self.exponent}f} {self.currency}"


def format_money(money: Money, language: str = "fr") -> str:
    """Human text: "12,34 €" in French, "€12.34" in English (other currencies by code)."""
    q = money.quantize()
    sign = "-" if q.amount < 0 else ""
    digits = f"{abs(q.amount):,.{q.exponent}f}"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(q.currency)
    if language == "fr":
        digits = digits.replace(",", "\u202f").replace(".", ",")
        return f"{sign}{digits}\u00a0{symbol or q.currency}"
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {q.currency}"


class MoneyAttribute:
    """Model descriptor joining ``<name>_minor`` (BigIntegerField) and ``<name>_currency``
    (CharField) into one Money: ``price = MoneyAttribute("price")``."""

    def __init__(self, name: str) -> None:
        self.minor = f"{name}_minor"
        self.currency = f"{name}_currency"

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        minor = getattr(instance, self.minor)
        if minor is None:
            return None
        return Money.from_minor(minor, getattr(instance, self.currency))

    def __set__(self, instance: Any, value: Money | None) -> None:
        if value is None:
            setattr(instance, self.minor, None)
            return
        setattr(instance, self.minor, value.minor_units)
        setattr(instance, self.currency, value.currency)
