"""`cartilla verify` as staff run it: exit codes, both languages, no traceback, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bundles import factory as f
from cryptography.hazmat.primitives import serialization

from server.evidence import receipts
from server.evidence.verify import CHECK_IDS


def run_verify(*args: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARTILLA_STATE_DIR": str(state_dir)}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def keys() -> f.Keys:
    return f.new_keys()


def test_good_bundle_exit_zero_with_summary(tmp_path: Path, keys: f.Keys) -> None:
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(f.make_bundle(keys))
    # The staff machine trusts the server key it saved from /.well-known/cartilla-receipt-key.
    key_file = tmp_path / "server-key.json"
    info = receipts.public_key_info(keys.server)
    key_file.write_text(json.dumps({"public_key": info.public_key}))
    result = run_verify(str(bundle), "--receipt-key", str(key_file), state_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFICADO" in result.stdout and "VERIFIED" in result.stdout
    assert "Rancho Los Pinos" in result.stdout
    assert result.stdout.count("[OK]") == 10 + 4  # ten checks and four receipts


def test_json_output(tmp_path: Path, keys: f.Keys) -> None:
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(f.make_bundle(keys))
    pem = tmp_path / "server.pem"
    pem.write_bytes(
        keys.server.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    result = run_verify(str(bundle), "--json", "--receipt-key", str(pem), state_dir=tmp_path)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [c["id"] for c in report["checks"]] == list(CHECK_IDS)
    assert all(r["ok"] for r in report["receipts"])


def test_local_server_key_is_trusted(tmp_path: Path, keys: f.Keys) -> None:
    receipts.load_or_create_key(tmp_path / "receipt_ed25519.pem")
    server = receipts.load_or_create_key(tmp_path / "receipt_ed25519.pem")
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(f.make_bundle(f.Keys(worker=keys.worker, server=server)))
    result = run_verify(str(bundle), "--json", state_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["checks"][7]["ok"] is True


@pytest.mark.parametrize(
    ("content", "code", "es_word"),
    [
        (b"hello, not a zip", 2, "no es un ZIP"),
        (b"", 2, "vacío"),
    ],
)
def test_unreadable_files_exit_two(tmp_path: Path, content: bytes, code: int, es_word: str) -> None:
    bundle = tmp_path / "x.zip"
    bundle.write_bytes(content)
    result = run_verify(str(bundle), state_dir=tmp_path)
    assert result.returncode == code
    assert es_word in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_truncated_and_tampered(tmp_path: Path, keys: f.Keys) -> None:
    good = f.make_bundle(keys)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good[:-40])
    result = run_verify(str(cut), state_dir=tmp_path)
    assert result.returncode == 2 and "cortado" in result.stdout and "cut short" in result.stdout
    files = f.unzip(good)
    files["data/journal.jsonl"] = files["data/journal.jsonl"].replace(b"16:30", b"19:30", 1)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(f.reseal(files, keys.worker))
    result = run_verify(str(bad), state_dir=tmp_path)
    assert result.returncode == 1
    assert "fue cambiada" in result.stdout and "was changed" in result.stdout
    assert "Traceback" not in result.stderr


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for target in (tmp_path / "nope.zip", tmp_path):
        result = run_verify(str(target), state_dir=tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr


def test_crafted_bundles_never_give_a_traceback(tmp_path: Path, keys: f.Keys) -> None:
    """Hostile input of every class gets a named verdict in both languages, exit 1 or 2."""
    from bundles import rawzip

    good = f.make_bundle(keys)
    files = f.unzip(good)
    lines = files["data/journal.jsonl"].decode().split("\n")
    deep = dict(files, **{"data/journal.jsonl": ("[" * 5000 + "]" * 5000 + "\n").encode()})
    dup = dict(files, **{"data/journal.jsonl": (lines[0][:-1] + ',"seq":0}\n').encode()})
    surrogate = dict(files, **{"data/summary.json": b'{"worker_name":"\\udfff"}'})
    import base64

    from server.evidence.signing import ED25519_SPKI

    identity = base64.b64encode(ED25519_SPKI + b"\x01" + bytes(31)).decode()
    identity_pem = f"-----BEGIN PUBLIC KEY-----\n{identity}\n-----END PUBLIC KEY-----\n".encode()
    weak = dict(files, **{"public-key.pem": identity_pem})
    cases = {
        "deep.zip": (f.reseal(deep, keys.worker), "json_too_deep", 1),
        "dup.zip": (f.reseal(dup, keys.worker), "json_duplicate_key", 1),
        "surrogate.zip": (f.reseal(surrogate, keys.worker), "json_lone_surrogate", 1),
        "weak.zip": (f.rezip(weak), "weak_public_key", 1),
        "prefixed.zip": (b"MZ" + good, "leading_bytes", 2),
        "zip64.zip": (rawzip.write(rawzip.bundle_entries(good), zip64_locator=True), "zip64", 2),
    }
    for name, (data, code, exit_code) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        done = run_verify(str(path), "--json", state_dir=tmp_path)
        assert "Traceback" not in done.stdout + done.stderr, name
        assert done.returncode == exit_code, (name, done.stdout[-500:])
        report = json.loads(done.stdout)
        found = [e for c in report["checks"] for e in c["errors"]]
        assert code in {e["code"] for e in found}, (name, found)
        assert all(e["message"]["es"] and e["message"]["en"] for e in found)


def test_a_terminal_without_utf8_gets_no_traceback(tmp_path: Path, keys: f.Keys) -> None:
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(f.make_bundle(keys))
    env = {**os.environ, "CARTILLA_STATE_DIR": str(tmp_path), "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(bundle)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert "NO VERIFICADO" in done.stdout or "VERIFICADO" in done.stdout


def test_receipts_under_a_key_staff_do_not_have_say_could_not_check(
    tmp_path: Path, keys: f.Keys
) -> None:
    """A receipt signed by a key this machine does not know is not called OK nor a failure."""
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(f.make_bundle(keys))
    other = receipts.public_key_info(f.new_keys().server)
    key_file = tmp_path / "other-key.json"
    key_file.write_text(json.dumps({"public_key": other.public_key}))
    result = run_verify(str(bundle), "--receipt-key", str(key_file), state_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    receipt_lines = [line for line in result.stdout.splitlines() if line.startswith("Recibo")]
    assert len(receipt_lines) == 4
    assert all("could not check" in line and "[OK]" not in line for line in receipt_lines)
