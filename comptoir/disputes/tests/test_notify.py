"""notify.event_recorded: the other party is told of every step, once, in their language, tagged
with the dispute; the one who acted is never told; nothing is written when the step fails."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.core.errors import ApplicationError
from comptoir.core.money import Money
from comptoir.core.notifications import Notification
from comptoir.core.outbox.models import OutboxMessage
from comptoir.disputes import services as s
from comptoir.disputes.models import DisputeEvent

from .conftest import DAY, T0, deliver, line_ids, make_order, photo_of

pytestmark = pytest.mark.django_db
NOW = T0 + 10 * DAY


def delivered(buyer, shop, prices=("39.90", "12.50")):
    return deliver(make_order(buyer, shop, list(prices)), T0)


def open_received(buyer, order, *, amount="10.00", request="refund"):
    with clock.frozen_at(NOW):
        return s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order)[:1],
            reason="damaged",
            request=request,
            description="Écran fissuré",
            amount=Money.parse(amount),
            evidence=[photo_of(buyer)],
        )


def refused(buyer, seller, shop):
    d = open_received(buyer, delivered(buyer, shop))
    with clock.frozen_at(NOW + DAY):
        s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    return d


def escalated(buyer, seller, shop):
    d = refused(buyer, seller, shop)
    with clock.frozen_at(NOW + 2 * DAY):
        s.dispute_escalate(user=buyer, public_id=d.public_id)
    return d


def told(user):
    return list(
        Notification.objects.filter(user=user, kind="disputes")
        .order_by("pk")
        .values_list("title", "event_key", "url")
    )


def test_opening_tells_the_seller_in_french_and_not_the_buyer(buyer, seller, shop):
    d = open_received(buyer, delivered(buyer, shop))
    event = DisputeEvent.objects.get(dispute=d, action="open")
    number = d.order.formatted_number
    assert told(seller) == [
        (
            f"Un acheteur a ouvert un litige sur la commande {number}",
            f"dispute-event:{event.pk}",
            f"/disputes/{d.public_id}/",
        )
    ]
    assert told(buyer) == []


def test_refusal_tells_the_buyer_in_english_when_that_is_their_language(buyer, seller, shop):
    buyer.language = "en"
    buyer.save(update_fields=["language"])
    d = refused(buyer, seller, shop)
    refuse = DisputeEvent.objects.get(dispute=d, action="refuse")
    assert told(buyer) == [
        (
            f"The seller refused the request on order {d.order.formatted_number}",
            f"dispute-event:{refuse.pk}",
            f"/disputes/{d.public_id}/",
        )
    ]
    body = Notification.objects.get(user=buyer).body
    assert body == "Status: Refused by the seller."


def test_platform_steps_tell_both_parties_once(buyer, seller, shop):
    d = refused(buyer, seller, shop)
    with clock.frozen_at(NOW + 9 * DAY):  # 7 days after the refusal: escalated by the sweep
        assert s.dispute_no_agreement(dispute_id=d.pk, now=clock.now())
    auto = DisputeEvent.objects.get(dispute=d, action="escalate")
    assert auto.actor_kind == "system"
    for person in (buyer, seller):
        keys = [k for _t, k, _u in told(person)]
        assert keys.count(f"dispute-event:{auto.pk}") == 1
    buyer_note = Notification.objects.get(user=buyer, event_key=f"dispute-event:{auto.pk}")
    assert buyer_note.body.startswith("Aucun accord n'a été trouvé à temps")


def test_every_shop_member_is_told_and_an_email_is_queued(buyer, seller, shop):
    from comptoir.accounts.models import ShopMembership
    from comptoir.testing.factories import UserFactory

    colleague = UserFactory(email="associe@example.org")
    ShopMembership.objects.create(shop=shop, user=colleague)
    d = open_received(buyer, delivered(buyer, shop))
    assert len(told(seller)) == len(told(colleague)) == 1
    subjects = set(
        OutboxMessage.objects.filter(kind="email").values_list("idempotency_key", flat=True)
    )
    event = DisputeEvent.objects.get(dispute=d, action="open")
    assert f"notification:{seller.pk}:dispute-event:{event.pk}" in subjects
    assert f"notification:{colleague.pk}:dispute-event:{event.pk}" in subjects


def test_a_refused_step_tells_nobody(buyer, seller, shop):
    d = open_received(buyer, delivered(buyer, shop))
    before = Notification.objects.count()
    with pytest.raises(ApplicationError):
        s.dispute_escalate(user=buyer, public_id=d.public_id)  # not after a refusal
    with pytest.raises(ApplicationError):
        s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="")
    assert Notification.objects.count() == before
    assert not OutboxMessage.objects.filter(kind="disputes.escalation_ticket").exists()


def test_a_change_of_mind_return_tells_the_seller_with_a_link_to_the_return(buyer, seller, shop):
    from comptoir.disputes import returns

    order = delivered(buyer, shop)
    with clock.frozen_at(NOW):
        ret = returns.return_request_open(
            user=buyer, order=order, line_ids=line_ids(order)[:1], unused=True, note="Trop grand"
        )
    event = DisputeEvent.objects.get(return_request=ret, action="return-open")
    assert told(seller) == [
        (
            f"Un retour a été demandé sur la commande {order.formatted_number}",
            f"dispute-event:{event.pk}",
            f"/returns/{ret.public_id}/",
        )
    ]
    assert told(buyer) == []
