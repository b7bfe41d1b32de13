"""Shared pieces of the Entrega tests: content with a test office key, and a desk login.

The real content has no office keys (none is ever invented for a real consulate): tests copy
the fixture content and give its `fresno` office a key made for the test.
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
import yaml
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.config import PROJECT_ROOT, Settings
from server.content.build import build_index
from server.entrega import codes, limits

OFFICE = "fresno"
API = "/api/v1/entrega"


def add_office_key(content_dir: Path, recipient: str, office: str = OFFICE, **dates: str) -> None:
    path = content_dir / "data" / "consulates.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    today = dt.datetime.now(dt.UTC).date()
    key = {
        "recipient": recipient,
        "fingerprint": dates.pop("fingerprint", codes.fingerprint(recipient)),
        "valid_from": dt.date.fromisoformat(
            dates.get("valid_from", (today - dt.timedelta(days=1)).isoformat())
        ),
        "valid_until": dt.date.fromisoformat(
            dates.get("valid_until", (today + dt.timedelta(days=365)).isoformat())
        ),
        "added": today - dt.timedelta(days=1),
    }
    for consulate in data["consulates"]:
        if consulate["id"] == office:
            consulate.setdefault("entrega_keys", []).append(key)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def desk_login(
    client: TestClient[Litestar], identity: pyrage.x25519.Identity, office: str = OFFICE
) -> str:
    """The desk's challenge answered with `identity`: the desk token."""
    challenge = client.post(f"{API}/challenge", json={"office": office})
    assert challenge.status_code == 201, challenge.text
    body = challenge.json()
    secret = pyrage.decrypt(base64.b64decode(body["ciphertext"]), [identity])
    session = client.post(
        f"{API}/desk-session",
        json={"challenge": body["id"], "answer": base64.b64encode(secret).decode()},
    )
    assert session.status_code == 201, session.text
    token: str = session.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload_all(
    client: TestClient[Litestar], ciphertext: bytes, chunk: int = 1024 * 1024, **target: Any
) -> tuple[str, str]:
    """Upload `ciphertext` (to office=... or window=...) in chunks; (id, phone token)."""
    made = client.post(f"{API}/uploads", json={**target, "size": len(ciphertext)})
    assert made.status_code == 201, made.text
    upload_id, token = made.json()["id"], made.json()["token"]
    for start in range(0, len(ciphertext), chunk):
        part = ciphertext[start : start + chunk]
        put = client.put(
            f"{API}/uploads/{upload_id}/data",
            content=part,
            headers={
                **bearer(token),
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{start + len(part) - 1}/{len(ciphertext)}",
            },
        )
        assert put.status_code == 200, put.text
    return upload_id, token


FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


def relay_settings(tmp: Path, recipient: str) -> Settings:
    """Fixture content with a test key for `fresno`, built into an index under `tmp`."""
    content = tmp / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    add_office_key(content, recipient)
    state = tmp / "state"
    state.mkdir()
    settings = Settings(
        content_dir=content,
        index_path=state / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=state,
        test_mode=True,
    )
    result = build_index(settings.content_dir, settings.index_path)
    assert result.status == "built", result.problems
    for limit in (limits.PICKUP_MISSES, limits.WINDOW_MISSES, limits.CHALLENGES):
        limit.reset()
    return settings


def relay_fixtures(name: str) -> tuple[Any, Any, Any, Any]:
    """A test module's `identity` (the office key), `settings` (content with its recipient,
    state under a temporary folder named `name`), `client` (the app) and an autouse fixture
    that resets the guess limits before each test: `identity, settings, client, _limits =
    relay_fixtures("desk")` at module level."""

    @pytest.fixture(scope="module")
    def identity() -> pyrage.x25519.Identity:
        return pyrage.x25519.Identity.generate()

    @pytest.fixture(scope="module")
    def settings(
        tmp_path_factory: pytest.TempPathFactory, identity: pyrage.x25519.Identity
    ) -> Settings:
        return relay_settings(tmp_path_factory.mktemp(name), str(identity.to_public()))

    @pytest.fixture(scope="module")
    def client(settings: Settings) -> Iterator[TestClient[Litestar]]:
        with TestClient(create_app(settings)) as c:
            yield c

    @pytest.fixture(autouse=True)
    def fresh_limits() -> None:
        for limit in (limits.PICKUP_MISSES, limits.WINDOW_MISSES, limits.CHALLENGES):
            limit.reset()

    return identity, settings, client, fresh_limits
