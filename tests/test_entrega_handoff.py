"""A whole hand-off on the real server on loopback, done in Python as the phone and the desk
(`cartilla desk-key new`, then `cartilla entrega fetch`), and what the relay keeps after it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
import uvicorn
from bundles import factory as f
from entrega_fixtures import (
    ciphertext_pieces,
    relay_settings,
    stored_relay_bytes,
)

from server.app import create_app
from server.config import Settings
from server.entrega import codes, envelope
from server.evidence import receipts

WORKER_SECRETS = ["María López", "Rancho Los Pinos", "Cosecha de fresa", "Corte en la mano"]


def cli(*args: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARTILLA_STATE_DIR": str(state_dir)}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def desk_key(tmp_path: Path) -> tuple[Path, Path, str]:
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text("una frase de paso larga\n")
    key = tmp_path / "office.age"

    def new_key() -> subprocess.CompletedProcess[str]:
        return cli(
            "desk-key",
            "new",
            "--office",
            "fresno",
            "--out",
            str(key),
            "--passphrase-file",
            str(passphrase),
            state_dir=tmp_path,
        )

    made = new_key()
    assert made.returncode == 0, made.stderr
    recipient = next(
        line.split(": ", 1)[1]
        for line in made.stdout.splitlines()
        if line.startswith("- recipient: ")
    )
    assert f"fingerprint: {codes.fingerprint(recipient)}" in made.stdout
    assert key.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"AGE-SECRET-KEY" not in key.read_bytes()
    assert key.stat().st_mode & 0o077 == 0
    again = new_key()
    assert again.returncode == 2 and "never overwritten" in again.stderr
    return key, passphrase, recipient


@pytest.fixture
def served(
    tmp_path: Path, desk_key: tuple[Path, Path, str], database_url: str | None
) -> Iterator[tuple[str, Settings]]:
    settings = relay_settings(tmp_path / "srv", desk_key[2], database_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="info", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):
        if server.started:
            started.set()
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    yield f"http://127.0.0.1:{port}", settings
    server.should_exit = True
    thread.join(timeout=10)


def call(
    url: str,
    method: str,
    body: Any = None,
    token: str | None = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def receipt_key_file(folder: Path, keys: f.Keys) -> Path:
    """The server's receipt public key as a file, for `--receipt-key`."""
    path = folder / "server-key.json"
    path.write_text(json.dumps({"public_key": receipts.public_key_info(keys.server).public_key}))
    return path


def test_full_hand_off_leaves_nothing_readable(
    served: tuple[str, Settings],
    desk_key: tuple[Path, Path, str],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    base, settings = served
    key, passphrase, recipient = desk_key
    api = base + "/api/v1/entrega"
    keys = f.new_keys()
    bundle = f.make_bundle(keys)
    inside = b"".join(f.unzip(bundle).values())
    assert all(s.encode() in inside for s in WORKER_SECRETS)

    # The phone: envelope, encrypt to the office's published key, upload in chunks.
    status, offices = call(api + "/offices", "GET")
    assert offices["offices"][0]["recipients"] == [recipient]
    ciphertext = pyrage.encrypt(
        envelope.make(f"{f.ROOT}.zip", bundle), [pyrage.x25519.Recipient.from_str(recipient)]
    )
    status, made = call(api + "/uploads", "POST", {"office": "fresno", "size": len(ciphertext)})
    assert status == 201, made
    uid, token = made["id"], made["token"]
    chunk = 50_000

    def put(start: int) -> tuple[int, Any]:
        part = ciphertext[start : start + chunk]
        return call(
            f"{api}/uploads/{uid}/data",
            "PUT",
            raw=part,
            token=token,
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{start + len(part) - 1}/{len(ciphertext)}",
            },
        )

    assert put(0) == (200, {"received": chunk})
    # The connection drops; the phone asks where it stands and resumes from there.
    status, seen = call(f"{api}/uploads/{uid}", "GET", token=token)
    assert seen["received"] == chunk and seen["state"] == "uploading"
    start = seen["received"]
    while start < len(ciphertext):
        status, got = put(start)
        assert status == 200, got
        start = got["received"]
    status, done = call(f"{api}/uploads/{uid}/complete", "POST", {}, token=token)
    assert status == 200, done

    # The desk on the command line: challenge, token, pickup, download, decrypt, verify, ack.
    server_key = receipt_key_file(tmp_path, keys)
    out = tmp_path / "desk-out"
    fetched = cli(
        "entrega",
        "fetch",
        done["code"].lower(),
        "--office",
        "fresno",
        "--identity",
        str(key),
        "--passphrase-file",
        str(passphrase),
        "--server",
        base,
        "--out",
        str(out),
        "--receipt-key",
        str(server_key),
        state_dir=tmp_path / "desk-state",
    )
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert "VERIFICADO" in fetched.stdout and "VERIFIED" in fetched.stdout
    assert (out / f"{f.ROOT}.zip").read_bytes() == bundle

    # The phone sees "recogido"; the ciphertext is gone from the relay.
    status, seen = call(f"{api}/uploads/{uid}", "GET", token=token)
    assert seen["state"] == "picked_up"
    assert ciphertext_pieces(settings, uid) == []
    # Nothing of the worker in the relay's storage or in what the server printed.
    stored = stored_relay_bytes(settings)
    assert stored  # the records are there (picked up), just nothing readable in them
    printed = capfd.readouterr()
    for secret in WORKER_SECRETS:
        assert secret.encode() not in stored, secret
        assert secret not in printed.out + printed.err, secret
    assert b"127.0.0.1" not in stored
    assert bundle[200:264] not in stored  # not even a compressed piece of the bundle


