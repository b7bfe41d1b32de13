"""The window flow: the desk opens a window for a one-time key, the phone sends to it."""

from __future__ import annotations

import time

import pyrage
from entrega_fixtures import API, bearer, desk_login, relay_fixtures, upload_all
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.entrega import codes, envelope, limits, store

identity, settings, client, _fresh_limits, relay_database_url = relay_fixtures("windows")


def test_window_hand_off(client: TestClient[Litestar], identity: pyrage.x25519.Identity) -> None:
    desk = desk_login(client, identity)
    one_time = pyrage.x25519.Identity.generate()
    recipient = str(one_time.to_public())
    window = client.post(f"{API}/windows", json={"recipient": recipient}, headers=bearer(desk))
    assert window.status_code == 201, window.text
    wid, code = window.json()["id"], window.json()["code"]
    assert len(code) == 7 and code[3] == "-"
    # The phone reads the code (typed in lower case) and learns the recipient and office.
    seen = client.get(f"{API}/windows/{code.lower()}")
    assert seen.json() == {"recipient": recipient, "office": "fresno"}
    assert client.get(f"{API}/windows/{wid}/upload", headers=bearer(desk)).json() == {
        "upload": None
    }
    data = pyrage.encrypt(envelope.make("b.zip", b"PK window"), [one_time.to_public()])
    uid, token = upload_all(client, data, window=code)
    client.post(f"{API}/uploads/{uid}/complete", json={}, headers=bearer(token))
    assert client.get(f"{API}/windows/{wid}/upload", headers=bearer(desk)).json() == {"upload": uid}
    got = client.get(f"{API}/uploads/{uid}/ciphertext", headers=bearer(desk)).content
    assert envelope.read(pyrage.decrypt(got, [one_time]))[1] == b"PK window"
    # Both screens show the same two words for this recipient.
    assert len(codes.two_words(recipient)) == 2
    # One upload per window.
    again = client.post(f"{API}/uploads", json={"window": code, "size": 100})
    assert again.status_code == 409 and again.json()["error"]["code"] == "window_taken"


def test_window_needs_a_desk_token_and_a_real_recipient(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity
) -> None:
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    assert client.post(f"{API}/windows", json={"recipient": recipient}).status_code == 401
    desk = desk_login(client, identity)
    bad = "age1" + "q" * 58
    answer = client.post(f"{API}/windows", json={"recipient": bad}, headers=bearer(desk))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_recipient"


def test_expired_window_and_wrong_codes(client: TestClient[Litestar], settings: Settings) -> None:
    relay = store.open_store(settings)
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    _, code, _ = relay.create_window(
        "fresno", recipient, int(time.time()) - store.WINDOW_SECONDS - 1
    )
    expired = client.get(f"{API}/windows/{code}")
    assert expired.status_code == 404 and expired.json()["error"]["code"] == "window_not_found"
    upload = client.post(f"{API}/uploads", json={"window": code, "size": 100})
    assert upload.status_code == 404
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    answer = client.get(f"{API}/windows/{typo}")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "code_typo"
    assert client.get(f"{API}/windows/not-a-code").status_code == 404


def test_window_guesses_are_limited(client: TestClient[Litestar]) -> None:
    statuses = {
        client.get(f"{API}/windows/ZZZ-ZZZ").status_code for _ in range(limits.WINDOW_MISSES.events)
    }
    assert statuses == {404}
    blocked = client.get(f"{API}/windows/ZZZ-ZZZ")
    assert blocked.status_code == 429 and blocked.json()["error"]["message"]["en"]
