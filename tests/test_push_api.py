"""The push API: the VAPID key, subscribing with a profile, unsubscribing, and every way a
subscription can be refused (with a clear bilingual error, never a 500)."""

from __future__ import annotations

import base64
import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.config import Settings
from server.push import store
from server.push.api import RATE_LIMITER, UNSUBSCRIBE_LIMITER
from server.push.endpoints import endpoint_problem
from server.push.keys import create_vapid
from server.push.testing import MockPushService

URL = "/api/v1/push/subscriptions"
PROFILE = {"states": ["CA"], "industries": ["agriculture"], "statuses": ["h2a"], "language": "es"}


@pytest.fixture
def settings(settings: Settings, database_url: str | None) -> Settings:
    """Every test here runs on both backends: the SQLite file and PostgreSQL."""
    return dataclasses.replace(settings, database_url=database_url)


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> Iterator[None]:
    RATE_LIMITER.clear()
    UNSUBSCRIBE_LIMITER.clear()
    yield
    RATE_LIMITER.clear()
    UNSUBSCRIBE_LIMITER.clear()


def body(subscription: dict[str, Any], **profile: Any) -> dict[str, Any]:
    return {"subscription": subscription, "profile": {**PROFILE, **profile}}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]["es"] and error["message"]["en"]
    assert error["message"]["es"] != error["message"]["en"]
    return dict(error)


def stored_rows(settings: Settings) -> list[dict[str, Any]]:
    """What the server keeps, read the way the server reads it (either backend)."""
    with store.open_push_db(settings) as db:
        return db.query("SELECT * FROM subscriptions")


def test_public_key_is_served_once_keys_exist(
    client: TestClient[Litestar], built: Settings
) -> None:
    assert_error(client.get("/api/v1/push/key"), 503, "push_not_configured")
    public = create_vapid(built.vapid_key_path)
    response = client.get("/api/v1/push/key")
    assert response.status_code == 200
    assert response.json() == {"public_key": public}
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65 and raw[0] == 4  # what pushManager.subscribe needs


