from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from comptoir.messaging import selectors
from comptoir.messaging.enums import Side
from comptoir.messaging.models import Conversation, ConversationMessage, MessageReport
from comptoir.messaging.safety import off_platform_reasons, render_text
from comptoir.messaging.services import (
    conversation_mark_read,
    conversation_start,
    message_delete,
    message_report,
    message_send,
)

from .conftest import T0, make_product

pytestmark = pytest.mark.django_db


def start(buyer, product, text="Bonjour, existe-t-il en vert ?", at=T0):
    with clock.frozen_at(at):
        return conversation_start(buyer=buyer, product=product, text=text)


def test_start_about_a_product_opens_one_conversation_per_buyer_and_product(buyer, product, shop):
    conversation, first = start(buyer, product)
    again, second = start(buyer, product, text="Et en bleu ?", at=T0 + dt.timedelta(minutes=1))
    assert again.pk == conversation.pk
    assert Conversation.objects.count() == 1
    conversation.refresh_from_db()
    assert conversation.shop_id == shop.pk
    assert conversation.shop_unread == 2
    assert conversation.buyer_unread == 0
    assert conversation.buyer_read_up_to == second.pk
    assert conversation.awaiting_reply_since == T0
    assert conversation.last_message_preview == "Et en bleu ?"
    assert first.sender_side == Side.BUYER


def test_start_about_an_order_needs_the_buyers_own_order(buyer, other_buyer, order):
    conversation, _message = conversation_start(buyer=buyer, order=order, text="Colis ?")
    assert conversation.order_id == order.pk and conversation.product_id is None
    with pytest.raises(NotFound):
        conversation_start(buyer=other_buyer, order=order, text="Colis ?")


def test_a_seller_cannot_write_to_their_own_shop(seller, product):
    with pytest.raises(ValidationFailed):
        conversation_start(buyer=seller, product=product, text="Test")
    assert Conversation.objects.count() == 0


def test_shop_answer_clears_to_answer_and_records_first_response(buyer, seller, product, shop):
    conversation, _m = start(buyer, product)
    with clock.frozen_at(T0 + dt.timedelta(minutes=30)):
        reply = message_send(conversation=conversation, sender=seller, text="Oui, en vert sauge.")
    conversation.refresh_from_db()
    assert reply.sender_side == Side.SHOP
    assert conversation.awaiting_reply_since is None
    assert conversation.first_response_seconds == 1800
    assert conversation.buyer_unread == 1
    assert conversation.shop_unread == 0
    # A later buyer message makes it "to answer" again; the first response stays.
    with clock.frozen_at(T0 + dt.timedelta(hours=2)):
        message_send(conversation=conversation, sender=buyer, text="Merci !")
    with clock.frozen_at(T0 + dt.timedelta(hours=5)):
        message_send(conversation=conversation, sender=seller, text="Avec plaisir.")
    conversation.refresh_from_db()
    assert conversation.first_response_seconds == 1800
    assert selectors.shop_median_first_response(shop_id=shop.pk).median_seconds == 1800


def test_median_first_response_over_conversations(buyer, other_buyer, seller, shop):
    products = [make_product(shop, f"Produit {i}") for i in range(3)]
    for index, minutes in enumerate((10, 60, 240)):
        conversation, _m = start(buyer if index != 1 else other_buyer, products[index])
        with clock.frozen_at(T0 + dt.timedelta(minutes=minutes)):
            message_send(conversation=conversation, sender=seller, text="Réponse")
    result = selectors.shop_median_first_response(shop_id=shop.pk)
    assert (result.median_seconds, result.sample) == (3600, 3)


def test_third_party_and_staff(buyer, other_buyer, other_seller, staff, product):
    conversation, _m = start(buyer, product)
    for user in (other_buyer, other_seller):
        with pytest.raises(NotFound):
            message_send(conversation=conversation, sender=user, text="Coucou")
        with pytest.raises(NotFound):
            selectors.conversation_get(user=user, public_id=conversation.public_id)
    with pytest.raises(PermissionDenied):
        message_send(conversation=conversation, sender=staff, text="Hello")
    assert selectors.conversation_get(user=staff, public_id=conversation.public_id)[1] == "staff"
    assert ConversationMessage.objects.count() == 1


