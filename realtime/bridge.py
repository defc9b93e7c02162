"""Embedded mode: events committed by other processes reach this process's sockets.

With Redis every process shares one channel layer. The embedded in-memory layer lives in
one process, so an event published by the worker (an escalation, a reminder) would only
reach a browser on its next resume. Here one task per Daphne process reads the event table
for rows it has not forwarded and pushes them to their groups; consumers drop what they
already sent, so events published in this very process are not doubled.
Writes commit in seq order (SQLite serialises writers), so a cursor on seq misses nothing.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from . import selectors
from .models import Event
from .services import live_message
from .streams import stream_group, user_group

logger = logging.getLogger(__name__)

BATCH = 500
_tasks: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


def enabled() -> bool:
    return getattr(settings, "SAHAKAR_EVENT_BRIDGE", True) and isinstance(
        get_channel_layer(), InMemoryChannelLayer
    )


def ensure_running() -> None:
    """Start this process's bridge once (called when a socket connects)."""
    if not enabled():
        return
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        _tasks[loop] = loop.create_task(_run(), name="sahakar-event-bridge")


def _events_after(cursor: int) -> list[Event]:
    return list(Event.objects.filter(seq__gt=cursor).order_by("seq")[:BATCH])


async def _run() -> None:
    layer = get_channel_layer()
    interval = getattr(settings, "SAHAKAR_EVENT_BRIDGE_INTERVAL", 0.5)
    cursor = await database_sync_to_async(selectors.latest_seq)()
    while True:
        await asyncio.sleep(interval)
        try:
            events = await database_sync_to_async(_events_after)(cursor)
        except Exception:
            logger.exception("Event bridge could not read the event table")
            continue
        for event in events:
            group = user_group(event.user_id) if event.user_id else stream_group(event.stream)
            await layer.group_send(group, {**live_message(event), "group": group})
            cursor = event.seq
