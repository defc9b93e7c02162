from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from collab.core.bounds import Id, Offset, StrictBody

from . import selectors, services
from .models import Urgency

router = Router(tags=["notifications"])


class InboxQuery(Schema):
    unread: bool | None = None
    needs_ack: bool | None = None
    urgency: Urgency | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class ReadIn(StrictBody):
    """`{"ids": [...]}` marks those read; `{}` or `{"ids": null}` marks all read."""

    ids: list[Id] | None = Field(None, max_length=1000)


def _entry(request: HttpRequest, notification_id: int):
    entry = selectors.inbox_entry(user=request.user, notification_id=notification_id)
    if entry is None:
        raise HttpError(404, "Notification not found.")
    return entry


@router.get("")
def list_notifications(request: HttpRequest, filters: Query[InboxQuery]):
    entries = selectors.inbox(
        user=request.user, unread=filters.unread, needs_ack=filters.needs_ack,
        urgency=filters.urgency,
    )
    page = entries[filters.offset:filters.offset + filters.limit]
    language = get_language() or "en"
    return {
        "items": [selectors.notification_item(e, language) for e in page],
        "count": entries.count(),
        "unread": selectors.unread_count(request.user),
    }


@router.get("/unread-count")
def unread(request: HttpRequest):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/{notification_id}/ack")
def acknowledge(request: HttpRequest, notification_id: Id):
    entry = _entry(request, notification_id)
    first = services.acknowledge(notification=entry.notification, user=request.user)
    return {"id": notification_id, "acknowledged": True, "already": not first}


@router.post("/{notification_id}/read")
def read_one(request: HttpRequest, notification_id: Id):
    _entry(request, notification_id)
    services.mark_read(user=request.user, ids=[notification_id])
    return {"unread": selectors.unread_count(request.user)}


@router.post("/read")
def read_many(request: HttpRequest, payload: ReadIn):
    changed = services.mark_read(user=request.user, ids=payload.ids)
    return {"changed": changed, "unread": selectors.unread_count(request.user)}
