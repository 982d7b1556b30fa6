"""Writes of messaging: start a conversation, send, delete within the delay, mark read, typing,
report. Every write locks the conversation row first, so counters and read pointers stay exact
under concurrent sends: under the lock the old values are known, the new ones are written as
values, and the exact change is added to the buyer's and the shop's unread totals
(``counters``) in the same transaction, last."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from comptoir.core.ratelimit import rate_limit
from comptoir.core.search import search_index, search_remove
from comptoir.core.uploads import Upload

from . import events
from .counters import unread_counters_add
from .enums import Side
from .models import Conversation, ConversationAttachment, ConversationMessage, MessageReport
from .safety import clean_text, off_platform_reasons, preview_of
from .selectors import DOC_TYPE, STAFF, conversation_member_ids, forget_median, side_of

DELETE_WINDOW = dt.timedelta(minutes=2)
MAX_ATTACHMENTS = 5
REPORT_NODE = "technical.report"


def _limits() -> dict[str, tuple[int, int]]:
    defaults = {"message_minute": (20, 60), "message_hour": (300, 3600), "start_hour": (30, 3600)}
    return {**defaults, **getattr(settings, "MESSAGING_RATE_LIMITS", {})}


def _rate_limit_send(user: Any, *, starting: bool) -> None:
    limits = _limits()
    for name in ("message_minute", "message_hour") + (("start_hour",) if starting else ()):
        limit, window = limits[name]
        rate_limit(key=f"messaging:{name}:{user.pk}", limit=limit, window_seconds=window)


def _other(side: str) -> str:
    return Side.SHOP if side == Side.BUYER else Side.BUYER


def _check_text(text: str, attachments: Sequence[Upload]) -> str:
    cleaned = clean_text(text)
    if not cleaned and not attachments:
        message = _("Write a message.")
        raise ValidationFailed(message, {"fields": {"text": [message]}})
    if len(attachments) > MAX_ATTACHMENTS:
        message = _("Attach at most %(max)s files.") % {"max": MAX_ATTACHMENTS}
        raise ValidationFailed(message, {"fields": {"attachments": [message]}})
    return cleaned


def _lock(conversation_id: int) -> Conversation:
    """The conversation's row, locked (only its own row: ``of=self``, never the shop's, which
    every conversation of the shop shares)."""
    return Conversation.objects.select_for_update(of=("self",)).get(pk=conversation_id)


def _lock_for_send(conversation_id: int, sender_id: int, client_key: str) -> Conversation:
    """``_lock``, and in the same statement the message this sender already sent with this
    client key (``duplicate_id``, or None): one round trip instead of two."""
    rows = Conversation.objects.select_for_update(of=("self",)).filter(pk=conversation_id)
    if client_key:
        earlier = ConversationMessage.objects.filter(
            conversation_id=OuterRef("pk"), sender_id=sender_id, client_key=client_key
        ).values("pk")[:1]
        rows = rows.annotate(duplicate_id=Subquery(earlier))
    return rows.get()


def message_send(
    *,
    conversation: Conversation,
    sender: Any,
    text: str,
    attachments: Sequence[Upload] = (),
    client_key: str = "",
    _rate_limited: bool = False,
) -> ConversationMessage:
    """Send a message as the buyer or a member of the shop. Staff read, never write."""
    side = side_of(user=sender, conversation=conversation)
    if side == STAFF:
        raise PermissionDenied(_("Staff cannot write in a buyer–seller conversation."))
    cleaned = _check_text(text, attachments)
    if any(upload.owner_id != sender.pk for upload in attachments):
        raise NotFound()
    client_key = (client_key or "").strip()[:64]
    if not _rate_limited:
        _rate_limit_send(sender, starting=False)
    reasons = off_platform_reasons(cleaned)
    now = clock.now()
    try:
        with transaction.atomic():
            sent = _send_locked(
                conversation.pk, sender, side, cleaned, reasons, attachments, client_key, now
            )
    except IntegrityError:
        # The same client key, sent concurrently (a retry racing its original): the first won.
        existing = _sent_with_key(conversation, sender, client_key)
        if existing is None:
            raise
        return existing
    if isinstance(sent, ConversationMessage):  # a retry of a message already sent
        return sent
    message, updates = sent
    # The caller's object follows the write (no re-read).
    for name, value in updates.items():
        setattr(conversation, name, value)
    return message


def _sent_with_key(
    conversation: Conversation, sender: Any, client_key: str
) -> ConversationMessage | None:
    if not client_key:
        return None
    return ConversationMessage.objects.filter(
        conversation=conversation, sender=sender, client_key=client_key
    ).first()


def _send_locked(
    conversation_id: int,
    sender: Any,
    side: str,
    cleaned: str,
    reasons: list[str],
    attachments: Sequence[Upload],
    client_key: str,
    now: dt.datetime,
) -> ConversationMessage | tuple[ConversationMessage, dict[str, Any]]:
    """The write of ``message_send``, inside its transaction: lock, insert, counters, index,
    and the live event on commit. Answers the earlier message for a repeated client key."""
    locked = _lock_for_send(conversation_id, sender.pk, client_key)
    duplicate_id = getattr(locked, "duplicate_id", None)
    if duplicate_id:
        return ConversationMessage.objects.get(pk=duplicate_id)
    message = ConversationMessage.objects.create(
        conversation=locked,
        sender=sender,
        sender_side=side,
        text=cleaned,
        created_at=now,
        flagged=bool(reasons),
        flag_reasons=",".join(reasons),
        client_key=client_key,
    )
    attached = [
        ConversationAttachment.objects.create(message=message, upload=upload)
        for upload in attachments
    ]
    message.sent_attachments = attached  # type: ignore[attr-defined]  # no re-read to answer
    other = _other(side)
    deltas: dict[str, int] = {other: 1, side: -locked.unread_for(side)}
    updates: dict[str, Any] = {
        "last_message_at": now,
        "last_message_preview": preview_of(cleaned) or _("Attachment"),
        "last_sender_side": side,
        f"{other}_unread": locked.unread_for(other) + 1,
        f"{side}_unread": 0,
        f"{side}_read_up_to": message.pk,
        "updated_at": now,
    }
    if side == Side.BUYER:
        if locked.awaiting_reply_since is None:
            updates["awaiting_reply_since"] = now
    elif locked.awaiting_reply_since is not None:
        updates["awaiting_reply_since"] = None
        if locked.first_responded_at is None:
            updates["first_responded_at"] = now
            updates["first_response_seconds"] = max(
                0, int((now - locked.awaiting_reply_since).total_seconds())
            )
            shop_id = locked.shop_id
            transaction.on_commit(lambda: forget_median(shop_id))
    Conversation.objects.filter(pk=locked.pk).update(**updates)
    if cleaned:
        search_index(
            doc_type=DOC_TYPE,
            doc_id=message.pk,
            text=cleaned,
            language=getattr(sender, "language", "") or "fr",
        )
    for name, value in updates.items():
        setattr(locked, name, value)
    message.conversation = locked
    message.sender = sender
    payload = {
        "type": "messaging.message",
        "conversation": locked.public_id,
        "message": events.message_payload(message, attached),
    }
    # The other party first: theirs is the delivery that is waited for. The buyer is known;
    # the shop's members are one indexed read.
    shop_members = conversation_member_ids(locked, Side.SHOP)
    buyers = [locked.buyer_id]
    recipients = shop_members + buyers if other == Side.SHOP else buyers + shop_members
    # Last: the owners' counter rows are the most contended locks; hold them briefly.
    unread_counters_add(
        buyer_id=locked.buyer_id,
        buyer_delta=deltas[Side.BUYER],
        shop_id=locked.shop_id,
        shop_delta=deltas[Side.SHOP],
    )
    events.push_on_commit(recipients, payload, with_unread=True)
    return message, updates


def conversation_start(
    *,
    buyer: Any,
    text: str,
    product: Any = None,
    order: Any = None,
    attachments: Sequence[Upload] = (),
    client_key: str = "",
) -> tuple[Conversation, ConversationMessage]:
    """Write to a shop about a product (before purchase) or an order (after): one conversation
    per buyer and product or order; a second start appends to it."""
    if (product is None) == (order is None):
        raise ValueError("conversation_start: give a product or an order.")
    if product is not None:
        if not product.is_active:
            raise NotFound()
        shop_id = product.shop_id
    else:
        if order.buyer_id != buyer.pk:
            raise NotFound()
        shop_id = order.shop_id
    from comptoir.accounts.models import ShopMembership

    if ShopMembership.objects.filter(shop_id=shop_id, user=buyer).exists():
        raise ValidationFailed(_("You cannot write to your own shop."))
    _check_text(text, attachments)
    lookup = {"product": product} if product is not None else {"order": order}
    conversation = Conversation.objects.filter(buyer=buyer, **lookup).first()
    _rate_limit_send(buyer, starting=conversation is None)
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    buyer=buyer, shop_id=shop_id, last_message_at=clock.now(), **lookup
                )
        except IntegrityError:  # started concurrently: use the other one
            conversation = Conversation.objects.get(buyer=buyer, **lookup)
    message = message_send(
        conversation=conversation,
        sender=buyer,
        text=text,
        attachments=attachments,
        client_key=client_key,
        _rate_limited=True,
    )
    return conversation, message


def message_delete(*, user: Any, message: ConversationMessage) -> ConversationMessage:
    """The author deletes a message within 2 minutes: text and files go, a trace stays."""
    if message.sender_id != user.pk:
        raise NotFound()
    if message.deleted_at is not None:
        return message
    now = clock.now()
    if now - message.created_at > DELETE_WINDOW:
        raise Conflict(
            "delete_window_over",
            _("A message can only be deleted in the 2 minutes after it was sent."),
        )
    with transaction.atomic():
        conversation = _lock(message.conversation_id)
        locked = ConversationMessage.objects.select_for_update().get(pk=message.pk)
        if locked.deleted_at is not None:
            return locked
        ConversationMessage.objects.filter(pk=locked.pk).update(deleted_at=now, text="")
        ConversationAttachment.objects.filter(message=locked).delete()
        search_remove(doc_type=DOC_TYPE, doc_id=locked.pk)
        other = _other(locked.sender_side)
        updates: dict[str, Any] = {}
        deltas: dict[str, int] = {Side.BUYER: 0, Side.SHOP: 0}
        if locked.pk > conversation.read_up_to_of(other) and conversation.unread_for(other) > 0:
            updates[f"{other}_unread"] = conversation.unread_for(other) - 1
            deltas[other] = -1
        latest = (
            ConversationMessage.objects.filter(conversation=conversation)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is not None and latest.pk == locked.pk:
            updates["last_message_preview"] = ""
        if updates:
            Conversation.objects.filter(pk=conversation.pk).update(**updates)
        unread_counters_add(
            buyer_id=conversation.buyer_id,
            buyer_delta=deltas[Side.BUYER],
            shop_id=conversation.shop_id,
            shop_delta=deltas[Side.SHOP],
        )
        locked.refresh_from_db()
        locked.conversation = conversation
        events.push_on_commit(
            conversation_member_ids(conversation, Side.BUYER)
            + conversation_member_ids(conversation, Side.SHOP),
            {
                "type": "messaging.deleted",
                "conversation": conversation.public_id,
                "message": locked.public_id,
            },
            with_unread=True,
        )
    return locked


def conversation_mark_read(*, user: Any, conversation: Conversation) -> Conversation:
    """The user's side has read everything so far; the other side gets a read receipt."""
    side = side_of(user=user, conversation=conversation)
    if side == STAFF:
        return conversation
    with transaction.atomic():
        locked = _lock(conversation.pk)
        latest = (
            ConversationMessage.objects.filter(conversation=locked).aggregate(m=Max("pk"))["m"] or 0
        )
        if locked.unread_for(side) == 0 and locked.read_up_to_of(side) >= latest:
            return locked
        was_unread = locked.unread_for(side)
        Conversation.objects.filter(pk=locked.pk).update(
            **{f"{side}_unread": 0, f"{side}_read_up_to": latest}
        )
        unread_counters_add(
            buyer_id=locked.buyer_id,
            buyer_delta=-was_unread if side == Side.BUYER else 0,
            shop_id=locked.shop_id,
            shop_delta=-was_unread if side == Side.SHOP else 0,
        )
        locked.refresh_from_db()
        events.push_on_commit(
            conversation_member_ids(locked, _other(side)),
            {
                "type": "messaging.read",
                "conversation": locked.public_id,
                "side": side,
                "up_to": latest,
            },
            with_unread=False,
        )
        events.push_on_commit(
            conversation_member_ids(locked, side),
            {"type": "messaging.unread", "conversation": locked.public_id},
            with_unread=True,
        )
    return locked