def test_mark_read_resets_the_counter_and_sets_the_read_pointer(buyer, seller, product):
    conversation, first = start(buyer, product)
    message_send(conversation=conversation, sender=buyer, text="Encore une question")
    assert selectors.unread_conversations_total(user=seller) == 2
    conversation = conversation_mark_read(user=seller, conversation=conversation)
    last = ConversationMessage.objects.order_by("-pk").first()
    assert conversation.shop_unread == 0
    assert conversation.shop_read_up_to == last.pk
    assert selectors.unread_conversations_total(user=seller) == 0
    assert selectors.unread_conversations_total(user=buyer) == 0


def test_delete_within_two_minutes_leaves_a_trace(buyer, seller, product):
    conversation, message = start(buyer, product, text="Oups, mauvais message")
    with clock.frozen_at(T0 + dt.timedelta(seconds=119)):
        deleted = message_delete(user=buyer, message=message)
    assert deleted.deleted_at is not None
    assert deleted.text == ""
    assert ConversationMessage.objects.filter(pk=message.pk).exists()
    conversation.refresh_from_db()
    assert conversation.shop_unread == 0  # the seller had not read it
    assert conversation.last_message_preview == ""


def test_delete_after_two_minutes_or_by_someone_else_is_refused(buyer, seller, product):
    conversation, message = start(buyer, product)
    with pytest.raises(NotFound):
        message_delete(user=seller, message=message)
    with clock.frozen_at(T0 + dt.timedelta(seconds=121)), pytest.raises(Conflict):
        message_delete(user=buyer, message=message)
    message.refresh_from_db()
    assert message.deleted_at is None and message.text


def test_off_platform_payment_is_flagged(buyer, seller, product):
    conversation, _m = start(buyer, product)
    message = message_send(
        conversation=conversation,
        sender=seller,
        text="Payez-moi directement par virement bancaire ou PayPal, c'est moins cher.",
    )
    assert message.flagged is True
    assert set(message.flag_reasons.split(",")) == {"paypal", "bank_transfer", "direct_payment"}
    assert list(selectors.flagged_messages().items) == [message]
    ordinary = message_send(conversation=conversation, sender=seller, text="Expédié demain.")
    assert ordinary.flagged is False


def test_off_platform_detector_fr_and_en():
    assert off_platform_reasons("Contact me on WhatsApp and pay with Western Union") == [
        "money_transfer",
        "other_channel",
    ]
    assert off_platform_reasons("Le colis part demain, suivi inclus.") == []


def test_links_are_made_safe():
    html = str(
        render_text(
            "Voir https://exemple.fr/a?b=1&c=2. <script>alert(1)</script>\njavascript:alert(1)"
        )
    )
    assert (
        '<a href="https://exemple.fr/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc"' in html
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    assert "<br>" in html


@override_settings(MESSAGING_RATE_LIMITS={"message_minute": (3, 60)})
def test_per_sender_rate_limit(buyer, seller, product):
    conversation, _m = start(buyer, product)
    with clock.frozen_at(T0):
        message_send(conversation=conversation, sender=buyer, text="2")
        message_send(conversation=conversation, sender=buyer, text="3")
        with pytest.raises(RateLimited):
            message_send(conversation=conversation, sender=buyer, text="4")
        message_send(conversation=conversation, sender=seller, text="the seller has its own")
    assert ConversationMessage.objects.filter(sender=buyer).count() == 3


def test_client_key_makes_a_retry_one_message(buyer, product):
    conversation, _m = start(buyer, product)
    a = message_send(conversation=conversation, sender=buyer, text="Hi", client_key="k1")
    b = message_send(conversation=conversation, sender=buyer, text="Hi", client_key="k1")
    assert a.pk == b.pk
    conversation.refresh_from_db()
    assert conversation.shop_unread == 2


def test_report_makes_one_ticket_to_the_report_team(buyer, seller, product):
    from comptoir.taxonomy.seeders import taxonomy_seed
    from comptoir.tickets.models import Ticket

    taxonomy_seed()
    conversation, _m = start(buyer, product)
    bad = message_send(conversation=conversation, sender=seller, text="Payez par Western Union")
    report = message_report(user=buyer, message=bad, reason="Il demande un paiement hors site.")
    ticket = Ticket.objects.get(number=report.ticket_number)
    assert ticket.node.code == "technical.report"
    assert ticket.team.code == "report-seller"
    assert ticket.contact.user == buyer
    assert "Payez par Western Union" in ticket.messages.first().body_text
    again = message_report(user=buyer, message=bad, reason="encore")
    assert again.pk == report.pk
    assert Ticket.objects.count() == 1 and MessageReport.objects.count() == 1
    with pytest.raises(NotFound):  # one's own message cannot be reported
        message_report(user=seller, message=bad, reason="x")