def test_fetch_with_the_wrong_key_or_passphrase(
    served: tuple[str, Settings], desk_key: tuple[Path, Path, str], tmp_path: Path
) -> None:
    base, _ = served
    key, _passphrase, _ = desk_key
    wrong_pass = tmp_path / "wrong.txt"
    wrong_pass.write_text("otra frase cualquiera")

    def fetch(code: str, identity: Path, *more: str) -> subprocess.CompletedProcess[str]:
        return cli(
            "entrega",
            "fetch",
            code,
            "--office",
            "fresno",
            "--identity",
            str(identity),
            *more,
            "--server",
            base,
            state_dir=tmp_path,
        )

    result = fetch("00000-00000", key, "--passphrase-file", str(wrong_pass))
    assert result.returncode == 2
    assert "frase de paso" in result.stderr and "passphrase" in result.stderr
    other = tmp_path / "other.txt"
    other.write_text(str(pyrage.x25519.Identity.generate()) + "\n")
    body = "ABCDEFGHJ"
    code = codes.show(body + codes.luhn32_check(body))
    result = fetch(code, other)
    assert result.returncode == 2 and "not the office's" in result.stderr
    typo = fetch(code[:-1] + "Z" if code[-1] != "Z" else code[:-1] + "Y", other)
    assert typo.returncode == 2 and "typo" in typo.stderr
    assert "Traceback" not in result.stderr + typo.stderr


def test_open_a_saved_envelope(desk_key: tuple[Path, Path, str], tmp_path: Path) -> None:
    key, passphrase, recipient = desk_key
    keys = f.new_keys()
    bundle = f.make_bundle(keys)
    saved = tmp_path / "sobre.age"
    saved.write_bytes(
        pyrage.encrypt(
            envelope.make("b.zip", bundle), [pyrage.x25519.Recipient.from_str(recipient)]
        )
    )
    server_key = receipt_key_file(tmp_path, keys)

    def open_saved(*more: str) -> subprocess.CompletedProcess[str]:
        return cli(
            "entrega",
            "open",
            str(saved),
            "--identity",
            str(key),
            "--passphrase-file",
            str(passphrase),
            "--out",
            str(tmp_path / "o"),
            *more,
            state_dir=tmp_path,
        )

    result = open_saved("--receipt-key", str(server_key))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "o" / "b.zip").read_bytes() == bundle
    tampered = bytearray(saved.read_bytes())
    tampered[-20] ^= 1
    saved.write_bytes(bytes(tampered))
    bad = open_saved()
    assert bad.returncode == 2 and "altered" in bad.stderr
