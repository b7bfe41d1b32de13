"""Requests racing on one relay, as two instances (or threads) would send them: a check and
its write never come apart. On SQLite BEGIN IMMEDIATE serialises them; on PostgreSQL the
upload's row lock, the advisory lock of a starting upload and DELETE ... RETURNING do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyrage
import pytest

from server import storage
from server.config import PROJECT_ROOT, Settings
from server.entrega import envelope, store

T0 = 1_700_000_000
RACERS = 8


@pytest.fixture
def stores(tmp_path: Path, database_url: str | None) -> list[Any]:
    """Separate store objects over one relay (as separate instances hold)."""
    settings = Settings(
        content_dir=tmp_path, index_path=tmp_path / "index.db", pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=tmp_path, test_mode=True, database_url=database_url,
    )  # fmt: skip
    made = [store.open_store(settings) for _ in range(RACERS)]
    if database_url:
        _warm_pool(database_url)
    return made


def _warm_pool(url: str) -> None:
    """Have the process's pool open a connection per racer, so they really run at once
    (a pool grows on demand, and would otherwise hand one connection round in turn)."""
    with ExitStack() as held:
        for _ in range(RACERS):
            held.enter_context(storage.open_postgres(url, "relay"))


def _race(stores: list[Any], action: Callable[[Any], Any]) -> list[Any]:
    """Run `action(store)` for every store at the same moment; results or exceptions."""
    barrier = threading.Barrier(len(stores))
    results: list[Any] = [None] * len(stores)

    def run(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            results[i] = action(stores[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_one_upload_per_window_when_many_start_at_once(stores: list[Any]) -> None:
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    window_id, _, _ = stores[0].create_window("fresno", recipient, T0)
    results = _race(
        stores, lambda s: s.create_upload(office="fresno", window_id=window_id, size=40, now=T0)
    )
    made = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, store.Refused)]
    assert len(made) == 1, results
    assert len(refused) == RACERS - 1 and {r.code for r in refused} == {"window_taken"}


def test_the_same_chunk_twice_at_once_is_stored_once(stores: list[Any]) -> None:
    uid, _, _ = stores[0].create_upload(office="fresno", window_id=None, size=22, now=T0)
    results = _race(stores, lambda s: s.append(uid, 0, envelope.AGE_FIRST_LINE, T0))
    assert results.count(22) == 1, results
    assert all(isinstance(r, store.WrongOffset) and r.received == 22 for r in results if r != 22)
    stores[0].complete(uid, T0)
    reader = stores[0].open_ciphertext(uid)
    assert reader is not None
    try:
        assert reader.read(1000) + reader.read(1000) == envelope.AGE_FIRST_LINE
    finally:
        reader.close()


def test_completing_at_once_hands_out_one_code(stores: list[Any]) -> None:
    uid, _, _ = stores[0].create_upload(office="fresno", window_id=None, size=22, now=T0)
    stores[0].append(uid, 0, envelope.AGE_FIRST_LINE, T0)
    results = _race(stores, lambda s: s.complete(uid, T0))
    codes = [r[0] for r in results if isinstance(r, tuple)]
    assert len(codes) == 1, results
    assert stores[1].find_pickup("fresno", codes[0].replace("-", ""), T0) is not None


def test_a_challenge_answered_twice_at_once_opens_one_session(stores: list[Any]) -> None:
    challenge_id, _ = stores[0].create_challenge("fresno", b"s" * 32, T0)
    results = _race(stores, lambda s: s.take_challenge(challenge_id, b"s" * 32, T0))
    assert results.count("fresno") == 1 and results.count(None) == RACERS - 1, results
