"""Throughput of the order-number finder on realistic customer messages (FR/EN)."""

from __future__ import annotations

import random
from typing import Any

from bench import cached, timed

MESSAGES = 20_000

_TEMPLATES = [
    "Bonjour, ma commande {n} n'est toujours pas arrivée, pouvez-vous vérifier ?",
    "Hello, I never received order {n}. Tracking says delivered but nothing here.",
    "Commande n° {n} : le produit est cassé, je voudrais un remboursement.",
    "Je n'ai pas de numéro de commande, j'ai payé par carte le 12/03, 49,90 €.",
    "My phone is +33 6 12 34 56 78 and the parcel 1Z999AA10123456784 is late.",
    "Order {n} and also {n2}, both from the same seller, both missing items.",
    "Bonjour,\n\nJe vous écris au sujet de la commande {n}.\n\nCordialement,\nMarie",
]


def _order_number(rng: random.Random) -> str:
    body = "8" + "".join(str(rng.randrange(10)) for _ in range(14))
    total = 0
    for i, ch in enumerate(reversed(body + "0")):
        v = int(ch)
        if i % 2 == 1:
            v = v * 2 - 9 if v > 4 else v * 2
        total += v
    digits = body + str((10 - total % 10) % 10)
    style = rng.randrange(3)
    if style == 0:
        return digits
    sep = "-" if style == 1 else " "
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


def _generate() -> dict[str, Any]:
    rng = random.Random(20260101)
    messages = []
    expected = 0
    for _ in range(MESSAGES):
        template = rng.choice(_TEMPLATES)
        text = template.format(n=_order_number(rng), n2=_order_number(rng))
        expected += template.count("{n}") + template.count("{n2}")
        messages.append(text)
    return {"messages": messages, "expected": expected}


def run() -> dict[str, Any]:
    from comptoir.core.order_numbers import find_order_numbers

    data = cached("order_numbers", 1, _generate)
    messages: list[str] = data["messages"]
    found = sum(len(find_order_numbers(m)) for m in messages)
    assert found == data["expected"], (found, data["expected"])
    timing = timed(lambda: [find_order_numbers(m) for m in messages], repeat=5)
    chars = sum(len(m) for m in messages)
    return {
        "messages": len(messages),
        "numbers_found": found,
        "messages_per_s": round(len(messages) / timing["best_s"]),
        "mb_per_s": round(chars / timing["best_s"] / 1e6, 1),
        "best_ms": round(timing["best_s"] * 1000, 1),
        "median_ms": round(timing["median_s"] * 1000, 1),
    }
