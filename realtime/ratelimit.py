"""Token buckets: one arithmetic, two stores.

``TokenBucket`` lives in memory (one websocket's frame budget); ``take_token`` keeps a
bucket per key in the cache, shared by every process through Redis (a user's chat
writes over all their sockets and the REST API). Read-modify-write in the cache is not
atomic: two processes racing may each grant one extra token, which is acceptable for
flood control.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass
class TokenBucket:
    burst: float
    per_second: float
    tokens: float | None = None  # full when None
    stamp: float = 0.0

    def take(self, now: float) -> float:
        """Take one token; 0 when granted, else the seconds until one is available."""
        if self.tokens is None:
            self.tokens = float(self.burst)
        else:
            self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


def take_token(key: str, *, rate: float, burst: int) -> float:
    """Take one token of the cached bucket ``key``; the seconds to wait, 0 if granted."""
    now = time.time()
    tokens, stamp = cache.get(key) or (None, now)
    bucket = TokenBucket(burst=burst, per_second=rate, tokens=tokens, stamp=stamp)
    wait = bucket.take(now)
    cache.set(key, (bucket.tokens, bucket.stamp), timeout=int(burst / rate) + 1)
    return round(wait, 2)
