"""The recorder's file keeps every track, whichever delivers its first frame first."""

import asyncio

import av
from aiortc import AudioStreamTrack, VideoStreamTrack

from collab.consultations import recorder as recorder_module
from collab.consultations.recorder import TrackRecorder


class LateVideo(VideoStreamTrack):
    """A camera whose first frame comes after the audio has started (a slow keyframe)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def recv(self):
        if self.delay:
            await asyncio.sleep(self.delay)
            self.delay = 0
        return await super().recv()


class SilentVideo(VideoStreamTrack):
    async def recv(self):
        await asyncio.sleep(3600)


async def _record(path, *tracks, seconds: float) -> dict[str, int]:
    recorder = TrackRecorder(path)
    for track in tracks:
        recorder.addTrack(track)
    await recorder.start()
    await asyncio.sleep(seconds)
    await recorder.stop()
    frames: dict[str, int] = {}
    with av.open(str(path)) as container:
        for frame in container.decode(*container.streams):
            kind = "video" if isinstance(frame, av.VideoFrame) else "audio"
            frames[kind] = frames.get(kind, 0) + 1
    return frames


async def test_video_that_starts_after_the_audio_is_in_the_file(tmp_path):
    frames = await _record(tmp_path / "late.mp4", AudioStreamTrack(), LateVideo(1.0), seconds=2.5)
    assert set(frames) == {"audio", "video"}
    assert frames["video"] >= 30  # 1.5 s at 30 fps, give or take the encoder's tail
    assert frames["audio"] >= 80  # 2.5 s of 1,024-sample AAC frames at 48 kHz is ~117


async def test_a_track_that_never_starts_leaves_a_file_of_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(recorder_module, "FIRST_FRAME_GRACE", 0.5)
    frames = await _record(tmp_path / "audio.mp4", AudioStreamTrack(), SilentVideo(), seconds=1.5)
    assert set(frames) == {"audio"}
    assert frames["audio"] >= 50
