"""The server relay: three aiortc peers in one meeting publish to the server (through a real
Daphne) and each receives the two others' video through MediaRelay."""

import asyncio

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from asgiref.sync import sync_to_async

from realtime.calls.services import create_meeting
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


async def test_three_peers_receive_each_others_video_through_the_relay(
    daphne_server, django_user_model
):
    users = [
        await sync_to_async(django_user_model.objects.create_user)(f"relay{n}", password="x")
        for n in range(3)
    ]
    outsider = await sync_to_async(django_user_model.objects.create_user)("nosy", password="x")
    meeting = await sync_to_async(create_meeting)(
        host=users[0], title="Provincial review", invitees=users[1:]
    )
    sockets = [await ws_connect(daphne_server, u) for u in users]
    publishers, subscribers = [], []
    counts: dict[tuple[int, int], int] = {}
    try:
        for ws in sockets:
            await ws.recv_until("hello")
            await ws.send_json({"type": "call.join", "meeting": meeting.pk})
            await ws.recv_until("call.joined")
        for ws in sockets:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            pc.addTrack(VideoStreamTrack())
            publishers.append(pc)
            await pc.setLocalDescription(await pc.createOffer())
            await ws.send_json({"type": "call.relay.publish", "meeting": meeting.pk,
                                "sdp": pc.localDescription.sdp})
            answer = await ws.recv_until("call.relay.published")
            await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))

        for me, ws in zip(users, sockets, strict=True):
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            subscribers.append(pc)
            for _ in range(2):
                pc.addTransceiver("video", direction="recvonly")
            tracks = []
            pc.on("track", tracks.append)
            await pc.setLocalDescription(await pc.createOffer())
            await ws.send_json({"type": "call.relay.subscribe", "meeting": meeting.pk,
                                "sdp": pc.localDescription.sdp})
            answer = await ws.recv_until("call.relay.subscribed")
            assert sorted(answer["publishers"]) == sorted(u.pk for u in users if u != me)
            await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
            for track, source in zip(tracks, answer["publishers"], strict=True):
                asyncio.ensure_future(_count(track, counts, (me.pk, source)))

        for _ in range(150):
            if len(counts) == 6 and min(counts.values()) >= 30:
                break
            await asyncio.sleep(0.1)
        assert len(counts) == 6 and min(counts.values()) >= 30, counts

        nosy = await ws_connect(daphne_server, outsider)
        await nosy.recv_until("hello")
        await nosy.send_json({"type": "call.relay.subscribe", "meeting": meeting.pk,
                              "sdp": "v=0"})
        assert (await nosy.recv_until("error"))["code"] == "forbidden"
        await nosy.close()
    finally:
        for pc in publishers + subscribers:
            await pc.close()
        for ws in sockets:
            await ws.send_json({"type": "call.leave", "meeting": meeting.pk})
            await ws.close()


async def _count(track, counts: dict, key) -> None:
    while True:
        try:
            await track.recv()
        except Exception:
            return
        counts[key] = counts.get(key, 0) + 1
