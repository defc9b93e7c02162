"""Reads of the durable event stream."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Max, Q, QuerySet

from .models import Event


def visible_events(*, user_id: int | None, streams: Iterable[str]) -> QuerySet[Event]:
    """Events addressed to the user (if given) or to one of the streams."""
    streams = list(streams)
    audience = Q(pk__in=[])
    if user_id is not None:
        audience |= Q(user_id=user_id)
    if streams:
        audience |= Q(stream__in=streams)
    return Event.objects.filter(audience)


def latest_seq() -> int:
    """The highest committed seq of the whole stream (0 when empty)."""
    return Event.objects.aggregate(m=Max("seq"))["m"] or 0


def latest_visible_seq(*, user_id: int, streams: Iterable[str]) -> int:
    return visible_events(user_id=user_id, streams=streams).aggregate(m=Max("seq"))["m"] or 0


def event_frames_page(
    *, user_id: int | None, streams: Iterable[str], after: int, upto: int, limit: int
) -> list[dict[str, Any]]:
    """At most ``limit`` frames visible to the user with ``after < seq <= upto``, in order."""
    rows = (
        visible_events(user_id=user_id, streams=streams)
        .filter(seq__gt=after, seq__lte=upto)
        .order_by("seq")
        .values_list("seq", "type", "payload")[:limit]
    )
    return [{**payload, "type": type, "seq": seq} for seq, type, payload in rows]


def audience_seqs(
    *, user_ids: Iterable[int], streams: Iterable[str], after: int, limit: int
) -> list[tuple[int, int | None, str]]:
    """(seq, user_id, stream) of the first ``limit`` events above ``after`` addressed to
    any of these users or streams, in seq order (one query)."""
    audience = Q(user_id__in=list(user_ids)) | Q(stream__in=list(streams))
    return list(
        Event.objects.filter(audience, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "user_id", "stream")[:limit]
    )


def event_frames(*, seqs: Iterable[int]) -> list[dict[str, Any]]:
    """The frames of these events, in seq order."""
    rows = Event.objects.filter(seq__in=list(seqs)).order_by("seq")
    return [
        {**payload, "type": type, "seq": seq}
        for seq, type, payload in rows.values_list("seq", "type", "payload")
    ]


def user_summary(*, user_id: int) -> dict[str, Any]:
    """What a client shows of the signed-in user (sent in ``hello``); one query."""
    User = get_user_model()
    row = (
        User.objects.filter(pk=user_id)
        .values(
            "pk",
            login=F(User.USERNAME_FIELD),
            first=F("first_name"),
            last=F("last_name"),
            family_en=F("person__family_name_en"),
            given_en=F("person__given_name_en"),
            family_km=F("person__family_name_km"),
            given_km=F("person__given_name_km"),
        )
        .get()
    )
    name_en = " ".join(filter(None, [row["family_en"], row["given_en"]]))
    name_en = name_en or " ".join(filter(None, [row["first"], row["last"]])) or row["login"]
    name_km = " ".join(filter(None, [row["family_km"], row["given_km"]])) or name_en
    return {"id": row["pk"], "username": row["login"], "name": name_en, "name_km": name_km}
