"""Database reads of many sockets, batched per process.

When hundreds of sockets start at once (a reconnect storm after a deploy or a network
blip), a read per socket queues each behind the others on the process's one database
thread. Here a read is a call ``fn(args) -> results`` over a list: the first socket's
read goes at once, and every socket that asks while it runs shares the next one.
"""

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async

BATCH_LIMIT = 500


class Batched:
    def __init__(self, fn: Callable[[list[Any]], list[Any]], *, limit: int = BATCH_LIMIT):
        self.fn = database_sync_to_async(fn)
        self.limit = limit
        self.pending: list[tuple[Any, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    async def __call__(self, arg: Any) -> Any:
        answer = asyncio.get_running_loop().create_future()
        self.pending.append((arg, answer))
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._drain())
        return await answer

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending[: self.limit], self.pending[self.limit :]
                try:
                    results = await self.fn([arg for arg, _ in batch])
                except Exception as error:
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(error)
                    continue
                for (_, answer), result in zip(batch, results, strict=True):
                    if not answer.done():  # the socket went away meanwhile
                        answer.set_result(result)
        finally:
            self.task = None


_batches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = (
    weakref.WeakKeyDictionary()
)


def batched(fn: Callable[[list[Any]], list[Any]]) -> Batched:
    """The batch of ``fn`` of the running event loop (Daphne runs one loop per process)."""
    per_loop = _batches.setdefault(asyncio.get_running_loop(), {})
    found = per_loop.get(fn)
    if found is None:
        found = per_loop[fn] = Batched(fn)
    return found
