"""Push databases made before issue 12 kept each worker's status and industry: drop them.

Only SQLite files made by the first versions (with sqlite-utils' migrations) have these
columns; on a new database or on PostgreSQL there is nothing to do.
"""

import sqlite3
from typing import Any

from yoyo import step

__depends__ = {"push_0001_tables"}

DROP = {
    "subscriptions": ("industries", "statuses"),
    "snapshot_guides": ("title", "states", "industries", "statuses"),
}


def apply(conn: Any) -> None:
    if not isinstance(conn, sqlite3.Connection):
        return
    cursor = conn.cursor()
    for table, columns in DROP.items():
        present = {row[1] for row in cursor.execute(f"PRAGMA table_info({table})").fetchall()}
        for column in columns:
            if column in present:
                cursor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    # The bookkeeping of the migration tool those versions used.
    cursor.execute("DROP TABLE IF EXISTS _sqlite_migrations")


steps = [step(apply)]
