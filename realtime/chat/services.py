"""Every chat write. Events go out through realtime.services.publish, after commit."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from collab.core import clock
from collab.core.errors import ServiceError
from realtime.models import Event
from realtime.ratelimit import take_token
from realtime.services import notify_stream_membership, publish

from . import conf, files, notify, selectors
from .errors import forbidden, invalid
from .models import Attachment, Membership, Message, MessageEdit, Reaction, Room
from .payloads import message_payload, reactions_payload, room_payload
from .rendering import ROOM_MENTION, find_mentions, render

User = get_user_model()
Role = Membership.Role


# ---------------------------------------------------------------- rooms


def create_room(
    *, creator, kind: str, name: str = "", topic: str = "", members=(), description: str = ""
) -> Room:
    """A public/private channel (creator is owner) or a DM/group DM (reused if it exists)."""
    others = [u for u in members if u.pk != creator.pk]
    if kind in (Room.Kind.DM, Room.Kind.GROUP):
        return get_or_create_direct(creator=creator, others=others)
    if kind not in (Room.Kind.PUBLIC, Room.Kind.PRIVATE):
        raise invalid("kind", _("Kind must be public, private or dm."))
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("A channel needs a name."))
    if len(name) > 120:
        raise invalid("name", _("The name is longer than 120 characters."))
    with transaction.atomic():
        room = Room.objects.create(
            kind=kind, name=name, topic=topic[:250], description=description, created_by=creator
        )
        _add_member(room=room, user=creator, role=Role.OWNER)
        for user in others:
            _add_member(room=room, user=user)
    return room


def get_or_create_direct(*, creator, others) -> Room:
    people = {u.pk: u for u in [creator, *others]}
    if len(people) < 2:
        raise invalid("members", _("A direct message needs at least one other person."))
    key = ":".join(str(pk) for pk in sorted(people))
    existing = Room.objects.filter(dm_key=key).first()
    if existing:
        return existing
    kind = Room.Kind.DM if len(people) == 2 else Room.Kind.GROUP
    try:
        with transaction.atomic():
            room = Room.objects.create(kind=kind, dm_key=key, created_by=creator)
            for user in people.values():
                _add_member(room=room, user=user)
    except IntegrityError:  # created concurrently by the other person
        return Room.objects.get(dm_key=key)
    return room


def ensure_unit_channel(*, unit, include_subunits: bool = False) -> Room:
    """The org unit's channel (created if missing), synced with the directory."""
    with transaction.atomic():
        room, _created = Room.objects.get_or_create(
            org_unit=unit,
            defaults={
                "kind": Room.Kind.UNIT,
                "name": unit.name_en,
                "topic": unit.name_km,
                "include_subunits": include_subunits,
            },
        )
        sync_unit_channel(room=room)
    return room


def sync_unit_channel(*, room: Room) -> tuple[int, int]:
    """Make directory-managed members equal the unit's people; returns (added, removed).

    Members added by hand (not ``via_unit``) are left alone.
    """
    from collab.directory.selectors import people_in_unit

    if room.org_unit_id is None:
        return (0, 0)
    wanted = set(
        people_in_unit(unit=room.org_unit, include_descendants=room.include_subunits)
        .filter(user__isnull=False, user__is_active=True)
        .values_list("user_id", flat=True)
    )
    with transaction.atomic():
        current = dict(Membership.objects.filter(room=room).values_list("user_id", "via_unit"))
        added = 0
        for user_id in wanted - set(current):
            Membership.objects.create(room=room, user_id=user_id, via_unit=True)
            _announce_join(room=room, user_id=user_id)
            added += 1
        gone = [uid for uid, via in current.items() if via and uid not in wanted]
        Membership.objects.filter(room=room, user_id__in=gone).delete()
        for user_id in gone:
            _announce_leave(room=room, user_id=user_id)
    return (added, len(gone))


def sync_all_unit_channels() -> int:
    changed = 0
    for room in Room.objects.filter(kind=Room.Kind.UNIT, org_unit__isnull=False):
        added, removed = sync_unit_channel(room=room)
        changed += added + removed
    return changed


