"""A room's records as a zip: messages.json (authors, times, edits) plus its files."""

import io
import json
import zipfile

from .models import Message, Room


def room_archive(rooms) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for room in rooms:
            _write_room(zf, room)
    return out.getvalue()


def _write_room(zf: zipfile.ZipFile, room: Room) -> None:
    folder = f"room-{room.pk}"
    messages = (
        Message.objects.filter(room=room)
        .select_related("author__person", "pinned_by")
        .prefetch_related("edits", "reactions__user", "attachments")
        .order_by("id")
    )
    records = []
    for m in messages:
        person = getattr(m.author, "person", None)
        files = []
        for att in m.attachments.all():
            path = f"{folder}/files/{att.pk}-{att.name}"
            with att.file.open("rb") as fh:
                zf.writestr(path, fh.read())
            files.append(
                {"name": att.name, "content_type": att.content_type, "size": att.size, "path": path}
            )
        records.append(
            {
                "id": m.pk,
                "author": m.author.username,
                "author_name": person.name_en if person else m.author.get_full_name(),
                "author_name_km": person.name_km if person else "",
                "created": m.created.isoformat(),
                "edited": m.edited.isoformat() if m.edited else None,
                "deleted": m.deleted.isoformat() if m.deleted else None,
                "thread": m.thread_id,
                "body": m.body,
                "previous_versions": [
                    {"body": e.body, "replaced": e.edited.isoformat()} for e in m.edits.all()
                ],
                "reactions": [
                    {"emoji": r.emoji, "user": r.user.username} for r in m.reactions.all()
                ],
                "pinned": m.pinned_at is not None,
                "attachments": files,
            }
        )
    meta = {
        "room": {
            "id": room.pk,
            "kind": room.kind,
            "name": room.name,
            "topic": room.topic,
            "created": room.created.isoformat(),
            "archived": room.archived,
            "retention_days": room.retention_days,
            "legal_hold": room.legal_hold,
        },
        "members": [
            {"username": mb.user.username, "role": mb.role}
            for mb in room.memberships.select_related("user").order_by("user__username")
        ],
        "messages": records,
    }
    zf.writestr(f"{folder}/messages.json", json.dumps(meta, ensure_ascii=False, indent=1))
