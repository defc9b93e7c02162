"""REST for chat at /api/v1/chat: everything the socket does, for clients without one."""

from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Status
from ninja.files import UploadedFile

from collab.core.bounds import Id, StrictBody

from . import presence, selectors, services
from .conf import PAGE_MAX
from .errors import forbidden, invalid
from .models import MessageEdit
from .payloads import message_payload, person_payload, room_payload

router = Router(tags=["chat"])


def _users(usernames: list[str], field: str = "members") -> list:
    found = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=usernames, is_active=True)
    }
    missing = [name for name in usernames if name not in found]
    if missing:
        raise invalid(field, _("Unknown people: %(names)s") % {"names": ", ".join(missing)})
    return [found[n] for n in usernames]


def _room_out(membership, unread: int | None = None) -> dict:
    room = membership.room
    out = room_payload(room, membership=membership, unread=unread or 0)
    if room.is_direct:
        members = getattr(room, "member_list", None) or selectors.members_of(room_id=room.pk)
        out["members"] = [person_payload(m.user) for m in members]
    return out


class RoomIn(StrictBody):
    kind: Literal["public", "private", "dm"]
    name: str = ""
    topic: str = ""
    description: str = ""
    members: list[str] = []


class RoomPatch(StrictBody):
    name: str | None = None
    topic: str | None = None
    description: str | None = None
    archived: bool | None = None


class MessageIn(StrictBody):
    body: str = Field(min_length=1)
    client_id: str | None = None
    thread: Id | None = None


class EditIn(StrictBody):
    body: str = Field(min_length=1)


class ReactionIn(StrictBody):
    emoji: str = Field(min_length=1)


class ChatReadIn(StrictBody):
    message: Id


class FlagIn(StrictBody):
    value: bool


class MembersIn(StrictBody):
    usernames: list[str]


class RoleIn(StrictBody):
    role: Literal["owner", "moderator", "member"]


class PresenceIn(StrictBody):
    status: Literal["online", "away", "offline"] = "online"


@router.get("/rooms")
def list_rooms(request: HttpRequest):
    rooms = [_room_out(m, m.unread) for m in selectors.rooms_of(user=request.user)]
    return {"items": rooms, "count": len(rooms)}


@router.post("/rooms", response={201: dict})
def create_room(request: HttpRequest, data: RoomIn):
    room = services.create_room(
        creator=request.user,
        kind=data.kind,
        name=data.name,
        topic=data.topic,
        description=data.description,
        members=_users(data.members),
    )
    me = selectors.require_member(user=request.user, room_id=room.pk)
    return Status(201, _room_out(me))


@router.get("/rooms/public")
def browse_rooms(request: HttpRequest, q: str = ""):
    rooms = [
        {**room_payload(r), "member_count": r.member_count} for r in selectors.public_rooms(query=q)
    ]
    return {"items": rooms, "count": len(rooms)}


@router.get("/rooms/{room_id}")
def get_room(request: HttpRequest, room_id: Id):
    me = selectors.require_member(user=request.user, room_id=room_id)
    out = _room_out(me, selectors.unread_count(membership=me))
    out["members"] = [
        {**person_payload(m.user), "role": m.role} for m in selectors.members_of(room_id=room_id)
    ]
    return out


@router.patch("/rooms/{room_id}")
def update_room(request: HttpRequest, room_id: Id, data: RoomPatch):
    services.update_room(actor=request.user, room_id=room_id, **data.dict())
    return _room_out(selectors.require_member(user=request.user, room_id=room_id))


@router.post("/rooms/{room_id}/join")
def join_room(request: HttpRequest, room_id: Id):
    me = services.join_room(user=request.user, room_id=room_id)
    return _room_out(selectors.require_member(user=request.user, room_id=me.room_id))


@router.post("/rooms/{room_id}/leave", response={204: None})
def leave_room(request: HttpRequest, room_id: Id):
    services.leave_room(user=request.user, room_id=room_id)
    return Status(204, None)


@router.post("/rooms/{room_id}/members")
def add_members(request: HttpRequest, room_id: Id, data: MembersIn):
    added = services.add_members(
        actor=request.user, room_id=room_id, users=_users(data.usernames, "usernames")
    )
    return {"added": [m.user.username for m in added]}


@router.delete("/rooms/{room_id}/members/{username}", response={204: None})
def remove_member(request: HttpRequest, room_id: Id, username: str):
    services.remove_member(
        actor=request.user, room_id=room_id, user=_users([username], "username")[0]
    )
    return Status(204, None)


@router.put("/rooms/{room_id}/members/{username}/role")
def set_role(request: HttpRequest, room_id: Id, username: str, data: RoleIn):
    m = services.set_role(
        actor=request.user,
        room_id=room_id,
        user=_users([username], "username")[0],
        role=data.role,
    )
    return {"username": username, "role": m.role}


@router.get("/rooms/{room_id}/messages")
def list_messages(
    request: HttpRequest,
    room_id: Id,
    before: Id | None = None,
    after: Id | None = None,
    around: Id | None = None,
    thread: Id | None = None,
    limit: Annotated[int, Field(ge=1, le=PAGE_MAX)] = 50,
):
    selectors.require_member(user=request.user, room_id=room_id)
    page = selectors.messages_page(
        room_id=room_id, before=before, after=after, around=around, thread=thread, limit=limit
    )
    items = [message_payload(m) for m in page]
    return {"items": items, "count": len(items)}


