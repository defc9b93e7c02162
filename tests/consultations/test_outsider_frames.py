"""Someone outside a consultation sends its frames and requests: each is refused and changes
nothing (checked before anything acts). In-process consumer, real aiortc recorder."""

import asyncio
from pathlib import Path

import pytest
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from asgiref.sync import SyncToAsync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from collab.consultations import recorder, services
from collab.consultations.models import Appointment, Recording, RecordingConsent
from realtime.calls import services as calls
from realtime.calls.models import Participant
from realtime.calls.relay_routing import _key as relay_owner_key
from realtime.consumers import StreamConsumer

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_async_thread_connections():
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


async def _connect(user) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(StreamConsumer.as_asgi(), "/ws/")
    ws.scope["user"] = user
    connected, _ = await ws.connect(timeout=10)
    assert connected
    await _until(ws, "hello")
    return ws


async def _until(ws, type_: str) -> dict:
    while (frame := await ws.receive_json_from(timeout=20))["type"] != type_:
        pass
    return frame


def _patient_waiting(appointment, doctor):
    """Both consent; the patient opens the link and waits in the lobby. Returns the guest."""
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    guest = services.open_link(token=token, device_secret=None).guest
    services.give_consent(appointment=appointment, user=guest)
    services.give_consent(appointment=appointment, user=doctor.user)
    calls.join(meeting_id=appointment.meeting_id, user=guest)
    return guest


async def _offer() -> RTCPeerConnection:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(VideoStreamTrack())
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    return pc


async def test_an_outsiders_record_stop_leaves_the_recording_running(
    appointment, doctor, outsider
):
    await sync_to_async(_patient_waiting)(appointment, doctor)
    doctor_ws, outsider_ws = await _connect(doctor.user), await _connect(outsider.user)
    pc = await _offer()
    try:
        await doctor_ws.send_json_to({"type": "consultation.record.start",
                                      "appointment": appointment.pk,
                                      "sdp": pc.localDescription.sdp})
        started = await _until(doctor_ws, "consultation.record.started")
        await pc.setRemoteDescription(RTCSessionDescription(started["sdp"], "answer"))
        key = started["recording"]
        assert isinstance(key, str) and len(key) >= 32  # not a counter anyone can guess

        await outsider_ws.send_json_to({"type": "consultation.record.stop", "recording": key})
        refused = await _until(outsider_ws, "error")
        assert refused["code"] == "forbidden"
        assert key in recorder._active
        row = await sync_to_async(Recording.objects.get)(key=key)
        assert row.ended_at is None

        await asyncio.sleep(2)  # let some media reach the file
        await doctor_ws.send_json_to({"type": "consultation.record.stop", "recording": key})
        stopped = await _until(doctor_ws, "consultation.record.stopped")
        assert stopped["size"] > 0
    finally:
        await pc.close()
        await doctor_ws.disconnect()
        await outsider_ws.disconnect()
    row = await sync_to_async(Recording.objects.get)(key=key)
    path = Path(settings.PRIVATE_MEDIA_ROOT) / row.file.name
    assert path.stat().st_size == row.size == stopped["size"]
    assert Path(row.file.name).stem == key
    assert not Path(settings.MEDIA_ROOT, "recordings").exists()


async def test_an_outsiders_record_start_creates_nothing(appointment, doctor, outsider):
    await sync_to_async(_patient_waiting)(appointment, doctor)
    ws = await _connect(outsider.user)
    pc = await _offer()
    try:
        await ws.send_json_to({"type": "consultation.record.start",
                               "appointment": appointment.pk, "sdp": pc.localDescription.sdp})
        assert (await _until(ws, "error"))["code"] == "forbidden"
    finally:
        await pc.close()
        await ws.disconnect()
    assert not await sync_to_async(Recording.objects.exists)()
    assert recorder._active == {}


async def test_an_outsiders_admit_leaves_the_patient_waiting(appointment, doctor, outsider):
    guest = await sync_to_async(_patient_waiting)(appointment, doctor)
    ws = await _connect(outsider.user)
    try:
        await ws.send_json_to({"type": "call.admit", "meeting": appointment.meeting_id,
                               "user": guest.pk})
        assert (await _until(ws, "error"))["code"] == "forbidden"
    finally:
        await ws.disconnect()
    participant = await sync_to_async(Participant.objects.get)(user=guest)
    assert participant.state == Participant.State.WAITING
    status = await sync_to_async(
        lambda: Appointment.objects.get(pk=appointment.pk).status
    )()
    assert status == Appointment.Status.WAITING


async def test_an_outsiders_offer_reaches_nobody(appointment, doctor, outsider):
    await sync_to_async(calls.join)(meeting_id=appointment.meeting_id, user=doctor.user)
    doctor_ws, outsider_ws = await _connect(doctor.user), await _connect(outsider.user)
    try:
        await outsider_ws.send_json_to({"type": "call.offer", "meeting": appointment.meeting_id,
                                        "to": doctor.user_id, "sdp": "v=0\r\n"})
        assert (await _until(outsider_ws, "error"))["code"] == "forbidden"
        # The doctor's next frame is the answer to their own ping: no offer came before it.
        await doctor_ws.send_json_to({"type": "ping"})
        while (frame := await doctor_ws.receive_json_from(timeout=20))["type"] != "pong":
            assert frame["type"] != "call.offer"
    finally:
        await doctor_ws.disconnect()
        await outsider_ws.disconnect()


@pytest.mark.parametrize("frame_type", ["call.relay.publish", "call.relay.subscribe",
                                        "call.relay.answer", "call.relay.leave"])
async def test_an_outsiders_relay_frame_claims_no_relay(
    appointment, doctor, outsider, frame_type
):
    await sync_to_async(cache.delete)(relay_owner_key(appointment.meeting_id))
    ws = await _connect(outsider.user)
    try:
        await ws.send_json_to({"type": frame_type, "meeting": appointment.meeting_id,
                               "sdp": "v=0\r\n"})
        assert (await _until(ws, "error"))["code"] == "forbidden"
    finally:
        await ws.disconnect()
    assert await sync_to_async(cache.get)(relay_owner_key(appointment.meeting_id)) is None


def test_an_outsiders_consent_and_admit_requests_change_nothing(
    client, appointment, doctor, outsider
):
    guest = _patient_waiting(appointment, doctor)
    RecordingConsent.objects.all().delete()
    client.force_login(outsider.user)
    consent = client.post(f"/consultations/{appointment.pk}/consent/")
    unknown = client.post("/consultations/999999/consent/")
    assert consent.status_code == unknown.status_code == 404
    assert not RecordingConsent.objects.exists()
    assert client.post(f"/consultations/{appointment.pk}/admit/").status_code == 404
    assert Participant.objects.get(user=guest).state == Participant.State.WAITING
