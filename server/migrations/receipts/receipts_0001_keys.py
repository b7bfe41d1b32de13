"""The public history of every receipt key any server instance has signed with.

Used only on PostgreSQL (CARTILLA_DATABASE_URL): each instance keeps its own private key
file and records its public key here, so every instance publishes and trusts all of them.
Without a database URL the history stays in receipt_keys.json beside the key.
"""

from typing import Any

from yoyo import step

__depends__: set[str] = set()


def apply(conn: Any) -> None:
    conn.cursor().execute(
        "CREATE TABLE IF NOT EXISTS receipt_keys (key_id TEXT PRIMARY KEY,"
        " algorithm TEXT NOT NULL, public_key TEXT NOT NULL, valid_from TEXT NOT NULL,"
        " valid_until TEXT)"
    )


steps = [step(apply)]
