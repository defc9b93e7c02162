"""/ws/ sockets in process (the real StreamConsumer through Channels' communicator, no
Daphne), signed in as a given user; and the check that an outsider's frame is refused
before anything acts.

A test module using them needs the connection fixture too:
``from tests.support.inprocess_ws import async_thread_connections_closed  # noqa: F401``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import WebsocketCommunicator
from django.db import connections

from realtime.consumers import StreamConsumer

TIMEOUT = 20  # seconds a frame may take on a loaded 2-core machine; not a measurement


@pytest.fixture(autouse=True)
def async_thread_connections_closed():
    """ORM calls from async tests run in asgiref's one executor thread; close its
    connections so PostgreSQL can flush and drop the test database."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


async def connect(user) -> WebsocketCommunicator:
    """A socket of ``user``, past its ``hello``."""
    ws = WebsocketCommunicator(StreamConsumer.as_asgi(), "/ws/")
    ws.scope["user"] = user
    connected, _ = await ws.connect(timeout=10)
    assert connected
    await until(ws, "hello")
    return ws


async def until(ws: WebsocketCommunicator, type_: str) -> dict:
    """The next frame of ``type_``, skipping others."""
    while (frame := await ws.receive_json_from(timeout=TIMEOUT))["type"] != type_:
        pass
    return frame


@contextlib.asynccontextmanager
async def sockets(*users) -> AsyncIterator[list[WebsocketCommunicator]]:
    """One connected socket per user, all disconnected afterwards."""
    opened = []
    try:
        for user in users:
            opened.append(await connect(user))
        yield opened
    finally:
        for ws in opened:
            await ws.disconnect()


async def assert_refused_unseen(outsider: WebsocketCommunicator, frame: dict, *,
                                watcher: WebsocketCommunicator) -> None:
    """``frame`` from the outsider answers ``forbidden``, and the watcher's next frame is the
    answer to their own ping (checkpoints aside): nothing of it reached them first."""
    await outsider.send_json_to(frame)
    refused = await until(outsider, "error")
    assert refused["code"] == "forbidden", refused
    await watcher.send_json_to({"type": "ping"})
    while (seen := await watcher.receive_json_from(timeout=TIMEOUT))["type"] != "pong":
        assert seen["type"] == "checkpoint", seen
