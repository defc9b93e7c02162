"""Chat frames on /ws/ (protocol: docs/protocol.md, section Chat).

Handlers only check the frame's shape and call services; every refusal is a FrameError.
"""

from channels.db import database_sync_to_async

from realtime.handlers import FrameError, frame_handler

from . import presence, services
from .errors import ChatError


def _int(frame: dict, field: str, *, required: bool = True) -> int | None:
    value = frame.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise FrameError("bad_request", f"{field} must be a positive integer.", field=field)
    return value


def _str(frame: dict, field: str) -> str:
    value = frame.get(field)
    if not isinstance(value, str):
        raise FrameError("bad_request", f"{field} must be a string.", field=field)
    return value


async def _call(fn, **kwargs):
    try:
        return await database_sync_to_async(fn)(**kwargs)
    except ChatError as exc:
        raise FrameError(exc.code, exc.detail, **exc.extra) from None


def _ack(frame: dict, **extra) -> dict:
    return {"type": "ack", "client_id": frame.get("client_id"), **extra}


@frame_handler("chat.send")
async def handle_send(consumer, frame: dict) -> None:
    room = _int(frame, "room")
    body = _str(frame, "body")
    client_id = _str(frame, "client_id")
    thread = _int(frame, "thread", required=False)
    try:
        message, _created = await _call(
            services.send_message,
            author=consumer.user,
            room_id=room,
            body=body,
            client_id=client_id,
            thread_id=thread,
        )
    except FrameError as error:
        error.extra["client_id"] = client_id  # the client drops its pending copy
        raise
    await consumer.send_frame(_ack(frame, message={"id": message.pk, "seq": message.seq}))


@frame_handler("chat.edit")
async def handle_edit(consumer, frame: dict) -> None:
    message = await _call(
        services.edit_message,
        user=consumer.user,
        message_id=_int(frame, "message"),
        body=_str(frame, "body"),
    )
    await consumer.send_frame(_ack(frame, message={"id": message.pk}))


@frame_handler("chat.delete")
async def handle_delete(consumer, frame: dict) -> None:
    message = await _call(
        services.delete_message, user=consumer.user, message_id=_int(frame, "message")
    )
    await consumer.send_frame(_ack(frame, message={"id": message.pk}))


@frame_handler("chat.react")
async def handle_react(consumer, frame: dict) -> None:
    add = frame.get("add", True)
    if not isinstance(add, bool):
        raise FrameError("bad_request", "add must be true or false.", field="add")
    message_id = _int(frame, "message")
    reactions = await _call(
        services.set_reaction,
        user=consumer.user,
        message_id=message_id,
        emoji=_str(frame, "emoji"),
        add=add,
    )
    await consumer.send_frame(_ack(frame, message={"id": message_id}, reactions=reactions))


@frame_handler("chat.read")
async def handle_read(consumer, frame: dict) -> None:
    membership = await _call(
        services.mark_read,
        user=consumer.user,
        room_id=_int(frame, "room"),
        message_id=_int(frame, "message"),
    )
    await consumer.send_frame(_ack(frame, last_read_id=membership.last_read_id))


@frame_handler("chat.typing")
async def handle_typing(consumer, frame: dict) -> None:
    await _call(presence.typing, user=consumer.user, room_id=_int(frame, "room"))


@frame_handler("presence")
async def handle_presence(consumer, frame: dict) -> None:
    status = frame.get("status", "online")
    await _call(presence.heartbeat, user=consumer.user, status=status)
