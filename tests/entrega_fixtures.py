"""Shared pieces of the Entrega tests: content with a test office key, and a desk login.

The real content has no office keys (none is ever invented for a real consulate): tests copy
the fixture content and give its `fresno` office a key made for the test.

Every relay test module runs twice: on the SQLite files (the default) and on PostgreSQL.
Function-scoped tests take conftest's `database_url`; the modules that share one app across
their tests (`relay_fixtures`) and tests/test_instances.py need a database per module, made
here by `fresh_pg_database` the way conftest makes one per test (skipped with the same
message when CARTILLA_TEST_DATABASE_URL is unset, so the run's summary counts it; a failure
with CI=true). `ciphertext_pieces` and `stored_ciphertext` look where each backend keeps the
bytes (blob files, or rows of relay_chunks).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import postgres_fixtures
import pyrage
import pytest
import yaml
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.config import PROJECT_ROOT, Settings
from server.content.build import build_index
from server.entrega import codes, limits

#: The two places the relay can keep its state: the test ids say which one ran.
BACKENDS = ["sqlite", "postgres"]
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


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server; dropped afterwards."""
    with postgres_fixtures.fresh_pg_database(postgres_fixtures.pg_admin_url()) as url:
        yield url


def backend_url(backend: str) -> Iterator[str | None]:
    """The database URL of a backend: None (SQLite files) or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield None
        return
    with fresh_pg_database() as url:
        yield url


def ciphertext_pieces(settings: Settings, upload_id: str) -> list[str]:
    """What holds bytes of this upload: blob file names, or relay_chunks rows."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            rows = conn.execute(
                "SELECT start FROM relay_chunks WHERE upload_id = %s ORDER BY start", [upload_id]
            ).fetchall()
        return [f"relay_chunks@{row[0]}" for row in rows]
    blobs = settings.state_dir / "entrega" / "blobs"
    return sorted(p.name for p in blobs.glob(f"{upload_id}.*")) if blobs.exists() else []


def stored_ciphertext(settings: Settings, upload_id: str) -> bytes | None:
    """The bytes the relay would serve for this upload (None when there are none)."""
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            rows = conn.execute(
                "SELECT data FROM relay_chunks WHERE upload_id = %s ORDER BY start", [upload_id]
            ).fetchall()
        return b"".join(bytes(row[0]) for row in rows) if rows else None
    blob = settings.state_dir / "entrega" / "blobs" / f"{upload_id}.age"
    return blob.read_bytes() if blob.exists() else None


RELAY_TABLES = ("uploads", "windows", "challenges", "desk_sessions", "relay_chunks", "relay_secret")


def stored_relay_bytes(settings: Settings) -> bytes:
    """Everything the relay keeps, as bytes: its files, or every row of its tables."""
    if settings.database_url:
        import psycopg

        out = b""
        with psycopg.connect(settings.database_url) as conn:
            for table in RELAY_TABLES:
                for row in conn.execute(f"SELECT * FROM {table}"):
                    for value in row:
                        out += value if isinstance(value, bytes) else str(value).encode()
        return out
    root = settings.state_dir / "entrega"
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def relay_settings(tmp: Path, recipient: str, database_url: str | None = None) -> Settings:
    """Fixture content with a test key for `fresno`, built into an index under `tmp` (the
    relay's state in `database_url` when given)."""
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
        database_url=database_url,
    )
    result = build_index(settings.content_dir, settings.index_path)
    assert result.status == "built", result.problems
    for limit in (limits.PICKUP_MISSES, limits.WINDOW_MISSES, limits.CHALLENGES):
        limit.reset()
    return settings


def relay_fixtures(name: str) -> tuple[Any, Any, Any, Any, Any]:
    """A test module's `identity` (the office key), `settings` (content with its recipient,
    state under a temporary folder named `name`), `client` (the app) and an autouse fixture
    that resets the guess limits before each test: `identity, settings, client, _limits =
    relay_fixtures("desk")` at module level. The module's tests run once per backend
    (`relay_database_url`: SQLite files, then a fresh PostgreSQL database)."""

    @pytest.fixture(scope="module")
    def identity() -> pyrage.x25519.Identity:
        return pyrage.x25519.Identity.generate()

    @pytest.fixture(scope="module", params=BACKENDS)
    def relay_database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
        yield from backend_url(request.param)

    @pytest.fixture(scope="module")
    def settings(
        tmp_path_factory: pytest.TempPathFactory,
        identity: pyrage.x25519.Identity,
        relay_database_url: str | None,
    ) -> Settings:
        return relay_settings(
            tmp_path_factory.mktemp(name), str(identity.to_public()), relay_database_url
        )

    @pytest.fixture(scope="module")
    def client(settings: Settings) -> Iterator[TestClient[Litestar]]:
        with TestClient(create_app(settings)) as c:
            yield c

    @pytest.fixture(autouse=True)
    def fresh_limits() -> None:
        for limit in (limits.PICKUP_MISSES, limits.WINDOW_MISSES, limits.CHALLENGES):
            limit.reset()

    return identity, settings, client, fresh_limits, relay_database_url


def with_database(settings: Settings, database_url: str | None) -> Settings:
    return dataclasses.replace(settings, database_url=database_url)
