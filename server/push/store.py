"""The push database: subscriptions and what was last notified.

It is the SQLite file `settings.push_db_path`, or the PostgreSQL database of
`CARTILLA_DATABASE_URL` when set (server/storage.py: one interface, one migration tool).

Tables, created by the migrations in server/migrations/push/:

- `subscriptions` (pk endpoint): p256dh, auth, states (JSON list of USPS codes or "any"),
  language, baseline (the snapshot this subscriber was last told about, or null), created
  (a date), failures (consecutive permanent send failures). Nothing that identifies a
  person, and no immigration status and no industry: the message lists the changed guides
  of the subscriber's state and the phone keeps only those that apply to it.
- `snapshots` (pk id): fingerprint (of the guide hashes), created_at. One per distinct content
  state `cartilla notify` has announced.
- `snapshot_guides` (pk snapshot_id, id, lang): version and hash of each guide in that
  snapshot (what is needed to tell what changed since).

Migration push_0002 removes the status and industry columns (and guide metadata in
snapshots) from SQLite files made before; push_0003 rewrites the file (VACUUM, WAL truncated)
so no copy of the removed values stays in free pages. SQLite connections use `secure_delete`
so deleted rows are overwritten, not just unlinked.
- `meta` (pk key): `current_snapshot`, the last state notify announced; new subscribers
  start from it.

This is the only server state that cannot be rebuilt from content, so it lives in its own
file, apart from the content index.

Every write is one `write(db)` transaction (`Database.write`: `BEGIN IMMEDIATE` on SQLite,
a transaction with lock_timeout on PostgreSQL); waiting for the lock is bounded, after which
`PushDatabaseBusy` is raised (the API answers 503 with Retry-After, never a bare 500).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from server import storage
from server.config import Settings
from server.push.schema import PushProfile, PushSubscriptionJSON
from server.storage import BUSY_TIMEOUT_MS, Database

__all__ = ["BUSY_TIMEOUT_MS", "Database", "PushDatabaseBusy", "open_push_db", "write"]

#: What a stored snapshot keeps of each guide: enough to tell whether it changed.
SNAPSHOT_COLUMNS = ("id", "lang", "version", "hash")

#: The write lock could not be taken within the bounded wait.
PushDatabaseBusy = storage.StorageBusy


def open_push_db(
    settings: Settings | Path, *, threads: bool = False
) -> AbstractContextManager[Database]:
    """Open (creating and migrating if needed) the push database; closed on exit.

    A bare path is a SQLite file (tests, tools). `threads=True` lets several threads use a
    SQLite connection; the caller serialises them.
    """
    if isinstance(settings, Path):
        return storage.open_sqlite(settings, "push", threads=threads)
    return storage.open_store(settings.database_url, settings.push_db_path, "push", threads=threads)


def write(db: Database) -> AbstractContextManager[Database]:
    """One write transaction, or a savepoint inside one."""
    return db.write()


def subscription_count(db: Database) -> int:
    return int(db.value("SELECT count(*) FROM subscriptions"))


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
            db.execute(
                "UPDATE subscriptions SET p256dh = ?, auth = ?, states = ?, language = ?"
                " WHERE endpoint = ?",
                [*values.values(), subscription.endpoint],
            )
            return False
        db.execute(
            "INSERT INTO subscriptions (endpoint, p256dh, auth, states, language, baseline,"
            " created, failures) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            [
                subscription.endpoint,
                *values.values(),
                baseline if baseline is not None else current_snapshot(db),
                today.isoformat(),
            ],
        )
    return True


def delete_subscription(db: Database, endpoint: str) -> bool:
    with write(db):
        cursor = db.execute("DELETE FROM subscriptions WHERE endpoint = ?", [endpoint])
    return bool(cursor.rowcount > 0)


def iter_subscription_batches(db: Database, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """Every subscription, in endpoint order, a batch at a time (memory stays bounded)."""
    last = ""
    while True:
        rows = db.query(
            "SELECT endpoint, p256dh, auth, states, language, baseline, failures"
            " FROM subscriptions WHERE endpoint > ? ORDER BY endpoint LIMIT ?",
            [last, batch_size],
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["endpoint"]


def find_snapshot(db: Database, fingerprint: str) -> int | None:
    row = db.execute("SELECT id FROM snapshots WHERE fingerprint = ?", [fingerprint]).fetchone()
    return int(row[0]) if row else None


def snapshot_rows(db: Database, snapshot_id: int) -> list[dict[str, Any]]:
    return db.query(
        "SELECT id, lang, version, hash FROM snapshot_guides WHERE snapshot_id = ?",
        [snapshot_id],
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
            snapshot_id = int(
                db.value(
                    "INSERT INTO snapshots (fingerprint, created_at) VALUES (?, ?) RETURNING id",
                    [fingerprint, now.isoformat()],
                )
            )
            db.executemany(
                "INSERT INTO snapshot_guides (snapshot_id, id, lang, version, hash)"
                " VALUES (?, ?, ?, ?, ?)",
                ((snapshot_id, *(row[k] for k in SNAPSHOT_COLUMNS)) for row in guides),
            )
    except storage.Conflict:
        # The server and `cartilla notify` may store the same state at the same moment.
        found = find_snapshot(db, fingerprint)
        if found is None:
            raise
        return found
    return snapshot_id


def set_current_snapshot(db: Database, snapshot_id: int) -> None:
    with write(db):
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('current_snapshot', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [str(snapshot_id)],
        )


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
    return bool(cursor.rowcount > 0)


def advance_unchanged(db: Database, endpoints: Sequence[str], baseline: int) -> None:
    """Subscribers with nothing new for them now stand at `baseline` (nothing was sent)."""
    with write(db):
        db.executemany(
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
