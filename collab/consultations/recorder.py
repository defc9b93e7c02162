"""The server-side recorder: an aiortc peer per recording, in the Daphne process that
received the start frame, writing every incoming track into one MP4 in the private store."""

import asyncio
import logging
from pathlib import Path

import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from django.conf import settings

from realtime.calls.sdp import tune_opus

logger = logging.getLogger(__name__)

# How long the file waits for a silent track's first frame before it is written without it.
FIRST_FRAME_GRACE = 5.0


class TrackRecorder:
    """Like aiortc's MediaRecorder, but the file header waits for every track's first frame.

    MediaRecorder writes the header on the first packet; a video track whose first frame
    comes after the first audio packet (a slow keyframe, a loaded server) is then silently
    left out of the file. Here packets are held, compressed, until every track has started
    or FIRST_FRAME_GRACE has passed; a track that starts later than that is not recorded."""

    def __init__(self, path: Path) -> None:
        self._container = av.open(str(path), mode="w")
        self._streams: dict[MediaStreamTrack, av.stream.Stream] = {}
        self._started: set[MediaStreamTrack] = set()
        self._held: list = []
        self._header_written = False
        self._tasks: list[asyncio.Task] = []

    def addTrack(self, track: MediaStreamTrack) -> None:  # noqa: N802 - aiortc's name
        if track.kind == "audio":
            stream = self._container.add_stream("aac")
        else:
            stream = self._container.add_stream("libx264", rate=30)
            stream.pix_fmt = "yuv420p"
        self._streams[track] = stream

    async def start(self) -> None:
        for track, stream in self._streams.items():
            self._tasks.append(asyncio.ensure_future(self._record(track, stream)))
        self._tasks.append(asyncio.ensure_future(self._write_header_after_grace()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for track in self._started:
            self._write(self._streams[track].encode(None))
        self._write_header()
        self._container.close()

    async def _record(self, track: MediaStreamTrack, stream) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track not in self._started:
                if self._header_written:
                    logger.warning("recording: a %s track started too late to be kept", track.kind)
                    return
                if track.kind == "video":
                    stream.width, stream.height = frame.width, frame.height
                self._started.add(track)
            self._write(stream.encode(frame))
            if not self._header_written and len(self._started) == len(self._streams):
                self._write_header()

    async def _write_header_after_grace(self) -> None:
        await asyncio.sleep(FIRST_FRAME_GRACE)
        self._write_header()

    def _write(self, packets) -> None:
        if self._header_written:
            for packet in packets:
                self._container.mux(packet)
        else:
            self._held.extend(packets)

    def _write_header(self) -> None:
        """The first mux writes the header with the streams whose encoders are open."""
        if self._header_written:
            return
        self._header_written = True
        held, self._held = self._held, []
        self._write(held)


_active: dict[str, tuple[RTCPeerConnection, TrackRecorder]] = {}


def recording_path(key: str) -> tuple[Path, str]:
    """Where a recording's file goes (under PRIVATE_MEDIA_ROOT), and its storage name."""
    name = f"recordings/{key}.mp4"
    path = Path(settings.PRIVATE_MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, name


async def start(*, key: str, offer_sdp: str) -> str:
    """Answer the doctor's offer; every incoming track goes into the file."""
    path, _name = recording_path(key)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    recorder = TrackRecorder(path)

    @pc.on("track")
    def on_track(track) -> None:
        recorder.addTrack(track)

    await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    await recorder.start()
    _active[key] = (pc, recorder)
    return tune_opus(pc.localDescription.sdp)


async def stop(*, key: str) -> int:
    """Close the file; returns its size (0 when this process holds no such recording)."""
    entry = _active.pop(key, None)
    if entry is None:
        return 0
    pc, recorder = entry
    await recorder.stop()
    await pc.close()
    path, _name = recording_path(key)
    return path.stat().st_size if path.exists() else 0
