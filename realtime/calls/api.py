from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from . import selectors

router = Router(tags=["calls"])
LIST_LIMIT = 100


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    host: int
    scheduled_for: datetime | None
    lobby: bool
    stream: str


class MeetingList(Schema):
    items: list[MeetingOut]
    count: int


@router.get("/meetings", response=MeetingList)
def list_meetings(request: HttpRequest):
    """Open meetings you host or are invited to (join them with the call.join frame)."""
    rows = list(selectors.meetings_for(user=request.user)[:LIST_LIMIT])
    return {
        "items": [
            {
                "id": m.pk,
                "title": m.title,
                "kind": m.kind,
                "host": m.host_id,
                "scheduled_for": m.scheduled_for,
                "lobby": m.lobby,
                "stream": m.stream,
            }
            for m in rows
        ],
        "count": len(rows),
    }
