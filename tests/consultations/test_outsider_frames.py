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
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

from collab.consultations import recorder, services
from collab.consultations.models import Appointment, PatientLink, Recording, RecordingConsent
from collab.core.clock import now
from realtime.calls import services as calls
from realtime.calls.models import Participant
from realtime.calls.relay_routing import _key as relay_owner_key
from realtime.models import Event
from tests.support.inprocess_ws import (
    assert_refused_unseen,
    async_thread_connections_closed,  # noqa: F401
    sockets,
    until,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


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
    pc = await _offer()
    try:
        async with sockets(doctor.user, outsider.user) as (doctor_ws, outsider_ws):
            await doctor_ws.send_json_to({"type": "consultation.record.start",
                                          "appointment": appointment.pk,
                                          "sdp": pc.localDescription.sdp})
            started = await until(doctor_ws, "consultation.record.started")
            await pc.setRemoteDescription(RTCSessionDescription(started["sdp"], "answer"))
            key = started["recording"]
            assert isinstance(key, str) and len(key) >= 32  # not a counter anyone can guess

            await outsider_ws.send_json_to({"type": "consultation.record.stop",
                                            "recording": key})
            refused = await until(outsider_ws, "error")
            assert refused["code"] == "forbidden"
            assert key in recorder._active
            row = await sync_to_async(Recording.objects.get)(key=key)
            assert row.ended_at is None

            await asyncio.sleep(2)  # let some media reach the file
            await doctor_ws.send_json_to({"type": "consultation.record.stop",
                                          "recording": key})
            stopped = await until(doctor_ws, "consultation.record.stopped")
            assert stopped["size"] > 0
    finally:
        await pc.close()
    row = await sync_to_async(Recording.objects.get)(key=key)
    path = Path(settings.PRIVATE_MEDIA_ROOT) / row.file.name
    assert path.stat().st_size == row.size == stopped["size"]
    assert Path(row.file.name).stem == key
    assert not Path(settings.MEDIA_ROOT, "recordings").exists()


def _world(appointment, doctor):
    """The patient waits in the lobby, both consented, the doctor is in the call and a
    recording of theirs runs. Returns (guest, recording key)."""
    guest = _patient_waiting(appointment, doctor)
    calls.join(meeting_id=appointment.meeting_id, user=doctor.user)
    recording = Recording.objects.create(
        appointment=appointment, started_by=doctor.user, started_at=now()
    )
    cache.delete(relay_owner_key(appointment.meeting_id))
    return guest, recording.key


def _state(appointment) -> dict:
    return {
        "appointment": Appointment.objects.filter(pk=appointment.pk).values().get(),
        "participants": list(Participant.objects.order_by("pk").values()),
        "recordings": list(Recording.objects.order_by("pk").values()),
        "consents": list(RecordingConsent.objects.order_by("pk").values()),
        "links": list(PatientLink.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("seq").values_list("seq", flat=True)),
        "relay_owner": cache.get(relay_owner_key(appointment.meeting_id)),
        "recorders": sorted(recorder._active),
    }


# Every frame that acts on a consultation or its call, as an outsider would send it.
OUTSIDER_FRAMES = {
    "consultation.record.start": lambda a, d, g, key: {"appointment": a.pk, "sdp": "v=0\r\n"},
    "consultation.record.stop": lambda a, d, g, key: {"recording": key},
    "call.admit": lambda a, d, g, key: {"meeting": a.meeting_id, "user": g.pk},
    "call.deny": lambda a, d, g, key: {"meeting": a.meeting_id, "user": g.pk},
    "call.leave": lambda a, d, g, key: {"meeting": a.meeting_id},
    "call.flags": lambda a, d, g, key: {"meeting": a.meeting_id, "hand_raised": True},
    "call.offer": lambda a, d, g, key: {"meeting": a.meeting_id, "to": d.user_id, "sdp": "v=0"},
    "call.answer": lambda a, d, g, key: {"meeting": a.meeting_id, "to": d.user_id, "sdp": "v=0"},
    "call.ice": lambda a, d, g, key: {"meeting": a.meeting_id, "to": d.user_id, "candidate": {}},
    "call.relay.publish": lambda a, d, g, key: {"meeting": a.meeting_id, "sdp": "v=0\r\n"},
    "call.relay.subscribe": lambda a, d, g, key: {"meeting": a.meeting_id},
    "call.relay.answer": lambda a, d, g, key: {"meeting": a.meeting_id, "sdp": "v=0\r\n"},
    "call.relay.leave": lambda a, d, g, key: {"meeting": a.meeting_id},
}


def test_every_acting_frame_of_consultations_and_calls_is_listed():
    from realtime.handlers import registered_types

    acting = {t for t in registered_types() if t.startswith(("call.", "consultation."))}
    assert acting - {"call.join"} == set(OUTSIDER_FRAMES)  # join: the lobby is for anyone


@pytest.mark.parametrize("frame_type", sorted(OUTSIDER_FRAMES))
async def test_an_outsiders_frame_is_refused_and_changes_nothing(
    appointment, doctor, outsider, frame_type
):
    guest, key = await sync_to_async(_world)(appointment, doctor)
    fields = OUTSIDER_FRAMES[frame_type](appointment, doctor, guest, key)
    async with sockets(doctor.user, outsider.user) as (doctor_ws, outsider_ws):
        before = await sync_to_async(_state)(appointment)
        await assert_refused_unseen(outsider_ws, {"type": frame_type, **fields},
                                    watcher=doctor_ws)
    assert await sync_to_async(_state)(appointment) == before


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