def test_subscribe_stores_only_the_subscription_and_profile(
    client: TestClient[Litestar], built: Settings, service: MockPushService
) -> None:
    subscription = service.subscription()
    response = client.post(
        URL,
        json=body(subscription, states=["TX", "CA", "CA"], industries=["construction", "any"]),
        headers={"User-Agent": "Phone/1.0", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 201, response.text
    # The answer says what is kept: the states and the language, nothing else.
    assert response.json()["profile"] == {"states": ["CA", "TX"], "language": "es"}
    [row] = stored_rows(built)
    assert set(row) == {
        "endpoint", "p256dh", "auth", "states", "language", "baseline", "created", "failures",
    }  # fmt: skip
    assert row["endpoint"] == subscription["endpoint"]
    dump = json.dumps(row)
    assert "127.0.0.1" not in dump.replace(subscription["endpoint"], "")
    assert "203.0.113.9" not in dump and "Phone/1.0" not in dump
    # The same endpoint again updates the profile instead of adding a second row.
    again = client.post(URL, json=body(subscription, language="en"))
    assert again.status_code == 200
    [row] = stored_rows(built)
    assert row["language"] == "en"


def push_db_bytes(settings: Settings) -> bytes:
    """Every byte the push database has on disk: the file, its WAL and shared memory; on
    PostgreSQL, every column name and value of every push table (what a dump would hold)."""
    if settings.database_url:
        with store.open_push_db(settings) as db:
            tables = ("subscriptions", "snapshots", "snapshot_guides", "meta")
            names = db.query(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_name IN (?, ?, ?, ?)",
                tables,
            )
            values = [repr(db.query(f"SELECT * FROM {table}")) for table in tables]
        return (repr(names) + "".join(values)).encode()
    return b"".join(
        path.read_bytes()
        for path in sorted(settings.state_dir.glob(settings.push_db_path.name + "*"))
    )


def test_no_byte_of_the_push_database_holds_status_or_industry(
    client: TestClient[Litestar], built: Settings, service: MockPushService
) -> None:
    """A seized or curious server learns no worker's immigration status or kind of work."""
    for status, industry in (("undocumented", "restaurants"), ("h2b", "landscaping")):
        response = client.post(
            URL,
            json=body(
                service.subscription(), states=["TX"], industries=[industry], statuses=[status]
            ),
        )
        assert response.status_code == 201, response.text
        assert status not in response.text and industry not in response.text
    raw = push_db_bytes(built)
    assert raw and b"TX" in raw
    for word in (b"undocumented", b"restaurants", b"h2b", b"landscaping"):
        assert word not in raw, word


LEGACY_PUSH_SCHEMA = """
CREATE TABLE [subscriptions] ([endpoint] TEXT PRIMARY KEY, [p256dh] TEXT NOT NULL,
  [auth] TEXT NOT NULL, [states] TEXT NOT NULL, [industries] TEXT NOT NULL,
  [statuses] TEXT NOT NULL, [language] TEXT NOT NULL, [baseline] INTEGER, [created] TEXT,
  [failures] INTEGER DEFAULT 0);
CREATE TABLE [snapshots] ([id] INTEGER PRIMARY KEY, [fingerprint] TEXT, [created_at] TEXT);
CREATE UNIQUE INDEX [idx_snapshots_fingerprint] ON [snapshots] ([fingerprint]);
CREATE TABLE [snapshot_guides] ([snapshot_id] INTEGER REFERENCES [snapshots]([id]), [id] TEXT,
  [lang] TEXT, [version] INTEGER, [hash] TEXT, [title] TEXT, [states] TEXT, [industries] TEXT,
  [statuses] TEXT, PRIMARY KEY ([snapshot_id], [id], [lang]));
CREATE TABLE [meta] ([key] TEXT PRIMARY KEY, [value] TEXT);
CREATE TABLE [_sqlite_migrations] ([migration_set] TEXT, [name] TEXT, [applied_at] TEXT,
  PRIMARY KEY ([migration_set], [name]));
INSERT INTO _sqlite_migrations VALUES ('cartilla.push', 'm001_subscriptions', '2026-11-01');
"""


def test_an_old_push_database_loses_its_status_and_industry_columns(
    built: Settings, service: MockPushService
) -> None:
    """A push.db written before the fix: the columns and every copy of their values go."""
    if built.database_url:
        pytest.skip("only SQLite files were ever written with status and industry columns")
    from server import storage

    built.push_db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(built.push_db_path)
    conn.execute("PRAGMA journal_mode = WAL")
    # The file as the first versions left it (sqlite-utils' migration m001, byte for byte
    # the same schema), with one worker's status and industry in it.
    conn.executescript(LEGACY_PUSH_SCHEMA)
    subscription = service.subscription()
    conn.execute(
        "INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [subscription["endpoint"], subscription["keys"]["p256dh"], subscription["keys"]["auth"],
         '["CA"]', '["restaurants"]', '["undocumented"]', "es", None, "2026-11-01", 0],
    )  # fmt: skip
    conn.commit()
    conn.close()
    assert b"undocumented" in push_db_bytes(built)
    storage.forget_migrations()
    with store.open_push_db(built.push_db_path) as db:
        assert store.has_subscription(db, subscription["endpoint"])
    [row] = stored_rows(built)
    assert (row["states"], row["language"]) == ('["CA"]', "es")
    assert "statuses" not in row and "industries" not in row
    raw = push_db_bytes(built)
    assert b"undocumented" not in raw and b"restaurants" not in raw


def test_unsubscribe_deletes_it_from_the_server(
    client: TestClient[Litestar], built: Settings, service: MockPushService
) -> None:
    subscription = service.subscription()
    assert client.post(URL, json=body(subscription)).status_code == 201
    response = client.request("DELETE", URL, json={"endpoint": subscription["endpoint"]})
    assert response.status_code == 204
    assert stored_rows(built) == []
    gone = client.request("DELETE", URL, json={"endpoint": subscription["endpoint"]})
    assert_error(gone, 404, "not_subscribed")


def _with(subscription: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(body(subscription)))
    *parents, last = path.split(".")
    target: Any = document
    for name in parents:
        target = target[name]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return document


_DROP = object()
OFF_CURVE = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("path", "value", "code", "field"),
    [
        ("profile.states", ["ZZ"], "invalid_state", "profile.states[0]"),
        ("profile.states", [], "invalid_state", "profile.states"),
        ("profile.industries", ["mining"], "invalid_industry", "profile.industries[0]"),
        ("profile.statuses", ["citizen"], "invalid_status", "profile.statuses[0]"),
        ("profile.language", "Spanish!", "invalid_language", "profile.language"),
        ("profile.language", _DROP, "invalid_language", "profile.language"),
        ("profile.name", "María", "unknown_field", "profile.name"),
        ("phone", "555", "unknown_field", "phone"),
        ("subscription.endpoint", 5, "invalid_endpoint", "subscription.endpoint"),
        ("subscription.keys", _DROP, "invalid_keys", "subscription.keys"),
        ("subscription.keys.p256dh", "not base64!", "invalid_keys", "subscription.keys.p256dh"),
        ("subscription.keys.p256dh", OFF_CURVE, "invalid_keys", "subscription.keys"),
        ("subscription.keys.auth", "c2hvcnQ", "invalid_keys", "subscription.keys"),
        (
            "subscription.endpoint",
            "https://evil.example.com/push/1",
            "endpoint_not_allowed",
            "subscription.endpoint",
        ),
        ("subscription.endpoint", "ftp://127.0.0.1/x", "endpoint_not_allowed", None),
    ],
)
def test_malformed_subscriptions_get_specific_errors(
    client: TestClient[Litestar],
    built: Settings,
    service: MockPushService,
    path: str,
    value: Any,
    code: str,
    field: str | None,
) -> None:
    response = client.post(URL, json=_with(service.subscription(), path, value))
    error = assert_error(response, 400, code)
    if field:
        assert error["field"] == field
    if code == "invalid_state":
        assert "CA" in error["allowed"] and "any" in error["allowed"]
    assert stored_rows(built) == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"", 400, "invalid_body"),
        (b"[]", 400, "invalid_body"),
        (b'"hello"', 400, "invalid_body"),
        (b'{"subscription": {}, "profile": {}, "x": "' + b"a" * 5000 + b'"}', 413, "too_large"),
    ],
)
def test_unreadable_bodies_are_refused(
    client: TestClient[Litestar], content: bytes, status: int, code: str
) -> None:
    response = client.post(URL, content=content, headers={"Content-Type": "application/json"})
    assert_error(response, status, code)