def join_room(*, user, room_id: int) -> Membership:
    """Join a public or org-unit channel; private rooms answer as if they did not exist."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None or room.kind not in (Room.Kind.PUBLIC, Room.Kind.UNIT):
        raise forbidden()
    with transaction.atomic():
        existing = Membership.objects.filter(room=room, user=user).first()
        return existing or _add_member(room=room, user=user)


def add_members(*, actor, room_id: int, users) -> list[Membership]:
    me = selectors.require_member(user=actor, room_id=room_id)
    room = me.room
    if room.is_direct:
        raise ServiceError("invalid", _("Start a new group conversation instead."), status=422)
    if room.kind == Room.Kind.PRIVATE and not me.can_moderate:
        raise ServiceError("forbidden", _("Only owners and moderators can invite."), status=403)
    added = []
    with transaction.atomic():
        present = set(Membership.objects.filter(room=room).values_list("user_id", flat=True))
        for user in users:
            if user.pk not in present:
                added.append(_add_member(room=room, user=user))
    return added


def leave_room(*, user, room_id: int) -> None:
    me = selectors.require_member(user=user, room_id=room_id)
    with transaction.atomic():
        me.delete()
        _announce_leave(room=me.room, user_id=user.pk)


def remove_member(*, actor, room_id: int, user) -> None:
    me = selectors.require_member(user=actor, room_id=room_id)
    if not me.can_moderate:
        raise ServiceError(
            "forbidden", _("Only owners and moderators can remove people."), status=403
        )
    target = Membership.objects.filter(room_id=room_id, user=user).first()
    if target is not None and target.role == Role.OWNER and me.role != Role.OWNER:
        raise ServiceError("forbidden", _("Only owners can remove an owner."), status=403)
    with transaction.atomic():
        deleted, _x = Membership.objects.filter(room_id=room_id, user=user).delete()
        if deleted:
            _announce_leave(room=me.room, user_id=user.pk)


def set_role(*, actor, room_id: int, user, role: str) -> Membership:
    me = selectors.require_member(user=actor, room_id=room_id)
    if me.role != Role.OWNER:
        raise ServiceError("forbidden", _("Only owners can change roles."), status=403)
    if role not in Role.values:
        raise invalid("role", _("Role must be owner, moderator or member."))
    target = Membership.objects.filter(room_id=room_id, user=user).first()
    if target is None:
        raise invalid("user", _("That person is not a member of this room."))
    if target.role == Role.OWNER and role != Role.OWNER and not _other_owner(target):
        raise invalid("role", _("A room needs at least one owner."))
    target.role = role
    target.save(update_fields=["role"])
    return target


def _other_owner(membership: Membership) -> bool:
    return (
        Membership.objects.filter(room_id=membership.room_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def update_room(*, actor, room_id: int, **changes) -> Room:
    """Change name, topic, description or archived (owners and moderators)."""
    me = selectors.require_member(user=actor, room_id=room_id)
    if not me.can_moderate:
        raise ServiceError(
            "forbidden", _("Only owners and moderators can change the room."), status=403
        )
    room = me.room
    allowed = {"name", "topic", "description", "archived"}
    for field, value in changes.items():
        if field not in allowed:
            raise invalid(field, _("This field cannot be changed."))
        if value is not None:
            setattr(room, field, value.strip() if isinstance(value, str) else value)
    if room.kind in (Room.Kind.PUBLIC, Room.Kind.PRIVATE) and not room.name:
        raise invalid("name", _("A channel needs a name."))
    if len(room.name) > 120:
        raise invalid("name", _("The name is longer than 120 characters."))
    if len(room.topic) > 250:
        raise invalid("topic", _("The topic is longer than 250 characters."))
    with transaction.atomic():
        room.save()
        publish(type="chat.room", payload={"room": room_payload(room)}, stream=room.stream)
    return room


def set_muted(*, user, room_id: int, muted: bool) -> Membership:
    me = selectors.require_member(user=user, room_id=room_id)
    me.muted = muted
    me.save(update_fields=["muted"])
    return me


def mark_read(*, user, room_id: int, message_id: int) -> Membership:
    """Move the read position forward (never back) and tell the user's other devices."""
    me = selectors.require_member(user=user, room_id=room_id)
    top = Message.objects.filter(room_id=room_id, id__lte=message_id).order_by("-id").first()
    if top is None or top.pk <= me.last_read_id:
        return me
    with transaction.atomic():
        Membership.objects.filter(pk=me.pk, last_read_id__lt=top.pk).update(last_read_id=top.pk)
        me.last_read_id = top.pk
        publish(
            type="chat.read",
            payload={
                "room": me.room_id,
                "message": top.pk,
                "unread": selectors.unread_count(membership=me),
            },
            user_id=user.pk,
        )
    return me


