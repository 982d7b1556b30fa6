"""The node predictor: free text → the second-level taxonomy node it is about.

The support desk's intake calls ``predict_node`` for every message that arrives without a
chosen node (e-mail, social, phone notes…). Core ships a small keyword-rules predictor as the
fallback; the assistant's understanding engine registers its classifier under the same key with
``replace=True``. Callers pass ``allowed_codes`` (the live, non-retired nodes): a predictor
never answers a code outside it, so a retired node is never predicted::

    from comptoir.core.node_predictor import predict_node

    prediction = predict_node(text, language="fr", allowed_codes=node_codes(level=2))
    if prediction is not None and prediction.confidence >= 0.5:
        ...
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .registry import Registry

logger = logging.getLogger(__name__)

DEFAULT_KEY = "default"


@dataclass(frozen=True)
class NodePrediction:
    code: str  # a node code from allowed_codes
    confidence: float  # 0..1


NodePredictorFn = Callable[[str, str, frozenset[str]], "NodePrediction | None"]
"""(text, language, allowed_codes) → a prediction within allowed_codes, or None."""

node_predictors: Registry[NodePredictorFn] = Registry("node predictors")


def predict_node(
    text: str, *, language: str, allowed_codes: Iterable[str]
) -> NodePrediction | None:
    """The registered predictor's answer, or None when it has none (or fails: intake then
    leaves the node to the agent). The answer is always one of ``allowed_codes``."""
    allowed = frozenset(allowed_codes)
    if not (text or "").strip() or not allowed:
        return None
    predictor = node_predictors.get(DEFAULT_KEY)
    try:
        prediction = predictor(text, language, allowed)
    except Exception:
        logger.exception("node predictor failed; falling back to keyword rules")
        prediction = keyword_predictor(text, language, allowed)
    if prediction is None or prediction.code not in allowed:
        return None
    return prediction


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


# Keyword rules, most specific first: (node code, FR/EN keywords on accent-folded text).
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("delivery.customs", ("douane", "customs", "import dut", "droits d'import")),
    ("item.empty", ("colis vide", "carton vide", "empty box", "empty parcel", "empty package")),
    ("item.damaged", ("endommag", "abime", "casse", "damaged", "broken", "crushed", "ecrase")),
    ("item.wrong", ("mauvais article", "wrong item", "wrong size", "mauvaise taille")),
    ("item.not_as_described", ("contrefa", "counterfeit", "not as described", "non conforme")),
    (
        "item.defective",
        (
            "ne marche pas",
            "ne fonctionne pas",
            "defectueu",
            "doesn't work",
            "not working",
            "stopped working",
            "defective",
        ),
    ),
    ("returns.decision", ("faire appel", "appeal", "contester la decision")),
    ("returns.dispute", ("litige", "dispute", "reclamation", "claim")),
    ("returns.refund", ("rembours", "refund")),
    ("returns.return", ("retourner", "renvoyer", "return label", "send it back", "retour")),
    ("payment.charged", ("deux fois", "charged twice", "double", "preleve", "debite")),
    ("payment.failed", ("paiement refuse", "carte refusee", "declined", "payment failed")),
    ("payment.methods", ("coupon", "code promo", "paypal", "payment method")),
    ("account.security", ("pirat", "hacked", "unusual", "inhabituel")),
    ("account.login", ("mot de passe", "password", "connecter", "log in", "login")),
    ("account.blocked", ("bloque", "suspendu", "blocked", "suspended")),
    ("technical.report", ("arnaque", "scam", "signaler", "report")),
    ("technical.bug", ("bug", "plante", "crash", "erreur", "error")),
    ("delivery.address", ("adresse", "address")),
    ("delivery.missed", ("avis de passage", "point relais", "missed", "pickup point")),
    ("delivery.not_shipped", ("annuler", "cancel", "pas expedie", "not shipped")),
    (
        "delivery.not_received",
        (
            "pas recu",
            "jamais recu",
            "perdu",
            "not received",
            "lost",
            "never received",
            "never arrived",
        ),
    ),
    ("delivery.delay", ("retard", "late", "delay", "suivi", "tracking", "ou est", "where is")),
)


def keyword_predictor(text: str, language: str, allowed: frozenset[str]) -> NodePrediction | None:
    """The fallback: the first rule whose keyword occurs, at a modest confidence."""
    folded = re.sub(r"\s+", " ", _fold(text))
    for code, keywords in _RULES:
        if code in allowed and any(keyword in folded for keyword in keywords):
            return NodePrediction(code=code, confidence=0.5)
    return None


node_predictors.register(DEFAULT_KEY, keyword_predictor)


def warm_up() -> None:
    """Load the registered predictor's model now (a web worker calls this before serving)."""
    predict_node("Bonjour, je n'ai pas reçu mon colis.", language="fr", allowed_codes={"-"})
