"""The push database (`settings.push_db_path`): subscriptions and what was last notified.

Tables, created by sqlite-utils migrations:

- `subscriptions` (pk endpoint): p256dh, auth, states (JSON list of USPS codes or "any"),
  language, baseline (the snapshot this subscriber was last told about, or null), created
  (a date), failures (consecutive permanent send failures). Nothing that identifies a
  person, and no immigration status and no industry: the message lists the changed guides
  of the subscriber's state and the phone keeps only those that apply to it.
- `snapshots` (pk id): fingerprint (of the guide hashes), created_at. One per distinct content
  state `cartilla notify` has announced.
- `snapshot_guides` (pk snapshot_id, id, lang): version and hash of each guide in that
  snapshot (what is needed to tell what changed since).

Migration m002 removed the status and industry columns (and guide metadata in snapshots)
from databases made before; m003 rewrites the file (VACUUM, WAL truncated) so no copy of
the removed values stays in free pages. Connections use `secure_delete` so deleted rows are
overwritten, not just unlinked.
- `meta` (pk key): `current_snapshot`, the last state notify announced; new subscribers
  start from it.

This is the only server state that cannot be rebuilt from content, so it lives in its own
file, apart from the content index.

Every write is one `write(db)` transaction: `BEGIN IMMEDIATE` takes the write lock before
the first read, so two requests never both read and then try to upgrade (which SQLite
refuses at once with "database is locked" instead of waiting); waiting for the lock is
bounded by `busy_timeout` and a few retries, after which `PushDatabaseBusy` is raised (the
API answers 503 with Retry-After, never a bare 500).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations

from server.push.schema import PushProfile, PushSubscriptionJSON

migrations = Migrations("cartilla.push")


@migrations()
def m001_subscriptions(db: Database) -> None:
    db.table("subscriptions").create(
        {
            "endpoint": str,
            "p256dh": str,
            "auth": str,
            "states": str,
            "industries": str,
            "statuses": str,
            "language": str,
            "baseline": int,
            "created": str,
            "failures": int,
        },
        pk="endpoint",
        not_null={"p256dh", "auth", "states", "industries", "statuses", "language"},
        defaults={"failures": 0},
    )
    db.table("snapshots").create({"id": int, "fingerprint": str, "created_at": str}, pk="id")
    db.table("snapshots").create_index(["fingerprint"], unique=True)
    db.table("snapshot_guides").create(
        {
            "snapshot_id": int,
            "id": str,
            "lang": str,
            "version": int,
            "hash": str,
            "title": str,
            "states": str,
            "industries": str,
            "statuses": str,
        },
        pk=("snapshot_id", "id", "lang"),
        foreign_keys=[("snapshot_id", "snapshots", "id")],
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migrations()
def m002_forget_status_and_industry(db: Database) -> None:
    """Subscriptions kept each worker's status and industry until issue 12: drop them."""
    db.table("subscriptions").transform(drop={"industries", "statuses"})
    db.table("snapshot_guides").transform(drop={"title", "states", "industries", "statuses"})


@migrations(transactional=False)
def m003_rewrite_without_removed_values(db: Database) -> None:
    """Dropped columns' bytes can linger in free pages and the WAL: rewrite the file."""
    db.execute("PRAGMA secure_delete = ON")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


#: What a stored snapshot keeps of each guide: enough to tell whether it changed.
SNAPSHOT_COLUMNS = ("id", "lang", "version", "hash")

#: How long one attempt waits for the write lock (SQLite's busy handler), in milliseconds.
BUSY_TIMEOUT_MS = 5000
#: Attempts at taking the write lock before giving up with PushDatabaseBusy.
WRITE_ATTEMPTS = 3


class PushDatabaseBusy(Exception):
    """The write lock could not be taken within the bounded wait."""


_migrated: set[Path] = set()
_migrate_lock = threading.Lock()


