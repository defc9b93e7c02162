"""Test-only hooks that live servers import (``preload``); never loaded in production.

* stream provider ``test.group.<id>``: a user sees the stream of every auth Group they
  belong to;
* frame ``test.publish`` {count, user_id | stream}: publishes ``count`` events, each in its
  own transaction, from inside the server process (the only way to produce live events in
  the embedded leg, whose channel layer lives in that process).
"""

from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.db import transaction

from realtime.handlers import frame_handler
from realtime.services import publish
from realtime.streams import register_stream_provider

STREAM_PREFIX = "test.group."


def group_streams(user_ids: list[int]) -> dict[int, list[str]]:
    streams: dict[int, list[str]] = {}
    rows = Group.user_set.through.objects.filter(user_id__in=user_ids)
    for user_id, group_id in rows.values_list("user_id", "group_id"):
        streams.setdefault(user_id, []).append(f"{STREAM_PREFIX}{group_id}")
    return streams


register_stream_provider(STREAM_PREFIX, group_streams)


def publish_many(*, count: int, user_id: int | None, stream: str, tag: str) -> list[int]:
    seqs = []
    for n in range(count):
        with transaction.atomic():
            event = publish(
                type="test.event", payload={"n": n, "tag": tag}, user_id=user_id, stream=stream
            )
        seqs.append(event.seq)
    return seqs


@frame_handler("test.publish")
async def handle_publish(consumer, frame: dict) -> None:
    seqs = await database_sync_to_async(publish_many)(
        count=int(frame.get("count", 1)),
        user_id=frame.get("user_id"),
        stream=frame.get("stream", ""),
        tag=str(frame.get("tag", "")),
    )
    await consumer.send_frame({"type": "test.published", "seqs": seqs})
