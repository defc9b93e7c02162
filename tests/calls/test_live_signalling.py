"""Real aiortc peers signalling through a real Daphne process over /ws/."""

import asyncio

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from asgiref.sync import sync_to_async

from realtime.calls.services import create_meeting
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


class FrameCounter:
    def __init__(self) -> None:
        self.count = 0
        self.first = asyncio.get_running_loop().create_future()

    async def consume(self, track) -> None:
        while True:
            try:
                await track.recv()
            except Exception:
                return
            self.count += 1
            if not self.first.done():
                self.first.set_result(None)


def _peer(counter: FrameCounter) -> RTCPeerConnection:
    # No ICE server at all: host candidates on loopback, nothing leaves the machine.
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(VideoStreamTrack())

    @pc.on("track")
    def on_track(track) -> None:
        if track.kind == "video":
            asyncio.ensure_future(counter.consume(track))

    return pc


@pytest.fixture
def doctor_and_colleague(django_user_model):
    doctor = django_user_model.objects.create_user("doctor1", password="x")
    colleague = django_user_model.objects.create_user("colleague1", password="x")
    return doctor, colleague


async def test_two_aiortc_peers_exchange_video_through_daphne(daphne_server, doctor_and_colleague):
    doctor, colleague = doctor_and_colleague
    meeting = await sync_to_async(create_meeting)(
        host=doctor, title="Case review", invitees=[colleague]
    )
    a = await ws_connect(daphne_server, doctor)
    b = await ws_connect(daphne_server, colleague)
    for ws in (a, b):
        await ws.recv_until("hello")
        await ws.send_json({"type": "call.join", "meeting": meeting.pk})
        joined = await ws.recv_until("call.joined")
        assert joined["state"] == "admitted" and joined["ice_servers"] == []

    got_at_a, got_at_b = FrameCounter(), FrameCounter()
    pc_a, pc_b = _peer(got_at_a), _peer(got_at_b)
    try:
        await pc_a.setLocalDescription(await pc_a.createOffer())
        await a.send_json(
            {
                "type": "call.offer",
                "meeting": meeting.pk,
                "to": colleague.pk,
                "sdp": pc_a.localDescription.sdp,
            }
        )
        offer = await b.recv_until("call.offer")
        assert offer["from"] == doctor.pk
        await pc_b.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await pc_b.setLocalDescription(await pc_b.createAnswer())
        await b.send_json(
            {
                "type": "call.answer",
                "meeting": meeting.pk,
                "to": doctor.pk,
                "sdp": pc_b.localDescription.sdp,
            }
        )
        answer = await a.recv_until("call.answer")
        await pc_a.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))

        await asyncio.sleep(5)
        assert got_at_a.count >= 30, got_at_a.count
        assert got_at_b.count >= 30, got_at_b.count
    finally:
        await pc_a.close()
        await pc_b.close()
        await a.close()
        await b.close()


async def test_signalling_reaches_only_admitted_participants(
    daphne_server, doctor_and_colleague, django_user_model
):
    doctor, colleague = doctor_and_colleague
    outsider = await sync_to_async(django_user_model.objects.create_user)("outsider", password="x")
    meeting = await sync_to_async(create_meeting)(
        host=doctor, title="Private", invitees=[colleague], lobby=True
    )
    a = await ws_connect(daphne_server, doctor)
    o = await ws_connect(daphne_server, outsider)
    await a.recv_until("hello")
    await o.recv_until("hello")
    await a.send_json({"type": "call.join", "meeting": meeting.pk})
    await a.recv_until("call.joined")

    # An outsider waits in the lobby; the host is told on the durable stream.
    await o.send_json({"type": "call.join", "meeting": meeting.pk})
    assert (await o.recv_until("call.joined"))["state"] == "waiting"
    waiting = await a.recv_until("call.waiting")
    assert waiting["user"] == outsider.pk and waiting["seq"] > 0

    # While waiting they may not signal, and nobody may signal to them.
    await o.send_json({"type": "call.offer", "meeting": meeting.pk, "to": doctor.pk, "sdp": "v=0"})
    assert (await o.recv_until("error"))["code"] == "forbidden"
    await a.send_json(
        {"type": "call.offer", "meeting": meeting.pk, "to": outsider.pk, "sdp": "v=0"}
    )
    assert (await a.recv_until("error"))["code"] == "bad_request"

    # Only the host admits; then the outsider is told and may signal.
    await o.send_json({"type": "call.admit", "meeting": meeting.pk, "user": outsider.pk})
    assert (await o.recv_until("error"))["code"] == "forbidden"
    await a.send_json({"type": "call.admit", "meeting": meeting.pk, "user": outsider.pk})
    assert (await o.recv_until("call.admitted"))["meeting"] == meeting.pk
    await o.send_json({"type": "call.offer", "meeting": meeting.pk, "to": doctor.pk, "sdp": "v=0"})
    relayed = await a.recv_until("call.offer")
    assert relayed["from"] == outsider.pk and relayed["sdp"] == "v=0"
    for ws in (a, o):
        await ws.close()


async def test_a_denied_person_cannot_come_back(
    daphne_server, doctor_and_colleague, django_user_model
):
    doctor, _ = doctor_and_colleague
    stranger = await sync_to_async(django_user_model.objects.create_user)("stranger", password="x")
    meeting = await sync_to_async(create_meeting)(host=doctor, title="Clinic", lobby=True)
    a = await ws_connect(daphne_server, doctor)
    s = await ws_connect(daphne_server, stranger)
    await a.recv_until("hello")
    await s.recv_until("hello")
    await s.send_json({"type": "call.join", "meeting": meeting.pk})
    await s.recv_until("call.joined")
    await a.send_json({"type": "call.deny", "meeting": meeting.pk, "user": stranger.pk})
    await s.recv_until("call.denied")
    await s.send_json({"type": "call.join", "meeting": meeting.pk})
    assert (await s.recv_until("error"))["code"] == "forbidden"
    # A meeting that does not exist answers like an ended one.
    await s.send_json({"type": "call.join", "meeting": 987654})
    assert (await s.recv_until("error"))["code"] == "not_found"
    for ws in (a, s):
        await ws.close()
