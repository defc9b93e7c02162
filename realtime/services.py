"""Writes to the durable event stream. Persist first, then push after commit."""

import hashlib
import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from .models import Event
from .streams import stream_group, user_group

# PostgreSQL allocates sequence values before commit, so two concurrent transactions
# could commit out of seq order and a resuming client could skip the earlier one.
# An advisory lock held to the end of the transaction makes commit order = seq order.
# (SQLite already serialises writers.)
_EVENT_LOCK_KEY = 0x5A4A


def publish(
    *,
    type: str,
    payload: dict[str, Any],
    user_id: int | None = None,
    stream: str = "",
) -> Event:
    """Store an event in the caller's transaction; push it once that transaction commits."""
    if (user_id is None) == (not stream):
        raise ValueError("An event goes to exactly one of user_id or stream.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EVENT_LOCK_KEY])
        event = Event.objects.create(type=type, payload=payload, user_id=user_id, stream=stream)
    transaction.on_commit(lambda: push(event))
    return event


def push(event: Event) -> None:
    group = user_group(event.user_id) if event.user_id else stream_group(event.stream)
    send_to_group(group, live_message(event))


def live_message(event: Event) -> dict[str, Any]:
    """The layer message of a stored event, encoded once for every socket that gets it."""
    text = json.dumps(event.frame(), ensure_ascii=False, separators=(",", ":"))
    message = {"type": "stream.event", "seq": event.seq, "text": text}
    if event.type == SIGNED_OUT:
        message["signed_out"] = event.payload["sessions"]
    return message


# A user's sessions ended (sign-out elsewhere, deactivation): their open sockets close.
# Stored like any event, so the embedded mode's bridge carries it from another process.
SIGNED_OUT = "account.signed_out"


def session_mark(session_key: str) -> str:
    """What a sign-out event names a session by (never the session key itself)."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:24]


def close_sockets(*, user_id: int, session_keys: list[str] | None = None) -> Event:
    """Close the user's open sockets after commit: those of ``session_keys``, or all
    of them (token sockets too) when None."""
    marks = None if session_keys is None else [session_mark(k) for k in session_keys]
    return publish(type=SIGNED_OUT, payload={"sessions": marks}, user_id=user_id)


def send_to_group(group: str, message: dict[str, Any]) -> None:
    """``message`` names its group: each process fans it out to its own sockets
    (``realtime.fanout``)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, {**message, "group": group})


def notify_stream_membership(*, user_id: int, stream: str, joined: bool) -> None:
    """Tell the user's open sockets to join or leave a stream's group (after commit)."""
    message = {"type": "stream.membership", "stream": stream, "joined": joined}
    transaction.on_commit(lambda: send_to_group(user_group(user_id), message))


def send_ephemeral(
    *, stream: str = "", user_id: int | None = None, frame: dict, exclude_channel: str = ""
) -> None:
    """Push a frame that is never stored and never resumed (typing, presence).

    ``exclude_channel`` (a consumer's ``channel_name``) skips that one socket, e.g. the
    sender of a typing notice. From async code use ``send_ephemeral_async``.
    """
    group, message = _ephemeral(stream, user_id, frame, exclude_channel)
    send_to_group(group, message)


async def send_ephemeral_async(
    *, stream: str = "", user_id: int | None = None, frame: dict, exclude_channel: str = ""
) -> None:
    group, message = _ephemeral(stream, user_id, frame, exclude_channel)
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, {**message, "group": group})


def _ephemeral(
    stream: str, user_id: int | None, frame: dict, exclude_channel: str
) -> tuple[str, dict[str, Any]]:
    if (user_id is None) == (not stream):
        raise ValueError("An ephemeral frame goes to exactly one of user_id or stream.")
    group = user_group(user_id) if user_id is not None else stream_group(stream)
    return group, {"type": "stream.ephemeral", "frame": frame, "exclude": exclude_channel}
