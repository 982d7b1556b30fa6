"""Live pushes reach the user's group, from plain sync code and from inside a running event loop."""

from __future__ import annotations

import asyncio

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


def _listen(layer, group):
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def test_push_to_group_from_sync_code(in_memory_layer):
    channel = _listen(in_memory_layer, "user.7")
    push_to_group("user.7", {"type": "hello"})
    message = async_to_sync(in_memory_layer.receive)(channel)
    assert message == {"type": "event.push", "event": {"type": "hello"}}


def test_push_to_group_from_a_thread_running_an_event_loop(in_memory_layer):
    channel = _listen(in_memory_layer, "user.8")

    async def inside_loop():
        push_to_group("user.8", {"type": "from-loop"})  # sync call while this thread runs a loop

    asyncio.run(inside_loop())
    message = async_to_sync(in_memory_layer.receive)(channel)
    assert message["event"] == {"type": "from-loop"}


@pytest.mark.django_db
def test_push_on_commit_waits_for_the_commit(in_memory_layer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        push_to_user_on_commit(9, {"type": "later"})
    assert len(callbacks) == 1  # nothing sent before the commit
    assert user_group(9) == "user.9"
