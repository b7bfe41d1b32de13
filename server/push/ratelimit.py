"""An in-memory rate limit for the subscription endpoints that never keeps an IP address.

Clients are told apart by a keyed hash of their address (the key is random per process and
never written anywhere), counted in a sliding window, and forgotten when the window passes.
There is also an optional overall limit, so many addresses together cannot flood the
database (None: no shared budget, for unsubscribes, which nobody may use up for others).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        per_client: int = 20,
        overall: int | None = 600,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self.per_client = per_client
        self.overall = overall
        self.window = window
        self.clock = clock
        self.max_clients = max_clients
        self._secret = secrets.token_bytes(32)
        self._clients: dict[bytes, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _key(self, client: str) -> bytes:
        return hmac.new(self._secret, client.encode(), hashlib.sha256).digest()[:16]

    def _prune(self, hits: deque[float], now: float) -> None:
        while hits and hits[0] <= now - self.window:
            hits.popleft()

    def check(self, client: str) -> float | None:
        """Count one request; None if allowed, else seconds until the client may try again."""
        now = self.clock()
        key = self._key(client)
        with self._lock:
            self._prune(self._all, now)
            hits = self._clients.get(key)
            if hits is not None:
                self._prune(hits, now)
            if hits is not None and len(hits) >= self.per_client:
                return max(1.0, hits[0] + self.window - now)
            if self.overall is not None and len(self._all) >= self.overall:
                return max(1.0, self._all[0] + self.window - now)
            if hits is None:
                if len(self._clients) >= self.max_clients:
                    self._forget_idle(now)
                hits = self._clients.setdefault(key, deque())
            hits.append(now)
            if self.overall is not None:
                self._all.append(now)
            return None

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._clients.items() if not v or v[-1] <= now - self.window]:
            del self._clients[key]
        if len(self._clients) >= self.max_clients:
            self._clients.clear()  # under a flood, forgetting is safer than growing

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()
            self._all.clear()
