"""Collision on a ticket, live: who else is viewing or typing, and when the ticket changed.

One socket per open ticket page, joined to the ticket's group (``core.groups.ticket_group``).
Staff only, and only on tickets ``ticket_scope`` lets them see. Presence needs no shared
state: a newcomer announces itself (``join``), everyone already there answers (``here``), and a
leaving socket says ``leave``, so it works the same with Redis across web nodes. Events pushed
to the group by the services (``ticket.message``, ``ticket.changed``) are forwarded as they are."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from comptoir.core.groups import ticket_group


@database_sync_to_async
def _visible_ticket_id(user: Any, number: str) -> int | None:
    from comptoir.tickets.selectors import is_staff, ticket_scope

    if not is_staff(user):
        return None
    return ticket_scope(user).filter(number=number.upper()).values_list("pk", flat=True).first()


class TicketCollisionConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        number = str(self.scope["url_route"]["kwargs"]["number"])[:20]
        ticket_id = await _visible_ticket_id(user, number)
        if ticket_id is None:
            await self.close(code=4404)
            return
        self.me = {"user": user.public_id, "name": user.display_name}
        self.group = ticket_group(ticket_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._say("join")

    async def _say(self, state: str, **extra: Any) -> None:
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "console.viewer",
                "event": {"type": "viewer", "state": state, **self.me, **extra},
                "sender": self.channel_name,
            },
        )

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self._say("leave")
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not hasattr(self, "group"):
            return
        if content.get("type") == "typing":
            await self._say("typing" if content.get("on") else "idle")

    async def console_viewer(self, message: dict[str, Any]) -> None:
        if message.get("sender") == self.channel_name:
            return
        event = message["event"]
        await self.send_json(event)
        if event.get("state") == "join":
            await self._say("here")

    async def event_push(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
