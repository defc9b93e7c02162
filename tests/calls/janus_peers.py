"""A participant of a Janus-backed meeting as call.js is one: one /ws/ socket, a publishing
connection (its offer, the server's answer) and a receiving connection the server offers.
One reader task per socket hands each frame to the part that waits for it."""

import asyncio
from array import array

from aiortc import RTCSessionDescription
from websockets.exceptions import ConnectionClosed

from tests.calls.peers import SmallVideo, Subscriber, Tone, new_pc
from tests.support.live import ws_connect


class Receiver(Subscriber):
    """Counts what arrives per publisher, as decoded frames: the size of the last video frame
    and the loudest audio sample since the count began."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[int, tuple[int, int]] = {}
        self.peaks: dict[int, int] = {}

    async def _count(self, track, key) -> None:
        publisher, kind = key
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            self.frames[key] = self.frames.get(key, 0) + 1
            if kind == "video":
                self.sizes[publisher] = (frame.width, frame.height)
            else:
                samples = array("h", bytes(frame.planes[0]))
                peak = max(max(samples), -min(samples)) if samples else 0
                self.peaks[publisher] = max(self.peaks.get(publisher, 0), peak)


class Participant:
    def __init__(self, user, meeting_id: int, *, video: bool) -> None:
        self.user = user
        self.meeting_id = meeting_id
        self.video = video
        self.tone = Tone()
        self.receiver = Receiver()
        self.publisher = None
        self.ws = None
        self.errors: list[dict] = []
        self._published: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None

    @property
    def id(self) -> int:
        return self.user.pk

    async def join(self, server) -> None:
        self.ws = await ws_connect(server, self.user)
        await self.ws.recv_until("hello")
        await self.ws.send_json({"type": "call.join", "meeting": self.meeting_id})
        await self.ws.recv_until("call.joined")
        self._reader = asyncio.ensure_future(self._read())

    async def send(self, frame: dict) -> None:
        await self.ws.send_json({**frame, "meeting": self.meeting_id})

    async def subscribe(self) -> None:
        await self.send({"type": "call.relay.subscribe"})

    async def publish(self) -> None:
        pc = self.publisher = new_pc()
        pc.addTransceiver(self.tone, direction="sendonly")
        if self.video:
            pc.addTransceiver(SmallVideo(), direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        self._published = asyncio.get_running_loop().create_future()
        await self.send({"type": "call.relay.publish", "sdp": pc.localDescription.sdp})
        answer = await asyncio.wait_for(self._published, 20)
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))

    async def _read(self) -> None:
        while True:
            try:
                frame = await self.ws.recv_json(timeout=3600)
            except ConnectionClosed:
                return
            if frame["type"] == "call.relay.offer":
                sdp = await self.receiver.answer(frame)
                await self.send({"type": "call.relay.answer", "sdp": sdp})
            elif frame["type"] == "call.relay.published" and self._published is not None:
                self._published.set_result(frame)
            elif frame["type"] == "error":
                self.errors.append(frame)
                if self._published is not None and not self._published.done():
                    self._published.set_exception(AssertionError(f"refused: {frame}"))

    async def leave(self) -> None:
        if self.ws is not None:
            await self.send({"type": "call.leave"})
        await self.close()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        for pc in (self.publisher, self.receiver.pc):
            if pc is not None:
                await pc.close()
        if self.ws is not None:
            await self.ws.close()
