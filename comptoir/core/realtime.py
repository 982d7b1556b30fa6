"""Push live events to WebSocket groups, after the transaction commits."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .groups import user_group


def push_to_group(group: str, event: dict[str, Any]) -> None:
    """Send now (use push_*_on_commit from inside a transaction)."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, {"type": "event.push", "event": event})


def push_to_user_on_commit(user_id: int, event: dict[str, Any]) -> None:
    group = user_group(user_id)
    transaction.on_commit(lambda: push_to_group(group, event))
