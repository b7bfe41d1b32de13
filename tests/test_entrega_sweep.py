"""Expiry: the sweep (driven by an injected clock) deletes what expired, and only that."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyrage

from server.entrega import envelope, store
from server.entrega.api import LIFESPAN

T0 = 1_700_000_000


def _completed(relay: store.SqliteRelayStore, now: int) -> str:
    uid, _, _ = relay.create_upload(office="fresno", window_id=None, size=22, now=now)
    relay.append(uid, 0, envelope.AGE_FIRST_LINE, now)
    relay.complete(uid, now)
    return uid


def test_sweep_deletes_each_thing_after_its_lifetime(tmp_path: Path) -> None:
    relay = store.SqliteRelayStore(tmp_path / "entrega")
    waiting = _completed(relay, T0)
    picked = _completed(relay, T0)
    relay.ack(picked, T0 + 10)
    unfinished, _, _ = relay.create_upload(office="fresno", window_id=None, size=50, now=T0)
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    relay.create_window("fresno", recipient, T0)
    relay.create_challenge("fresno", b"x" * 32, T0)
    relay.create_session("fresno", T0)

    # Two minutes and a second: only the challenge is gone.
    assert relay.sweep(T0 + store.CHALLENGE_SECONDS + 1)["challenges"] == 1
    counts = relay.sweep(T0 + store.SESSION_SECONDS + 1)
    assert counts["desk_sessions"] == 1 and counts["windows"] == 0
    assert relay.sweep(T0 + store.WINDOW_SECONDS + 1)["windows"] == 1
    counts = relay.sweep(T0 + store.UPLOADING_SECONDS + 1)
    assert counts["uploads"] == 1 and relay.upload(unfinished) is None
    assert relay.upload(waiting) is not None
    # Seven days: the waiting and the picked-up records go, and the blob with them.
    assert relay.upload(picked) is not None and relay.upload(picked).state == "picked_up"  # type: ignore[union-attr]
    counts = relay.sweep(T0 + store.PICKUP_SECONDS + 1)
    assert counts["uploads"] == 2
    assert list(relay.blobs.iterdir()) == []


def test_sweep_removes_files_no_record_owns(tmp_path: Path) -> None:
    relay = store.SqliteRelayStore(tmp_path / "entrega")
    keep = _completed(relay, T0)
    (relay.blobs / ("f" * 32 + ".part")).write_bytes(b"left by a crash")
    assert relay.sweep(T0)["orphan_files"] == 1
    assert [p.name for p in relay.blobs.iterdir()] == [f"{keep}.age"]


def test_sweep_command(tmp_path: Path) -> None:
    relay = store.SqliteRelayStore(tmp_path / "entrega")
    relay.create_challenge("fresno", b"x" * 32, T0)  # long expired by the real clock
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "entrega", "sweep"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CARTILLA_STATE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "challenges 1" in result.stdout


def test_the_app_sweeps_when_it_starts_and_stops_the_task_when_it_ends(tmp_path: Path) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from server.config import PROJECT_ROOT, Settings

    relay = store.SqliteRelayStore(tmp_path / "entrega")
    relay.create_challenge("fresno", b"x" * 32, T0)  # long expired
    settings = Settings(
        content_dir=tmp_path,
        index_path=tmp_path / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=tmp_path,
        test_mode=True,
    )
    app = SimpleNamespace(state=SimpleNamespace(settings=settings))

    def challenges() -> int:
        with relay._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM challenges").fetchone()[0])

    async def run() -> int:
        [lifespan] = LIFESPAN
        async with lifespan(app):  # type: ignore[arg-type]
            for _ in range(1000):  # waits for the first sweep (a condition, not a delay)
                if challenges() == 0:
                    break
                await asyncio.sleep(0.01)
            tasks = len(asyncio.all_tasks())
        return tasks - len(asyncio.all_tasks())

    # In a thread of its own: after the browser tests, Playwright's loop runs in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, run()).result() == 1  # the sweep task ended with the app
    assert challenges() == 0


def test_processes_starting_together_share_one_secret(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    root = tmp_path / "entrega"
    with ThreadPoolExecutor(8) as pool:
        stores = list(pool.map(lambda _: store.SqliteRelayStore(root), range(8)))
    assert len({s.keyed("x") for s in stores}) == 1
    assert sorted(p.name for p in root.iterdir() if p.name.startswith((".", "secret"))) == [
        "secret"
    ]