def _add_member(*, room: Room, user, role: str = Role.MEMBER) -> Membership:
    membership = Membership.objects.create(room=room, user=user, role=role)
    _announce_join(room=room, user_id=user.pk)
    return membership


def _announce_join(*, room: Room, user_id: int) -> None:
    publish(type="chat.joined", payload={"room": room_payload(room)}, user_id=user_id)
    notify_stream_membership(user_id=user_id, stream=room.stream, joined=True)


def _announce_leave(*, room: Room, user_id: int) -> None:
    publish(type="chat.left", payload={"room": room.pk}, user_id=user_id)
    notify_stream_membership(user_id=user_id, stream=room.stream, joined=False)


# ---------------------------------------------------------------- messages


def check_rate(*, user) -> None:
    key = conf.cache_key("rate", user.pk)
    wait = take_token(key, rate=conf.send_rate(), burst=conf.send_burst())
    if wait:
        raise ServiceError(
            "rate_limited",
            _("Too many messages; try again in %(s)s seconds.") % {"s": wait},
            status=429,
            retry_after=wait,
        )


def _clean_body(body, *, allow_empty: bool = False) -> str:
    if not isinstance(body, str):
        raise invalid("body", _("The message must be text."))
    body = body.strip()
    if not body and not allow_empty:
        raise invalid("body", _("The message is empty."))
    if len(body) > conf.MAX_BODY:
        raise invalid(
            "body", _("The message is longer than %(n)s characters.") % {"n": conf.MAX_BODY}
        )
    return body


def _clean_client_id(client_id) -> str:
    if client_id in (None, ""):
        return uuid.uuid4().hex
    if not isinstance(client_id, str) or len(client_id) > 64:
        raise invalid("client_id", _("client_id must be a string of at most 64 characters."))
    return client_id


def _mentions(*, room_id: int, body: str) -> tuple[list[str], bool]:
    names = find_mentions(body)
    if not names:
        return [], False
    members = Membership.objects.filter(
        room_id=room_id, user__username__in=names - {ROOM_MENTION}
    ).values_list("user__username", flat=True)
    return sorted(members), ROOM_MENTION in names