@router.post("/rooms/{room_id}/messages", response={200: dict, 201: dict})
def send_message(request: HttpRequest, room_id: Id, data: MessageIn):
    message, created = services.send_message(
        author=request.user,
        room_id=room_id,
        body=data.body,
        client_id=data.client_id,
        thread_id=data.thread,
    )
    return Status(
        201 if created else 200, message_payload(selectors.message_with_details(message.pk))
    )


@router.post("/rooms/{room_id}/files", response={200: dict, 201: dict})
def upload_file(
    request: HttpRequest,
    room_id: Id,
    file: File[UploadedFile],
    body: Form[str] = "",
    client_id: Form[str] = "",
    thread: Form[Id | None] = None,
):
    message, created = services.send_message(
        author=request.user,
        room_id=room_id,
        body=body,
        client_id=client_id or None,
        thread_id=thread,
        upload=file,
    )
    return Status(
        201 if created else 200, message_payload(selectors.message_with_details(message.pk))
    )


@router.get("/rooms/{room_id}/pins")
def list_pins(request: HttpRequest, room_id: Id):
    selectors.require_member(user=request.user, room_id=room_id)
    items = [message_payload(m) for m in selectors.pinned_messages(room_id=room_id)]
    return {"items": items, "count": len(items)}


@router.post("/rooms/{room_id}/read")
def mark_read(request: HttpRequest, room_id: Id, data: ChatReadIn):
    me = services.mark_read(user=request.user, room_id=room_id, message_id=data.message)
    return {"last_read_id": me.last_read_id, "unread": selectors.unread_count(membership=me)}


@router.post("/rooms/{room_id}/mute")
def mute(request: HttpRequest, room_id: Id, data: FlagIn):
    me = services.set_muted(user=request.user, room_id=room_id, muted=data.value)
    return {"muted": me.muted}


@router.get("/rooms/{room_id}/mentions")
def mention_autocomplete(request: HttpRequest, room_id: Id, q: str = ""):
    selectors.require_member(user=request.user, room_id=room_id)
    people = [person_payload(u) for u in selectors.mention_candidates(room_id=room_id, query=q)]
    if "room".startswith(q.strip().lstrip("@").lower()):
        people.append(
            {"id": None, "username": "room", "name": _("Everyone in this room"), "name_km": ""}
        )
    return {"items": people, "count": len(people)}


@router.get("/people")
def people_autocomplete(request: HttpRequest, q: str = ""):
    """People to start a conversation with or to invite (not limited to one room)."""
    users = selectors.people_candidates(query=q[:100], exclude_user_id=request.user.pk)
    people = [person_payload(u) for u in users]
    return {"items": people, "count": len(people)}


@router.get("/rooms/{room_id}/presence")
def room_presence(request: HttpRequest, room_id: Id):
    selectors.require_member(user=request.user, room_id=room_id)
    members = selectors.members_of(room_id=room_id)
    status = presence.statuses([m.user_id for m in members])
    items = [{"username": m.user.username, "status": status[m.user_id]} for m in members]
    return {"items": items, "count": len(items)}


@router.post("/presence")
def beat(request: HttpRequest, data: PresenceIn):
    presence.heartbeat(user=request.user, status=data.status)
    return {"status": data.status, "ttl": presence.conf.presence_ttl()}


@router.patch("/messages/{message_id}")
def edit_message(request: HttpRequest, message_id: Id, data: EditIn):
    message = services.edit_message(user=request.user, message_id=message_id, body=data.body)
    return message_payload(message)


@router.delete("/messages/{message_id}", response={204: None})
def delete_message(request: HttpRequest, message_id: Id):
    services.delete_message(user=request.user, message_id=message_id)
    return Status(204, None)


@router.get("/messages/{message_id}/history")
def edit_history(request: HttpRequest, message_id: Id):
    message = selectors.message_with_details(message_id)
    if message is None:
        raise forbidden()
    selectors.require_member(user=request.user, room_id=message.room_id)
    edits = MessageEdit.objects.filter(message_id=message_id).order_by("edited", "pk")
    items = [{"body": e.body, "replaced": e.edited.isoformat()} for e in edits]
    return {"items": items, "count": len(items), "current": message_payload(message)}


@router.post("/messages/{message_id}/reactions")
def add_reaction(request: HttpRequest, message_id: Id, data: ReactionIn):
    state = services.set_reaction(user=request.user, message_id=message_id, emoji=data.emoji)
    return {"reactions": state}


@router.delete("/messages/{message_id}/reactions")
def remove_reaction(request: HttpRequest, message_id: Id, emoji: str):
    state = services.set_reaction(user=request.user, message_id=message_id, emoji=emoji, add=False)
    return {"reactions": state}


@router.post("/messages/{message_id}/pin")
def pin(request: HttpRequest, message_id: Id, data: FlagIn):
    message = services.set_pinned(user=request.user, message_id=message_id, pinned=data.value)
    return {"pinned": message.pinned_at is not None}
