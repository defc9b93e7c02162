"""Checkpoint reads shared by all the sockets of one process.

Every socket checkpoints a couple of seconds after live events reach it (see
docs/protocol.md "checkpoint"). In a busy room that is every member at once, so the
sockets of a process read together: requests arriving within ``window`` seconds become
one query over the union of their audiences, and each socket gets its own share of it.
Frames the process already received live are kept for a while, so repairing a socket
that fell behind needs no second read.
"""

import asyncio
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from . import selectors

LIVE_TEXTS_KEPT = 4096


@dataclass
class _Request:
    user_id: int
    streams: frozenset[str]
    after: int
    answer: asyncio.Future = field(repr=False)


class CheckpointReader:
    def __init__(self, *, window: float, limit: int) -> None:
        self.window = window
        self.limit = limit
        self.pending: list[_Request] = []
        self.flush_task: asyncio.Task | None = None

    async def read(
        self, *, user_id: int, streams: frozenset[str], after: int
    ) -> tuple[list[int], int]:
        """The seqs above ``after`` visible to the caller, in order, and ``covered``: every
        visible event with seq <= covered is in that list (0 when nothing was read)."""
        request = _Request(user_id, streams, after, asyncio.get_running_loop().create_future())
        self.pending.append(request)
        if self.flush_task is None:
            self.flush_task = asyncio.create_task(self._flush_soon())
        return await request.answer

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.window)
        batch, self.pending, self.flush_task = self.pending, [], None
        try:
            rows = await database_sync_to_async(selectors.audience_seqs)(
                user_ids={r.user_id for r in batch},
                streams=frozenset().union(*(r.streams for r in batch)),
                after=min(r.after for r in batch),
                limit=self.limit,
            )
        except Exception as error:
            for request in batch:
                if not request.answer.done():
                    request.answer.set_exception(error)
            return
        # Commit order is seq order (services.publish): every event of the union below
        # the highest seq read is committed, so it was read too.
        covered = rows[-1][0] if rows else 0
        for request in batch:
            if request.answer.done():  # the socket went away meanwhile
                continue
            seqs = [
                seq
                for seq, user_id, stream in rows
                if seq > request.after and (user_id == request.user_id or stream in request.streams)
            ]
            request.answer.set_result((seqs, covered))


_readers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def reader(*, window: float, limit: int) -> CheckpointReader:
    """The running event loop's reader with this window (Daphne runs one loop per process)."""
    readers = _readers.setdefault(asyncio.get_running_loop(), {})
    found = readers.get((window, limit))
    if found is None:
        found = readers[window, limit] = CheckpointReader(window=window, limit=limit)
    return found


_live_texts: OrderedDict[int, str] = OrderedDict()


def remember_live_text(seq: int, text: str) -> None:
    """Keep the encoded frame of an event this process received live."""
    if seq in _live_texts:
        return
    _live_texts[seq] = text
    if len(_live_texts) > LIVE_TEXTS_KEPT:
        _live_texts.popitem(last=False)


def live_text(seq: int) -> str | None:
    return _live_texts.get(seq)
