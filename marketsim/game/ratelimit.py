"""An in-memory token bucket per client key, to slow down guessing of join codes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from marketsim.game.errors import RateLimited


class FailureLimiter:
    """Allows at most ``per_minute`` failed attempts a minute per client key.

    Each key has a bucket of ``per_minute`` tokens that refills continuously at ``per_minute``
    tokens a minute; a failure takes one token, and a key with an empty bucket is refused before
    its attempt is even looked at.
    """

    def __init__(self, per_minute: int = 10, clock: Callable[[], float] = time.monotonic) -> None:
        """Create the limiter.

        Args:
            per_minute: Failed attempts allowed per key per minute.
            clock: Seconds (monotonic); injectable for tests.
        """
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        level, then = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, level + (now - then) * self.rate)

    def check(self, key: str) -> None:
        """Refuse the attempt if ``key`` has no failures left.

        Raises:
            RateLimited: With how long to wait.
        """
        with self._lock:
            now = self.clock()
            level = self._level(key, now)
            if level < 1.0:
                wait = (1.0 - level) / self.rate
                raise RateLimited(f"too many wrong join codes from this device; try again in {wait:.0f} s")

    def allows(self, key: str) -> bool:
        """Whether ``key`` has failures left (what :meth:`check` refuses, without raising)."""
        with self._lock:
            return self._level(key, self.clock()) >= 1.0

    def fail(self, key: str) -> None:
        """Count a failed attempt against ``key``."""
        with self._lock:
            now = self.clock()
            self._buckets[key] = (self._level(key, now) - 1.0, now)
        if len(self._buckets) > 10_000:
            self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        with self._lock:
            self._buckets = {k: v for k, v in self._buckets.items() if self._level(k, now) < self.capacity}
