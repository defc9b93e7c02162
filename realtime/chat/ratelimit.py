"""A token bucket per key, kept in the cache (shared by every process through Redis).

Read-modify-write is not atomic: two processes racing may each grant one extra token,
which is acceptable for flood control.
"""

import time

from django.core.cache import cache


def take_token(key: str, *, rate: float, burst: int) -> float:
    """Take one token; returns 0 if granted, else the seconds until one is available."""
    now = time.time()
    tokens, last = cache.get(key) or (float(burst), now)
    tokens = min(float(burst), tokens + (now - last) * rate)
    if tokens < 1:
        cache.set(key, (tokens, now), timeout=int(burst / rate) + 1)
        return round((1 - tokens) / rate, 2)
    cache.set(key, (tokens - 1, now), timeout=int(burst / rate) + 1)
    return 0.0