def send_message(
    *, author, room_id, body, client_id=None, thread_id=None, upload=None
) -> tuple[Message, bool]:
    """Store and publish a message; the same (author, client_id) returns the first one.

    Returns (message, created).
    """
    me = selectors.require_member(user=author, room_id=room_id)
    client_id = _clean_client_id(client_id)
    existing = Message.objects.filter(author=author, client_id=client_id).first()
    if existing is not None:
        if existing.room_id != me.room_id:
            raise invalid("client_id", _("This client_id was already used in another room."))
        return existing, False
    if me.room.archived:
        raise ServiceError("archived", _("This room is archived; it is read-only."), status=409)
    body = _clean_body(body, allow_empty=upload is not None)
    thread = _thread_root(room_id=me.room_id, thread_id=thread_id)
    kind = None
    if upload is not None:
        kind = files.check_upload(upload, max_bytes=settings.SAHAKAR_MAX_UPLOAD_BYTES)
    check_rate(user=author)
    mentions, mentions_room = _mentions(room_id=me.room_id, body=body)
    html = render(body, mentions={*mentions, *([ROOM_MENTION] if mentions_room else [])})
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = Message.objects.create(
                room_id=me.room_id,
                author=author,
                client_id=client_id,
                body=body,
                body_html=html,
                thread=thread,
                mentions=mentions,
                mentions_room=mentions_room,
            )
            if upload is not None:
                att = _store_attachment(message=message, upload=upload, kind=kind)
                stored = [f.name for f in (att.file, att.thumbnail) if f]
            payload = message_payload(message, reactions=False, attachments=upload is not None)
            del payload["seq"]  # the frame carries it, top level
            event = publish(
                type="chat.message",
                payload={"room": me.room_id, "message": payload},
                stream=me.room.stream,
            )
            message.seq = event.seq
            Message.objects.filter(pk=message.pk).update(seq=event.seq)
            me.last_read_id = message.pk  # your own message is read
            Membership.objects.filter(pk=me.pk).update(last_read_id=message.pk)
            notify.after_message(message=message, room=me.room)
    except IntegrityError:
        _delete_files(stored)
        # The same client_id raced in twice; the other one won.
        existing = Message.objects.filter(author=author, client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        _delete_files(stored)
        raise
    return message, True


def _thread_root(*, room_id: int, thread_id) -> Message | None:
    if thread_id in (None, ""):
        return None
    try:
        thread_id = int(thread_id)
    except (TypeError, ValueError):
        raise invalid("thread", _("thread must be a message id.")) from None
    root = Message.objects.filter(pk=thread_id, room_id=room_id, deleted__isnull=True).first()
    if root is None:
        raise invalid("thread", _("No such message in this room."))
    return root.thread if root.thread_id else root


def _store_attachment(*, message: Message, upload, kind: tuple[str, str]) -> Attachment:
    content_type, ext = kind
    thumb = None
    if content_type.startswith("image/"):
        thumb = files.thumbnail(upload)
        if thumb is None:
            raise ServiceError(
                "unsupported_type", _("This image cannot be read."), status=415, field="file"
            )
    stem = get_valid_filename((upload.name or "file").rsplit(".", 1)[0])[:80] or "file"
    token = uuid.uuid4().hex[:12]
    att = Attachment(
        room_id=message.room_id,
        message=message,
        name=f"{stem}.{ext}",
        content_type=content_type,
        size=upload.size,
    )
    att.file.save(f"{token}-{stem}.{ext}", upload, save=False)
    if thumb is not None:
        att.thumbnail.save(f"{token}-thumb.webp", ContentFile(thumb), save=False)
    att.save()
    return att


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _editable(*, user, message_id, moderator_ok: bool) -> tuple[Message, Membership]:
    message = Message.objects.select_related("room").filter(pk=message_id).first()
    if message is None:
        raise forbidden()
    me = selectors.require_member(user=user, room_id=message.room_id)
    if message.deleted is not None:
        raise ServiceError("gone", _("This message was deleted."), status=410)
    if message.author_id != user.pk and not (moderator_ok and me.can_moderate):
        raise ServiceError("forbidden", _("Only the author can do this."), status=403)
    return message, me


def edit_message(*, user, message_id, body) -> Message:
    message, me = _editable(user=user, message_id=message_id, moderator_ok=False)
    body = _clean_body(body, allow_empty=message.attachments.exists())
    if body == message.body:
        return message
    check_rate(user=user)
    mentions, mentions_room = _mentions(room_id=message.room_id, body=body)
    with transaction.atomic():
        MessageEdit.objects.create(message=message, body=message.body)
        message.body = body
        message.body_html = render(
            body, mentions={*mentions, *([ROOM_MENTION] if mentions_room else [])}
        )
        message.mentions = mentions
        message.mentions_room = mentions_room
        message.edited = clock.now()
        message.save(update_fields=["body", "body_html", "mentions", "mentions_room", "edited"])
        full = selectors.message_with_details(message.pk)
        publish(
            type="chat.edited",
            payload={"room": message.room_id, "message": message_payload(full)},
            stream=me.room.stream,
        )
    return full


def delete_message(*, user, message_id) -> Message:
    """Tombstone: the text, history, reactions and files are really removed."""
    message, me = _editable(user=user, message_id=message_id, moderator_ok=True)
    check_rate(user=user)
    with transaction.atomic():
        _erase(message)
        message.deleted = clock.now()
        message.pinned_at = None
        message.save(
            update_fields=["body", "body_html", "mentions", "mentions_room", "deleted", "pinned_at"]
        )
        tombstone = {"id": message.pk, "thread": message.thread_id, "deleted": True}
        # Earlier events carried the text; resuming clients must not get it back.
        Event.objects.filter(stream=me.room.stream, payload__message__id=message.pk).update(
            payload={"room": message.room_id, "message": tombstone}
        )
        publish(
            type="chat.deleted",
            payload={"room": message.room_id, "message": tombstone, "by": user.username},
            stream=me.room.stream,
        )
    return message


def _erase(message: Message) -> None:
    message.body = ""
    message.body_html = ""
    message.mentions = []
    message.mentions_room = False
    message.edits.all().delete()
    message.reactions.all().delete()
    delete_attachments(Attachment.objects.filter(message=message))


def delete_attachments(attachments) -> int:
    """Delete attachment rows and, once committed, their files."""
    names = []
    for att in attachments:
        names += [f.name for f in (att.file, att.thumbnail) if f]
    count, _x = attachments.delete()
    if names:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])
    return count


