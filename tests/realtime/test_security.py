"""Hostile or stale input on /ws/: bounded integers, oversized messages, stale cursors."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from realtime.services import publish
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]

BEYOND_64_BITS = 2**64 + 1


def _publish_to(user_id: int) -> int:
    with transaction.atomic():
        return publish(type="test.event", payload={}, user_id=user_id).seq


async def test_a_resume_cursor_above_the_stream_is_refused_and_live_events_still_arrive(
    daphne_server, amake_user
):
    user = await amake_user()
    earlier = await sync_to_async(_publish_to)(user.pk)
    async with await ws_connect(daphne_server, user) as ws:
        hello = await ws.recv_until("hello")
        assert hello["seq"] == earlier
        await ws.send_json({"type": "resume", "after": 10**12, "id": "r1"})
        error = await ws.recv_until("error")
        assert (error["code"], error["field"], error["id"]) == ("bad_request", "after", "r1")
        # The position to start again from, as a hello would give it.
        assert error["seq"] == earlier
        # The refused cursor moved nothing: a live event still arrives.
        await ws.send_json({"type": "resume", "after": error["seq"]})
        await ws.recv_until("resumed")
        # In the embedded leg only an event published by this process is pushed live;
        # publishing from the test reaches the socket through the checkpoint then.
        later = await sync_to_async(_publish_to)(user.pk)
        event = await ws.recv_until("test.event", timeout=40)
        assert event["seq"] == later


async def test_integers_beyond_64_bits_are_bad_requests(daphne_server, amake_user):
    async with await ws_connect(daphne_server, await amake_user()) as ws:
        await ws.recv_until("hello")
        frames = [
            {"type": "chat.send", "room": BEYOND_64_BITS, "body": "x", "client_id": "c1"},
            {"type": "chat.read", "room": 1, "message": -BEYOND_64_BITS},
            {"type": "chat.typing", "room": 2**63},
            {"type": "call.join", "meeting": BEYOND_64_BITS},
            {"type": "call.admit", "meeting": 1, "user": BEYOND_64_BITS},
            {"type": "call.offer", "meeting": 1, "to": BEYOND_64_BITS, "sdp": "v=0"},
            {"type": "resume", "after": BEYOND_64_BITS},
            {"type": "resume", "after": 0, "have": [BEYOND_64_BITS]},
        ]
        for number, frame in enumerate(frames):
            await ws.send_json({**frame, "id": number})
            error = await ws.recv_until("error")
            assert (error["id"], error["code"]) == (number, "bad_request"), error
        await ws.send_json({"type": "ping"})
        assert await ws.recv_until("pong") == {"type": "pong"}


async def test_a_message_over_one_mebibyte_closes_with_1009(daphne_server, amake_user):
    async with await ws_connect(daphne_server, await amake_user()) as ws:
        await ws.recv_until("hello")
        await ws.send_text('{"type":"x","pad":"' + "a" * (1024 * 1024) + '"}')
        assert await ws.wait_closed() == 1009
