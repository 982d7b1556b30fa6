"""Regenerate the training CSV files under ``data/train/`` from the phrase banks.

    .venv/bin/python -m comptoir.assistant.nlu.datagen

Deterministic (fixed seed): the same phrase banks give byte-identical files, so the model cache
key (a hash of the files) only changes when the data really changes. The generated files are
committed; the engine reads the CSV files, never this module. Variety comes from slots (items,
order numbers in every accepted format, tracking numbers, amounts), openings and closings, long
rambling contexts, accent stripping, SMS spellings and typos. The held-out files under
``data/heldout/`` were written by hand before this generator; it reads them only to drop any
generated row whose normalised text equals a held-out row (the leakage guard)."""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import phrases_en, phrases_fr, phrases_fr_2
from .labels import INTENT_NODES, OUT_OF_SCOPE

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_DIR = DATA_DIR / "train"
PER_INTENT = 140
PER_NODE = 32
PER_SMALL_TALK = 56
OOS_PER_LANGUAGE = 360

ITEMS = {
    "en": [
        "headphones",
        "phone case",
        "summer dress",
        "sneakers",
        "desk lamp",
        "smartwatch",
        "usb charger",
        "backpack",
        "drone",
        "bluetooth speaker",
        "rain jacket",
        "blender",
        "tablet",
        "sunglasses",
        "gaming mouse",
        "coffee grinder",
        "LED strip",
        "wallet",
        "hair dryer",
        "kids bike helmet",
        "yoga mat",
        "earrings",
        "power bank",
        "keyboard",
    ],
    "fr": [
        "casque",
        "coque de telephone",
        "robe d'ete",
        "baskets",
        "lampe de bureau",
        "montre connectee",
        "chargeur usb",
        "sac a dos",
        "drone",
        "enceinte bluetooth",
        "impermeable",
        "mixeur",
        "tablette",
        "lunettes de soleil",
        "souris gamer",
        "moulin a cafe",
        "ruban LED",
        "portefeuille",
        "seche cheveux",
        "casque velo enfant",
        "tapis de yoga",
        "boucles d'oreilles",
        "batterie externe",
        "clavier",
    ],
}
CARRIERS = {
    "en": [
        "the courier",
        "DHL",
        "UPS",
        "the post office",
        "Cainiao",
        "FedEx",
        "Royal Mail",
        "the delivery company",
        "USPS",
    ],
    "fr": [
        "le livreur",
        "Colissimo",
        "La Poste",
        "Chronopost",
        "DHL",
        "UPS",
        "Mondial Relay",
        "le transporteur",
        "Cainiao",
    ],
}
AMOUNTS = {
    "en": ["$15", "€12.50", "20 EUR", "15.99 USD", "30 euros", "£9.99", "45 dollars", "8 €"],
    "fr": ["12,50 €", "30 euros", "20 EUR", "€15", "9,99€", "45 balles", "15 dollars", "8 €"],
}
EMAILS = ["jean.dupont@example.com", "mika_22@example.org", "sarah.k@example.net"]

OPENINGS = {
    "en": [
        "",
        "",
        "",
        "",
        "hi, ",
        "hello, ",
        "hey ",
        "good morning, ",
        "hi there, ",
        "excuse me, ",
        "sorry to bother you, ",
        "quick question: ",
        "URGENT ",
        "hello, I need help. ",
        "Dear customer service, ",
        "hi team, ",
        "um, ",
    ],
    "fr": [
        "",
        "",
        "",
        "",
        "bonjour, ",
        "slt ",
        "bonsoir, ",
        "excusez moi, ",
        "svp ",
        "URGENT ",
        "Madame, Monsieur, ",
        "petite question : ",
        "bonjour j'ai besoin d'aide. ",
        "coucou, ",
        "bjr ",
        "allo, ",
        "hello, ",
    ],
}
CONTEXTS = {
    "en": [
        "I bought a {item} from a shop on your site {n} days ago and ",
        "so I'm writing because ",
        "this is my third message about this, ",
        "about my {item}, order {order}: ",
        "long story short, ",
        "I've been a customer for years and honestly ",
        "ok so my mom ordered a {item} for my birthday using my account, and ",
        "I already contacted you last week with no answer, so again: ",
        "I'm on holiday right now and checking my phone, ",
        "my order number is {order}. ",
        "ordered a {item} and a {item} on the same day, anyway ",
    ],
    "fr": [
        "j'ai acheté un {item} sur votre site il y a {n} jours et ",
        "voila je vous ecris parce que ",
        "c'est mon troisieme message a ce sujet, ",
        "pour mon {item}, commande {order} : ",
        "pour faire court, ",
        "je suis client depuis des annees et franchement ",
        "alors ma mere a commandé un {item} pour mon anniv avec mon compte, et ",
        "je vous ai deja contacté la semaine derniere sans reponse, donc encore une fois : ",
        "je suis en vacances et je regarde sur mon tel, ",
        "mon numero de commande c'est {order}. ",
        "j'ai commandé un {item} et un {item} le meme jour, bref ",
    ],
}
CLOSINGS = {
    "en": [
        "",
        "",
        "",
        "",
        "?",
        " please",
        " pls",
        " thanks",
        " thank you",
        " asap",
        "!!",
        " thanks in advance",
        ". I'm really fed up",
        ". order number is {order}",
        ". can you help me",
        ". my email is {email}",
        " :(",
        "...",
    ],
    "fr": [
        "",
        "",
        "",
        "",
        " ?",
        " svp",
        " stp",
        " merci",
        " merci d'avance",
        " rapidement svp",
        " !!",
        ". j'en ai marre",
        ". numero de commande {order}",
        ". vous pouvez m'aider",
        ". mon mail c'est {email}",
        " :(",
        "...",
        " merci bcp",
    ],
}


