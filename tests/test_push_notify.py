"""`cartilla notify` against a local mock push service that decrypts every message.

An advocate edits a guide, `cartilla build` runs, and `cartilla notify` must reach every
affected subscriber exactly once, in their language, with the headers push services need;
gone subscriptions are removed, throttled sends retried, and a second run sends nothing.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import stat
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from push_fixtures import SUBJECT, revise, subscribe

from server.app import create_app
from server.cli import main
from server.config import Settings
from server.content.build import build_index
from server.push import store
from server.push.api import RATE_LIMITER
from server.push.changes import MAX_PAYLOAD_BYTES, build_payload
from server.push.keys import create_vapid
from server.push.notify import TOPIC, NotifyOptions, NotifyReport, retry_delay, run_notify
from server.push.schema import ChangedGuide, PushProfile
from server.push.testing import Behaviour, Delivery, MockPushService


@pytest.fixture
def settings(
    settings: Settings, database_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Every test here runs on both backends: the SQLite file and PostgreSQL (for the
    command line and its subprocesses too, through CARTILLA_DATABASE_URL)."""
    if database_url:
        monkeypatch.setenv("CARTILLA_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("CARTILLA_DATABASE_URL", raising=False)
    return dataclasses.replace(settings, database_url=database_url)


def sqlite_only(settings: Settings, why: str) -> None:
    if settings.database_url:
        pytest.skip(f"SQLite file behaviour: {why}")


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> Iterator[None]:
    RATE_LIMITER.clear()
    yield
    RATE_LIMITER.clear()


def notify(settings: Settings, **options: Any) -> NotifyReport:
    return run_notify(settings, NotifyOptions(subject=SUBJECT, **options))


def index_guide(settings: Settings, guide_id: str, lang: str) -> dict[str, Any]:
    conn = sqlite3.connect(settings.index_path)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT id, lang, version, hash, title FROM guides WHERE id = ? AND lang = ?",
            [guide_id, lang],
        ).fetchone()
        return dict(row)
    finally:
        conn.close()


def subscription_endpoints(settings: Settings) -> set[str]:
    with store.open_push_db(settings) as db:
        return {row["endpoint"] for row in db.query("SELECT endpoint FROM subscriptions")}


def phone_keeps(guide: dict[str, Any], industry: str, status: str) -> bool:
    """sw-push.js `applies`: whether the phone keeps a listed guide for its own profile."""

    def fits(values: Any, mine: str) -> bool:
        return values == "all" or mine == "any" or "any" in values or mine in values

    return fits(guide["industries"], industry) and fits(guide["statuses"], status)


def only(deliveries: list[Delivery]) -> Delivery:
    assert len(deliveries) == 1, deliveries
    return deliveries[0]


