"""Language detection: FR/EN first, then lingua restricted to a few languages.

Short customer messages are often informal ("bonjour jai pas recu mon colis"), unaccented,
or mixed ("je veux un refund"). Cheap cues (function words, accents) decide between French and
English first; lingua (built once, lazily) handles everything else. The account language
(``hint``) breaks ties on very short or ambiguous texts."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

SUPPORTED = frozenset({"fr", "en"})

NAMES = {
    "fr": "French",
    "en": "English",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "ar": "Arabic",
    "zh": "Chinese",
    "ru": "Russian",
    "tr": "Turkish",
    "ja": "Japanese",
}

# Words that mark a language's grammar (weight 2) — chosen not to be common words of the other
# detected languages (so no "de", "la", "il", "que", "no", "ma", "du"…) — and everyday words of
# customer care (weight 1), which mixed messages borrow more easily.
_FR_GRAMMAR = frozenset(
    """je j jai tu nous vous ils elles les des au aux une et est sont pas mon votre vos notre
    nos cette ces qui pour avec dans sur sans chez suis ai avons avez ont été etre être veux
    voudrais peux pouvez fait faire avoir toujours jamais rien aucun aucune depuis encore
    cest qu ça ca où quand pourquoi comment quoi mais bien aussi donc alors trop""".split()
)
_FR_WORDS = frozenset(
    """bonjour bonsoir salut merci svp stp oui colis commande commandé commande remboursement
    rembourser remboursé livraison livré livre reçu recu vendeur article aujourd hui hier
    demain jours semaine semaines mois argent problème probleme arrivé arrive annuler
    annulation retour suivi madame monsieur cordialement""".split()
)
_EN_GRAMMAR = frozenset(
    """i im i'm my you your the and is are was were have has had not dont didnt doesnt
    isnt wasnt havent cant wont it its this that with for of from to still never yet can
    could would will want need got been what where when why how which there they their
    we our am just""".split()
)
_EN_WORDS = frozenset(
    """hello hi hey thanks thank please pls order package parcel received receive refund
    seller item delivery delivered shipping arrived tracking money back today yesterday
    days week weeks problem cancel return yes sorry regards""".split()
)
_FR_ACCENTS = frozenset("èêàùçœîïôûëâ")

_TOKEN = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()
_detector: Any = None


@dataclass(frozen=True)
class DetectedLanguage:
    code: str  # ISO 639-1, lowercase
    name: str  # English name
    confidence: float  # 0..1
    supported: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "supported", self.code in SUPPORTED)


def _result(code: str, confidence: float) -> DetectedLanguage:
    return DetectedLanguage(
        code=code, name=NAMES.get(code, code), confidence=round(max(0.0, min(confidence, 1.0)), 3)
    )


def _get_detector() -> Any:
    """The lingua detector, built once per process (thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [
                    Language.FRENCH,
                    Language.ENGLISH,
                    Language.SPANISH,
                    Language.GERMAN,
                    Language.ITALIAN,
                    Language.PORTUGUESE,
                    Language.DUTCH,
                    Language.POLISH,
                    Language.ARABIC,
                    Language.CHINESE,
                    Language.RUSSIAN,
                    Language.TURKISH,
                    Language.JAPANESE,
                ]
                _detector = LanguageDetectorBuilder.from_languages(*languages).build()
    return _detector


def _lingua(text: str) -> list[tuple[str, float]]:
    values = _get_detector().compute_language_confidence_values(text)
    return [(value.language.iso_code_639_1.name.lower(), float(value.value)) for value in values]


def _cues(tokens: list[str]) -> tuple[float, float]:
    fr = en = 0.0
    for token in tokens:
        if token in _FR_GRAMMAR:
            fr += 2
        elif token in _FR_WORDS:
            fr += 1
        elif _FR_ACCENTS.intersection(token):
            fr += 1
        if token in _EN_GRAMMAR:
            en += 2
        elif token in _EN_WORDS:
            en += 1
    return fr, en


def detect_language(text: str, *, hint: str | None = None) -> DetectedLanguage:
    """The language of ``text``. ``hint`` (the account language) decides when the text is too
    short or ambiguous to tell; empty or emoji-only text gives the hint (else English) with
    confidence 0."""
    hint = (hint or "").lower()[:2] or None
    tokens = _TOKEN.findall((text or "").lower().replace("’", "'"))
    if not tokens:
        return _result(hint or "en", 0.0)
    # "j'ai" and "jai" alike: the apostrophe splits French elisions.
    tokens = [part for token in tokens for part in token.split("'") if part]
    fr, en = _cues(tokens)
    ranked = _lingua(" ".join(tokens) if len(tokens) < 4 else text)
    scores = dict(ranked)
    top_code, top_conf = ranked[0] if ranked else (hint or "en", 0.0)
    short = len(tokens) <= 3

    # 1. FR/EN cues decide, unless a long text is clearly in another language.
    best, other = ("fr", "en") if fr > en else ("en", "fr")
    strong = max(fr, en) >= 2 or (short and max(fr, en) >= 1)
    if fr != en and strong:
        foreign_and_sure = top_code not in SUPPORTED and top_conf >= 0.7 and len(tokens) > 6
        if not foreign_and_sure:
            margin = abs(fr - en) / (fr + en)
            evidence = min(1.0, (fr + en) / 4)
            return _result(best, max(scores.get(best, 0.0), 0.5 + 0.45 * margin * evidence))

    # 2. Too short or FR/EN tie: the hint decides, else the likelier of FR and EN.
    ambiguous = fr == en and fr > 0
    if ambiguous or (short and top_conf < 0.4):
        if hint in SUPPORTED:
            return _result(hint, min(0.5, scores.get(hint, 0.0) + 0.2))
        if ambiguous or top_code not in SUPPORTED:
            fallback = "fr" if scores.get("fr", 0.0) >= scores.get("en", 0.0) else "en"
            return _result(fallback, min(0.4, scores.get(fallback, 0.0)))

    # 3. lingua.
    return _result(top_code, top_conf)


def warm_up() -> None:
    """Build the detector now (a web worker calls this before serving): the first build takes
    seconds of CPU, which would otherwise land in a customer's request."""
    detect_language("Bonjour, je n'ai pas reçu mon colis. Hello, where is my parcel?")
