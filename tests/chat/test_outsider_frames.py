"""Someone outside a private room sends its chat frames: each is refused before anything
acts, and the room and its members see nothing. In-process consumer."""

import pytest
from asgiref.sync import sync_to_async

from realtime.chat import services
from realtime.chat.models import Membership, Message, MessageEdit, Reaction
from realtime.handlers import registered_types
from realtime.models import Event
from tests.support.inprocess_ws import (
    assert_refused_unseen,
    async_thread_connections_closed,  # noqa: F401
    sockets,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def _private_room(alice, bob):
    room = services.create_room(creator=alice, kind="private", name="Ward 3", members=[bob])
    message, _ = services.send_message(author=alice, room_id=room.pk, body="Bed 4", client_id="c1")
    services.set_reaction(user=bob, message_id=message.pk, emoji="👍")
    return room, message


def _state() -> dict:
    return {
        "messages": list(Message.objects.order_by("pk").values()),
        "edits": list(MessageEdit.objects.order_by("pk").values()),
        "reactions": list(Reaction.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("seq").values_list("seq", flat=True)),
    }


OUTSIDER_FRAMES = {
    "chat.send": lambda room, msg: {"room": room.pk, "body": "hi", "client_id": "x1"},
    "chat.edit": lambda room, msg: {"message": msg.pk, "body": "changed"},
    "chat.delete": lambda room, msg: {"message": msg.pk},
    "chat.react": lambda room, msg: {"message": msg.pk, "emoji": "👍", "add": False},
    "chat.read": lambda room, msg: {"room": room.pk, "message": msg.pk},
    "chat.typing": lambda room, msg: {"room": room.pk},
}


def test_every_chat_frame_is_listed():
    # ("presence" is not here: it tells one's own rooms that one is online, nothing more)
    chat = {t for t in registered_types() if t.startswith("chat.")}
    assert chat == set(OUTSIDER_FRAMES)


@pytest.mark.parametrize("frame_type", sorted(OUTSIDER_FRAMES))
async def test_an_outsiders_chat_frame_is_refused_and_changes_nothing(
    alice, bob, carol, frame_type
):
    room, message = await sync_to_async(_private_room)(alice, bob)
    fields = OUTSIDER_FRAMES[frame_type](room, message)
    async with sockets(alice, carol) as (member, outsider):
        before = await sync_to_async(_state)()
        await assert_refused_unseen(outsider, {"type": frame_type, **fields}, watcher=member)
    assert await sync_to_async(_state)() == before
