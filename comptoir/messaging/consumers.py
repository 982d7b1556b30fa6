"""The messaging WebSocket (``/ws/messages/``): the user's event stream (their ``user.<id>``
group, like core's ``/ws/events/``) plus two client messages:

- ``{"type": "typing", "conversation": "<public id>"}``: the other side sees "is typing…"
  (at most one every 2 seconds per conversation and socket);
- ``{"type": "read", "conversation": "<public id>"}``: marks the conversation read; the other
  side gets a read receipt.

A conversation the user is not a party to is ignored (no error that would reveal it exists)."""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from comptoir.core.errors import ApplicationError
from comptoir.core.groups import user_group
from comptoir.core.realtime import event_text

TYPING_INTERVAL = 2.0


def _forget_shops(user: Any) -> None:
    # The socket's user object lives as long as the socket: re-read the user's shops on every
    # action (selectors.shop_ids_of keeps them on the object), so a removed member loses access.
    user.__dict__.pop("_messaging_shop_ids", None)


def _typing(user: Any, public_id: str) -> None:
    from .selectors import conversation_get
    from .services import conversation_typing

    _forget_shops(user)
    conversation, _side = conversation_get(user=user, public_id=public_id)
    conversation_typing(user=user, conversation=conversation)


def _read(user: Any, public_id: str) -> None:
    from .selectors import conversation_get
    from .services import conversation_mark_read

    _forget_shops(user)
    conversation, _side = conversation_get(user=user, public_id=public_id)
    conversation_mark_read(user=user, conversation=conversation)


class MessagingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group = user_group(user.pk)
        self.last_typing: dict[str, float] = {}
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        public_id = str(content.get("conversation", ""))[:26]
        if kind == "ping":
            await self.send_json({"type": "pong"})
            return
        if not public_id:
            return
        try:
            if kind == "typing":
                now = time.monotonic()
                if now - self.last_typing.get(public_id, 0.0) < TYPING_INTERVAL:
                    return
                self.last_typing[public_id] = now
                await database_sync_to_async(_typing)(self.user, public_id)
            elif kind == "read":
                await database_sync_to_async(_read)(self.user, public_id)
        except ApplicationError:
            return

    async def event_push(self, message: dict[str, Any]) -> None:
        await self.send(text_data=event_text(message))