def test_a_changed_guide_reaches_each_affected_subscriber_once_in_their_language(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    california_es = service.subscription()
    california_en = service.subscription()
    california_mixteco = service.subscription()
    texas_es = service.subscription()
    subscribe(client, california_es, ["CA"], "es")
    subscribe(client, california_en, ["CA"], "en")
    subscribe(client, california_mixteco, ["CA"], "mix")
    subscribe(client, texas_es, ["TX"], "es")

    # Nothing changed since they subscribed: nothing is sent.
    first = notify(keyed)
    assert (first.sent, first.removed, first.failed, first.unchanged) == (0, 0, 0, 4)
    assert service.deliveries == []

    revise(keyed, "overtime.es.md", "overtime.en.md")  # a California-only guide
    report = notify(keyed)
    assert (report.sent, report.removed, report.failed, report.unchanged) == (3, 0, 0, 1)
    assert service.deliveries_for(texas_es) == []

    spanish = only(service.deliveries_for(california_es))
    current_es = index_guide(keyed, "overtime", "es")
    assert current_es["version"] == 2
    assert spanish.payload == {
        "type": "guides-updated",
        "lang": "es",
        "title": "Cartilla: cambiaron sus guías",
        "body": f"Nueva versión: {current_es['title']}",
        "guides": [{**current_es, "new": False, "industries": "all", "statuses": "all"}],
        "more": 0,
    }
    english = only(service.deliveries_for(california_en))
    current_en = index_guide(keyed, "overtime", "en")
    assert english.payload is not None
    assert english.payload["lang"] == "en"
    assert english.payload["title"] == "Cartilla: your guides changed"
    assert english.payload["guides"] == [
        {**current_en, "new": False, "industries": "all", "statuses": "all"}
    ]
    # No Mixtec translation: the worker reads the Spanish guide, told in Spanish.
    mixteco = only(service.deliveries_for(california_mixteco))
    assert mixteco.payload is not None and mixteco.payload["guides"][0]["lang"] == "es"

    for delivery in (spanish, english, mixteco):
        headers = delivery.headers
        assert int(headers["ttl"]) >= 7 * 24 * 3600
        assert headers["topic"] == TOPIC
        assert headers["urgency"] == "normal"
        assert headers["content-encoding"] == "aes128gcm"
        assert delivery.vapid_valid
        claims = delivery.vapid_claims
        assert claims is not None
        assert claims["aud"] == service.base_url
        assert claims["sub"] == SUBJECT
        assert claims["exp"] > time.time()

    # Run again: it is all announced already.
    again = notify(keyed)
    assert (again.sent, again.failed, again.unchanged) == (0, 0, 4)
    assert len(service.deliveries) == 3


def test_one_message_lists_every_change_for_the_profile(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    farmworker = service.subscription()
    subscribe(client, farmworker, ["CA"], "es", ["agriculture"], ["h2a"])
    revise(keyed, "overtime.es.md", "basic-rights.es.md", "h2a-basics.es.md")
    assert notify(keyed).sent == 1
    delivery = only(service.deliveries_for(farmworker))
    assert delivery.payload is not None
    assert [g["id"] for g in delivery.payload["guides"]] == [
        "basic-rights",
        "h2a-basics",
        "overtime",
    ]
    assert delivery.payload["body"].startswith("3 guías tienen cambios: ")


def test_a_guide_of_another_state_sends_nothing(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    texan = service.subscription()
    subscribe(client, texan, ["TX"], "es", ["restaurants"], ["undocumented"])
    revise(keyed, "overtime.es.md")  # California only
    report = notify(keyed)
    assert (report.sent, report.unchanged) == (0, 1)
    assert service.deliveries == []


def test_the_phone_gets_each_guide_with_its_audience_and_decides(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    """The server does not know the cook's status or work, so it names the H-2A guide
    with who it is for; the phone (sw-push.js) drops it for a cook."""
    cook = service.subscription()
    subscribe(client, cook, ["CA"], "es", ["restaurants"], ["undocumented"])
    revise(keyed, "h2a-basics.es.md")  # H-2A agriculture only
    assert notify(keyed).sent == 1
    delivery = only(service.deliveries_for(cook))
    assert delivery.payload is not None
    [guide] = delivery.payload["guides"]
    assert (guide["id"], guide["industries"], guide["statuses"]) == (
        "h2a-basics",
        ["agriculture"],
        ["h2a"],
    )
    assert not phone_keeps(guide, "restaurants", "undocumented")
    assert phone_keeps(guide, "agriculture", "h2a")


def test_someone_who_subscribes_after_a_change_is_not_told_about_it(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    notify(keyed)
    revise(keyed, "overtime.es.md")
    newcomer = service.subscription()
    subscribe(client, newcomer, ["CA"], "es")  # the app already has the new version
    assert notify(keyed).sent == 0
    revise(keyed, "overtime.es.md", note="Otro cambio.")
    assert notify(keyed).sent == 1
    assert only(service.deliveries_for(newcomer)).payload is not None


def test_gone_subscriptions_are_removed(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    gone = service.subscription(Behaviour(status=410))
    missing = service.subscription(Behaviour(status=404))
    alive = service.subscription()
    for subscription in (gone, missing, alive):
        subscribe(client, subscription, ["CA"], "es")
    revise(keyed, "overtime.es.md")
    report = notify(keyed)
    assert (report.sent, report.removed, report.failed) == (1, 2, 0)
    assert subscription_endpoints(keyed) == {alive["endpoint"]}
    revise(keyed, "overtime.es.md", note="Otro cambio.")
    notify(keyed)
    assert len(service.deliveries_for(gone)) == 1  # never contacted again


def test_throttled_sends_are_retried_after_retry_after(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    throttled = service.subscription(Behaviour(fail_status=429, fail_times=1, retry_after="1"))
    unavailable = service.subscription(Behaviour(fail_status=503, fail_times=1))
    subscribe(client, throttled, ["CA"], "es")
    subscribe(client, unavailable, ["CA"], "es")
    revise(keyed, "overtime.es.md")
    report = notify(keyed)
    assert (report.sent, report.failed) == (2, 0)
    refused, accepted = service.deliveries_for(throttled)
    assert (refused.status, accepted.status) == (429, 201)
    assert accepted.at - refused.at >= 1.0  # it waited as told
    assert [d.status for d in service.deliveries_for(unavailable)] == [503, 201]
    assert notify(keyed).sent == 0


def test_a_send_that_keeps_failing_is_counted_and_tried_on_the_next_run(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    busy = service.subscription(Behaviour(fail_status=429, fail_times=1, retry_after="3600"))
    broken = service.subscription(Behaviour(status=403))
    subscribe(client, busy, ["CA"], "es")
    subscribe(client, broken, ["CA"], "es")
    revise(keyed, "overtime.es.md")
    report = notify(keyed)
    assert (report.sent, report.removed, report.failed) == (0, 0, 2)
    assert len(service.deliveries_for(busy)) == 1  # did not hammer it, did not wait an hour
    assert subscription_endpoints(keyed) == {busy["endpoint"], broken["endpoint"]}
    retry = notify(keyed)
    assert (retry.sent, retry.failed) == (1, 1)
    assert only(service.accepted_deliveries()).token in busy["endpoint"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_the_push_service_is_not_followed(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService, status: int
) -> None:
    """A push service (or whoever answers for it) cannot send the VAPID-signed POST on to
    another host: the 3xx is a failed send and the other address hears nothing."""
    with MockPushService() as elsewhere:
        target = elsewhere.subscription()
        redirecting = service.subscription(Behaviour(status=status, location=target["endpoint"]))
        subscribe(client, redirecting, ["CA"], "es")
        revise(keyed, "overtime.es.md")
        report = notify(keyed)
        assert (report.sent, report.failed) == (0, 1)
        assert [d.status for d in service.deliveries_for(redirecting)] == [status]
        assert elsewhere.deliveries == []


def test_proxy_settings_in_the_environment_are_ignored(
    keyed: Settings,
    client: TestClient[Litestar],
    service: MockPushService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with MockPushService() as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.base_url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        worker = service.subscription()
        subscribe(client, worker, ["CA"], "es")
        revise(keyed, "overtime.es.md")
        assert notify(keyed).sent == 1
        assert len(service.deliveries_for(worker)) == 1
        assert proxy.deliveries == []


def test_an_endpoint_that_keeps_refusing_is_dropped_but_a_busy_one_is_kept(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    """A 403 (or any 4xx but 404/410/429) three runs in a row: the subscription is dropped
    and never contacted again. A push service that is down (5xx) never loses anyone."""
    refusing = service.subscription(Behaviour(status=403))
    down = service.subscription(Behaviour(fail_status=503, fail_times=10_000))
    healthy = service.subscription()
    for subscription in (refusing, down, healthy):
        subscribe(client, subscription, ["CA"], "es")
    revise(keyed, "overtime.es.md")
    reports = [notify(keyed, max_attempts=1) for _ in range(4)]
    assert [(r.sent, r.failed, r.removed) for r in reports] == [
        (1, 2, 0),
        (0, 2, 0),
        (0, 2, 1),
        (0, 1, 0),
    ]
    assert subscription_endpoints(keyed) == {down["endpoint"], healthy["endpoint"]}
    assert len(service.deliveries_for(refusing)) == 3
    assert len(service.deliveries_for(down)) == 4
    assert len(service.deliveries_for(healthy)) == 1


CRASHING_NOTIFY = """
import os, sys
from pathlib import Path
from server.config import Settings
from server.push.notify import NotifyOptions, Sender, run_notify

state = Path(sys.argv[1])
settings = Settings(content_dir=Path(sys.argv[2]), index_path=state / "index.db",
                    pwa_dir=Path(sys.argv[3]), state_dir=state, test_mode=True,
                    database_url=os.environ.get("CARTILLA_DATABASE_URL") or None)
limit = int(sys.argv[4])
sends = 0

class CrashingSender(Sender):
    def send(self, row, payload):
        global sends
        sends += 1
        if sends > limit:
            os._exit(9)  # like kill -9: no cleanup, no finally, no flush
        return super().send(row, payload)

run_notify(settings, NotifyOptions(subject="mailto:ops@example.org", concurrency=1,
                                   batch_size=int(sys.argv[5])),
           sender_factory=CrashingSender)
"""


@pytest.mark.parametrize("batch_size", [500, 3])
def test_a_crash_half_way_resends_nothing_that_was_delivered(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService, batch_size: int
) -> None:
    import subprocess
    import sys

    subscriptions = [service.subscription() for _ in range(8)]
    for subscription in subscriptions:
        subscribe(client, subscription, ["CA"], "es")
    revise(keyed, "overtime.es.md")
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_NOTIFY, str(keyed.state_dir), str(keyed.content_dir),
         str(keyed.pwa_dir), "5", str(batch_size)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert crashed.returncode == 9, crashed.stderr
    assert len(service.accepted_deliveries()) == 5
    report = notify(keyed)
    assert (report.sent, report.failed) == (3, 0)
    for subscription in subscriptions:
        assert len(service.deliveries_for(subscription)) == 1  # every phone told exactly once
    assert notify(keyed).sent == 0


def test_dry_run_shows_what_would_be_sent_and_changes_nothing(
    keyed: Settings,
    client: TestClient[Litestar],
    service: MockPushService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subscribe(client, service.subscription(), ["CA"], "es")
    subscribe(client, service.subscription(), ["CA"], "en")
    revise(keyed, "overtime.es.md", "overtime.en.md")
    before = stored_state(keyed)

    for name, value in {
        "CARTILLA_STATE_DIR": str(keyed.state_dir),
        "CARTILLA_INDEX": str(keyed.index_path),
        "CARTILLA_CONTENT_DIR": str(keyed.content_dir),
        "CARTILLA_TEST_MODE": "1",
        "CARTILLA_VAPID_SUBJECT": SUBJECT,
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["notify", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2 notifications would be sent" in out
    assert "overtime (es v2)" in out and "overtime (en v2)" in out
    assert service.deliveries == []
    assert stored_state(keyed) == before

    assert main(["notify", "--in-process"]) == 0  # the queue: tests/test_push_queue.py
    assert "sent: 2" in capsys.readouterr().out
    assert len(service.deliveries) == 2
    assert main(["notify", "--dry-run"]) == 0
    assert "0 notifications would be sent" in capsys.readouterr().out


def stored_state(settings: Settings) -> Any:
    """Everything notify could change: the file's bytes, or every push table's rows."""
    if not settings.database_url:
        return settings.push_db_path.read_bytes()
    with store.open_push_db(settings) as db:
        return [
            db.query(f"SELECT * FROM {table} ORDER BY 1")
            for table in ("subscriptions", "snapshots", "snapshot_guides", "meta")
        ]


def test_notify_explains_what_is_missing(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTILLA_STATE_DIR", str(settings.state_dir))
    monkeypatch.setenv("CARTILLA_INDEX", str(settings.index_path))
    monkeypatch.delenv("CARTILLA_VAPID_SUBJECT", raising=False)
    assert main(["notify", "--subject", SUBJECT]) == 1
    err = capsys.readouterr().err
    assert "cartilla build" in err and "No hay índice" in err
    build_index(settings.content_dir, settings.index_path)
    assert main(["notify", "--subject", SUBJECT]) == 1
    assert "cartilla keys" in capsys.readouterr().err
    create_vapid(settings.vapid_key_path)
    assert main(["notify"]) == 1
    assert "--subject" in capsys.readouterr().err
    assert main(["notify", "--subject", SUBJECT]) == 0


def test_bad_stored_rows_and_foreign_endpoints_never_crash_a_run(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    good = service.subscription()
    subscribe(client, good, ["CA"], "es")
    subscribe(client, service.subscription(), ["CA"], "es")
    subscribe(client, service.subscription(), ["CA"], "es")
    endpoints = sorted(e for e in subscription_endpoints(keyed) if e != good["endpoint"])
    with store.open_push_db(keyed) as db, db.write():
        db.execute(
            "UPDATE subscriptions SET states = 'nonsense' WHERE endpoint = ?", [endpoints[0]]
        )
        db.execute(
            "UPDATE subscriptions SET endpoint = 'http://10.0.0.1/internal' WHERE endpoint = ?",
            [endpoints[1]],
        )
    revise(keyed, "overtime.es.md")
    report = notify(keyed)
    assert (report.sent, report.failed) == (1, 2)
    assert only(service.accepted_deliveries()).token in good["endpoint"]


def test_payload_stays_under_the_push_size_limit() -> None:
    changed = [
        ChangedGuide(id=f"guide-{n}", lang="es", version=n, hash="a" * 64, title="T" * 140)
        for n in range(80)
    ]
    profile = PushProfile(states=["CA"], industries=["any"], statuses=["any"], language="es")
    payload = build_payload(profile, changed)
    assert len(payload) <= MAX_PAYLOAD_BYTES

    decoded = json.loads(payload)
    assert decoded["more"] == 80 - len(decoded["guides"]) > 0
    assert len(decoded["body"]) <= 180


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 21, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_delay("7", 1, now=now) == 7
    assert retry_delay("Sat, 21 Nov 2026 12:00:30 GMT", 1, now=now) == 30
    assert retry_delay("Sat, 21 Nov 2026 11:00:00 GMT", 1, now=now) == 0
    assert retry_delay(None, 1) == 1 and retry_delay(None, 3) == 4
    assert retry_delay("soon", 2) == 2


def test_old_snapshots_are_forgotten(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    subscribe(client, service.subscription(), ["CA"], "es")
    for n in range(3):
        revise(keyed, "overtime.es.md", note=f"Cambio {n}.")
        assert notify(keyed).sent == 1
    with store.open_push_db(keyed) as db:
        assert db.value("SELECT count(*) FROM snapshots") == 1


def test_the_push_database_is_private_and_damage_is_explained(
    keyed: Settings,
    client: TestClient[Litestar],
    service: MockPushService,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqlite_only(keyed, "the file's mode and a damaged file")
    subscribe(client, service.subscription(), ["CA"], "es")
    assert stat.S_IMODE(keyed.push_db_path.stat().st_mode) == 0o600  # endpoints are secrets

    for leftover in keyed.state_dir.glob("push.db-*"):
        leftover.unlink()
    keyed.push_db_path.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("CARTILLA_STATE_DIR", str(keyed.state_dir))
    monkeypatch.setenv("CARTILLA_INDEX", str(keyed.index_path))
    monkeypatch.setenv("CARTILLA_VAPID_SUBJECT", SUBJECT)
    assert main(["notify"]) == 1
    err = capsys.readouterr().err
    assert "No se envió nada" in err and "Nothing was sent" in err


def test_notified_guides_are_exactly_what_the_phone_will_download(
    keyed: Settings, client: TestClient[Litestar], service: MockPushService
) -> None:
    """Each listed guide is in the pack manifest of that profile, with the same hash, so the
    service worker's update fetches exactly the guides the notification names."""
    profiles = [
        ("CA", "agriculture", "h2a", "es"),
        ("CA", "restaurants", "undocumented", "en"),
        ("TX", "agriculture", "h2a", "mix"),
    ]
    subscriptions = []
    for state, industry, status, lang in profiles:
        subscriptions.append(service.subscription())
        subscribe(client, subscriptions[-1], [state], lang, [industry], [status])
    revise(keyed, "overtime.es.md", "overtime.en.md", "basic-rights.es.md", "h2a-basics.es.md")
    notify(keyed)
    with TestClient(create_app(keyed)) as fresh:  # a server that has loaded the new build
        manifests = [
            fresh.get(
                f"/api/v1/packs/manifest?state={p[0]}&industry={p[1]}&status={p[2]}&lang={p[3]}"
            ).json()["manifest"]["guides"]
            for p in profiles
        ]
    for profile, subscription, manifest in zip(profiles, subscriptions, manifests, strict=True):
        delivery = only(service.deliveries_for(subscription))
        assert delivery.payload is not None
        listed = {
            (g["id"], g["lang"], g["hash"])
            for g in delivery.payload["guides"]
            if phone_keeps(g, profile[1], profile[2])
        }
        in_pack = {(g["id"], g["lang"], g["hash"]) for g in manifest}
        assert listed and listed <= in_pack, profile


STATE_SAMPLE = ["CA", "TX", "NY"]


@given(
    guide_states=st.one_of(st.just("all"), st.lists(st.sampled_from(STATE_SAMPLE), min_size=1)),
    guide_industries=st.one_of(
        st.just("all"), st.lists(st.sampled_from(["agriculture", "cleaning"]), min_size=1)
    ),
    guide_statuses=st.lists(st.sampled_from(["h2a", "h2b", "undocumented", "any"]), min_size=1),
    state=st.sampled_from([*STATE_SAMPLE, "any"]),
    industry=st.sampled_from(["agriculture", "cleaning", "domestic", "any"]),
    status=st.sampled_from(["h2a", "h2b", "undocumented", "any"]),
)
def test_profile_matching_agrees_with_the_pack(
    guide_states: Any,
    guide_industries: Any,
    guide_statuses: list[str],
    state: Any,
    industry: Any,
    status: Any,
) -> None:
    """Who gets told about a guide is who gets it in their pack (server.catalog's rule)."""
    from server.catalog import GuideEntry
    from server.push.changes import snapshot_from_rows

    row = {
        "id": "g", "lang": "es", "version": 1, "hash": "h", "title": "T",
        "states": json.dumps(guide_states), "industries": json.dumps(guide_industries),
        "statuses": json.dumps(guide_statuses),
    }  # fmt: skip
    [push_view] = list(snapshot_from_rows([row]).guides())
    entry = GuideEntry(
        id="g", lang="es", version=1, title="T", summary="", kind="topic",
        states=guide_states, industries=guide_industries, statuses=guide_statuses, topics=[],
        reviewed="2026-01-01", review_status="draft", hash="h", stale=False,
    )  # fmt: skip
    profile = PushProfile(states=[state], industries=[industry], statuses=[status], language="es")
    assert push_view.applies_to(profile) == entry.applies(state, industry, status)
