"""Signalling frames on /ws/ (docs/protocol.md, "Calls")."""

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from collab.core.errors import ServiceError
from realtime.handlers import frame_handler

from . import relay_routing, selectors, services


def _meeting_id(frame: dict) -> int:
    meeting = frame.get("meeting")
    if not isinstance(meeting, int) or isinstance(meeting, bool):
        raise ServiceError("bad_request", "'meeting' must be a meeting id", field="meeting")
    return meeting


@frame_handler("call.join")
async def handle_join(consumer, frame: dict) -> None:
    joined = await database_sync_to_async(services.join)(
        meeting_id=_meeting_id(frame), user=consumer.user
    )
    await consumer.send_frame(joined)


@frame_handler("call.leave")
async def handle_leave(consumer, frame: dict) -> None:
    await database_sync_to_async(services.leave)(meeting_id=_meeting_id(frame), user=consumer.user)
    await relay_routing.route(
        meeting_id=_meeting_id(frame),
        user_id=consumer.user.pk,
        reply_to=consumer.channel_name,
        frame={"type": "call.relay.leave"},
    )


async def _decide(consumer, frame: dict, *, admit: bool) -> None:
    user_id = frame.get("user")
    if not isinstance(user_id, int):
        raise ServiceError("bad_request", "'user' must be a user id", field="user")
    await database_sync_to_async(services.decide)(
        meeting_id=_meeting_id(frame), host=consumer.user, user_id=user_id, admit=admit
    )


@frame_handler("call.admit")
async def handle_admit(consumer, frame: dict) -> None:
    await _decide(consumer, frame, admit=True)


@frame_handler("call.deny")
async def handle_deny(consumer, frame: dict) -> None:
    await _decide(consumer, frame, admit=False)


@frame_handler("call.flags")
async def handle_flags(consumer, frame: dict) -> None:
    flags = {k: frame[k] for k in ("hand_raised", "audio_only") if k in frame}
    if not flags or not all(isinstance(v, bool) for v in flags.values()):
        raise ServiceError("bad_request", "send hand_raised and/or audio_only as true/false")
    await database_sync_to_async(services.set_flags)(
        meeting_id=_meeting_id(frame), user=consumer.user, **flags
    )


async def _signal(consumer, frame: dict) -> None:
    await database_sync_to_async(services.relay_signal)(
        meeting_id=_meeting_id(frame), sender=consumer.user, frame=frame
    )


for _type in services.SIGNAL_TYPES:
    frame_handler(_type)(_signal)


async def _require_admitted(consumer, meeting_id: int) -> None:
    def check() -> bool:
        meeting = services._meeting_for(meeting_id)
        return consumer.user.pk in selectors.admitted_user_ids(meeting=meeting)

    if not await database_sync_to_async(check)():
        raise ServiceError("forbidden", _("Join the meeting first."), status=403)


def _sdp(frame: dict) -> str:
    sdp = frame.get("sdp")
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > services.MAX_SDP_CHARS:
        raise ServiceError("bad_request", "'sdp' must be a session description", field="sdp")
    return sdp


async def _route(consumer, frame: dict, **fields) -> None:
    meeting_id = _meeting_id(frame)
    await _require_admitted(consumer, meeting_id)
    await relay_routing.route(
        meeting_id=meeting_id,
        user_id=consumer.user.pk,
        reply_to=consumer.channel_name,
        frame={"type": frame["type"], **fields},
    )


@frame_handler("call.relay.publish")
async def handle_relay_publish(consumer, frame: dict) -> None:
    """Answered with call.relay.published by the process that holds the relay."""
    await _route(consumer, frame, sdp=_sdp(frame))


@frame_handler("call.relay.subscribe")
async def handle_relay_subscribe(consumer, frame: dict) -> None:
    await _route(consumer, frame)


@frame_handler("call.relay.answer")
async def handle_relay_answer(consumer, frame: dict) -> None:
    await _route(consumer, frame, sdp=_sdp(frame))


@frame_handler("call.relay.leave")
async def handle_relay_leave(consumer, frame: dict) -> None:
    """Back to the mesh: close your relay connections but stay in the meeting."""
    await _require_admitted(consumer, _meeting_id(frame))
    await relay_routing.route(
        meeting_id=_meeting_id(frame),
        user_id=consumer.user.pk,
        reply_to=consumer.channel_name,
        frame={"type": "call.relay.leave"},
    )
