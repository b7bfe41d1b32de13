"""The phone's side of the relay: uploads in chunks, resume, complete, status, delete."""

from __future__ import annotations

import pyrage
import pytest
from entrega_fixtures import (
    API,
    OFFICE,
    bearer,
    ciphertext_pieces,
    relay_fixtures,
    stored_ciphertext,
    upload_all,
)
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.entrega import envelope

identity, settings, client, _fresh_limits, relay_database_url = relay_fixtures("relay")


def _cipher(identity: pyrage.x25519.Identity, size: int = 3000) -> bytes:
    plain = envelope.make("cartilla-evidence-2026-12-02.zip", b"PK" + b"z" * size)
    return pyrage.encrypt(plain, [identity.to_public()])


def _put(client: TestClient[Litestar], upload_id: str, token: str, data: bytes, rng: str):  # type: ignore[no-untyped-def]
    return client.put(
        f"{API}/uploads/{upload_id}/data",
        content=data,
        headers={**bearer(token), "Content-Type": "application/octet-stream", "Content-Range": rng},
    )


def test_offices_lists_only_offices_with_a_valid_key(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    offices = client.get(f"{API}/offices").json()["offices"]
    assert [o["id"] for o in offices] == [OFFICE]
    assert offices[0]["recipients"] == [str(identity.to_public())]
    assert len(offices[0]["fingerprints"][0]) == 11


def test_upload_in_chunks_with_a_resume_then_complete(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, settings: Settings
) -> None:
    data = _cipher(identity, 200_000)
    made = client.post(f"{API}/uploads", json={"office": OFFICE, "size": len(data)}).json()
    assert made["chunk_size"] == 1024 * 1024
    uid, token = made["id"], made["token"]
    first = _put(client, uid, token, data[:50_000], f"bytes 0-49999/{len(data)}")
    assert first.json() == {"received": 50_000}
    # The connection dropped: the phone asks where it stands, and a chunk elsewhere is refused.
    status = client.get(f"{API}/uploads/{uid}", headers=bearer(token)).json()
    assert status["received"] == 50_000 and status["state"] == "uploading"
    wrong = _put(client, uid, token, data[60_000:70_000], f"bytes 60000-69999/{len(data)}")
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "wrong_offset"
    assert wrong.json()["error"]["received"] == 50_000
    early = client.post(f"{API}/uploads/{uid}/complete", json={}, headers=bearer(token))
    assert early.status_code == 409 and early.json()["error"]["code"] == "incomplete"
    rest = _put(client, uid, token, data[50_000:], f"bytes 50000-{len(data) - 1}/{len(data)}")
    assert rest.json() == {"received": len(data)}
    done = client.post(f"{API}/uploads/{uid}/complete", json={}, headers=bearer(token))
    assert done.status_code == 200, done.text
    assert len(done.json()["code"]) == 11
    status = client.get(f"{API}/uploads/{uid}", headers=bearer(token)).json()
    assert status["state"] == "waiting"
    assert stored_ciphertext(settings, uid) == data
    if not settings.database_url:  # the half-written file was renamed, not copied
        assert ciphertext_pieces(settings, uid) == [f"{uid}.age"]


def test_delete_removes_record_and_ciphertext_at_once(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, settings: Settings
) -> None:
    uid, token = upload_all(client, _cipher(identity), office=OFFICE)
    client.post(f"{API}/uploads/{uid}/complete", json={}, headers=bearer(token))
    assert client.delete(f"{API}/uploads/{uid}", headers=bearer(token)).status_code == 204
    assert ciphertext_pieces(settings, uid) == []
    assert client.get(f"{API}/uploads/{uid}", headers=bearer(token)).status_code == 404


def test_not_age_bytes_are_refused_on_complete(client: TestClient[Litestar]) -> None:
    uid, token = upload_all(client, b"hello, not encrypted at all", office=OFFICE)
    done = client.post(f"{API}/uploads/{uid}/complete", json={}, headers=bearer(token))
    assert done.status_code == 422 and done.json()["error"]["code"] == "not_age"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"office": "nowhere", "size": 1000}, 404, "unknown_office"),
        ({"office": "los-angeles", "size": 1000}, 404, "unknown_office"),
        ({"size": 1000}, 400, "office_or_window"),
        ({"office": OFFICE, "window": "ABC-DEF", "size": 1000}, 400, "office_or_window"),
        ({"office": OFFICE, "size": envelope.MAX_CIPHERTEXT + 1}, 413, "too_large"),
        ({"office": OFFICE, "size": 0}, 400, "invalid_body"),
        ({"office": OFFICE, "size": 10, "name": "María"}, 400, "invalid_body"),
        ({"window": "7K2-QXM", "size": 1000}, 404, None),
    ],
)
def test_refused_uploads(
    client: TestClient[Litestar], body: dict[str, object], status: int, code: str | None
) -> None:
    answer = client.post(f"{API}/uploads", json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["message"]["es"] and error["message"]["en"]
    if code:
        assert error["code"] == code


def test_oversize_error_names_the_exact_maximum(client: TestClient[Litestar]) -> None:
    answer = client.post(f"{API}/uploads", json={"office": OFFICE, "size": 60_000_000})
    assert answer.status_code == 413
    assert answer.json()["error"]["max"] == envelope.MAX_CIPHERTEXT
    assert str(envelope.MAX_CIPHERTEXT) in answer.json()["error"]["message"]["en"]


def test_non_json_post_is_refused(client: TestClient[Litestar]) -> None:
    answer = client.post(
        f"{API}/uploads",
        content=b'{"office":"fresno","size":10}',
        headers={"Content-Type": "text/plain"},
    )
    assert answer.status_code == 415
    garbage = client.post(
        f"{API}/uploads", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize(
    "content_range",
    [
        "",
        "bytes 0-9/99999999999",
        "bytes 0-4/27",
        "bytes 5-1/27",
        "bytes=0-9/27",
        "items 0-9/27",
        "bytes 0-9/28",
        "bytes -1-9/27",
    ],
)
def test_content_range_garbage_is_refused(client: TestClient[Litestar], content_range: str) -> None:
    made = client.post(f"{API}/uploads", json={"office": OFFICE, "size": 27}).json()
    answer = _put(client, made["id"], made["token"], b"0123456789", content_range)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_content_range"


def test_chunk_needs_the_token_and_the_octet_stream_type(client: TestClient[Litestar]) -> None:
    made = client.post(f"{API}/uploads", json={"office": OFFICE, "size": 27}).json()
    url = f"{API}/uploads/{made['id']}/data"
    no_token = client.put(
        url,
        content=b"x",
        headers={"Content-Type": "application/octet-stream", "Content-Range": "bytes 0-0/27"},
    )
    assert no_token.status_code == 401
    other = _put(client, made["id"], "not-the-token", b"x", "bytes 0-0/27")
    assert other.status_code == 404
    as_json = client.put(
        url, content=b"x", headers={**bearer(made["token"]), "Content-Range": "bytes 0-0/27"}
    )
    assert as_json.status_code == 415


def test_a_chunk_over_the_chunk_size_is_refused(client: TestClient[Litestar]) -> None:
    size = 2 * 1024 * 1024
    made = client.post(f"{API}/uploads", json={"office": OFFICE, "size": size}).json()
    big = b"a" * (1024 * 1024 + 1)
    answer = _put(client, made["id"], made["token"], big, f"bytes 0-{len(big) - 1}/{size}")
    assert answer.status_code == 413
    assert answer.json()["error"]["message"]["es"]


@pytest.mark.parametrize("upload_id", ["../../secret", "..%2F..%2Fsecret", "A" * 32, "x"])
def test_ids_that_are_not_ids_reach_no_file(client: TestClient[Litestar], upload_id: str) -> None:
    answer = client.get(f"{API}/uploads/{upload_id}", headers=bearer("t"))
    assert answer.status_code == 404
    assert answer.json()["error"]["message"]["en"]


def test_relay_files_are_private(client: TestClient[Litestar], settings: Settings) -> None:
    client.post(f"{API}/uploads", json={"office": OFFICE, "size": 27})
    root = settings.state_dir / "entrega"
    if settings.database_url:
        # Everything is in the database: this server writes no relay file at all.
        assert not root.exists()
        return
    assert (root / "secret").stat().st_mode & 0o077 == 0
    assert (root / "relay.db").stat().st_mode & 0o077 == 0
    assert root.stat().st_mode & 0o077 == 0