def conversation_typing(*, user: Any, conversation: Conversation) -> None:
    """Tell the other side that this side is typing (no write; best effort, not throttled
    here: the consumer sends at most one per few seconds)."""
    from comptoir.core.groups import user_group
    from comptoir.core.realtime import push_to_group

    side = side_of(user=user, conversation=conversation)
    if side == STAFF:
        return
    event = {
        "type": "messaging.typing",
        "conversation": conversation.public_id,
        "side": side,
        "name": user.display_name if side == Side.BUYER else conversation.shop.name,
    }
    for uid in conversation_member_ids(conversation, _other(side)):
        push_to_group(user_group(uid), event)


def message_report(*, user: Any, message: ConversationMessage, reason: str) -> MessageReport:
    """A party reports a message of the other side: one ticket to the "report a seller" team,
    through the one intake. Reporting the same message twice gives the same report."""
    from comptoir.tickets.enums import Channel
    from comptoir.tickets.services import InboundMessage, intake_receive

    conversation = message.conversation
    side = side_of(user=user, conversation=conversation)
    if side == STAFF or message.sender_side == side:
        raise NotFound()
    existing = MessageReport.objects.filter(message=message, reporter=user).first()
    if existing is not None:
        return existing
    reason = clean_text(reason)[:2000]
    if not reason:
        text = _("Say why you report this message.")
        raise ValidationFailed(text, {"fields": {"reason": [text]}})
    rate_limit(key=f"messaging:report:{user.pk}", limit=10, window_seconds=3600)
    quoted = message.text or _("(message deleted by its author)")
    with transaction.atomic():
        report = MessageReport.objects.create(message=message, reporter=user, reason=reason)
        body = "\n".join(
            [
                reason,
                "",
                _("Reported message (%(when)s, from %(who)s, shop %(shop)s):")
                % {
                    "when": message.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                    "who": message.sender.email,
                    "shop": conversation.shop.name,
                },
                quoted,
                "",
                _("Conversation: %(id)s") % {"id": conversation.public_id},
            ]
        )
        result = intake_receive(
            inbound=InboundMessage(
                channel=Channel.WEB,
                channel_message_id=f"messaging-report:{report.public_id}",
                text=body,
                sender_user=user,
                subject=_("Reported message in a conversation with %(shop)s")
                % {"shop": conversation.shop.name},
                node_code=REPORT_NODE,
                order_number=conversation.order.number if conversation.order is not None else None,
                language_hint=getattr(user, "language", None),
                extra={"messaging_message": message.public_id},
            )
        )
        report.ticket_number = result.ticket.number
        report.save(update_fields=["ticket_number"])
    return report
