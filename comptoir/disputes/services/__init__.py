"""Every write of a dispute, by subdomain: ``opening``, ``answers`` (seller and buyer),
``arbitration`` (officers, appeal), ``settlement`` (money), ``deadlines`` (sweeps). Returns are in
``disputes.returns``, evidence and evidence requests in ``disputes.evidence``.

Each service locks the dispute row, checks the transition table (``transitions.TRANSITIONS``),
writes the new status and one ``DisputeEvent`` (handed to ``notify.event_recorded``). Money moves
only through ledger services and only when the outcome is agreed or final."""

from .answers import (
    dispute_accept,
    dispute_accept_counter,
    dispute_cancel,
    dispute_escalate,
    dispute_modify,
    dispute_refuse,
    dispute_reopen,
)
from .arbitration import dispute_appeal, dispute_decide, dispute_decide_appeal
from .deadlines import dispute_finalise, dispute_no_agreement, dispute_seller_silence
from .opening import dispute_open

__all__ = [
    "dispute_accept",
    "dispute_accept_counter",
    "dispute_appeal",
    "dispute_cancel",
    "dispute_decide",
    "dispute_decide_appeal",
    "dispute_escalate",
    "dispute_finalise",
    "dispute_modify",
    "dispute_no_agreement",
    "dispute_open",
    "dispute_refuse",
    "dispute_reopen",
    "dispute_seller_silence",
]
