"""Dropped columns' bytes can linger in SQLite's free pages and WAL: rewrite the file."""

import sqlite3
from typing import Any

from yoyo import step

__depends__ = {"push_0002_forget_status_and_industry"}
__transactional__ = False


def apply(conn: Any) -> None:
    if not isinstance(conn, sqlite3.Connection):
        return
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


steps = [step(apply)]
