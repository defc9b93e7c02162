"""The one websocket of a client: ``/ws/``. Protocol: docs/protocol.md."""

import asyncio
import heapq
import itertools
import json
import logging
import random
import time
from collections import deque
from typing import Annotated, Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from pydantic import Field

from collab.core.errors import ServiceError

from . import bridge, checkpoints, fanout, frames, selectors, services
from .batching import batched
from .handlers import handler_for, model_for
from .ratelimit import TokenBucket
from .streams import stream_group, streams_of_users, user_group

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
RESUME_PAGE_SIZE = 500
# Live events held while a resume reads the database; past this the resume reads again.
RESUME_BUFFER_LIMIT = 5000
RECENT_SEQS = 4096
CLOSE_UNAUTHENTICATED = 4401
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN = 1013
# Most seqs a client may list in resume's "have" (seqs it already holds above "after").
RESUME_HAVE_LIMIT = 2000
CHECKPOINT_PAGE_SIZE = 2000


# Sockets of this process between accept and hello. Past the limit a new socket is told
# to come back after a jittered delay (close 1013, reason = seconds), instead of queueing
# until Daphne's connect timeout drops it.
_starting = 0


def _encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Resume(frames.Frame):
    after: frames.Seq
    have: Annotated[list[frames.Seq], Field(max_length=RESUME_HAVE_LIMIT)] = []


