"""Team codes seeded by the "taxonomy" seeder (a test keeps them equal to the fixture).

Other seeders (accounts' demo agents) declare ``after=("taxonomy",)`` and look teams up by
these codes; ``selectors.team_for_node`` gives the team of any node."""

from __future__ import annotations

TEAM_DISPUTES = "disputes"  # owns returns.dispute and returns.decision
TEAM_REPORT_SELLER = "report-seller"  # owns technical.report

TEAM_CODES: tuple[str, ...] = (
    "delivery-delay",
    "delivery-not-received",
    "delivery-customs",
    "delivery-not-shipped",
    "delivery-address",
    "delivery-missed",
    "item-damaged",
    "item-wrong",
    "item-not-as-described",
    "item-defective",
    "item-empty",
    "returns-return",
    "returns-refund",
    TEAM_DISPUTES,
    "payment-failed",
    "payment-verification",
    "payment-charged",
    "payment-methods",
    "account-blocked",
    "account-login",
    "account-security",
    "account-data",
    "technical-bug",
    "technical-button",
    TEAM_REPORT_SELLER,
    "technical-reviews",
)
