"""The desk's side of the relay: proving the office key, pickup by code, download, ack."""

from __future__ import annotations

import base64

import pyrage
import pytest
from entrega_fixtures import (
    API,
    OFFICE,
    bearer,
    ciphertext_pieces,
    desk_login,
    relay_fixtures,
    upload_all,
)
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.entrega import codes, envelope, store

identity, settings, client, _fresh_limits, relay_database_url = relay_fixtures("desk")


def _waiting(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> tuple[str, str, str, bytes]:
    plain = envelope.make("b.zip", b"PK bundle")
    data = pyrage.encrypt(plain, [identity.to_public()])
    uid, token = upload_all(client, data, office=OFFICE)
    code = client.post(f"{API}/uploads/{uid}/complete", json={}, headers=bearer(token)).json()[
        "code"
    ]
    return uid, token, code, data


def test_pickup_download_ack_then_the_phone_sees_picked_up(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, settings: Settings
) -> None:
    uid, token, code, data = _waiting(client, identity)
    desk = desk_login(client, identity)
    # Typed as people type: lower case, spaces, O for 0.
    typed = code.lower().replace("-", " ").replace("0", "o")
    found = client.get(f"{API}/pickup/{typed}", headers=bearer(desk))
    assert found.status_code == 200, found.text
    assert found.json()["id"] == uid and found.json()["size"] == len(data)
    got = client.get(f"{API}/uploads/{uid}/ciphertext", headers=bearer(desk))
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"].startswith("application/octet-stream")
    assert client.post(f"{API}/uploads/{uid}/ack", json={}, headers=bearer(desk)).status_code == 200
    assert ciphertext_pieces(settings, uid) == []
    status = client.get(f"{API}/uploads/{uid}", headers=bearer(token)).json()
    assert status["state"] == "picked_up"
    again = client.get(f"{API}/uploads/{uid}/ciphertext", headers=bearer(desk))
    assert again.status_code == 410 and again.json()["error"]["message"]["es"]


def test_desk_without_token_or_with_a_made_up_one(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    uid, _, code, _ = _waiting(client, identity)
    for headers in ({}, bearer("made-up"), {"Authorization": "Basic abc"}):
        for path in (f"/pickup/{code}", f"/uploads/{uid}/ciphertext"):
            answer = client.get(API + path, headers=headers)
            assert answer.status_code == 401, (path, headers)
            assert answer.json()["error"]["message"]["en"]


def test_the_phone_token_is_not_a_desk_token(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    uid, token, code, _ = _waiting(client, identity)
    assert client.get(f"{API}/pickup/{code}", headers=bearer(token)).status_code == 401
    assert client.get(f"{API}/uploads/{uid}/ciphertext", headers=bearer(token)).status_code == 401


def test_another_offices_desk_gets_nothing(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, settings: Settings
) -> None:
    uid, _, code, _ = _waiting(client, identity)
    # A session of another office (as if it had proved its own key).
    other, _ = store.open_store(settings).create_session(
        "los-angeles", int(__import__("time").time())
    )
    assert client.get(f"{API}/pickup/{code}", headers=bearer(other)).status_code == 404
    assert client.get(f"{API}/uploads/{uid}/ciphertext", headers=bearer(other)).status_code == 404
    assert (
        client.post(f"{API}/uploads/{uid}/ack", json={}, headers=bearer(other)).status_code == 404
    )


def test_wrong_key_cannot_answer_and_a_challenge_is_used_once(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    challenge = client.post(f"{API}/challenge", json={"office": OFFICE}).json()
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(
            base64.b64decode(challenge["ciphertext"]), [pyrage.x25519.Identity.generate()]
        )
    wrong = client.post(
        f"{API}/desk-session",
        json={"challenge": challenge["id"], "answer": base64.b64encode(b"x" * 32).decode()},
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "challenge_failed"
    # The right answer after a wrong one: the challenge is gone (one answer per challenge).
    secret = pyrage.decrypt(base64.b64decode(challenge["ciphertext"]), [identity])
    late = client.post(
        f"{API}/desk-session",
        json={"challenge": challenge["id"], "answer": base64.b64encode(secret).decode()},
    )
    assert late.status_code == 403
    # A replayed right answer is refused too.
    fresh = client.post(f"{API}/challenge", json={"office": OFFICE}).json()
    secret = pyrage.decrypt(base64.b64decode(fresh["ciphertext"]), [identity])
    body = {"challenge": fresh["id"], "answer": base64.b64encode(secret).decode()}
    assert client.post(f"{API}/desk-session", json=body).status_code == 201
    assert client.post(f"{API}/desk-session", json=body).status_code == 403


def test_expired_challenge_and_session(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, settings: Settings
) -> None:
    import time

    relay = store.open_store(settings)
    old = int(time.time()) - store.CHALLENGE_SECONDS - 1
    cid, _ = relay.create_challenge(OFFICE, b"s" * 32, old)
    body = {"challenge": cid, "answer": base64.b64encode(b"s" * 32).decode()}
    assert client.post(f"{API}/desk-session", json=body).status_code == 403
    stale, _ = relay.create_session(OFFICE, int(time.time()) - store.SESSION_SECONDS - 1)
    assert client.get(f"{API}/pickup/00000-00000", headers=bearer(stale)).status_code == 401


def test_challenge_for_unknown_office(client: TestClient[Litestar]) -> None:
    for office in ("nowhere", "los-angeles"):
        answer = client.post(f"{API}/challenge", json={"office": office})
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_office"


def test_wrong_expired_and_typo_codes(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, settings: Settings
) -> None:
    import time

    desk = desk_login(client, identity)
    body = "ABCDEFGHJ"
    valid_unknown = codes.show(body + codes.luhn32_check(body))
    answer = client.get(f"{API}/pickup/{valid_unknown}", headers=bearer(desk))
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "code_not_found"
    typo = valid_unknown[:-1] + ("0" if valid_unknown[-1] != "0" else "1")
    answer = client.get(f"{API}/pickup/{typo}", headers=bearer(desk))
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "code_typo"
    # An expired upload: made by the store a week and a bit ago.
    relay = store.open_store(settings)
    past = int(time.time()) - store.PICKUP_SECONDS - 10
    uid, _, _ = relay.create_upload(office=OFFICE, window_id=None, size=22, now=past)
    relay.append(uid, 0, envelope.AGE_FIRST_LINE, past)
    code, _ = relay.complete(uid, past)
    answer = client.get(f"{API}/pickup/{code}", headers=bearer(desk))
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "expired"
    assert "venció" in answer.json()["error"]["message"]["es"]
    # Once the sweep has run, nothing of it is left: the code is then simply unknown.
    relay.sweep(int(time.time()))
    answer = client.get(f"{API}/pickup/{code}", headers=bearer(desk))
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "code_not_found"


def test_too_many_wrong_codes_for_one_office(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    _uid, _, code, _ = _waiting(client, identity)
    desk = desk_login(client, identity)
    statuses = []
    for i in range(12):
        body = f"{i:09d}".replace("0", "A")
        guess = codes.show(body + codes.luhn32_check(body))
        statuses.append(client.get(f"{API}/pickup/{guess}", headers=bearer(desk)).status_code)
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
    blocked = client.get(f"{API}/pickup/{code}", headers=bearer(desk))
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["error"]["message"]["es"]


def test_ciphertext_is_sent_as_is_even_to_a_client_asking_for_compression(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    uid, _, _, data = _waiting(client, identity)
    desk = desk_login(client, identity)
    got = client.get(
        f"{API}/uploads/{uid}/ciphertext",
        headers={**bearer(desk), "Accept-Encoding": "br, gzip"},
    )
    assert "content-encoding" not in got.headers
    assert got.headers["content-length"] == str(len(data)) and got.content == data
