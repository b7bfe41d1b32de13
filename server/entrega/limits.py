"""Bounded in-memory limits for the relay's guessable lookups (no address is ever kept).

- Pickup codes: wrong guesses counted per office (the desk token says which office), so
  one office's desk cannot be made to guess for another and the count needs no IP.
- Window codes: wrong guesses counted for the whole server (a phone has no token yet).
- Challenges: made per office, so nobody can fill the table with them.

Each limiter is a sliding window of event times per key; keys are office ids (bounded by
the published content) or one fixed key, and the table is cleared if it ever grows past
MAX_KEYS. Counts live in the process: with several server processes each keeps its own,
so the effective budget is the per-process budget times the processes (docs/entrega.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_KEYS = 10_000


class SlidingLimit:
    def __init__(self, events: int, seconds: float) -> None:
        self.events = events
        self.seconds = seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now - self.seconds:
            times.popleft()
        return times

    def blocked(self, key: str, now: float | None = None) -> float | None:
        """Seconds to wait if `key` used its budget, else None (nothing is counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._trim(key, now)
            if len(times) >= self.events:
                return max(1.0, times[0] + self.seconds - now)
            return None

    def count(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._seen) > MAX_KEYS:
                self._seen.clear()
            self._trim(key, now).append(now)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


#: Wrong pickup codes per office: 10 in 10 minutes (45-bit codes: guessing is hopeless).
PICKUP_MISSES = SlidingLimit(10, 600)
#: Wrong window codes, whole server: 300 in 10 minutes (25-bit codes open 30 minutes).
WINDOW_MISSES = SlidingLimit(300, 600)
#: Challenges per office: 30 a minute.
CHALLENGES = SlidingLimit(30, 60)
