"""Expiry: the sweep (driven by an injected clock) deletes what expired, and only that."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest
from entrega_fixtures import ciphertext_pieces

from server.config import PROJECT_ROOT, Settings
from server.entrega import envelope, store
from server.entrega.api import LIFESPAN

T0 = 1_700_000_000


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """The relay's state in `tmp_path` (SQLite files), or in a fresh PostgreSQL database."""
    return Settings(
        content_dir=tmp_path,
        index_path=tmp_path / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=tmp_path,
        test_mode=True,
        database_url=database_url,
    )


@pytest.fixture
def relay(settings: Settings) -> store.DatabaseRelayStore:
    return store.open_store(settings)


def _stored(settings: Settings) -> list[str]:
    """Every piece of ciphertext the relay holds, of any upload."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            ids = [r[0] for r in conn.execute("SELECT DISTINCT upload_id FROM relay_chunks")]
        return [piece for uid in ids for piece in ciphertext_pieces(settings, uid)]
    return sorted(p.name for p in (settings.state_dir / "entrega" / "blobs").iterdir())


def _completed(relay: store.DatabaseRelayStore, now: int) -> str:
    uid, _, _ = relay.create_upload(office="fresno", window_id=None, size=22, now=now)
    relay.append(uid, 0, envelope.AGE_FIRST_LINE, now)
    relay.complete(uid, now)
    return uid


def test_sweep_deletes_each_thing_after_its_lifetime(
    relay: store.DatabaseRelayStore, settings: Settings
) -> None:
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
    assert _stored(settings) == []


def test_sweep_removes_files_no_record_owns(tmp_path: Path) -> None:
    # Files only: on PostgreSQL a foreign key deletes an upload's rows with it, so no
    # ciphertext without a record can be left (the delete and ack tests check the rows go).
    relay = store.SqliteRelayStore(tmp_path / "entrega")
    keep = _completed(relay, T0)
    (relay.blobs / ("f" * 32 + ".part")).write_bytes(b"left by a crash")
    assert relay.sweep(T0)["orphan_files"] == 1
    assert [p.name for p in relay.blobs.iterdir()] == [f"{keep}.age"]


def test_deleting_an_upload_record_deletes_its_rows_on_postgres(
    relay: store.DatabaseRelayStore, settings: Settings
) -> None:
    if not settings.database_url:
        pytest.skip("PostgreSQL only: the foreign key from relay_chunks to uploads")
    import psycopg

    uid = _completed(relay, T0)
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("DELETE FROM uploads WHERE id = %s", [uid])
    assert ciphertext_pieces(settings, uid) == []
    assert relay.sweep(T0)["orphan_files"] == 0


def test_sweep_command(relay: store.DatabaseRelayStore, settings: Settings) -> None:
    relay.create_challenge("fresno", b"x" * 32, T0)  # long expired by the real clock
    env = {"CARTILLA_STATE_DIR": str(settings.state_dir), "PATH": "/usr/bin:/bin"}
    if settings.database_url:
        env["CARTILLA_DATABASE_URL"] = settings.database_url
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "entrega", "sweep"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "challenges 1" in result.stdout


def test_the_app_sweeps_when_it_starts_and_stops_the_task_when_it_ends(
    relay: store.DatabaseRelayStore, settings: Settings
) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    relay.create_challenge("fresno", b"x" * 32, T0)  # long expired
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


def test_processes_starting_together_share_one_secret(settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        stores = list(pool.map(lambda _: store.open_store(settings), range(8)))
    assert len({s.keyed("x") for s in stores}) == 1
    root = settings.state_dir / "entrega"
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            assert conn.execute("SELECT count(*) FROM relay_secret").fetchone() == (1,)
        assert not root.exists()  # nothing on this machine's disk
        return
    assert sorted(p.name for p in root.iterdir() if p.name.startswith((".", "secret"))) == [
        "secret"
    ]


SECRET_RACE = """
import sys
from server.config import get_settings
from server.entrega import store
print(store.open_store(get_settings()).keyed("x"))
"""


def test_instances_starting_together_agree_on_one_secret(settings: Settings) -> None:
    # Separate processes with separate state folders: on PostgreSQL they share one secret
    # (the first INSERT wins), so a code made through one instance is found through another.
    if not settings.database_url:
        pytest.skip("SQLite: instances share the state folder's secret file (test above)")
    env = {**os.environ, "CARTILLA_DATABASE_URL": settings.database_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SECRET_RACE],
            stdout=subprocess.PIPE,
            text=True,
            env={**env, "CARTILLA_STATE_DIR": str(settings.state_dir / f"instance-{i}")},
            cwd=PROJECT_ROOT,
        )
        for i in range(4)
    ]
    outputs = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert len(outputs) == 1 and len(outputs.pop()) == 64
