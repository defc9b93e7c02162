"""The server relay through a real Daphne: aiortc peers publish to the server and receive the
others through a connection the server offers, and renegotiates when publishers come and go."""

import asyncio

import pytest
from aiortc import RTCSessionDescription
from asgiref.sync import sync_to_async

from realtime.calls.services import create_meeting
from tests.calls.peers import Subscriber, Tone, publisher_offer, wait_for
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


async def _answer_offers(ws, subscriber: Subscriber, meeting_id: int) -> None:
    """Answer every call.relay.offer the socket gets (other frames are kept in .skipped)."""
    while True:
        offer = await ws.recv_until("call.relay.offer", timeout=3600)
        sdp = await subscriber.answer(offer)
        await ws.send_json({"type": "call.relay.answer", "meeting": meeting_id, "sdp": sdp})


async def _publish(ws, meeting_id: int):
    pc, sdp = await publisher_offer(audio=Tone())
    await ws.send_json({"type": "call.relay.publish", "meeting": meeting_id, "sdp": sdp})
    answer = await ws.recv_until("call.relay.published")
    await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    return pc


async def test_relay_offers_again_when_publishers_join_after_a_subscriber_and_leave(
    daphne_server, django_user_model
):
    users = [
        await sync_to_async(django_user_model.objects.create_user)(f"relay{n}", password="x")
        for n in range(3)
    ]
    first, second, third = (u.pk for u in users)
    meeting = await sync_to_async(create_meeting)(
        host=users[0], title="Provincial review", invitees=users[1:]
    )
    sockets = [await ws_connect(daphne_server, u) for u in users]
    publishers, watcher, tasks = [], Subscriber(), []
    try:
        for ws in sockets:
            await ws.recv_until("hello")
            await ws.send_json({"type": "call.join", "meeting": meeting.pk})
            await ws.recv_until("call.joined")

        # The first user subscribes while nobody publishes: nothing to offer yet.
        await sockets[0].send_json({"type": "call.relay.subscribe", "meeting": meeting.pk})
        tasks.append(asyncio.ensure_future(_answer_offers(sockets[0], watcher, meeting.pk)))

        # A publisher appears after the subscriber: the relay offers, with its tracks.
        publishers.append(await _publish(sockets[1], meeting.pk))
        await wait_for(lambda: watcher.count(second) >= 30, what="the second user's video")
        assert watcher.offers[0]["first"] is True
        assert sorted(watcher.offers[0]["tracks"].values()) == [second, second]
        assert watcher.count(second, "audio") > 0

        publishers.append(await _publish(sockets[2], meeting.pk))
        await wait_for(lambda: watcher.count(third) >= 30, what="the third user's video")
        assert sorted(watcher.offers[-1]["tracks"].values()) == [second, second, third, third]
        assert watcher.offers[-1]["first"] is False  # the same connection, renegotiated

        # One leaves: a new offer without them, and their frames stop.
        offers_before = len(watcher.offers)
        await sockets[1].send_json({"type": "call.leave", "meeting": meeting.pk})
        await wait_for(lambda: len(watcher.offers) > offers_before, what="the offer after leave")
        assert sorted(watcher.offers[-1]["tracks"].values()) == [third, third]
        settled = watcher.count(second)
        await asyncio.sleep(1)
        assert watcher.count(second) == settled
        third_then = watcher.count(third)
        await wait_for(lambda: watcher.count(third) > third_then + 10, what="third still flows")
    finally:
        for task in tasks:
            task.cancel()
        for pc in [*publishers, watcher.pc]:
            await pc.close()
        for ws in sockets:
            await ws.send_json({"type": "call.leave", "meeting": meeting.pk})
            await ws.close()


async def test_relay_refuses_outsiders_and_answers_nobody_asked_for(
    daphne_server, django_user_model
):
    host = await sync_to_async(django_user_model.objects.create_user)("relayhost", password="x")
    outsider = await sync_to_async(django_user_model.objects.create_user)("nosy", password="x")
    meeting = await sync_to_async(create_meeting)(host=host, title="Review")
    nosy = await ws_connect(daphne_server, outsider)
    ws = await ws_connect(daphne_server, host)
    try:
        await nosy.recv_until("hello")
        await nosy.send_json({"type": "call.relay.subscribe", "meeting": meeting.pk})
        assert (await nosy.recv_until("error"))["code"] == "forbidden"
        await nosy.send_json(
            {"type": "call.relay.publish", "meeting": meeting.pk, "sdp": "v=0\r\n"}
        )
        assert (await nosy.recv_until("error"))["code"] == "forbidden"

        await ws.recv_until("hello")
        await ws.send_json({"type": "call.join", "meeting": meeting.pk})
        await ws.recv_until("call.joined")
        await ws.send_json({"type": "call.relay.answer", "meeting": meeting.pk, "sdp": "v=0\r\n"})
        error = await ws.recv_until("error")
        assert error["code"] == "bad_request" and "No relay offer" in error["detail"]
        await ws.send_json({"type": "call.relay.publish", "meeting": meeting.pk, "sdp": "hello"})
        assert (await ws.recv_until("error"))["field"] == "sdp"
    finally:
        await ws.send_json({"type": "call.leave", "meeting": meeting.pk})
        await ws.close()
        await nosy.close()