def luhn_order_number(rng: random.Random) -> str:
    digits = [8, 0] + [rng.randrange(10) for _ in range(13)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def formatted_order(rng: random.Random) -> str:
    raw = luhn_order_number(rng)
    groups = [raw[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice(["-".join(groups), " ".join(groups), raw, "#" + raw, "n°" + "-".join(groups)])


def tracking_number(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    kind = rng.randrange(4)
    if kind == 0:  # UPU S10
        return (
            rng.choice(["LP", "RR", "LY", "CP", "UA", "LX"])
            + "".join(str(rng.randrange(10)) for _ in range(9))
            + rng.choice(["CN", "FR", "HK", "GB", "US"])
        )
    if kind == 1:  # UPS
        return "1Z" + "".join(rng.choice(letters + "0123456789") for _ in range(16))
    if kind == 2:  # Colissimo-like
        return "6A" + "".join(str(rng.randrange(10)) for _ in range(11))
    return "".join(str(rng.randrange(10)) for _ in range(12))


def strip_accents(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def add_typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.randrange(3)
    if op == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif op == 1:
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


# French registers: informal phrasings made formal ("j'ai pas" → "je n'ai pas") and SMS forms.
FORMAL_FR = [
    ("j'ai pas", "je n'ai pas"),
    ("c'est pas", "ce n'est pas"),
    ("y'a", "il y a"),
    ("je peux pas", "je ne peux pas"),
    ("j'arrive pas", "je n'arrive pas"),
    ("marche pas", "ne marche pas"),
    ("fonctionne pas", "ne fonctionne pas"),
    ("je veux plus", "je ne veux plus"),
    ("repond pas", "ne repond pas"),
    ("s'allume pas", "ne s'allume pas"),
    ("est pas", "n'est pas"),
    ("a pas", "n'a pas"),
    ("j'ai jamais", "je n'ai jamais"),
    ("ca", "cela"),
]
SMS_FR = [
    ("commande", "cmd"),
    ("beaucoup", "bcp"),
    ("pourquoi", "pk"),
    ("quelque", "qlq"),
    ("c'est", "c"),
    ("aujourd'hui", "ajd"),
    ("rien", "r1"),
    ("s'il vous plait", "svp"),
    ("qu'est ce que", "kesk"),
    ("bonjour", "bjr"),
    ("merci", "mrc"),
    ("je suis", "jsuis"),
    ("vous", "vs"),
    ("toujours", "tjrs"),
    ("quoi", "koi"),
    ("est-ce que", "esk"),
]


def french_register(text: str, rng: random.Random) -> str:
    roll = rng.random()
    pairs = FORMAL_FR if roll < 0.3 else SMS_FR if roll < 0.5 else []
    for informal, other in pairs:
        text = re.sub(rf"\b{re.escape(informal)}\b", other, text)
    return text


def filler(lang: str, rng: random.Random) -> Callable[[str], str]:
    def fill(template: str) -> str:
        out = template
        while "{" in out:
            out = (
                out.replace("{item}", rng.choice(ITEMS[lang]), 1)
                .replace("{order}", formatted_order(rng), 1)
                .replace("{n}", str(rng.choice([2, 3, 5, 7, 10, 12, 15, 20, 30, 45])), 1)
                .replace("{amount}", rng.choice(AMOUNTS[lang]), 1)
                .replace("{carrier}", rng.choice(CARRIERS[lang]), 1)
                .replace("{track}", tracking_number(rng), 1)
                .replace("{email}", rng.choice(EMAILS), 1)
            )
        return out

    return fill


def vary(core: str, lang: str, rng: random.Random, *, plain: bool, ramble: bool) -> str:
    fill = filler(lang, rng)
    text = fill(core)
    if not plain:
        if ramble and rng.random() < 0.3:
            text = fill(rng.choice(CONTEXTS[lang])) + text
        text = fill(rng.choice(OPENINGS[lang])) + text + fill(rng.choice(CLOSINGS[lang]))
        if rng.random() < 0.25:
            text = add_typo(text, rng)
        if lang == "fr":
            text = french_register(text, rng)
            if rng.random() < 0.35:
                text = strip_accents(text)
        roll = rng.random()
        if roll < 0.5:
            text = text.lower()
        elif roll < 0.85:
            text = text[:1].upper() + text[1:]
    return " ".join(text.split())


def expand(
    cores: list[str], lang: str, rng: random.Random, count: int, *, ramble: bool = True
) -> list[tuple[str, int]]:
    """(text, index of the hand-written phrasing it came from) pairs, ``count`` of them."""
    seen: dict[str, int] = {}
    for index, core in enumerate(cores):  # every hand-written phrasing once, as written
        seen.setdefault(" ".join(filler(lang, rng)(core).split()), index)
    attempts = 0
    while len(seen) < count and attempts < count * 50:
        attempts += 1
        index = attempts % len(cores)
        seen.setdefault(vary(cores[index], lang, rng, plain=False, ramble=ramble), index)
    return list(seen.items())[: max(count, len(cores))]


def small_talk_variants(
    cores: list[str], lang: str, rng: random.Random, count: int
) -> list[tuple[str, int]]:
    seen: dict[str, int] = {core: index for index, core in enumerate(cores)}
    attempts = 0
    while len(seen) < count and attempts < count * 50:
        attempts += 1
        index = rng.randrange(len(cores))
        text = cores[index]
        roll = rng.random()
        if roll < 0.3:
            text = text.capitalize()
        elif roll < 0.5:
            text = text + rng.choice(["!", " :)", "!!", ".", " 🙂"])
        elif roll < 0.7:
            text = add_typo(text, rng)
        else:
            text = (
                text.upper()
                if rng.random() < 0.3
                else text.lower() + " " + rng.choice(["", "!", "."])
            )
        seen.setdefault(" ".join(text.split()), index)
    return list(seen.items())[:count]


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", strip_accents(text.casefold())).strip()


def heldout_texts(lang: str) -> set[str]:
    texts: set[str] = set()
    for path in (DATA_DIR / "heldout").glob(f"*_{lang}.csv"):
        with open(path, newline="", encoding="utf-8") as f:
            texts |= {normalised(row["text"]) for row in csv.DictReader(f)}
    return texts


#: Later phrase-bank modules per language (``MORE_6``, ``MORE_SMALL_2``, ``MORE_OOS_2``).
EXTRA_BANKS: dict[str, list[Any]] = {"en": [], "fr": [phrases_fr_2]}

Row = tuple[str, str, str, str]  # text, label, node (intents only), group


def build(lang: str) -> tuple[list[Row], list[Row]]:
    bank = phrases_en if lang == "en" else phrases_fr
    rng = random.Random(f"comptoir-nlu-{lang}")
    intents: list[Row] = []
    for intent, base in bank.INTENTS.items():
        cores = base + [
            phrase
            for batch in (
                bank.MORE,
                bank.MORE_2,
                bank.MORE_3,
                getattr(bank, "MORE_4", {}),
                getattr(bank, "MORE_5", {}),
                *(extra.MORE_6 for extra in EXTRA_BANKS[lang]),
            )
            for phrase in batch.get(intent, [])
        ]
        node = INTENT_NODES[intent] or ""
        for text, i in expand(cores, lang, rng, PER_INTENT):
            intents.append((text, intent, node, f"{lang}.{intent}.{i}"))
    for intent, small in bank.SMALL_TALK.items():
        cores = small + (bank.MORE_GREETINGS if intent == "greeting" else [])
        cores = cores + bank.MORE_SMALL.get(intent, [])
        cores += [p for extra in EXTRA_BANKS[lang] for p in extra.MORE_SMALL_2.get(intent, [])]
        for text, i in small_talk_variants(cores, lang, rng, PER_SMALL_TALK):
            intents.append((text, intent, "", f"{lang}.{intent}.{i}"))
    for text, i in expand(
        bank.OUT_OF_SCOPE
        + bank.MORE_OOS
        + [p for extra in EXTRA_BANKS[lang] for p in extra.MORE_OOS_2],
        lang,
        rng,
        OOS_PER_LANGUAGE,
        ramble=False,
    ):
        intents.append((text, OUT_OF_SCOPE, "", f"{lang}.{OUT_OF_SCOPE}.{i}"))
    nodes: list[Row] = []
    for node, cores in bank.NODES.items():
        for text, i in expand(cores, lang, rng, PER_NODE):
            nodes.append((text, node, node, f"{lang}.{node}.{i}"))
    held = heldout_texts(lang)
    intents = [row for row in intents if normalised(row[0]) not in held]
    nodes = [row for row in nodes if normalised(row[0]) not in held]
    return intents, nodes


def main() -> None:
    TRAIN_DIR.mkdir(parents=True, exist_ok=True)
    missing = set(INTENT_NODES) - set(phrases_en.INTENTS) - set(phrases_en.SMALL_TALK)
    assert not missing, missing
    for lang in ("en", "fr"):
        intents, nodes = build(lang)
        with open(TRAIN_DIR / f"intents_{lang}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["text", "intent", "node", "group"])
            writer.writerows(intents)
        with open(TRAIN_DIR / f"nodes_{lang}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["text", "node", "group"])
            writer.writerows((text, node, group) for text, _, node, group in nodes)
        print(f"{lang}: {len(intents)} intent rows, {len(nodes)} node rows")


if __name__ == "__main__":
    main()
