"""Chat frames on /ws/ (protocol: docs/protocol.md, section Chat).

Each frame's shape is a model (checked by the consumer before the handler runs);
handlers call services, and every refusal is a ServiceError.
"""

from channels.db import database_sync_to_async
from pydantic import StrictBool, StrictStr

from collab.core.errors import ServiceError
from realtime.frames import Frame, Id
from realtime.handlers import frame_handler

from . import presence, services


class ChatFrame(Frame):
    client_id: StrictStr | None = None  # echoed in the ack


class Send(ChatFrame):
    room: Id
    body: StrictStr
    client_id: StrictStr
    thread: Id | None = None


class Edit(ChatFrame):
    message: Id
    body: StrictStr


class Delete(ChatFrame):
    message: Id


class React(ChatFrame):
    message: Id
    emoji: StrictStr
    add: StrictBool = True


class Read(ChatFrame):
    room: Id
    message: Id


class Typing(Frame):
    room: Id


class Presence(Frame):
    status: StrictStr = "online"


def _ack(client_id: str | None, **extra) -> dict:
    return {"type": "ack", "client_id": client_id, **extra}


@frame_handler("chat.send", Send)
async def handle_send(consumer, frame: Send) -> None:
    try:
        message, _created = await database_sync_to_async(services.send_message)(
            author=consumer.user,
            room_id=frame.room,
            body=frame.body,
            client_id=frame.client_id,
            thread_id=frame.thread,
        )
    except ServiceError as error:
        error.extra["client_id"] = frame.client_id  # the client drops its pending copy
        raise
    await consumer.send_frame(_ack(frame.client_id, message={"id": message.pk, "seq": message.seq}))


@frame_handler("chat.edit", Edit)
async def handle_edit(consumer, frame: Edit) -> None:
    message = await database_sync_to_async(services.edit_message)(
        user=consumer.user, message_id=frame.message, body=frame.body
    )
    await consumer.send_frame(_ack(frame.client_id, message={"id": message.pk}))


@frame_handler("chat.delete", Delete)
async def handle_delete(consumer, frame: Delete) -> None:
    message = await database_sync_to_async(services.delete_message)(
        user=consumer.user, message_id=frame.message
    )
    await consumer.send_frame(_ack(frame.client_id, message={"id": message.pk}))


@frame_handler("chat.react", React)
async def handle_react(consumer, frame: React) -> None:
    reactions = await database_sync_to_async(services.set_reaction)(
        user=consumer.user,
        message_id=frame.message,
        emoji=frame.emoji,
        add=frame.add,
    )
    await consumer.send_frame(
        _ack(frame.client_id, message={"id": frame.message}, reactions=reactions)
    )


@frame_handler("chat.read", Read)
async def handle_read(consumer, frame: Read) -> None:
    membership = await database_sync_to_async(services.mark_read)(
        user=consumer.user, room_id=frame.room, message_id=frame.message
    )
    await consumer.send_frame(_ack(frame.client_id, last_read_id=membership.last_read_id))


@frame_handler("chat.typing", Typing)
async def handle_typing(consumer, frame: Typing) -> None:
    await database_sync_to_async(presence.typing)(user=consumer.user, room_id=frame.room)


@frame_handler("presence", Presence)
async def handle_presence(consumer, frame: Presence) -> None:
    await database_sync_to_async(presence.heartbeat)(user=consumer.user, status=frame.status)
