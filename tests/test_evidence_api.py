"""The evidence HTTP API: receipts (signed, nothing stored), the key, and the PDF report."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from bundles import factory as f
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.evidence import receipts
from server.evidence.keys import read_public_key_file

ZIP = {"content-type": "application/zip"}


def test_receipt_is_signed_by_the_published_key(
    client: TestClient[Litestar], built: Settings, tmp_path: Path
) -> None:
    head = "ab" * 32
    answer = client.post("/api/v1/receipts", json={"hash": head})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    receipt = receipts.Receipt(**answer.json())
    assert receipt.hash == head
    published = client.get("/.well-known/cartilla-receipt-key").json()
    assert published == client.get("/api/v1/receipts/key").json()
    key_file = tmp_path / "key.json"
    key_file.write_text(client.get("/api/v1/receipts/key").text)
    known = read_public_key_file(key_file)
    assert receipts.check_receipt(receipt, known) is None
    # Changing the time (backdating) breaks the signature.
    forged = receipts.Receipt(**{**answer.json(), "time": "2020-01-01T00:00:00Z"})
    assert receipts.check_receipt(forged, known) == "receipt_forged"


def test_receipt_key_file_is_private_and_nothing_else_is_written(
    client: TestClient[Litestar], built: Settings
) -> None:
    before = set(built.state_dir.rglob("*"))
    for i in range(3):
        assert client.post("/api/v1/receipts", json={"hash": f"{i:064x}"}).status_code == 200
    key_path = built.receipt_key_path
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    written = set(built.state_dir.rglob("*")) - before
    assert written <= {key_path}


@pytest.mark.parametrize(
    "body",
    [{"hash": "xyz"}, {"hash": "AB" * 32}, {}, {"hash": "ab" * 32, "name": "María"}, [1]],
)
def test_receipt_refuses_anything_but_a_head_hash(
    client: TestClient[Litestar], body: object
) -> None:
    answer = client.post("/api/v1/receipts", json=body)
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert "SHA-256" in message["es"] and "SHA-256" in message["en"]


def test_report_pdf_for_a_good_bundle(client: TestClient[Litestar], built: Settings) -> None:
    server = receipts.load_or_create_key(built.receipt_key_path)
    keys = f.Keys(worker=f.new_keys().worker, server=server)
    before = set(built.state_dir.rglob("*"))
    answer = client.post(
        "/api/v1/bundles/report",
        content=f.make_bundle(keys),
        headers=ZIP,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert set(built.state_dir.rglob("*")) == before  # stateless: nothing written


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda good: good[:300], "truncated"),
        (lambda good: b"not a zip at all", "not_zip"),
        (lambda good: b"", "empty"),
    ],
)
def test_report_refuses_bad_bundles_with_json(
    client: TestClient[Litestar], make: object, code: str
) -> None:
    good = f.make_bundle(f.new_keys())
    answer = client.post(
        "/api/v1/bundles/report",
        content=make(good),  # type: ignore[operator]
        headers=ZIP,
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]["es"] and error["message"]["en"]


def test_report_refuses_tampered_bundle(client: TestClient[Litestar], built: Settings) -> None:
    server = receipts.load_or_create_key(built.receipt_key_path)
    keys = f.Keys(worker=f.new_keys().worker, server=server)
    files = f.unzip(f.make_bundle(keys))
    files["data/journal.jsonl"] = files["data/journal.jsonl"].replace(b"16:30", b"20:30", 1)
    answer = client.post(
        "/api/v1/bundles/report", content=f.reseal(files, keys.worker), headers=ZIP
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "chain_edited"


def test_report_says_receipts_from_an_unknown_key_could_not_be_checked(
    client: TestClient[Litestar],
) -> None:
    # Another server's key is not a forgery: the desk gets its PDF, receipts "not checked".
    answer = client.post("/api/v1/bundles/report", content=f.make_bundle(f.new_keys()), headers=ZIP)
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF")


def test_report_request_size_limit(client: TestClient[Litestar]) -> None:
    answer = client.post(
        "/api/v1/bundles/report", content=b"PK\x03\x04" + b"\0" * (65 * 2**20), headers=ZIP
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "request_too_big"
