"""aiortc peers for the relay tests: small video, an audio tone that can be switched on and
off (the relay's speaker detection listens to it), and a subscriber that answers the
relay's offers and counts frames per publisher."""

import asyncio
import math
from array import array

from aiortc import (
    AudioStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from av import VideoFrame

RATE = 8000  # what aiortc's AudioStreamTrack paces
SAMPLES = 160  # 20 ms


class SmallVideo(VideoStreamTrack):
    """160×120 frames at 30 fps: cheap to encode on a shared 2-core machine."""

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=160, height=120)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts, frame.time_base = pts, time_base
        return frame


class Tone(AudioStreamTrack):
    """A 440 Hz tone at about -6 dBFS while ``loud``; silence otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.loud = False
        wave = [int(16000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(SAMPLES)]
        self._tone = array("h", wave).tobytes()

    async def recv(self):
        frame = await super().recv()  # paced silence: s16 mono, 20 ms
        if self.loud:
            frame.planes[0].update(self._tone)
        return frame


def new_pc() -> RTCPeerConnection:
    return RTCPeerConnection(
        RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    )


async def publisher_offer(*, audio: Tone | None = None) -> tuple[RTCPeerConnection, str]:
    pc = new_pc()
    if audio is not None:
        pc.addTransceiver(audio, direction="sendonly")
    pc.addTransceiver(SmallVideo(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


class Subscriber:
    """Answers ``call.relay.offer`` frames; ``frames[(publisher, kind)]`` counts what arrived."""

    def __init__(self) -> None:
        self.pc = new_pc()
        self.frames: dict[tuple[int, str], int] = {}
        self.mids: dict[str, int] = {}
        self.offers: list[dict] = []
        self.pc.on("track", self._on_track)

    async def answer(self, offer: dict) -> str:
        self.offers.append(offer)
        self.mids.update(offer["tracks"])
        await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    def _on_track(self, track) -> None:
        mid = next(t.mid for t in self.pc.getTransceivers() if t.receiver.track is track)
        key = (self.mids[mid], track.kind)
        asyncio.ensure_future(self._count(track, key))

    async def _count(self, track, key) -> None:
        while True:
            try:
                await track.recv()
            except Exception:
                return
            self.frames[key] = self.frames.get(key, 0) + 1

    def count(self, publisher: int, kind: str = "video") -> int:
        return self.frames.get((publisher, kind), 0)


async def wait_for(predicate, *, timeout: float = 15.0, what: str = "") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.1)
