"""The events socket's ``ping-all``: an echo to every socket of the same user, and no one else."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from comptoir.core.consumers import UserEventsConsumer


def communicator(user_id: int) -> ApplicationCommunicator:
    # channels.testing imports daphne (not installed): drive the ASGI protocol directly.
    scope = {
        "type": "websocket",
        "path": "/ws/events/",
        "headers": [],
        "subprotocols": [],
        "user": SimpleNamespace(pk=user_id, is_authenticated=True),
    }
    return ApplicationCommunicator(UserEventsConsumer.as_asgi(), scope)


async def receive_json(c: ApplicationCommunicator) -> Any:
    message = await c.receive_output(timeout=5)
    assert message["type"] == "websocket.send", message
    return json.loads(message["text"])


@pytest.mark.django_db
def test_ping_all_reaches_every_socket_of_the_user_only():
    async_to_sync(ping_all_scenario)()


async def ping_all_scenario() -> None:
    first, second, other = communicator(7), communicator(7), communicator(8)
    for c in (first, second, other):
        await c.send_input({"type": "websocket.connect"})
        assert (await c.receive_output(timeout=5))["type"] == "websocket.accept"
    try:
        await first.send_input(
            {
                "type": "websocket.receive",
                "text": json.dumps({"type": "ping-all", "nonce": "n" * 100}),
            }
        )
        expected = {"type": "pong-all", "nonce": "n" * 64}
        assert await receive_json(second) == expected
        assert await receive_json(first) == expected
        assert await other.receive_nothing(timeout=0.3)
    finally:
        for c in (first, second, other):
            await c.send_input({"type": "websocket.disconnect", "code": 1000})
            await c.wait(timeout=2)