def set_reaction(*, user, message_id, emoji, add: bool = True) -> dict[str, list[str]]:
    if (
        not isinstance(emoji, str)
        or not emoji.strip()
        or len(emoji) > 32
        or any(c.isspace() or c in "<>&\"'" for c in emoji)
    ):
        raise invalid("emoji", _("An emoji is one short symbol or :name: without spaces."))
    message, me = _reactable(user=user, message_id=message_id)
    check_rate(user=user)
    with transaction.atomic():
        if add:
            Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        else:
            Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        reactions = reactions_payload(
            Message.objects.prefetch_related("reactions__user").get(pk=message.pk)
        )
        publish(
            type="chat.reaction",
            payload={
                "room": message.room_id,
                "message": message.pk,
                "emoji": emoji,
                "user": user.username,
                "added": add,
                "reactions": reactions,
            },
            stream=me.room.stream,
        )
    return reactions


def _reactable(*, user, message_id) -> tuple[Message, Membership]:
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        raise forbidden()
    me = selectors.require_member(user=user, room_id=message.room_id)
    if message.deleted is not None:
        raise ServiceError("gone", _("This message was deleted."), status=410)
    return message, me


def set_pinned(*, user, message_id, pinned: bool) -> Message:
    message, me = _reactable(user=user, message_id=message_id)
    with transaction.atomic():
        message.pinned_at = clock.now() if pinned else None
        message.pinned_by = user if pinned else None
        message.save(update_fields=["pinned_at", "pinned_by"])
        publish(
            type="chat.pinned",
            payload={
                "room": message.room_id,
                "message": message.pk,
                "pinned": pinned,
                "by": user.username,
            },
            stream=me.room.stream,
        )
    return message


# ---------------------------------------------------------------- retention


def apply_retention(*, now=None) -> int:
    """Really delete messages (with their files and events) older than each room's period."""
    from datetime import timedelta

    now = now or clock.now()
    deleted = 0
    rooms = Room.objects.filter(retention_days__isnull=False, legal_hold=False)
    for room in rooms:
        cutoff = now - timedelta(days=room.retention_days)
        with transaction.atomic():
            old = Message.objects.filter(room=room, created__lt=cutoff)
            delete_attachments(Attachment.objects.filter(message__in=old))
            # Replies to an old thread root go with it (cascade), counted here too.
            _total, per_model = old.delete()
            deleted += per_model.get(Message._meta.label, 0)
            Event.objects.filter(stream=room.stream, created__lt=cutoff).delete()
    return deleted
