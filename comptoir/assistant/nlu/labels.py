"""The label sets of PRODUCT.md §5 (second-level nodes) and §6 (intents). Names are stable:
evaluation data uses them."""

from __future__ import annotations

OUT_OF_SCOPE = "out_of_scope"

#: intent → the second-level taxonomy node it routes to (None: no node, small talk or handoff).
INTENT_NODES: dict[str, str | None] = {
    "order_status": "delivery.delay",
    "delivery_delay": "delivery.delay",
    "parcel_not_received": "delivery.not_received",
    "customs": "delivery.customs",
    "cancel_order": "delivery.not_shipped",
    "change_address": "delivery.address",
    "missed_delivery": "delivery.missed",
    "parcel_damaged": "item.damaged",
    "wrong_item": "item.wrong",
    "not_as_described": "item.not_as_described",
    "item_defective": "item.defective",
    "return_item": "returns.return",
    "refund_status": "returns.refund",
    "open_dispute": "returns.dispute",
    "dispute_status": "returns.dispute",
    "buyer_protection": "returns.dispute",
    "confirm_receipt": "delivery.delay",
    "payment_failed": "payment.failed",
    "payment_charged_wrong": "payment.charged",
    "payment_methods": "payment.methods",
    "account_blocked": "account.blocked",
    "login_problem": "account.login",
    "account_data": "account.data",
    "contact_seller": "returns.dispute",
    "technical_issue": "technical.bug",
    "report_seller": "technical.report",
    "talk_to_agent": None,
    "greeting": None,
    "thanks": None,
    "goodbye": None,
}

INTENTS: tuple[str, ...] = (*INTENT_NODES, OUT_OF_SCOPE)

#: The 26 second-level nodes of PRODUCT.md §5, in the document's order.
NODES: tuple[str, ...] = (
    "delivery.delay",
    "delivery.not_received",
    "delivery.customs",
    "delivery.not_shipped",
    "delivery.address",
    "delivery.missed",
    "item.damaged",
    "item.wrong",
    "item.not_as_described",
    "item.defective",
    "item.empty",
    "returns.return",
    "returns.refund",
    "returns.dispute",
    "returns.decision",
    "payment.failed",
    "payment.verification",
    "payment.charged",
    "payment.methods",
    "account.blocked",
    "account.login",
    "account.security",
    "account.data",
    "technical.bug",
    "technical.button",
    "technical.report",
    "technical.reviews",
)

SMALL_TALK: frozenset[str] = frozenset({"greeting", "thanks", "goodbye"})


def node_for_intent(intent: str) -> str | None:
    return INTENT_NODES.get(intent)