def test_loopback_endpoints_only_in_test_mode(
    built: Settings, service: MockPushService, tmp_path: Path
) -> None:
    production = Settings(
        content_dir=built.content_dir,
        index_path=built.index_path,
        pwa_dir=built.pwa_dir,
        state_dir=tmp_path / "prod-state",
        test_mode=False,
        database_url=built.database_url,
    )
    with TestClient(create_app(production)) as prod:
        response = prod.post(URL, json=body(service.subscription()))
        assert_error(response, 400, "endpoint_not_allowed")
        real = service.subscription()
        real["endpoint"] = "https://fcm.googleapis.com/fcm/send/abc123"
        assert prod.post(URL, json=body(real)).status_code == 201


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dXk",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGk",
        "https://db5p.notify.windows.com/w/?token=BQY",
        "https://api.push.apple.com/3/device/x",
    ],
)
def test_real_push_services_are_allowed(endpoint: str) -> None:
    assert endpoint_problem(endpoint, test_mode=False) is None


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilfcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
        "https://user:pw@fcm.googleapis.com/x",
        "https://notify.windows.com.example.org/x",
        "https://push.apple.com/x",
        "https://127.0.0.1/x",
        "http://127.0.0.1:9/x",
        "http://10.0.0.1/x",
        "https://fcm.googleapis.com/x y",
        "https://fcm.googleapis.com/" + "a" * 1100,
        "not a url",
        # Forms on which two URL parsers disagree about the host (issue 12).
        "https://evil.com\\.push.apple.com/x",
        "https://evil.com\\@fcm.googleapis.com/x",
        "https://evil.com;.push.apple.com/x",
        "https://evil.com%00.push.apple.com/x",
        "https://evil.com%2f.push.apple.com/x",
        "https://evil\u00ad.push.apple.com/x",
        "https://fcm.googleapis.com\u00ad/x",
        "https://fcm.googleapis.com@evil.com/",
        "https://fcm.googleapis.com:443@evil.com/",
        "https://:@fcm.googleapis.com/x",
        "https://evil.com#.push.apple.com/x",
        "https://evil.com?.push.apple.com/x",
        "https://evil.com/.push.apple.com/x",
        "https://fcm.googleapis.com./x",
        "https://fcm.googleapis.com:0443/x",
        "https://fcm.googleapis.com:/x",
        "https://fcm.googleapis.com/x%00y",
        "https://fcm.googleapis.com/x%zz",
        "https://fcm.googleapis.com/x\x00",
        "https://fcm.googleapis.com/x;jsessionid=1",
        "https://web.push.apple.com/\u00e9",
        "https://[::1]/x",
        "https://2130706433/x",
        "https://xn--fcm.push.apple.com_/x",
        "//fcm.googleapis.com/x",
        "https:fcm.googleapis.com/x",
        "http://127.0.0.1:8123/push/x",  # loopback is for test mode only
    ],
)
def test_everything_else_is_refused(endpoint: str) -> None:
    assert endpoint_problem(endpoint, test_mode=False) is not None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("HTTPS://FCM.GoogleAPIs.com:443/fcm/send/abc", "https://fcm.googleapis.com/fcm/send/abc"),
        ("https://web.push.apple.com", "https://web.push.apple.com/"),
        (
            "https://db5p.notify.windows.com/w/?token=BQY%2b%3d",
            "https://db5p.notify.windows.com/w/?token=BQY%2b%3d",
        ),
    ],
)
def test_the_server_stores_the_url_its_own_check_wrote(
    built: Settings, service: MockPushService, tmp_path: Path, given: str, stored: str
) -> None:
    """What is stored (and later POSTed to) is the re-serialised URL, not the raw input."""
    production = Settings(
        content_dir=built.content_dir,
        index_path=built.index_path,
        pwa_dir=built.pwa_dir,
        state_dir=tmp_path / "prod-state",
        test_mode=False,
        database_url=built.database_url,
    )
    with TestClient(create_app(production)) as prod:
        subscription = {**service.subscription(), "endpoint": given}
        assert prod.post(URL, json=body(subscription)).status_code == 201, given
        assert [row["endpoint"] for row in stored_rows(production)] == [stored]
        # Unsubscribing with the form the browser knows finds it.
        assert prod.request("DELETE", URL, json={"endpoint": given}).status_code == 204


