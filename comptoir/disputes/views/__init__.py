"""Dispute and return pages: parse, call one service or selector, render.

- ``buyer``: "Ouvrir un litige" step by step, the change-of-mind return request;
- ``detail``: the dispute page and its actions (with a confirmation before irreversible ones);
- ``seller``: the seller's disputes and returns, nearest deadline first;
- ``officer``: the officers' queues and the arbitration screen;
- ``returns``: a return's page (address, shipping with tracking, receipt)."""

from .buyer import dispute_open, return_request
from .detail import dispute_act, dispute_detail
from .officer import arbitration, officer_queues
from .returns import return_act, return_detail
from .seller import seller_disputes

__all__ = [
    "arbitration",
    "dispute_act",
    "dispute_detail",
    "dispute_open",
    "officer_queues",
    "return_act",
    "return_detail",
    "return_request",
    "seller_disputes",
]
