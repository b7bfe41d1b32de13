"""The time-receipt key: made once across racing processes, a history with ids, and
"could not check" (not "forged") for a receipt signed by a key the server never had.

The history tests run on both backends: receipt_keys.json beside the key (the default) and
the shared PostgreSQL table (CARTILLA_DATABASE_URL), where several instances, each with its
own private key, publish and trust each other's keys."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bundles import factory as f
from litestar.testing import TestClient

from server.app import create_app
from server.cli import main
from server.config import Settings
from server.evidence import receipts
from server.evidence.keys import (
    ensure_receipt_key,
    history_path,
    known_receipt_keys,
    published_keys,
    read_public_key_file,
    rotate_receipt_key,
)
from server.evidence.verify import verify_bundle

WORKERS = 6


@pytest.fixture
def keyed(built: Settings, database_url: str | None) -> Settings:
    """The built settings, the key history on the backend of `database_url`."""
    return dataclasses.replace(built, database_url=database_url)


def _race(path: str, barrier: object, out: object) -> None:
    barrier.wait(timeout=30)  # type: ignore[attr-defined]
    key = receipts.load_or_create_key(Path(path))
    out.put(receipts.key_id_of(key.public_key()))  # type: ignore[attr-defined]


def test_racing_worker_processes_all_get_the_one_key(tmp_path: Path) -> None:
    path = tmp_path / "state" / "receipt_ed25519.pem"
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    out = ctx.Queue()
    procs = [ctx.Process(target=_race, args=(str(path), barrier, out)) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    ids = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    on_disk = receipts.key_id_of(receipts.load_or_create_key(path).public_key())
    assert set(ids) == {on_disk}, f"{len(set(ids))} different keys handed out: {ids}"
    assert not list(path.parent.glob("*.tmp"))


FAILED_FIRST_WRITE = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from server.evidence import receipts
    path = Path(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40, hard))  # the PEM is ~119 bytes
    try:
        receipts.load_or_create_key(path)
        print("first write did not fail")
    except receipts.ReceiptKeyError as exc:
        print("first:", exc)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    temps = sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp"))
    print("temps:", temps)
    key = receipts.load_or_create_key(path)
    print("second:", receipts.sign_receipt(key, "ab" * 32).key_id)
    """
)


