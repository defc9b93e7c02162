"""Reads of the durable event stream."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
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


def latest_visible_seqs(
    requests: Sequence[tuple[int, Iterable[str]]], *, chunk: int = 400
) -> list[int]:
    """The latest seq visible to each (user id, streams), for many at once.

    One scalar subquery per distinct user and stream, each a backward walk of its
    index (a GROUP BY would read every event of the streams), chunked (SQLite allows
    500 terms in one compound SELECT).
    """
    keys = [("user_id", u) for u in sorted({u for u, _ in requests})]
    keys += [("stream", s) for s in sorted({s for _, streams in requests for s in streams})]
    table = connection.ops.quote_name(Event._meta.db_table)
    latest: dict[tuple[str, Any], int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            sql = " UNION ALL ".join(
                f"SELECT {n}, (SELECT MAX(seq) FROM {table} WHERE {column} = %s)"
                for n, (column, _) in enumerate(part)
            )
            cursor.execute(sql, [value for _, value in part])
            for n, seq in cursor.fetchall():
                latest[part[n]] = seq or 0
    return [
        max([latest[("user_id", u)], *(latest[("stream", s)] for s in streams)])
        for u, streams in requests
    ]


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


def user_summaries(user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What a client shows of each signed-in user (sent in ``hello``); one query."""
    User = get_user_model()
    rows = User.objects.filter(pk__in=list(user_ids)).values(
        "pk",
        login=F(User.USERNAME_FIELD),
        first=F("first_name"),
        last=F("last_name"),
        family_en=F("person__family_name_en"),
        given_en=F("person__given_name_en"),
        family_km=F("person__family_name_km"),
        given_km=F("person__given_name_km"),
    )
    summaries = {}
    for row in rows:
        name_en = " ".join(filter(None, [row["family_en"], row["given_en"]]))
        name_en = name_en or " ".join(filter(None, [row["first"], row["last"]])) or row["login"]
        name_km = " ".join(filter(None, [row["family_km"], row["given_km"]])) or name_en
        summaries[row["pk"]] = {
            "id": row["pk"], "username": row["login"], "name": name_en, "name_km": name_km
        }
    return summaries


def hello_data(requests: list[tuple[int, frozenset[str]]]) -> list[tuple[dict, int] | None]:
    """(user summary, latest visible seq) of each (user id, streams): the reads of the
    ``hello`` of many sockets, in two queries (more past 400 users and streams). None for
    a user that no longer exists."""
    summaries = user_summaries(u for u, _ in requests)
    seqs = latest_visible_seqs(requests)
    return [
        (summaries[u], seq) if u in summaries else None
        for (u, _), seq in zip(requests, seqs, strict=True)
    ]
