"""Calls benchmarks on loopback (no Django needed): run `python bench/call_media.py`.

1. join → first remote video frame: two aiortc peers, offer/answer exchanged in process
   (the /ws/ relay of a frame costs ~1 ms next to this), N runs, p50/p95.
2. audio-only bitrate: a 440 Hz tone (speech-like load, so DTX does not silence it) sent
   by an aiortc peer with the SDP tuned by realtime.calls.sdp.tune_opus, over 10 s: with
   aiortc's own Opus encoder (which ignores the SDP), then with the server's
   (realtime.calls.opus, what the relay sends).
"""

import array
import asyncio
import fractions
import math
import os
import statistics
import sys
import time

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from av import AudioFrame

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from realtime.calls import opus  # noqa: E402
from realtime.calls.sdp import tune_opus  # noqa: E402

RUNS = int(os.environ.get("RUNS", "20"))


class Tone(MediaStreamTrack):
    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.pts = 0
        self.start = None

    async def recv(self) -> AudioFrame:
        samples = 960  # 20 ms at 48 kHz
        if self.start is None:
            self.start = time.monotonic()
        wait = self.start + self.pts / 48000 - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        pcm = array.array(
            "h",
            (
                int(8000 * math.sin(2 * math.pi * 440 * (n + self.pts) / 48000))
                for n in range(samples)
            ),
        )
        frame = AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm.tobytes())
        frame.sample_rate, frame.pts = 48000, self.pts
        frame.time_base = fractions.Fraction(1, 48000)
        self.pts += samples
        return frame


async def _connect(pc_a, pc_b, *, munge) -> None:
    await pc_a.setLocalDescription(await pc_a.createOffer())
    offer = munge(pc_a.localDescription.sdp)
    await pc_b.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    await pc_b.setLocalDescription(await pc_b.createAnswer())
    answer = munge(pc_b.localDescription.sdp)
    await pc_a.setRemoteDescription(RTCSessionDescription(answer, "answer"))


async def join_to_first_frame() -> float:
    pc_a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc_b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc_a.addTrack(VideoStreamTrack())
    pc_b.addTrack(VideoStreamTrack())
    first = asyncio.get_running_loop().create_future()

    @pc_b.on("track")
    def on_track(track) -> None:
        async def one() -> None:
            await track.recv()
            if not first.done():
                first.set_result(time.perf_counter())

        asyncio.ensure_future(one())

    started = time.perf_counter()
    await _connect(pc_a, pc_b, munge=lambda s: s)
    arrived = await asyncio.wait_for(first, 15)
    await pc_a.close()
    await pc_b.close()
    return arrived - started


async def audio_bitrate(seconds: float = 10.0) -> float:
    pc_a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc_b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc_a.addTrack(Tone())
    pc_b.addTransceiver("audio", direction="recvonly")

    @pc_b.on("track")
    def on_track(track) -> None:
        async def drain() -> None:
            while True:
                try:
                    await track.recv()
                except Exception:
                    return

        asyncio.ensure_future(drain())

    await _connect(pc_a, pc_b, munge=tune_opus)
    await asyncio.sleep(2)  # settle
    before = _bytes_sent(await pc_a.getStats())
    await asyncio.sleep(seconds)
    after = _bytes_sent(await pc_a.getStats())
    await pc_a.close()
    await pc_b.close()
    return (after - before) * 8 / seconds / 1000


def _bytes_sent(report) -> int:
    # aiortc's inbound stats have no byte count; the sender's RTP payload bytes do.
    return sum(s.bytesSent for s in report.values() if s.type == "outbound-rtp")


async def main() -> None:
    times = [await join_to_first_frame() for _ in range(RUNS)]
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    print(
        f"join→first remote frame, {RUNS} runs: p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )
    kbps = await audio_bitrate()
    print(f"audio-only call, aiortc's Opus encoder: {kbps:.1f} kbps sent (RTP payload)")
    opus.install()
    kbps = await audio_bitrate()
    print(f"audio-only call, the server's Opus encoder: {kbps:.1f} kbps sent (RTP payload)")


if __name__ == "__main__":
    asyncio.run(main())