@contextmanager
def open_push_db(path: Path, *, threads: bool = False) -> Iterator[Database]:
    """Open (creating and migrating if needed) the push database; closed on exit.

    `threads=True` lets several threads use the connection; the caller serialises them.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Endpoints are capability URLs: only the server's user may read them. SQLite gives
        # its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    # isolation_level=None: no implicit (deferred) transactions; `write` opens them.
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=not threads,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA secure_delete = ON")  # deleted subscriptions leave no bytes
        db = Database(conn)
        resolved = path.resolve()
        if resolved not in _migrated:
            with _migrate_lock:
                try:
                    db.enable_wal()
                    migrations.apply(db)
                except sqlite3.OperationalError:
                    # Another process (server or notify) created the tables at the same moment.
                    migrations.apply(db)
                _migrated.add(resolved)
        yield db
    finally:
        conn.close()


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE ... COMMIT), or a savepoint inside one."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            db.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            if attempt == WRITE_ATTEMPTS:
                raise PushDatabaseBusy(str(exc)) from None
            time.sleep(0.05 * attempt)  # busy_timeout already waited; a short extra pause
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


def subscription_count(db: Database) -> int:
    return int(db.table("subscriptions").count)


def has_subscription(db: Database, endpoint: str) -> bool:
    found = db.execute("SELECT 1 FROM subscriptions WHERE endpoint = ?", [endpoint]).fetchone()
    return found is not None


def snapshot_exists(db: Database, snapshot_id: int) -> bool:
    return db.execute("SELECT 1 FROM snapshots WHERE id = ?", [snapshot_id]).fetchone() is not None


def current_snapshot(db: Database) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'current_snapshot'").fetchone()
    return int(row[0]) if row else None


def save_subscription(
    db: Database,
    subscription: PushSubscriptionJSON,
    profile: PushProfile,
    *,
    baseline: int | None,
    today: dt.date,
) -> bool:
    """Insert or update by endpoint; returns True if it was new.

    A new subscriber starts from `baseline`, the content state when they subscribed (the
    caller's best knowledge of what the phone already has), so the next notify tells them
    only about what changed after that. A re-subscribe with the same endpoint (new keys or a
    new profile) keeps its place.
    """
    profile = profile.normalized()
    values = {
        "p256dh": subscription.keys.p256dh,
        "auth": subscription.keys.auth,
        "states": json.dumps(profile.states),
        "language": profile.language,
    }
    with write(db):
        existing = db.execute(
            "SELECT 1 FROM subscriptions WHERE endpoint = ?", [subscription.endpoint]
        ).fetchone()
        if existing:
            db.table("subscriptions").update(subscription.endpoint, values)
            return False
        db.table("subscriptions").insert(
            {
                "endpoint": subscription.endpoint,
                **values,
                "baseline": baseline if baseline is not None else current_snapshot(db),
                "created": today.isoformat(),
                "failures": 0,
            }
        )
    return True


def delete_subscription(db: Database, endpoint: str) -> bool:
    with write(db):
        cursor = db.execute("DELETE FROM subscriptions WHERE endpoint = ?", [endpoint])
    return cursor.rowcount > 0


def iter_subscription_batches(db: Database, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """Every subscription, in endpoint order, a batch at a time (memory stays bounded)."""
    last = ""
    while True:
        rows = list(
            db.query(
                "SELECT endpoint, p256dh, auth, states, language, baseline, failures"
                " FROM subscriptions WHERE endpoint > ? ORDER BY endpoint LIMIT ?",
                [last, batch_size],
            )
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["endpoint"]


def find_snapshot(db: Database, fingerprint: str) -> int | None:
    row = db.execute("SELECT id FROM snapshots WHERE fingerprint = ?", [fingerprint]).fetchone()
    return int(row[0]) if row else None


def snapshot_rows(db: Database, snapshot_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT id, lang, version, hash FROM snapshot_guides WHERE snapshot_id = ?",
            [snapshot_id],
        )
    )


def create_snapshot(
    db: Database, fingerprint: str, guides: Sequence[dict[str, Any]], *, now: dt.datetime
) -> int:
    """Store a content state and return its id (the existing one if already stored)."""
    found = find_snapshot(db, fingerprint)
    if found is not None:
        return found
    try:
        with write(db):
            table = db.table("snapshots")
            table.insert({"fingerprint": fingerprint, "created_at": now.isoformat()})
            assert table.last_pk is not None
            snapshot_id = int(table.last_pk)
            db.table("snapshot_guides").insert_all(
                (
                    {"snapshot_id": snapshot_id, **{k: row[k] for k in SNAPSHOT_COLUMNS}}
                    for row in guides
                ),
                batch_size=500,
            )
    except sqlite3.IntegrityError:
        # The server and `cartilla notify` may store the same state at the same moment.
        found = find_snapshot(db, fingerprint)
        if found is None:
            raise
        return found
    return snapshot_id


def set_current_snapshot(db: Database, snapshot_id: int) -> None:
    with write(db):
        db.table("meta").upsert({"key": "current_snapshot", "value": str(snapshot_id)}, pk="key")


#: Consecutive permanent failures (a 4xx other than 404/410/429, a redirect, keys the
#: crypto library rejects, an endpoint the check refuses) before a subscription is dropped.
MAX_PERMANENT_FAILURES = 3


def record_delivered(db: Database, endpoint: str, baseline: int) -> None:
    """The push service accepted the message: committed at once, so a crash later in the
    run never sends it again."""
    with write(db):
        db.execute(
            "UPDATE subscriptions SET baseline = ?, failures = 0 WHERE endpoint = ?",
            [baseline, endpoint],
        )


def record_permanent_failure(db: Database, endpoint: str) -> bool:
    """Count a failure that retrying will not fix; True if the subscription was dropped."""
    with write(db):
        db.execute(
            "UPDATE subscriptions SET failures = failures + 1 WHERE endpoint = ?", [endpoint]
        )
        cursor = db.execute(
            "DELETE FROM subscriptions WHERE endpoint = ? AND failures >= ?",
            [endpoint, MAX_PERMANENT_FAILURES],
        )
    return cursor.rowcount > 0


def advance_unchanged(db: Database, endpoints: Sequence[str], baseline: int) -> None:
    """Subscribers with nothing new for them now stand at `baseline` (nothing was sent)."""
    with write(db):
        db.conn.executemany(
            "UPDATE subscriptions SET baseline = ? WHERE endpoint = ?",
            [(baseline, endpoint) for endpoint in endpoints],
        )


def prune_snapshots(db: Database, keep: int) -> None:
    """Forget content states no subscriber still needs (everything but `keep` and baselines)."""
    unused = (
        "SELECT id FROM snapshots WHERE id != ? AND id NOT IN"
        " (SELECT DISTINCT baseline FROM subscriptions WHERE baseline IS NOT NULL)"
    )
    with write(db):
        db.execute(f"DELETE FROM snapshot_guides WHERE snapshot_id IN ({unused})", [keep])
        db.execute(f"DELETE FROM snapshots WHERE id IN ({unused})", [keep])
