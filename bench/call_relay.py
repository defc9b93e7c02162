"""Relay capacity: one 640×480 publisher through realtime.calls.relay to N subscribers,
all in this process (so the subscribers' decoding counts against the same 2 cores: a
pessimistic figure). Prints per-N: lowest and median subscriber fps, CPU, memory.
Run: `python bench/call_relay.py` (`COUNTS=2,4,6,8`, `SECONDS=6`)."""

import asyncio
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402

from bench.media_peers import publish_and_subscribe  # noqa: E402
from realtime.calls import relay  # noqa: E402

settings.SAHAKAR_RELAY_VIDEO_ENCODES = 10_000  # capacity without the last-speakers gate

SECONDS = float(os.environ.get("SECONDS", "6"))
COUNTS = [int(n) for n in os.environ.get("COUNTS", "2,4,6,8").split(",")]


async def run(n: int, meeting_id: int) -> None:
    relay.MAX_SUBSCRIBERS = 10_000
    publisher, subs, frames = await publish_and_subscribe(
        relay, meeting_id=meeting_id, n=n, publisher_id=0
    )
    await asyncio.sleep(3)  # connect and settle
    start_frames, cpu0, t0 = list(frames), time.process_time(), time.monotonic()
    await asyncio.sleep(SECONDS)
    elapsed = time.monotonic() - t0
    fps = [(f - s) / elapsed for f, s in zip(frames, start_frames, strict=True)]
    cpu = (time.process_time() - cpu0) / elapsed * 100
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}: "
        f"{n} subscribers: fps min {min(fps):.1f}, median {statistics.median(fps):.1f}; "
        f"CPU {cpu:.0f}% of one core; peak RSS {rss:.0f} MB"
    )
    for pc in [publisher, *subs]:
        await pc.close()
    for uid in range(n + 1):
        await relay.leave(meeting_id=meeting_id, user_id=uid)


async def main() -> None:
    for meeting_id, n in enumerate(COUNTS, start=1):
        await run(n, meeting_id)


if __name__ == "__main__":
    asyncio.run(main())
