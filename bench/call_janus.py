"""Server CPU per forwarded video, Janus vs the aiortc relay, same source, same run: one
640×480 30 fps publisher to N aiortc subscribers, first through a Janus started here
(realtime.calls.janus_rooms), then through realtime.calls.relay. The subscribers run in this
process in both cases and do the same work (decode N videos), so:
  Janus server CPU = the janus process's own CPU;
  relay server CPU ≈ this process's CPU in the relay run − this process's CPU in the Janus run.
Prints per N: lowest subscriber fps, server CPU, server CPU per forwarded stream.
Run: `python bench/call_janus.py` (`COUNTS=4,8,12`, `SECONDS=8`); needs Debian's janus."""

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings")
import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402

from bench.media_peers import publish_and_subscribe  # noqa: E402
from realtime.calls import janus_rooms, relay  # noqa: E402
from tests.calls.janus_server import start_janus  # noqa: E402

SECONDS = float(os.environ.get("SECONDS", "8"))
COUNTS = [int(n) for n in os.environ.get("COUNTS", "4,8,12").split(",")]
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """User + system seconds of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def run(backend, n: int, meeting_id: int, janus_pid: int | None) -> dict:
    publisher, subs, frames = await publish_and_subscribe(
        backend, meeting_id=meeting_id, n=n, publisher_id=n + 1
    )  # user n + 1: Janus takes feed id 0 for "pick one"
    await asyncio.sleep(4)  # connect and settle
    start = list(frames)
    own0, t0 = time.process_time(), time.monotonic()
    janus0 = _cpu_of(janus_pid) if janus_pid else 0.0
    await asyncio.sleep(SECONDS)
    elapsed = time.monotonic() - t0
    fps = [(f - s) / elapsed for f, s in zip(frames, start, strict=True)]
    result = {
        "fps_min": min(fps),
        "fps_median": statistics.median(fps),
        "own": (time.process_time() - own0) / elapsed * 100,
        "janus": (_cpu_of(janus_pid) - janus0) / elapsed * 100 if janus_pid else 0.0,
    }
    for uid in range(1, n + 2):
        await backend.leave(meeting_id=meeting_id, user_id=uid)
    for pc in [publisher, *subs]:
        await pc.close()
    return result


async def main() -> None:
    relay.MAX_SUBSCRIBERS = 10_000
    settings.SAHAKAR_RELAY_VIDEO_ENCODES = 10_000  # capacity without the last-speakers gate
    janus = start_janus(Path(tempfile.mkdtemp(prefix="bench-janus-")))
    settings.SAHAKAR_JANUS_URLS = [janus.url]
    try:
        print(f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for meeting_id, n in enumerate(COUNTS, start=1):
            j = await run(janus_rooms, n, meeting_id, janus.process.pid)
            r = await run(relay, n, 1000 + meeting_id, None)
            relay_server = max(0.0, r["own"] - j["own"])
            print(
                f"{n} subscribers: Janus fps min {j['fps_min']:.1f}, server {j['janus']:.1f}% "
                f"({j['janus'] / n:.2f}% per stream), clients {j['own']:.0f}% | "
                f"relay fps min {r['fps_min']:.1f}, server ≈ {relay_server:.0f}% "
                f"({relay_server / n:.1f}% per stream), relay process {r['own']:.0f}% "
                f"[% of one core; load {os.getloadavg()[0]:.2f}]"
            )
    finally:
        for session in janus_rooms._sessions.values():
            await session.close()
        janus.stop()


if __name__ == "__main__":
    asyncio.run(main())
