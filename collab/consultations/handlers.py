"""Recording frames on /ws/ (docs/protocol.md, "Calls"): the doctor's browser sends one more
peer connection to the server, which records it."""

from channels.db import database_sync_to_async

from collab.core.errors import ServiceError
from realtime.handlers import frame_handler

from . import recorder, services


def _int(frame: dict, key: str) -> int:
    value = frame.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceError("bad_request", f"'{key}' must be an id", field=key)
    return value


@frame_handler("consultation.record.start")
async def handle_start(consumer, frame: dict) -> None:
    sdp = frame.get("sdp")
    if not isinstance(sdp, str) or not sdp.startswith("v=0"):
        raise ServiceError("bad_request", "'sdp' must be a session description", field="sdp")
    recording = await database_sync_to_async(services.begin_recording)(
        appointment_id=_int(frame, "appointment"), user=consumer.user
    )
    answer = await recorder.start(key=recording.key, offer_sdp=sdp)
    await consumer.send_frame(
        {"type": "consultation.record.started", "recording": recording.key, "sdp": answer}
    )


@frame_handler("consultation.record.stop")
async def handle_stop(consumer, frame: dict) -> None:
    key = frame.get("recording")
    if not isinstance(key, str) or not key:
        raise ServiceError("bad_request", "'recording' must be a recording key", field="recording")
    # Who asks is checked before the recorder is touched: a refused frame changes nothing.
    recording = await database_sync_to_async(services.recording_to_stop)(
        key=key, user=consumer.user
    )
    size = await recorder.stop(key=key)
    _path, name = recorder.recording_path(key)
    await database_sync_to_async(services.finish_recording)(
        recording=recording, size=size, file_name=name
    )
    await consumer.send_frame(
        {"type": "consultation.record.stopped", "recording": key, "size": size}
    )
