"""The server-side recorder: an aiortc peer per recording, in the Daphne process that
received the start frame, writing with MediaRecorder into the media store."""

from pathlib import Path

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRecorder
from django.conf import settings

from realtime.calls.sdp import tune_opus

_active: dict[int, tuple[RTCPeerConnection, MediaRecorder]] = {}


def recording_path(recording_id: int) -> tuple[Path, str]:
    name = f"recordings/consultation-{recording_id}.mp4"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, name


async def start(*, recording_id: int, offer_sdp: str) -> str:
    """Answer the doctor's offer; every incoming track goes into the file."""
    path, _name = recording_path(recording_id)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    recorder = MediaRecorder(str(path))

    @pc.on("track")
    def on_track(track) -> None:
        recorder.addTrack(track)

    await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    await recorder.start()
    _active[recording_id] = (pc, recorder)
    return tune_opus(pc.localDescription.sdp)


async def stop(*, recording_id: int) -> int:
    """Close the file; returns its size (0 when this process holds no such recording)."""
    entry = _active.pop(recording_id, None)
    if entry is None:
        return 0
    pc, recorder = entry
    await recorder.stop()
    await pc.close()
    path, _name = recording_path(recording_id)
    return path.stat().st_size if path.exists() else 0
