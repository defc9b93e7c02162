"""The JSON shapes of rooms and messages, shared by the API, the socket and events."""

from django.urls import reverse

from .models import Attachment, Message, Room


def person_payload(user) -> dict:
    person = getattr(user, "person", None)
    return {
        "id": user.pk,
        "username": user.username,
        "name": person.name_en if person else (user.get_full_name() or user.username),
        "name_km": (person.name_km or person.name_en) if person else "",
    }


def attachment_payload(att: Attachment) -> dict:
    return {
        "id": att.pk,
        "name": att.name,
        "size": att.size,
        "content_type": att.content_type,
        "url": reverse("chat:file", args=[att.pk]),
        "thumbnail_url": reverse("chat:thumbnail", args=[att.pk]) if att.thumbnail else None,
    }


def reactions_payload(message: Message) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in message.reactions.all():
        out.setdefault(r.emoji, []).append(r.user.username)
    return out


def message_payload(message: Message, *, reactions: bool = True, attachments: bool = True) -> dict:
    """Pass ``reactions=False``/``attachments=False`` for a new message (it has none yet)."""
    deleted = message.deleted is not None
    return {
        "id": message.pk,
        "room": message.room_id,
        "seq": message.seq,
        "author": person_payload(message.author),
        "body": message.body,
        "body_html": message.body_html,
        "thread": message.thread_id,
        "client_id": message.client_id,
        "created": message.created.isoformat(),
        "edited": message.edited.isoformat() if message.edited else None,
        "deleted": deleted,
        "pinned": message.pinned_at is not None,
        "mentions": message.mentions,
        "mentions_room": message.mentions_room,
        "reply_count": getattr(message, "reply_count", 0),
        "reactions": reactions_payload(message) if reactions and not deleted else {},
        "attachments": (
            [attachment_payload(a) for a in message.attachments.all()]
            if attachments and not deleted
            else []
        ),
    }


def room_payload(room: Room, *, membership=None, unread: int = 0) -> dict:
    return {
        "id": room.pk,
        "kind": room.kind,
        "name": room.name,
        "topic": room.topic,
        "description": room.description,
        "archived": room.archived,
        "org_unit": room.org_unit_id,
        "role": membership.role if membership else None,
        "muted": membership.muted if membership else False,
        "last_read_id": membership.last_read_id if membership else 0,
        "unread": unread,
    }
