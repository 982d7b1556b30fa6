"""Evidence: limits per kind, order messages as evidence, officers' requests for more."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.sweeps import run_sweep
from comptoir.core.uploads.models import Upload
from comptoir.disputes import evidence as ev
from comptoir.disputes import services as s
from comptoir.disputes.enums import DisputeStatus as S
from comptoir.disputes.models import Evidence, EvidenceRequest
from comptoir.disputes.selectors import (
    Waiting,
    allowed_actions,
    appeal_queue,
    dispute_waiting_on,
    officer_queue,
)
from comptoir.ledger.models import Refund
from comptoir.messaging.services import conversation_start, message_send

from .conftest import DAY, photo_of
from .test_services import NOW, delivered, open_received

pytestmark = pytest.mark.django_db


def escalated(buyer, seller, order, *, at=NOW):
    d = open_received(buyer, order)
    with clock.frozen_at(at):
        s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
        s.dispute_escalate(user=buyer, public_id=d.public_id)
    d.refresh_from_db()
    return d


def test_order_messages_are_attached_as_evidence(buyer, seller, shop):
    order = delivered(buyer, shop)
    with clock.frozen_at(NOW - DAY):
        conversation, first = conversation_start(
            buyer=buyer, order=order, text="Le colis est arrivé écrasé"
        )
        answer = message_send(conversation=conversation, sender=seller, text="Envoyez une photo")
    d = open_received(buyer, order)
    with clock.frozen_at(NOW + DAY):
        added = ev.evidence_add(
            user=seller,
            public_id=d.public_id,
            message_ids=[answer.public_id, first.public_id],
            note="Nous avions répondu",
        )
    assert sorted(e.message_id for e in added) == sorted([first.pk, answer.pk])
    assert {e.side for e in added} == {"seller"}
    event = d.events.get(action="evidence")
    assert (event.old_status, event.new_status, event.actor_kind) == (
        S.AWAITING_SELLER,
        S.AWAITING_SELLER,
        "seller",
    )
    assert sorted(event.payload["messages"]) == sorted([first.public_id, answer.public_id])
    assert event.payload["note"] == "Nous avions répondu"
    with pytest.raises(ValidationFailed):  # nothing new
        ev.evidence_add(user=seller, public_id=d.public_id, message_ids=[answer.public_id])


def test_messages_of_another_conversation_are_refused(buyer, seller, shop):
    order = delivered(buyer, shop)
    other = delivered(buyer, shop, prices=("5.00",))
    _c, message = conversation_start(buyer=buyer, order=other, text="Autre commande")
    d = open_received(buyer, order)
    with pytest.raises(NotFound):
        ev.evidence_add(user=buyer, public_id=d.public_id, message_ids=[message.public_id])
    assert not Evidence.objects.filter(message__isnull=False).exists()


def test_at_most_ten_files(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)  # one photo already
    nine = [photo_of(buyer) for _ in range(9)]
    ev.evidence_add(user=buyer, public_id=d.public_id, uploads=nine)
    assert d.evidence.count() == 10
    with pytest.raises(ValidationFailed) as exc:
        ev.evidence_add(user=buyer, public_id=d.public_id, uploads=[photo_of(buyer)])
    assert exc.value.details == {"field": "evidence", "max": 10}
    assert d.evidence.count() == 10


def test_size_limits_per_kind(buyer, seller, shop, settings):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    photo = photo_of(buyer)
    Upload.objects.filter(pk=photo.pk).update(size=5 * 1024 * 1024 + 1)
    photo.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        ev.evidence_add(user=buyer, public_id=d.public_id, uploads=[photo])
    assert exc.value.details["upload"] == photo.public_id
    assert ev.max_bytes("video") == 100 * 1024 * 1024
    assert ev.max_bytes("pdf") == 10 * 1024 * 1024
    settings.DISPUTES_EVIDENCE_MAX_IMAGE_BYTES = 6 * 1024 * 1024
    assert len(ev.evidence_add(user=buyer, public_id=d.public_id, uploads=[photo])) == 1


def test_someone_elses_upload_is_refused(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    with pytest.raises(NotFound):
        ev.evidence_add(user=seller, public_id=d.public_id, uploads=[photo_of(buyer)])


def test_evidence_request_answered_goes_back_to_the_officers(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    with clock.frozen_at(NOW + DAY):
        request = ev.evidence_request(
            user=officer, public_id=d.public_id, party="seller", message="Photo du colis ?"
        )
    d.refresh_from_db()
    assert (d.status, d.due_at, request.due_at) == (
        S.EVIDENCE_REQUESTED,
        NOW + 4 * DAY,
        NOW + 4 * DAY,
    )
    assert dispute_waiting_on(d) == Waiting("seller", NOW + 4 * DAY)
    assert [t.action for t in allowed_actions(d, {"seller"})] == ["submit-evidence"]
    assert [t.action for t in allowed_actions(d, {"buyer"})] == ["cancel"]
    with pytest.raises(Conflict) as exc:
        ev.evidence_submit(user=buyer, public_id=d.public_id, message="Moi aussi")
    assert exc.value.code == "not_asked"
    with clock.frozen_at(NOW + 2 * DAY):  # Saturday 14 March
        ev.evidence_submit(
            user=seller, public_id=d.public_id, message="Voici", uploads=[photo_of(seller)]
        )
    d.refresh_from_db()
    request.refresh_from_db()
    # Back with the officers: decision due 2 business days later (Tuesday 17 March).
    assert (d.status, d.due_at) == (S.ESCALATED, NOW + 5 * DAY)
    assert dispute_waiting_on(d) == Waiting("officer", NOW + 5 * DAY)
    assert (request.status, request.answered_at) == ("answered", NOW + 2 * DAY)
    assert Evidence.objects.get(request=request).side == "seller"
    assert [e.action for e in d.events.order_by("pk")][-2:] == [
        "request-evidence",
        "submit-evidence",
    ]
    assert run_sweep("disputes.evidence_missed", now=NOW + 10 * DAY).handled == 0


def test_missed_evidence_returns_to_the_queue_and_no_money_moves(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    with clock.frozen_at(NOW + DAY):
        ev.evidence_request(user=officer, public_id=d.public_id, party="buyer", message="Vidéo ?")
    assert run_sweep("disputes.evidence_missed", now=NOW + 4 * DAY - DAY).handled == 0
    assert run_sweep("disputes.evidence_missed", now=NOW + 4 * DAY).handled == 1
    d.refresh_from_db()
    assert (d.status, d.due_at) == (S.ESCALATED, NOW + 6 * DAY)  # Monday 16 → Wednesday 18
    missed = d.events.order_by("-pk").first()
    assert (missed.action, missed.actor_kind, missed.payload["party"]) == (
        "evidence-missed",
        "system",
        "buyer",
    )
    assert EvidenceRequest.objects.get().status == "expired"
    assert not Refund.objects.exists()
    assert run_sweep("disputes.evidence_missed", now=NOW + 9 * DAY).handled == 0
    assert officer_queue(user=officer) == [d]


def test_only_officers_ask_and_only_when_escalated(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    with pytest.raises(Conflict):
        ev.evidence_request(user=officer, public_id=d.public_id, party="buyer", message="?")
    s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    s.dispute_escalate(user=buyer, public_id=d.public_id)
    with pytest.raises(ApplicationError) as exc:
        ev.evidence_request(user=seller, public_id=d.public_id, party="buyer", message="?")
    assert exc.value.code == "action_not_allowed"
    with pytest.raises(ValidationFailed):
        ev.evidence_request(user=officer, public_id=d.public_id, party="officer", message="?")
    assert not EvidenceRequest.objects.exists()


def test_officer_may_decide_while_waiting_for_evidence(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    ev.evidence_request(user=officer, public_id=d.public_id, party="seller", message="?")
    s.dispute_decide(user=officer, public_id=d.public_id, outcome="no_refund", message="Rejeté")
    d.refresh_from_db()
    assert d.status == S.DECIDED
    assert EvidenceRequest.objects.get().status == "expired"
    assert run_sweep("disputes.evidence_missed", now=NOW + 30 * DAY).handled == 0


def test_queues_sorted_by_deadline_and_appeals_for_another_officer(
    buyer, seller, shop, officer, officer2, stranger
):
    later = escalated(buyer, seller, delivered(buyer, shop), at=NOW + DAY)
    sooner = escalated(buyer, seller, delivered(buyer, shop), at=NOW)
    assert officer_queue(user=officer) == [sooner, later]
    with pytest.raises(NotFound):
        officer_queue(user=seller)
    with clock.frozen_at(NOW + 2 * DAY):
        s.dispute_decide(user=officer, public_id=sooner.public_id, outcome="no_refund", message="")
        s.dispute_appeal(user=buyer, public_id=sooner.public_id, message="Je conteste")
    assert officer_queue(user=officer) == [later]
    assert appeal_queue(user=officer) == []
    assert appeal_queue(user=officer2) == [sooner]
    sooner.refresh_from_db()
    assert [t.action for t in allowed_actions(sooner, {"officer"}, user=officer)] == []
    assert [t.action for t in allowed_actions(sooner, {"officer"}, user=officer2)] == [
        "decide-appeal"
    ]
    with pytest.raises(NotFound):
        appeal_queue(user=stranger)