class StreamConsumer(AsyncWebsocketConsumer):
    """Live events are *held* (buffered, then sent in seq order without duplicates)
    while the socket starts, resumes or joins a stream; see docs/protocol.md."""

    user: Any
    streams: set[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # A close before accept becomes HTTP 403; accept first so the client sees 4401.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not self._admit():
            delay = random.uniform(1.0, 1.0 + _starting / 250)  # ~250 greeted per second
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN, reason=f"{delay:.1f}")
            return
        self.user = user
        session = self.scope.get("session")
        key = session.session_key if session is not None else None
        self.session_mark = services.session_mark(key) if key else None
        bridge.ensure_running()
        self.fanout = fanout.for_layer(self.channel_layer)
        self.joined: set[str] = set()
        self.tasks: set[asyncio.Task] = set()
        self.streams = await batched(streams_of_users)(user.pk)
        self.holds = 0
        self.resume_task: asyncio.Task | None = None
        self.buffer: list[tuple[int, int, dict | str]] = []  # (seq, arrival, frame)
        self.arrivals = itertools.count()
        self.buffer_overflowed = False
        # Every visible event with seq <= floor has been sent (or was before hello's seq).
        self.floor = 0
        self.reading = asyncio.Lock()  # one database read-and-send (resume/checkpoint) at a time
        self.live_since_checkpoint = asyncio.Event()
        self.membership_changes = 0
        self.high = 0  # highest seq sent
        self.recent: set[int] = set()
        self.recent_order: deque[int] = deque()
        burst, per_second = getattr(settings, "SAHAKAR_WS_RATE_LIMIT", (60, 20.0))
        self.bucket = TokenBucket(burst=burst, per_second=per_second)
        self.refusing = False  # within a run of rate-limited frames (told once)
        await self._join(user_group(user.pk))
        for stream in self.streams:
            await self._join(stream_group(stream))
        await self.accept()
        self.start_task = self._spawn(self._hold(self._start()))
        self._spawn(self._checkpoints())

    def _admit(self) -> bool:
        global _starting
        if _starting >= getattr(settings, "SAHAKAR_WS_MAX_STARTING", 2000):
            return False
        _starting += 1
        self.admitted = True
        return True

    def _started(self) -> None:
        global _starting
        if getattr(self, "admitted", False):
            self.admitted = False
            _starting -= 1

    async def _start(self) -> None:
        try:
            await self._greet()
        finally:
            self._started()

    async def _greet(self) -> None:
        # Read the hello seq only once the groups really receive: an event committed
        # in between then arrives live instead of falling between the two.
        await self._confirm_subscribed()
        try:
            hello_user, seq = await batched(selectors.hello_data)(
                (self.user.pk, frozenset(self.streams))
            )
        except Exception:
            logger.exception("No hello for user %s; closing so the client retries", self.user.pk)
            await self.close(code=CLOSE_INTERNAL_ERROR)
            return
        self.floor = max(self.floor, seq)
        await self.send_frame({"type": "hello", "user": hello_user, "seq": seq})

    async def disconnect(self, code: int) -> None:
        self._started()
        for task in list(getattr(self, "tasks", ())):
            task.cancel()
        for group in getattr(self, "joined", ()):
            self.fanout.leave(group, self)

    async def _join(self, group: str) -> None:
        self.joined.add(group)
        await self.fanout.join(group, self)

    def _leave(self, group: str) -> None:
        self.joined.discard(group)
        self.fanout.leave(group, self)

    async def _confirm_subscribed(self) -> None:
        if not await self.fanout.confirm():
            logger.warning("Channel layer probe lost for user %s; going on", self.user.pk)

    async def deliver(self, message: dict) -> None:
        """A message of one of this socket's groups, from the process's fan-out."""
        type_ = message.get("type")
        if type_ == "stream.event":
            await self.stream_event(message)
        elif type_ == "stream.ephemeral":
            await self.stream_ephemeral(message)
        elif type_ == "stream.membership":
            await self.stream_membership(message)
        else:
            logger.warning("No handler for group message %r", type_)

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Stream task failed for user %s", self.user.pk, exc_info=task.exception())

    async def _hold(self, coro) -> None:
        """Run ``coro`` with live events held; the last holder sends what was held."""
        self.holds += 1
        try:
            await coro
        finally:
            if self.holds == 1:
                while self.buffer:
                    await self._send_live(*self._pop_held())
            self.holds -= 1

    async def dispatch(self, message: dict) -> None:
        # Channels' dispatch first closes stale database connections through a hop to the
        # one sync thread, for every message: in a busy room that queues each live event
        # behind other sockets' queries. Our database calls all go through
        # database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # ------------------------------------------------------------------ client frames

    async def send_frame(self, frame: dict) -> None:
        await self.send(text_data=_encode(frame))

    async def send_error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send_frame(ServiceError(code, detail, **extra).frame())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        retry_after = self.bucket.take(time.monotonic())
        if retry_after:
            # Told once per run of refused frames: answering each frame of a flood would
            # double its cost to the process and to everyone else's sockets on it.
            if not self.refusing:
                self.refusing = True
                await self.send_error(
                    "rate_limited", "Too many frames; slow down.", retry_after=round(retry_after, 3)
                )
            # Taking a queued message does not suspend, so a flooded socket would run its
            # backlog through without letting any other socket of the process have a turn.
            await asyncio.sleep(0)
            return
        self.refusing = False
        if text_data is None:
            await self.send_error("bad_request", "Binary frames are not supported.")
            return
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_error("too_large", f"A frame may have at most {MAX_FRAME_BYTES} bytes.")
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # deep nesting overflows the parser's stack
            await self.send_error("bad_request", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict):
            await self.send_error("bad_request", "A frame must be a JSON object.")
            return
        extra = frames.echo_id(frame)
        try:
            type_ = frames.parse(frames.Frame, frame).type
        except ServiceError as error:
            await self.send_frame({**extra, **error.frame()})
            return
        try:
            await self.dispatch_frame(type_, frame, extra)
        except ServiceError as error:
            await self.send_frame({**extra, **error.frame()})
        except Exception:
            logger.exception("Frame %r from user %s failed", type_, self.user.pk)
            await self.send_error("internal", "The server failed to handle this frame.", **extra)

    async def dispatch_frame(self, type_: str, frame: dict, extra: dict) -> None:
        if type_ == "ping":
            await self.send_frame({"type": "pong"})
        elif type_ == "resume":
            self.start_resume(frames.parse(Resume, frame), extra)
        else:
            handler = handler_for(type_)
            if handler is None:
                raise ServiceError("bad_request", f"Unknown frame type {type_!r}.")
            model = model_for(type_)
            await handler(self, frame if model is None else frames.parse(model, frame))

    # ------------------------------------------------------------------ resume

    def start_resume(self, resume: Resume, extra: dict) -> None:
        if self.resume_task is not None and not self.resume_task.done():
            raise ServiceError("bad_request", "A resume is already running.")
        task = self._resume(resume.after, frozenset(resume.have), extra)
        self.resume_task = self._spawn(self._hold(task))

    async def _resume(self, after: int, have: frozenset[int], extra: dict) -> None:
        await asyncio.shield(self.start_task)  # hello first
        try:
            async with self.reading:
                await self._resume_locked(after, have)
        except ServiceError as error:
            await self.send_frame({**extra, **error.frame()})
        except Exception:
            await self.send_error("internal", "The resume failed; resume again.", **extra)
            raise

    async def _resume_locked(self, after: int, have: frozenset[int]) -> None:
        self.buffer_overflowed = False
        position = after
        while True:
            # Commit order is seq order (see services.publish), so every event up to
            # this mark is committed; later ones reach us live and are held.
            mark = await database_sync_to_async(selectors.latest_seq)()
            if after > mark:
                # A cursor from beyond the stream (say the database was restored from a
                # backup): taking it would drop every event up to it. "seq" is where the
                # client may start again, as from a hello.
                raise ServiceError(
                    "bad_request",
                    "after is beyond the stream; start again from seq.",
                    field="after",
                    seq=self.floor,
                )
            position = await self._send_stored(after=position, upto=max(mark, position), skip=have)
            self.floor = max(self.floor, position)
            if not self.buffer_overflowed:
                break
            self.buffer_overflowed = False
            self.buffer.clear()
        while self.buffer:
            await self._send_live(*self._pop_held())
        # "checkpoint": every visible event up to it has now been sent (see _checkpoint).
        await self.send_frame(
            {"type": "resumed", "seq": max(after, self.high), "checkpoint": self.floor}
        )

    # ------------------------------------------------------------------ checkpoints

    async def _checkpoints(self) -> None:
        """Repair what the at-most-once channel layer lost or delivered late.

        Runs shortly after live events arrive (and every ``idle`` seconds anyway, for
        events whose push was lost outright); see docs/protocol.md "checkpoint".
        """
        delay = getattr(settings, "SAHAKAR_WS_CHECKPOINT_DELAY", 2.0)
        idle = getattr(settings, "SAHAKAR_WS_CHECKPOINT_IDLE", 30.0)
        after_live = checkpoints.reader(window=min(0.1, delay / 2), limit=CHECKPOINT_PAGE_SIZE)
        # Idle sockets wait longer to share a read: at most one idle query per process per
        # window, however many sockets are open (docs/PERFORMANCE.md, idle sockets).
        when_idle = checkpoints.reader(window=min(1.0, idle / 10), limit=CHECKPOINT_PAGE_SIZE)
        spread = min(1.0, delay / 2)
        await asyncio.shield(self.start_task)
        while True:
            try:
                await asyncio.wait_for(
                    self.live_since_checkpoint.wait(), idle * random.uniform(0.8, 1.2)
                )
                # No jitter: the members of a busy room checkpoint together, in one read.
                await asyncio.sleep(delay)
                reader = after_live
            except TimeoutError:
                reader = when_idle
            self.live_since_checkpoint.clear()
            if self.holds or self.reading.locked():
                continue  # a resume or a join is reading the database; it moves floor itself
            try:
                # Live events keep flowing meanwhile (no hold): a repair is late anyway,
                # and holding would delay a busy room's every event by the shared read.
                async with self.reading:
                    advanced = await self._checkpoint(reader)
                if advanced:
                    # A busy room's members read together; their checkpoint frames are
                    # spread out, so a live event does not queue behind hundreds of them.
                    await asyncio.sleep(random.uniform(0, spread))
                    await self.send_frame({"type": "checkpoint", "seq": self.floor})
            except Exception:
                logger.exception("Checkpoint failed for user %s", self.user.pk)

    async def _checkpoint(self, reader: checkpoints.CheckpointReader) -> bool:
        """Send what is missing; True when ``floor`` moved (a checkpoint frame is due)."""
        floor, changes = self.floor, self.membership_changes
        seqs, covered = await reader.read(
            user_id=self.user.pk, streams=frozenset(self.streams), after=floor
        )
        missing = [seq for seq in seqs if seq not in self.recent]
        stored = [seq for seq in missing if checkpoints.live_text(seq) is None]
        frames = {f["seq"]: f for f in await self._frames(stored)}
        for seq in missing:
            frame = frames.get(seq) or checkpoints.live_text(seq)
            if frame is not None:
                await self._send_live(seq, frame)
        if covered <= floor or changes != self.membership_changes:
            return False  # nothing new, or a stream joined meanwhile (its join reads it back)
        self.floor = max(self.floor, covered)
        return True

    async def _frames(self, seqs: list[int]) -> list[dict]:
        if not seqs:
            return []
        return await database_sync_to_async(selectors.event_frames)(seqs=seqs)

    async def _send_stored(
        self, *, after: int, upto: int, stream: str = "", skip: frozenset[int] = frozenset()
    ) -> int:
        while after < upto:
            frames = await database_sync_to_async(selectors.event_frames_page)(
                user_id=None if stream else self.user.pk,
                streams=[stream] if stream else self.streams,
                after=after,
                upto=upto,
                limit=RESUME_PAGE_SIZE,
            )
            for frame in frames:
                if stream:
                    await self._send_live(frame["seq"], frame)
                elif frame["seq"] not in skip:
                    await self.send_frame(frame)
                    self._remember(frame["seq"])
            if len(frames) < RESUME_PAGE_SIZE:
                break
            after = frames[-1]["seq"]
        return upto

    # ------------------------------------------------------------------ channel layer

    async def stream_event(self, message: dict) -> None:
        # services.push encodes each event once for every socket ("text"); the frame
        # dict is the older message shape.
        seq = message["seq"] if "text" in message else message["event"]["seq"]
        frame = message["text"] if "text" in message else message["event"]
        if "signed_out" in message:
            sessions = message["signed_out"]
            if sessions is None or self.session_mark in sessions:
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return
        self.live_since_checkpoint.set()
        if "text" in message:
            checkpoints.remember_live_text(seq, frame)
        if self.holds:
            if len(self.buffer) >= RESUME_BUFFER_LIMIT:
                self.buffer_overflowed = True
                self.buffer.clear()
                if self.resume_task is None or self.resume_task.done():
                    logger.warning("Live buffer overflowed for user %s", self.user.pk)
            if not self.buffer_overflowed:
                heapq.heappush(self.buffer, (seq, next(self.arrivals), frame))
            return
        await self._send_live(seq, frame)

    def _pop_held(self) -> tuple[int, dict | str]:
        seq, _, frame = heapq.heappop(self.buffer)
        return seq, frame

    async def _send_live(self, seq: int, frame: dict | str) -> None:
        if seq <= self.floor or seq in self.recent:
            return
        await self.send(text_data=frame if isinstance(frame, str) else _encode(frame))
        self._remember(seq)

    def _remember(self, seq: int) -> None:
        self.high = max(self.high, seq)
        self.recent.add(seq)
        self.recent_order.append(seq)
        if len(self.recent_order) > RECENT_SEQS:
            self.recent.discard(self.recent_order.popleft())

    async def stream_membership(self, message: dict) -> None:
        stream = message["stream"]
        self.membership_changes += 1
        if message["joined"]:
            if stream in self.streams:
                return
            self.streams.add(stream)
            self._spawn(self._hold(self._join_stream(stream)))
        else:
            self.streams.discard(stream)
            self._leave(stream_group(stream))

    async def _join_stream(self, stream: str) -> None:
        """Join a stream; whatever it carried between now and a live subscription is
        read back from the database (held, so nothing arrives twice)."""
        since = await database_sync_to_async(selectors.latest_seq)()
        await self._join(stream_group(stream))
        await self._confirm_subscribed()
        upto = await database_sync_to_async(selectors.latest_seq)()
        await self._send_stored(after=since, upto=upto, stream=stream)

    async def stream_ephemeral(self, message: dict) -> None:
        if message.get("exclude") and message["exclude"] == self.channel_name:
            return
        await self.send_frame(message["frame"])