def test_a_failed_first_write_leaves_nothing_that_breaks_later_receipts(tmp_path: Path) -> None:
    # A real short write: the process may not grow a file past 40 bytes (RLIMIT_FSIZE).
    path = tmp_path / "receipt_ed25519.pem"
    run = subprocess.run(
        [sys.executable, "-c", FAILED_FIRST_WRITE, str(path)],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    out = run.stdout
    assert "first: " in out and "temps: []" in out and "second: " in out, out + run.stderr
    assert path.exists()


def test_key_history_is_published_and_old_bundles_still_verify(keyed: Settings) -> None:
    built, url = keyed, keyed.database_url
    with TestClient(create_app(built)) as client:
        first = client.get("/.well-known/cartilla-receipt-key").json()
        old_key = receipts.load_or_create_key(built.receipt_key_path)
        old_bundle = f.make_bundle(f.Keys(worker=f.new_keys().worker, server=old_key))
        rotate_receipt_key(built.receipt_key_path, url)
        published = client.get("/.well-known/cartilla-receipt-key").json()
        assert published["key_id"] != first["key_id"]
        ids = [k["key_id"] for k in published["keys"]]
        assert ids == [first["key_id"], published["key_id"]], published
        previous, current = published["keys"]
        assert previous["valid_until"] and previous["valid_from"] <= previous["valid_until"]
        assert current["valid_until"] is None
        # Receipts are now signed by the new key ...
        made = client.post("/api/v1/receipts", json={"hash": "cd" * 32}).json()
        assert made["key_id"] == published["key_id"]
        # ... and a bundle from before the change still verifies, on the desk and at the CLI.
        answer = client.post(
            "/api/v1/bundles/report", content=old_bundle,
            headers={"content-type": "application/zip"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert set(known_receipt_keys(built.receipt_key_path, url)) == set(ids)
        # The history is where the backend keeps it, and only there.
        assert history_path(built.receipt_key_path).exists() == (url is None)
        saved = built.state_dir / "saved.json"
        saved.write_text(client.get("/api/v1/receipts/key").text)
        assert set(read_public_key_file(saved)) == set(ids)


def test_unknown_key_is_could_not_check_and_a_bad_signature_is_forged(keyed: Settings) -> None:
    mine = receipts.load_or_create_key(keyed.receipt_key_path)
    known = known_receipt_keys(keyed.receipt_key_path, keyed.database_url)
    other = receipts.sign_receipt(f.new_keys().server, "ab" * 32)
    assert receipts.receipt_verdict(other, known) == "unchecked"
    genuine = receipts.sign_receipt(mine, "ab" * 32)
    assert receipts.receipt_verdict(genuine, known) == "genuine"
    backdated = receipts.Receipt(
        hash=genuine.hash, time="2020-01-01T00:00:00Z", key_id=genuine.key_id,
        signature=genuine.signature,
    )  # fmt: skip
    assert receipts.receipt_verdict(backdated, known) == "forged"


def test_an_unreadable_key_is_a_plain_503_not_a_500(keyed: Settings) -> None:
    with TestClient(create_app(keyed)) as client:
        keyed.receipt_key_path.write_bytes(b"not a key")
        answer = client.post("/api/v1/receipts", json={"hash": "ab" * 32})
        assert answer.status_code == 503, answer.text
        message = answer.json()["error"]["message"]
        assert "llave" in message["es"] and "key" in message["en"]


# --- `cartilla keys`: make once, rotate with a published history, list ------------------------


def _use_state(
    monkeypatch: pytest.MonkeyPatch, state: Path, database_url: str | None = None
) -> None:
    monkeypatch.setenv("CARTILLA_STATE_DIR", str(state))
    if database_url:
        monkeypatch.setenv("CARTILLA_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("CARTILLA_DATABASE_URL", raising=False)


def test_cartilla_keys_makes_the_receipt_key_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str | None,
) -> None:
    state = tmp_path / "state"
    _use_state(monkeypatch, state, database_url)
    assert main(["keys"]) == 0
    key_path = state / "receipt_ed25519.pem"
    pem = key_path.read_bytes()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    first_id = receipts.key_id_of(receipts.load_or_create_key(key_path).public_key())
    assert f"{first_id}: creada / created" in capsys.readouterr().err
    # Again: the receipt key is left alone (the VAPID half refuses without --force).
    main(["keys"])
    assert "ya existía, sin cambios / already there, unchanged" in capsys.readouterr().err
    assert key_path.read_bytes() == pem
    assert main(["keys", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith(first_id) and "(actual / current)" in lines[1]


def test_rotation_keeps_receipts_made_before_it_verifiable_from_the_published_history(
    keyed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built = keyed
    _use_state(monkeypatch, built.state_dir, built.database_url)
    assert main(["keys"]) == 0
    old_key = receipts.load_or_create_key(built.receipt_key_path)
    old_bundle = f.make_bundle(f.Keys(worker=f.new_keys().worker, server=old_key))
    capsys.readouterr()
    assert main(["keys", "--rotate"]) == 0
    out = capsys.readouterr().out
    old_id = receipts.key_id_of(old_key.public_key())
    new_key = receipts.load_or_create_key(built.receipt_key_path)
    new_id = receipts.key_id_of(new_key.public_key())
    assert new_id != old_id and new_id in out and old_id in out
    assert stat.S_IMODE(built.receipt_key_path.stat().st_mode) == 0o600
    assert not list(built.state_dir.glob(".*.tmp"))

    # A verifier elsewhere knows only what the server publishes after the rotation.
    with TestClient(create_app(built)) as client:
        published = client.get("/.well-known/cartilla-receipt-key")
    assert published.json()["key_id"] == new_id
    saved = built.state_dir.parent / "published.json"
    saved.write_bytes(published.content)
    report = verify_bundle(old_bundle, read_public_key_file(saved))
    assert report.receipts and all(r.error is None for r in report.receipts)
    assert report.checks["receipts"].ok is True
    # Without the history (the current key alone) the old receipts cannot be checked: they
    # are "unknown key", never "forged".
    only_current = {new_id: new_key.public_key()}
    codes = {r.error for r in verify_bundle(old_bundle, only_current).receipts}
    assert codes == {"receipt_unknown_key"}

    assert main(["keys", "--list"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split()[0] for row in rows] == [old_id, new_id]
    old_row = rows[0].split()
    assert old_row[1] <= old_row[2] and old_row[3].startswith(old_id) and len(old_row[3]) == 64
    assert "(actual / current)" in rows[1]


# --- several instances, one PostgreSQL: each its own private key, one shared history ---------


@pytest.fixture
def shared(database_url: str | None) -> str:
    if database_url is None:
        pytest.skip("PostgreSQL only: without a database URL each server has its own history")
    return database_url


def test_instances_publish_and_trust_each_others_keys(tmp_path: Path, shared: str) -> None:
    a, b = (tmp_path / name / "receipt_ed25519.pem" for name in ("a", "b"))
    ensure_receipt_key(a, shared)
    ensure_receipt_key(b, shared)
    key_a, key_b = receipts.load_or_create_key(a), receipts.load_or_create_key(b)
    id_a, id_b = (receipts.key_id_of(k.public_key()) for k in (key_a, key_b))
    assert id_a != id_b  # a private key never leaves its instance
    for path, mine in ((a, id_a), (b, id_b)):
        published = published_keys(path, shared)
        assert published.key_id == mine  # each signs with its own key ...
        assert {k.key_id for k in published.keys} == {id_a, id_b}  # ... and lists both
        assert all(k.valid_until is None for k in published.keys)
    # A receipt signed by A is genuine to B (and the other way round).
    receipt = receipts.sign_receipt(key_a, "ab" * 32)
    assert receipts.receipt_verdict(receipt, known_receipt_keys(b, shared)) == "genuine"
    receipt = receipts.sign_receipt(key_b, "cd" * 32)
    assert receipts.receipt_verdict(receipt, known_receipt_keys(a, shared)) == "genuine"
    # Rotating A closes A's old key only; B's key stays current.
    rotate_receipt_key(a, shared)
    new_a = receipts.key_id_of(receipts.load_or_create_key(a).public_key())
    rows = {k.key_id: k for k in published_keys(b, shared).keys}
    assert set(rows) == {id_a, id_b, new_a}
    assert rows[id_a].valid_until is not None
    assert rows[id_b].valid_until is None and rows[new_a].valid_until is None
    assert not any(p.name == "receipt_keys.json" for p in tmp_path.rglob("*"))


def test_moving_to_postgres_keeps_the_keys_recorded_before(tmp_path: Path, shared: str) -> None:
    path = tmp_path / "state" / "receipt_ed25519.pem"
    ensure_receipt_key(path)  # the file history, as before CARTILLA_DATABASE_URL was set
    old = receipts.load_or_create_key(path)
    rotate_receipt_key(path)
    before = json.loads(history_path(path).read_text())["keys"]
    assert len(before) == 2
    ensure_receipt_key(path, shared)  # the first start with the database
    published = published_keys(path, shared)
    assert [k.key_id for k in published.keys] == [k["key_id"] for k in before]
    receipt = receipts.sign_receipt(old, "ab" * 32)
    other = tmp_path / "other" / "receipt_ed25519.pem"
    assert receipts.receipt_verdict(receipt, known_receipt_keys(other, shared)) == "genuine"


ROTATE_ON_A_FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from server.cli import main
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40, hard))  # the PEM is ~119 bytes
    sys.exit(main(["keys", "--rotate"]))
    """
)


def test_rotating_on_a_full_disk_says_so_and_keeps_the_old_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    _use_state(monkeypatch, state)
    assert main(["keys"]) == 0
    key_path = state / "receipt_ed25519.pem"
    pem = key_path.read_bytes()
    # A real short write: the process may not grow a file past 40 bytes (RLIMIT_FSIZE).
    run = subprocess.run(
        [sys.executable, "-c", ROTATE_ON_A_FULL_DISK], capture_output=True, text=True,
        timeout=60, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "El disco está lleno" in run.stderr and "The disk is full" in run.stderr
    assert key_path.read_bytes() == pem
    assert not [p for p in state.iterdir() if p.name.endswith(".tmp")]


def test_keys_in_a_read_only_place_is_a_plain_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_state(monkeypatch, Path("/sys/cartilla-test/state"))  # sysfs: no one may write there
    for argv in (["keys", "--rotate"], ["keys"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "solo lectura o sin permiso" in err and "read-only or no permission" in err
