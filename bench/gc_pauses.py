"""Log garbage-collection pauses of 20 ms and more (preloaded into a bench's servers).

Imported by a Daphne process through ``SAHAKAR_LIVE_PRELOAD``; each pause is written to
stderr (the server's log) as ``gc-pause generation=G ms=M``. ``install()`` does the same in
the bench's own process and keeps the pauses in ``PAUSES``.
"""

import gc
import sys
import time

PAUSES: list[tuple[int, float]] = []
_started = [0.0]


def _callback(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _started[0]) * 1000
    if ms >= 20:
        PAUSES.append((info["generation"], ms))
        print(f"gc-pause generation={info['generation']} ms={ms:.0f}", file=sys.stderr, flush=True)


def install() -> None:
    if _callback not in gc.callbacks:
        gc.callbacks.append(_callback)


install()
