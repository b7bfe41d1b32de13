"""Per-client rate limits behind a TLS proxy, against the real server on loopback.

Behind a proxy every request comes from the proxy's address, so the per-client subscribe
budget used to be one budget for every phone. With CARTILLA_TRUSTED_PROXIES the server
counts each client by the last forwarding hop its own proxy wrote; from any other peer the
forwarding headers are ignored, so nobody picks their own identity. Here the "proxy"
connects from 127.0.0.2 and direct clients from 127.0.0.1 (both loopback).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from server.app import create_app
from server.cli import main
from server.config import Settings, parse_trusted_proxies
from server.push.api import RATE_LIMITER, UNSUBSCRIBE_LIMITER
from server.push.ratelimit import client_identity
from server.push.testing import MockPushService

PATH = "/api/v1/push/subscriptions"
PROXY = "127.0.0.2"
PROFILE = {"states": ["CA"], "language": "es"}


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> Iterator[None]:
    RATE_LIMITER.clear()
    UNSUBSCRIBE_LIMITER.clear()
    yield
    RATE_LIMITER.clear()
    UNSUBSCRIBE_LIMITER.clear()


@pytest.fixture
def port(built: Settings) -> Iterator[int]:
    """The app behind a trusted proxy at 127.0.0.2, served by uvicorn on loopback."""
    settings = dataclasses.replace(built, trusted_proxies=parse_trusted_proxies(PROXY))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        chosen = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=chosen, log_level="warning",
        access_log=False, proxy_headers=False,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(timeout=0.05)
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    yield chosen
    server.should_exit = True
    thread.join(timeout=10)


def call(
    port: int, method: str, body: dict[str, Any], source: str = "127.0.0.1", **headers: str
) -> int:
    """One request from `source` (a loopback address this machine owns); the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(
            method, PATH, body=json.dumps(body),
            headers={"Content-Type": "application/json", **headers},
        )  # fmt: skip
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def spend(port: int, source: str, **headers: str) -> list[int]:
    """Subscribe attempts until refused (the body is checked after the limit: 400 each)."""
    return [call(port, "POST", {}, source, **headers) for _ in range(RATE_LIMITER.per_client + 1)]


def test_two_clients_behind_the_proxy_get_separate_budgets(port: int) -> None:
    first = spend(port, PROXY, **{"X-Forwarded-For": "203.0.113.5"})
    assert first[:-1] == [400] * RATE_LIMITER.per_client and first[-1] == 429
    # Another phone behind the same proxy still has its whole budget ...
    assert call(port, "POST", {}, PROXY, **{"X-Forwarded-For": "203.0.113.6"}) == 400
    # ... and the spent one cannot get a new one by putting another address in front:
    # the proxy appends the real one, and only the last untrusted hop counts.
    spoofed = {"X-Forwarded-For": "198.51.100.9, 203.0.113.5"}
    assert call(port, "POST", {}, PROXY, **spoofed) == 429
    # The standard Forwarded header is read the same way.
    assert call(port, "POST", {}, PROXY, Forwarded='for="203.0.113.5:4711"') == 429
    assert call(port, "POST", {}, PROXY, Forwarded="for=203.0.113.7;proto=https") == 400


def test_a_direct_client_cannot_pick_its_identity_with_the_header(port: int) -> None:
    # 127.0.0.1 is not a trusted proxy: a different made-up address on every request
    # still counts as one client, the peer.
    statuses = [
        call(port, "POST", {}, "127.0.0.1", **{"X-Forwarded-For": f"192.0.2.{n}"})
        for n in range(RATE_LIMITER.per_client + 1)
    ]
    assert statuses[-1] == 429 and statuses.count(429) == 1
    assert call(port, "POST", {}, "127.0.0.1", Forwarded="for=192.0.2.200") == 429
    # Phones behind the proxy are not affected by it.
    assert call(port, "POST", {}, PROXY, **{"X-Forwarded-For": "192.0.2.1"}) == 400


def test_unsubscribe_is_never_rate_limited_away(port: int) -> None:
    with MockPushService() as service:
        worker = service.subscription()
        mine = {"X-Forwarded-For": "203.0.113.20"}
        assert (
            call(port, "POST", {"subscription": worker, "profile": PROFILE}, PROXY, **mine) == 201
        )
        # The worker's own subscribe budget is spent (by them, or by someone sharing the
        # proxy who can only ever spend their own), and someone floods unsubscribes.
        assert spend(port, PROXY, **mine)[-1] == 429
        flood = [
            call(port, "DELETE", {"endpoint": service.subscription()["endpoint"]}, PROXY,
                 **{"X-Forwarded-For": "203.0.113.66"})
            for _ in range(RATE_LIMITER.per_client * 2)
        ]  # fmt: skip
        assert set(flood) == {404}
        assert call(port, "DELETE", {"endpoint": worker["endpoint"]}, PROXY, **mine) == 204


def test_who_a_request_counts_as() -> None:
    trusted = parse_trusted_proxies("127.0.0.1, ::1, 10.0.0.0/8")
    # From an untrusted peer, headers are ignored.
    assert client_identity("198.51.100.4", ["203.0.113.1"], [], trusted) == "198.51.100.4"
    # Through two trusted proxies: the last untrusted hop.
    hops = ["192.0.2.1, 203.0.113.1, 10.1.2.3"]
    assert client_identity("127.0.0.1", hops, [], trusted) == "203.0.113.1"
    assert client_identity("::ffff:127.0.0.1", hops, [], trusted) == "203.0.113.1"
    # IPv6 clients count per /64; ports and brackets are not part of who it is.
    a = client_identity("::1", [], ['for="[2001:db8:0:1::5]:4711"'], trusted)
    b = client_identity("::1", ["2001:db8:0:1:ffff::9"], [], trusted)
    assert a == b == "2001:db8:0:1::/64"
    # A trusted proxy that forwards nothing is one client; so is no setting at all.
    assert client_identity("127.0.0.1", [], [], trusted) == "127.0.0.1"
    assert client_identity("127.0.0.1", ["203.0.113.1"], [], ()) == "127.0.0.1"


def test_a_bad_trusted_proxy_setting_is_a_plain_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARTILLA_TRUSTED_PROXIES", "127.0.0.1, proxy.example")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "proxy.example" in err and "no es una dirección IP" in err
    assert "is not an IP address" in err and "Traceback" not in err
