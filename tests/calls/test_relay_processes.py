"""Two Daphne processes sharing the Redis channel layer: participants of one meeting on
either process reach the single relay that owns the meeting and see each other's video."""

import asyncio
import time

import pytest
from aiortc import RTCSessionDescription
from asgiref.sync import sync_to_async
from django.core.cache import cache

from realtime.calls import relay_routing
from realtime.calls.services import create_meeting
from tests.calls.peers import Subscriber, Tone, publisher_offer, wait_for
from tests.calls.test_relay import _answer_offers, _publish
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live, pytest.mark.production]


async def test_a_meeting_split_over_two_processes_uses_one_relay(live_servers, django_user_model):
    server_a, server_b = live_servers(2)
    users = [
        await sync_to_async(django_user_model.objects.create_user)(f"split{n}", password="x")
        for n in range(3)
    ]
    meeting = await sync_to_async(create_meeting)(
        host=users[0], title="Two provinces", invitees=users[1:]
    )
    sockets = [
        await ws_connect(server, user)
        for server, user in zip((server_a, server_b, server_b), users, strict=True)
    ]
    publishers, watchers, tasks = [], [Subscriber() for _ in users], []
    try:
        for ws in sockets:
            await ws.recv_until("hello")
            await ws.send_json({"type": "call.join", "meeting": meeting.pk})
            await ws.recv_until("call.joined")
        for ws in sockets:  # publish first: one reader per socket from here on
            publishers.append(await _publish(ws, meeting.pk))
        for ws, watcher in zip(sockets, watchers, strict=True):
            await ws.send_json({"type": "call.relay.subscribe", "meeting": meeting.pk})
            tasks.append(asyncio.ensure_future(_answer_offers(ws, watcher, meeting.pk)))
        for me, watcher in zip(users, watchers, strict=True):
            for other in users:
                if other != me:
                    await wait_for(
                        lambda w=watcher, o=other: w.count(o.pk) >= 30,
                        what=f"{other.username}'s video at {me.username}",
                    )
    finally:
        for task in tasks:
            task.cancel()
        for pc in [*publishers, *(w.pc for w in watchers)]:
            await pc.close()
        for ws in sockets:
            await ws.send_json({"type": "call.leave", "meeting": meeting.pk})
            await ws.close()


async def test_when_the_relay_process_dies_the_meeting_moves_to_a_live_one(
    live_servers, django_user_model
):
    """The owner's Daphne is killed; the participants on the other process publish and
    subscribe again (as call.js does when its relay connection fails) and get a relay in
    their own process within the liveness timeout, not the owner claim's 90 s."""
    server_a, server_b = live_servers(2)
    users = [
        await sync_to_async(django_user_model.objects.create_user)(f"crash{n}", password="x")
        for n in range(3)
    ]
    meeting = await sync_to_async(create_meeting)(
        host=users[0], title="Crash drill", invitees=users[1:]
    )
    host = await ws_connect(server_a, users[0])
    others = [await ws_connect(server_b, user) for user in users[1:]]
    pcs, tasks = [], []
    try:
        for ws in [host, *others]:
            await ws.recv_until("hello")
            await ws.send_json({"type": "call.join", "meeting": meeting.pk})
            await ws.recv_until("call.joined")
        pcs.append(await _publish(host, meeting.pk))  # server A now owns the relay
        for ws in others:
            pcs.append(await _publish(ws, meeting.pk))
        owner = await cache.aget(f"calls.relay.owner.{meeting.pk}")
        assert owner and await cache.aget(f"calls.relay.alive.{owner}")

        live_servers.kill(server_a)
        for pc in pcs:
            await pc.close()
        pcs = []
        started = time.monotonic()
        watchers = [Subscriber() for _ in others]
        for ws, watcher in zip(others, watchers, strict=True):
            ws.skipped.clear()
            pcs.append(await _publish_until_answered(ws, meeting.pk))
            await ws.send_json({"type": "call.relay.subscribe", "meeting": meeting.pk})
            tasks.append(asyncio.ensure_future(_answer_offers(ws, watcher, meeting.pk)))
        first, second = users[1].pk, users[2].pk
        await wait_for(lambda: watchers[0].count(second) >= 30, what="video after the crash")
        await wait_for(lambda: watchers[1].count(first) >= 30, what="video after the crash")
        recovered = time.monotonic() - started
        assert recovered < relay_routing.OWNER_TTL, recovered  # the old claim still stood
        assert await cache.aget(f"calls.relay.owner.{meeting.pk}") not in (None, owner)
    finally:
        for task in tasks:
            task.cancel()
        for pc in pcs:
            await pc.close()
        for ws in others:
            await ws.send_json({"type": "call.leave", "meeting": meeting.pk})
            await ws.close()


async def _publish_until_answered(ws, meeting_id: int, *, within: float = 30.0):
    """Publish, and publish again after 3 s without an answer (the frame may have gone to
    the dead owner while its liveness key still stood), as call.js does."""
    deadline = time.monotonic() + within
    while True:
        pc, sdp = await publisher_offer(audio=Tone())
        await ws.send_json({"type": "call.relay.publish", "meeting": meeting_id, "sdp": sdp})
        try:
            answer = await ws.recv_until("call.relay.published", timeout=3)
        except TimeoutError:
            await pc.close()
            if time.monotonic() > deadline:
                raise
            continue
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        return pc
