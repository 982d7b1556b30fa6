"""Live pushes reach the user's group, from plain sync code and from inside a running event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from comptoir.core.groups import user_group
from comptoir.core.realtime import push_to_group, push_to_user_on_commit


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield get_channel_layer()
    channel_layers.backends.clear()


def in_thread(fn):
    """Run fn in a fresh thread (the test thread may run Playwright's event loop) and return its result."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        except BaseException as exc:  # re-raised in the test thread
            result["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=10)
    if "error" in result:
        raise result["error"]
    return result["value"]


def _listen(layer, group):
    def subscribe():
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(group, channel)
        return channel

    return in_thread(subscribe)


def _receive(layer, channel):
    return in_thread(lambda: async_to_sync(layer.receive)(channel))


def test_push_to_group_from_sync_code(in_memory_layer):
    channel = _listen(in_memory_layer, "user.7")
    in_thread(lambda: push_to_group("user.7", {"type": "hello"}))  # plain sync code, no loop
    message = _receive(in_memory_layer, channel)
    assert message == {"type": "event.push", "event": {"type": "hello"}}


def test_push_to_group_from_a_thread_running_an_event_loop(in_memory_layer):
    channel = _listen(in_memory_layer, "user.8")

    async def inside_loop():
        push_to_group("user.8", {"type": "from-loop"})  # sync call while this thread runs a loop

    in_thread(lambda: asyncio.run(inside_loop()))
    message = _receive(in_memory_layer, channel)
    assert message["event"] == {"type": "from-loop"}


@pytest.mark.django_db
def test_push_on_commit_waits_for_the_commit(in_memory_layer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        push_to_user_on_commit(9, {"type": "later"})
    assert len(callbacks) == 1  # nothing sent before the commit
    assert user_group(9) == "user.9"