def test_a_confusable_endpoint_is_refused_by_the_api(
    built: Settings, service: MockPushService, tmp_path: Path
) -> None:
    production = Settings(
        content_dir=built.content_dir,
        index_path=built.index_path,
        pwa_dir=built.pwa_dir,
        state_dir=tmp_path / "prod-state",
        test_mode=False,
        database_url=built.database_url,
    )
    with TestClient(create_app(production)) as prod:
        for endpoint in (
            "https://evil.com\\.push.apple.com/x",
            "https://fcm.googleapis.com@evil.com/",
            "https://evil.com%00.push.apple.com/x",
        ):
            subscription = {**service.subscription(), "endpoint": endpoint}
            assert_error(prod.post(URL, json=body(subscription)), 400, "endpoint_not_allowed")
    assert stored_rows(production) == []


def test_loopback_allowed_in_test_mode_only() -> None:
    assert endpoint_problem("http://127.0.0.1:8123/push/x", test_mode=True) is None
    assert endpoint_problem("http://[::1]:8123/push/x", test_mode=True) is None
    assert endpoint_problem("http://192.168.1.2:8123/push/x", test_mode=True) is not None
    assert endpoint_problem("http://localhost.evil.example/x", test_mode=True) is not None


def test_too_many_requests_are_refused_with_retry_after(
    client: TestClient[Litestar], service: MockPushService
) -> None:
    subscriptions = [service.subscription() for _ in range(RATE_LIMITER.per_client)]
    statuses = [client.post(URL, json=body(s)).status_code for s in subscriptions]
    assert statuses == [201] * RATE_LIMITER.per_client
    limited = client.post(URL, json=body(service.subscription()))
    error = assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert error["retry_after"] >= 1
    # Unsubscribing has its own budget, per endpoint: the spent one above does not stop it.
    first = subscriptions[0]["endpoint"]
    assert client.request("DELETE", URL, json={"endpoint": first}).status_code == 204
    for _ in range(UNSUBSCRIBE_LIMITER.per_client - 1):
        assert_error(client.request("DELETE", URL, json={"endpoint": first}), 404, "not_subscribed")
    # The same endpoint sent over and over is slowed down; another one is not.
    again = client.request("DELETE", URL, json={"endpoint": first})
    assert_error(again, 429, "rate_limited")
    other = subscriptions[1]["endpoint"]
    assert client.request("DELETE", URL, json={"endpoint": other}).status_code == 204


def test_rate_limiter_never_keeps_addresses() -> None:
    from server.push.ratelimit import RateLimiter

    clock = [0.0]
    limiter = RateLimiter(per_client=2, overall=3, window=10, clock=lambda: clock[0])
    assert limiter.check("198.51.100.7") is None
    assert limiter.check("198.51.100.7") is None
    assert limiter.check("198.51.100.7") == pytest.approx(10.0)
    assert limiter.check("198.51.100.8") is None
    assert limiter.check("198.51.100.9") is not None  # overall limit
    assert all(b"198.51" not in key for key in limiter._clients)
    clock[0] = 10.5
    assert limiter.check("198.51.100.7") is None  # the window passed
