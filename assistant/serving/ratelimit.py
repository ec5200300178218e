"""A per-client rate limit for the web UI: one token bucket per browser session, in memory.

The key is Gradio's random session id (one per page load), never an IP address; nothing is
written anywhere, and a bucket is forgotten once it has filled up again (20 s after a
session's last question with the default settings), at the next clean-up: at most every
``PRUNE_EVERY_S`` seconds, when anyone asks. A client that opens a new session gets a new
bucket, so the web UI's queue size is what bounds the total load; this limit keeps one eager
or stuck page from crowding out the others.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_KEYS = 10_000  # buckets kept at most; idle (full) ones go first
PRUNE_EVERY_S = 60.0  # how often full (idle) buckets are dropped


class RateLimiter:
    """``burst`` requests at once, then ``per_minute`` in the long run, per key."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = float(max(1, burst))
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last update)
        self._lock = threading.Lock()
        self._pruned = clock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _tokens(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - then) * self.rate)

    def acquire(self, key: str | None) -> float:
        """Take one request for ``key``: 0.0 when it may go ahead, else the seconds until it
        may (nothing is taken then). A missing key (a direct call, not a web request) and a
        switched-off limit always go ahead."""
        if not self.enabled or not key:
            return 0.0
        with self._lock:
            now = self.clock()
            tokens = self._tokens(key, now)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_keys or now - self._pruned >= PRUNE_EVERY_S:
                self._forget(now)
            return 0.0

    def _forget(self, now: float) -> None:
        """Drop full buckets (they hold nothing), then the longest idle ones."""
        self._pruned = now
        for key in [k for k in self._buckets if self._tokens(k, now) >= self.burst]:
            del self._buckets[key]
        if len(self._buckets) > self.max_keys:
            by_age = sorted(self._buckets, key=lambda k: self._buckets[k][1])
            for key in by_age[: len(self._buckets) - self.max_keys // 2]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def wait_seconds(seconds: float) -> int:
    """Whole seconds to tell a person to wait (at least one)."""
    return max(1, math.ceil(seconds))
