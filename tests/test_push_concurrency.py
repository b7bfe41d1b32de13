"""Many phones subscribing at once against the real server on 127.0.0.1, and the rate limits.

A burst of subscribes used to answer 500 "database is locked" (deferred transactions that
read, then try to write, fail at once under WAL instead of waiting). And one client could
spend the shared request budget and so lock every worker out of *unsubscribing*.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import uvicorn

from server.app import create_app
from server.config import Settings
from server.push.api import RATE_LIMITER, UNSUBSCRIBE_LIMITER
from server.push.testing import MockPushService

PROFILE = {"states": ["CA"], "language": "es"}
PATH = "/api/v1/push/subscriptions"


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> Iterator[None]:
    RATE_LIMITER.clear()
    UNSUBSCRIBE_LIMITER.clear()
    yield
    RATE_LIMITER.clear()
    UNSUBSCRIBE_LIMITER.clear()


@pytest.fixture
def settings(settings: Settings, database_url: str | None) -> Settings:
    """Both backends: SQLite's write lock and PostgreSQL's row locks under the same burst."""
    return dataclasses.replace(settings, database_url=database_url)


@pytest.fixture
def base_url(built: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in this process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(built), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):  # uvicorn sets `started` once it listens
        if server.started:
            started.set()
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def call(base_url: str, method: str, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        base_url + PATH,
        data=json.dumps(document).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return response.status, json.loads(text) if text else {}
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else {}


def test_a_burst_of_subscribes_gets_no_server_error(
    base_url: str, built: Settings, service: MockPushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # All the phones come from 127.0.0.1 here; in real life they are many addresses.
    monkeypatch.setattr(RATE_LIMITER, "per_client", 10_000)
    subscriptions = [service.subscription() for _ in range(120)]
    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(
            pool.map(
                lambda s: call(base_url, "POST", {"subscription": s, "profile": PROFILE}),
                subscriptions,
            )
        )
    statuses = [status for status, _ in answers]
    assert statuses.count(201) == len(subscriptions), [a for a in answers if a[0] != 201][:3]
    # ... and re-subscribing and unsubscribing at the same time as new phones subscribe.
    newcomers = [service.subscription() for _ in range(40)]
    jobs: list[tuple[str, dict[str, Any]]] = [
        *(("POST", {"subscription": s, "profile": PROFILE}) for s in newcomers),
        *(("POST", {"subscription": s, "profile": {**PROFILE, "language": "en"}})
          for s in subscriptions[:40]),
        *(("DELETE", {"endpoint": s["endpoint"]}) for s in subscriptions[40:80]),
    ]  # fmt: skip
    with ThreadPoolExecutor(max_workers=24) as pool:
        mixed = list(pool.map(lambda job: call(base_url, *job), jobs))
    assert [status for status, _ in mixed if status >= 500] == []
    assert sorted({status for status, _ in mixed}) == [200, 201, 204]


def test_no_client_can_lock_others_out_of_unsubscribing(
    base_url: str, service: MockPushService
) -> None:
    worker = service.subscription()
    assert call(base_url, "POST", {"subscription": worker, "profile": PROFILE})[0] == 201
    # Someone spends the whole subscribe budget (from the same address, here).
    spent = [
        call(base_url, "POST", {"subscription": service.subscription(), "profile": PROFILE})[0]
        for _ in range(RATE_LIMITER.per_client + 5)
    ]
    assert spent.count(429) >= 5
    # ... and sends many DELETEs for endpoints that are not theirs to guess.
    for n in range(50):
        call(base_url, "DELETE", {"endpoint": f"https://fcm.googleapis.com/fcm/send/guess{n}"})
    status, _ = call(base_url, "DELETE", {"endpoint": worker["endpoint"]})
    assert status == 204
