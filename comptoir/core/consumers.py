"""The user's event stream: one WebSocket per open page, joined to the user's group.

Apps push events to ``user.<id>`` with core.realtime.push_to_user; this consumer forwards them.
Client messages: ``{"type": "ping"}`` answers ``pong`` on this socket only; ``{"type": "ping-all",
"nonce": "…"}`` sends ``{"type": "pong-all", "nonce": "…"}`` to every open socket of the same user,
whichever web node holds it (the user's own group only: nobody else sees it). The production smoke
test uses it to prove that an event sent through one node reaches a client on another."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .groups import user_group
from .realtime import event_text


class UserEventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif content.get("type") == "ping-all":
            nonce = str(content.get("nonce", ""))[:64]
            await self.channel_layer.group_send(
                self.group, {"type": "event.push", "event": {"type": "pong-all", "nonce": nonce}}
            )

    async def event_push(self, message: dict[str, Any]) -> None:
        await self.send(text_data=event_text(message))
