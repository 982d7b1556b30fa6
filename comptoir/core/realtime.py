"""Push live events to WebSocket groups, after the transaction commits."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .groups import user_group

logger = logging.getLogger(__name__)


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a live push is best effort: the data is already committed
        logger.exception("push to %s failed", group)


def _send_many(messages: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        # In order: callers put the awaited delivery first. (Concurrent sends cost more CPU
        # and time with channels_redis: each needs a connection of its own from the pool.)
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception:  # best effort, like _send; the others still go
                logger.exception("push to %s failed", group)

    try:
        async_to_sync(send_all)()
    except Exception:
        logger.exception("push to %s groups failed", len(messages))


def push_to_groups(events: list[tuple[str, dict[str, Any]]]) -> None:
    """``push_to_group`` for several (group, event) pairs, in one hop to the event loop (one
    ``async_to_sync`` instead of one per group). Each event is encoded to JSON once, here: the
    sockets forward the text as it is (``event_text`` of the consumers), nothing is decoded
    or re-encoded per socket."""
    messages = [
        (group, {"type": "event.push", "text": json.dumps(event, separators=(",", ":"))})
        for group, event in events
    ]
    if not messages:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _send_many(messages)
        return
    worker = threading.Thread(
        target=_send_many, args=(messages,), name="realtime-push", daemon=True
    )
    worker.start()
    worker.join(timeout=5)


def push_to_group(group: str, event: dict[str, Any]) -> None:
    """Send now (use push_*_on_commit from inside a transaction).

    Best effort: a live event never makes the business action fail. From a thread that runs an
    event loop itself (sync code called inside a loop, e.g. a Playwright test or a sync callback
    of async code), async_to_sync cannot be used, so the send happens in a short-lived thread."""
    message = {"type": "event.push", "event": event}
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _send(group, message)
        return
    worker = threading.Thread(
        target=_send, args=(group, message), name="realtime-push", daemon=True
    )
    worker.start()
    worker.join(timeout=5)


def event_text(message: dict[str, Any]) -> str:
    """The JSON text a socket sends for an ``event.push`` message: pre-encoded by
    ``push_to_groups`` (``text``), or encoded here (``event``, from ``push_to_group``)."""
    text = message.get("text")
    if isinstance(text, str):
        return text
    return json.dumps(message["event"])


def push_to_user_on_commit(user_id: int, event: dict[str, Any]) -> None:
    group = user_group(user_id)
    transaction.on_commit(lambda: push_to_group(group, event))
