"""Two real server processes, one PostgreSQL database (issue 16, "Scale out").

Each instance has its own state folder (its own receipt private key, its own index) and the
same CARTILLA_DATABASE_URL. What one instance stores, the other sees: a push subscription
made through A is removed through B; an Entrega upload sent to A is picked up through B;
each signs receipts with its own key and publishes both, so a receipt or a bundle from A
verifies on B. Skipped, saying so, without CARTILLA_TEST_DATABASE_URL.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pyrage
import pytest
from bundles import factory as f
from entrega_fixtures import FIXTURE_CONTENT, OFFICE, add_office_key, fresh_pg_database

from server.config import PROJECT_ROOT
from server.entrega import envelope
from server.evidence import receipts
from server.evidence.keys import read_public_key_file
from server.evidence.verify import verify_bundle
from server.push.testing import MockPushService

PUSH = "/api/v1/push/subscriptions"
ENTREGA = "/api/v1/entrega"
KEYS = "/.well-known/cartilla-receipt-key"


@dataclass
class Instance:
    name: str
    base: str
    state_dir: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def call(
        self,
        path: str,
        method: str = "GET",
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers or {}
        )
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, path: str, method: str = "GET", body: Any = None, **kw: Any) -> tuple[int, Any]:
        status, data = self.call(path, method, body, **kw)
        return status, json.loads(data) if data else None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(name: str, root: Path, content: Path, database_url: str) -> Instance:
    state = root / name
    state.mkdir()
    env = {
        **os.environ,
        "CARTILLA_CONTENT_DIR": str(content),
        "CARTILLA_STATE_DIR": str(state),
        "CARTILLA_INDEX": str(state / "index.db"),
        "CARTILLA_TEST_MODE": "1",
        "CARTILLA_DATABASE_URL": database_url,
    }
    built = subprocess.run(
        [sys.executable, "-m", "server.cli", "build"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    port = _free_port()
    log = root / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    instance = Instance(name, f"http://127.0.0.1:{port}", state, proc, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{instance.base}/asset-manifest.json", timeout=1):
                return instance
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:  # waiting on the process doubles as the polling interval
            code = proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None or time.monotonic() > deadline:
            _stop(instance)
            raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")


def _stop(instance: Instance) -> None:
    if instance.proc.poll() is None:
        instance.proc.terminate()
        try:
            instance.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            instance.proc.kill()
            instance.proc.wait()


@pytest.fixture(scope="module")
def office() -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.generate()


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, office: pyrage.x25519.Identity
) -> Iterator[tuple[Instance, Instance]]:
    root = tmp_path_factory.mktemp("instances")
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    add_office_key(content, str(office.to_public()))
    with fresh_pg_database() as url:
        a = _start("a", root, content, url)
        try:
            b = _start("b", root, content, url)
        except BaseException:
            _stop(a)
            raise
        try:
            yield a, b
        finally:
            _stop(a)
            _stop(b)


def test_a_subscription_made_through_one_is_removed_through_the_other(
    instances: tuple[Instance, Instance],
) -> None:
    a, b = instances
    with MockPushService() as service:
        subscription = service.subscription()
    made, _ = a.json(PUSH, "POST", {"subscription": subscription,
                                    "profile": {"states": ["CA"], "language": "es"}})  # fmt: skip
    assert made == 201
    endpoint = {"endpoint": subscription["endpoint"]}
    assert b.call(PUSH, "DELETE", endpoint)[0] == 204
    for instance in (a, b):
        status, answer = instance.json(PUSH, "DELETE", endpoint)
        assert status == 404 and answer["error"]["code"] == "not_subscribed", instance.name


def _desk_login(instance: Instance, identity: pyrage.x25519.Identity, answer_on: Instance) -> str:
    status, challenge = instance.json(f"{ENTREGA}/challenge", "POST", {"office": OFFICE})
    assert status == 201, challenge
    secret = pyrage.decrypt(base64.b64decode(challenge["ciphertext"]), [identity])
    status, session = answer_on.json(
        f"{ENTREGA}/desk-session",
        "POST",
        {"challenge": challenge["id"], "answer": base64.b64encode(secret).decode()},
    )
    assert status == 201, session
    token: str = session["token"]
    return token


def test_an_upload_sent_to_one_is_picked_up_through_the_other(
    instances: tuple[Instance, Instance], office: pyrage.x25519.Identity
) -> None:
    a, b = instances
    data = pyrage.encrypt(envelope.make("b.zip", b"PK" + b"x" * 300_000), [office.to_public()])
    status, made = a.json(f"{ENTREGA}/uploads", "POST", {"office": OFFICE, "size": len(data)})
    assert status == 201, made
    uid, phone = made["id"], made["token"]
    # The phone's connection moves between instances mid-upload (a load balancer).
    half = len(data) // 2
    for instance, start, end in ((a, 0, half), (b, half, len(data))):
        status, _ = instance.call(
            f"{ENTREGA}/uploads/{uid}/data", "PUT", raw=data[start:end], token=phone,
            headers={"Content-Type": "application/octet-stream",
                     "Content-Range": f"bytes {start}-{end - 1}/{len(data)}"},
        )  # fmt: skip
        assert status == 200, instance.name
    status, done = a.json(f"{ENTREGA}/uploads/{uid}/complete", "POST", {}, token=phone)
    assert status == 200, done
    # The desk's challenge comes from A and is answered on B; the session works on both.
    desk = _desk_login(a, office, answer_on=b)
    status, found = b.json(f"{ENTREGA}/pickup/{done['code']}", token=desk)
    assert status == 200 and found["id"] == uid, found
    status, got = b.call(f"{ENTREGA}/uploads/{uid}/ciphertext", token=desk)
    assert status == 200 and got == data
    assert a.json(f"{ENTREGA}/uploads/{uid}/ack", "POST", {}, token=desk)[0] == 200
    status, seen = b.json(f"{ENTREGA}/uploads/{uid}", token=phone)
    assert seen["state"] == "picked_up"
    for instance in (a, b):
        status, _ = instance.call(f"{ENTREGA}/uploads/{uid}/ciphertext", token=desk)
        assert status == 410, instance.name
    # Neither instance kept a relay file: the bytes were in the database, and are gone.
    assert not (a.state_dir / "entrega").exists() and not (b.state_dir / "entrega").exists()


def test_receipts_from_each_instance_verify_with_the_others_published_keys(
    instances: tuple[Instance, Instance], tmp_path: Path
) -> None:
    a, b = instances
    made = {}
    for instance in (a, b):
        status, receipt = instance.json("/api/v1/receipts", "POST", {"hash": "ab" * 32})
        assert status == 200, receipt
        made[instance.name] = msgspec.convert(receipt, receipts.Receipt)
    assert made["a"].key_id != made["b"].key_id  # each instance its own private key
    published = {}
    for instance in (a, b):
        status, raw = instance.call(KEYS)
        assert status == 200
        doc = json.loads(raw)
        assert {k["key_id"] for k in doc["keys"]} == {made["a"].key_id, made["b"].key_id}
        assert doc["key_id"] == made[instance.name].key_id
        saved = tmp_path / f"{instance.name}.json"
        saved.write_bytes(raw)
        published[instance.name] = read_public_key_file(saved)
    assert receipts.receipt_verdict(made["a"], published["b"]) == "genuine"
    assert receipts.receipt_verdict(made["b"], published["a"]) == "genuine"
    # A bundle whose receipts A signed is checked by B's desk report (B's known keys).
    key_a = receipts.load_or_create_key(a.state_dir / "receipt_ed25519.pem")
    bundle = f.make_bundle(f.Keys(worker=f.new_keys().worker, server=key_a))
    report = verify_bundle(bundle, published["b"])
    assert report.receipts and report.checks["receipts"].ok is True
    status, pdf = b.call(
        "/api/v1/bundles/report", "POST", raw=bundle, headers={"Content-Type": "application/zip"}
    )
    assert status == 200, pdf[:500]
    assert pdf.startswith(b"%PDF")
