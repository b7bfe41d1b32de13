"""An in-memory rate limit for the subscription endpoints that never keeps an IP address.

Clients are told apart by a keyed hash of their address (the key is random per process and
never written anywhere), counted in a sliding window, and forgotten when the window passes.
There is also an optional overall limit, so many addresses together cannot flood the
database (None: no shared budget, for unsubscribes, which nobody may use up for others).

Behind a TLS proxy every request's peer is the proxy, so all phones would share one budget.
`client_identity` therefore reads X-Forwarded-For (or Forwarded) only when the peer is one of
the trusted proxies (CARTILLA_TRUSTED_PROXIES) and takes the last hop that is not itself a
trusted proxy: that hop was written by our own proxy, so a client cannot choose it. From any
other peer those headers are ignored. IPv6 clients count per /64, the block one household or
phone is given, so rotating addresses inside it buys no extra budget. The identity is only
ever hashed (RateLimiter._key), never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Hops read from the right of the forwarding headers; our proxies are the last few anyway.
MAX_HOPS = 16


def _address(text: str) -> Address | None:
    """An address from a peer or a hop: "1.2.3.4", "1.2.3.4:5", "[::1]:5", '"[::1]"'."""
    text = text.strip().strip('"').strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)


def _hops(forwarded_for: Iterable[str], forwarded: Iterable[str]) -> list[str]:
    """The forwarding chain, client first: X-Forwarded-For if sent, else Forwarded's for=."""
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    if hops:
        return hops[-MAX_HOPS:]
    for value in forwarded:
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, hop = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(hop)
    return hops[-MAX_HOPS:]


def _identity(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_identity(
    peer: str | None,
    forwarded_for: Iterable[str] = (),
    forwarded: Iterable[str] = (),
    trusted: tuple[Network, ...] = (),
) -> str:
    """Who a request counts as for the rate limit (see the module docstring)."""
    address = _address(peer) if peer else None
    if not _trusted(address, trusted):
        return _identity(address) if address is not None else f"peer:{(peer or '')[:64]}"
    for hop in reversed(_hops(forwarded_for, forwarded)):
        hop_address = _address(hop)
        if hop_address is None:
            # Written by the proxy or passed on from the client: either way it is the
            # nearest hop we cannot vouch for, so it is who the request counts as.
            return f"hop:{hop.strip()[:64]}"
        if not _trusted(hop_address, trusted):
            return _identity(hop_address)
    # A trusted proxy that sent no forwarding header: it is the client.
    assert address is not None
    return _identity(address)


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
