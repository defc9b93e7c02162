"""Recording: refused without both consents; with them a server aiortc peer writes a
playable file that only the treating doctor (and admins) can play, audited; retention."""

import asyncio
import io
from datetime import timedelta

import av
import pytest
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile

from collab.consultations import services
from collab.consultations.models import Recording
from collab.core.clock import now
from collab.core.errors import ServiceError
from collab.health.models import AuditEntry
from tests.support.live import login_cookie, ws_connect


def _consent_both(appointment, doctor):
    _link, token = services.issue_link(appointment=appointment, by=doctor.user)
    guest = services.open_link(token=token, device_secret=None).guest
    services.give_consent(appointment=appointment, user=guest)
    services.give_consent(appointment=appointment, user=doctor.user)


@pytest.mark.live
async def test_recording_needs_consent_then_yields_a_playable_file(
    daphne_server, appointment, doctor, other_doctor
):
    ws = await ws_connect(daphne_server, doctor.user)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(VideoStreamTrack())
    pc.addTrack(AudioStreamTrack())
    try:
        await ws.recv_until("hello")
        await pc.setLocalDescription(await pc.createOffer())
        start = {"type": "consultation.record.start", "appointment": appointment.pk,
                 "sdp": pc.localDescription.sdp}
        await ws.send_json(start)
        refused = await ws.recv_until("error")
        assert refused["code"] == "no_consent"
        assert not await sync_to_async(Recording.objects.exists)()

        await sync_to_async(_consent_both)(appointment, doctor)
        await ws.send_json(start)
        started = await ws.recv_until("consultation.record.started")
        await pc.setRemoteDescription(RTCSessionDescription(started["sdp"], "answer"))
        await asyncio.sleep(3)
        await ws.send_json({"type": "consultation.record.stop",
                            "recording": started["recording"]})
        stopped = await ws.recv_until("consultation.record.stopped")
        assert stopped["size"] > 0
    finally:
        await pc.close()
        await ws.close()

    path = f"/consultations/recordings/{started['recording']}/"
    cookie = await sync_to_async(login_cookie)(doctor.user)
    status, headers, body = await sync_to_async(daphne_server.get)(path, cookie=cookie)
    assert status == 200 and headers["Content-Type"] == "video/mp4"
    with av.open(io.BytesIO(body)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 10
    plays = await sync_to_async(AuditEntry.objects.filter(action="play").count)()
    assert plays == 1

    other = await sync_to_async(login_cookie)(other_doctor.user)
    status, _headers, _body = await sync_to_async(daphne_server.get)(path, cookie=other)
    assert status == 404


@pytest.mark.django_db
def test_retention_deletes_old_recordings_and_their_files(appointment, doctor):
    old = Recording.objects.create(appointment=appointment, started_by=doctor.user,
                                   started_at=now() - timedelta(days=100))
    old.file.save("old.mp4", ContentFile(b"x" * 10))
    path = old.file.path
    recent = Recording.objects.create(appointment=appointment, started_by=doctor.user,
                                      started_at=now() - timedelta(days=1))
    assert services.delete_expired_recordings(older_than=timedelta(days=90)) == 1
    assert list(Recording.objects.all()) == [recent]
    import os

    assert not os.path.exists(path)


@pytest.mark.django_db
def test_only_the_treating_doctor_may_start_a_recording(appointment, doctor, other_doctor):
    _consent_both(appointment, doctor)
    with pytest.raises(ServiceError) as refused:
        services.begin_recording(appointment_id=appointment.pk, user=other_doctor.user)
    assert refused.value.code == "forbidden"
    assert services.begin_recording(appointment_id=appointment.pk, user=doctor.user).pk
