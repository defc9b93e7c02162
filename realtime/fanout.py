"""One channel-layer subscription per group per process.

Through Channels alone, every socket of a busy room subscribes to the room's group itself,
and each event is queued, decoded and dispatched once per socket (a task and a wait per
message). Here the process subscribes once per group and hands each message to its local
sockets directly, in arrival order. Group messages name their group (``"group"``), which
``realtime.services`` adds to everything it sends.
"""

import asyncio
import logging
import uuid
import weakref
from typing import Protocol

from channels.layers import BaseChannelLayer

logger = logging.getLogger(__name__)

PROBE_ATTEMPTS = 30
PROBE_WAIT = 0.05


class Socket(Protocol):
    async def deliver(self, message: dict) -> None: ...


class Fanout:
    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.members: dict[str, set[Socket]] = {}
        self.subscribed: set[str] = set()
        # Subscription changes in call order: a probe then confirms every earlier one.
        self.subscribing = asyncio.Lock()
        self.channel = ""
        self.task: asyncio.Task | None = None
        self.probes: dict[str, asyncio.Event] = {}
        # Sockets confirming while a probe is out share the next one (a reconnect storm
        # would otherwise cost four Redis operations and a round trip per socket).
        self.next_round: asyncio.Future | None = None
        self.probing = asyncio.Lock()
        self.background: set[asyncio.Task] = set()  # held: the loop keeps tasks weakly

    async def join(self, group: str, socket: Socket) -> None:
        """Deliver the group's messages to ``socket`` (subscribing the process if needed)."""
        self.members.setdefault(group, set()).add(socket)
        async with self.subscribing:
            await self._start()
            if group not in self.subscribed and self.members.get(group):
                await self.layer.group_add(group, self.channel)
                self.subscribed.add(group)

    def leave(self, group: str, socket: Socket) -> None:
        """Stop delivering to ``socket`` at once; unsubscribe the process when it was the last."""
        members = self.members.get(group)
        if members is None:
            return
        members.discard(socket)
        if not members:
            del self.members[group]
            task = asyncio.get_running_loop().create_task(self._unsubscribe(group))
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    async def _unsubscribe(self, group: str) -> None:
        async with self.subscribing:
            if group in self.subscribed and not self.members.get(group):
                self.subscribed.discard(group)
                await self.layer.group_discard(group, self.channel)

    async def confirm(self) -> bool:
        """Wait until the layer really delivers to the groups joined so far.

        Redis pub/sub subscribes asynchronously: a publish right after ``group_add`` can
        miss the new subscription. Subscriptions apply in order, so once a probe sent to
        a group joined after them comes back, the earlier ones are live too. One probe
        serves every caller that arrived before it was sent.
        """
        if self.next_round is None:
            self.next_round = asyncio.get_running_loop().create_future()
            task = asyncio.get_running_loop().create_task(self._round(self.next_round))
            self.background.add(task)
            task.add_done_callback(self.background.discard)
        return await asyncio.shield(self.next_round)

    async def _round(self, answer: asyncio.Future) -> None:
        async with self.probing:
            self.next_round = None  # later callers wait for the next probe
            try:
                answer.set_result(await self._probe())
            except Exception as error:
                answer.set_exception(error)

    async def _probe(self) -> bool:
        token = uuid.uuid4().hex
        group = f"probe.{token}"
        arrived = self.probes[token] = asyncio.Event()
        async with self.subscribing:
            await self._start()
            await self.layer.group_add(group, self.channel)
        try:
            for attempt in range(1, PROBE_ATTEMPTS + 1):
                await self.layer.group_send(group, {"type": "stream.probe", "token": token})
                try:
                    await asyncio.wait_for(arrived.wait(), PROBE_WAIT * min(attempt, 10))
                    return True
                except TimeoutError:
                    continue
            return False
        finally:
            del self.probes[token]
            await self.layer.group_discard(group, self.channel)

    async def _start(self) -> None:
        if self.task is None or self.task.done():
            self.channel = self.channel or await self.layer.new_channel("fanout.")
            self.task = asyncio.get_running_loop().create_task(self._run(), name="sahakar-fanout")

    async def _run(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Fan-out could not read from the channel layer")
                await asyncio.sleep(0.5)
                continue
            if message.get("type") == "stream.probe":
                arrived = self.probes.get(message.get("token"))
                if arrived is not None:
                    arrived.set()
                continue
            for socket in tuple(self.members.get(message.get("group", ""), ())):
                try:
                    await socket.deliver(message)
                except Exception:
                    logger.exception("Delivering %s failed", message.get("type"))


_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout]" = (
    weakref.WeakKeyDictionary()
)


def for_layer(layer: BaseChannelLayer) -> Fanout:
    """The fan-out of the running event loop (Daphne runs one loop per process)."""
    loop = asyncio.get_running_loop()
    found = _fanouts.get(loop)
    if found is None or found.layer is not layer:
        found = _fanouts[loop] = Fanout(layer)
    return found
