"""The relay's metadata: uploads, windows, desk challenges and desk sessions.

The schema the relay made itself (CREATE TABLE IF NOT EXISTS) before it moved to
migrations: an existing relay.db already has these tables and this step leaves them as
they are.
"""

import sqlite3
from typing import Any

from yoyo import step

__depends__: set[str] = set()


def apply(conn: Any) -> None:
    big = "INTEGER" if isinstance(conn, sqlite3.Connection) else "BIGINT"
    cursor = conn.cursor()
    for sql in (
        "CREATE TABLE IF NOT EXISTS uploads (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL,"
        " code_hash TEXT UNIQUE, office TEXT NOT NULL, window_id TEXT,"
        f" size {big} NOT NULL, received {big} NOT NULL DEFAULT 0, created {big} NOT NULL,"
        f" completed {big}, expires {big} NOT NULL, picked_up {big})",
        "CREATE INDEX IF NOT EXISTS uploads_expires ON uploads (expires)",
        "CREATE INDEX IF NOT EXISTS uploads_window ON uploads (window_id)",
        "CREATE TABLE IF NOT EXISTS windows (id TEXT PRIMARY KEY,"
        " code_hash TEXT NOT NULL UNIQUE, office TEXT NOT NULL, recipient TEXT NOT NULL,"
        f" expires {big} NOT NULL)",
        "CREATE TABLE IF NOT EXISTS challenges (id TEXT PRIMARY KEY,"
        f" secret_hash TEXT NOT NULL, office TEXT NOT NULL, expires {big} NOT NULL)",
        "CREATE TABLE IF NOT EXISTS desk_sessions (token_hash TEXT PRIMARY KEY,"
        f" office TEXT NOT NULL, expires {big} NOT NULL)",
    ):
        cursor.execute(sql)


steps = [step(apply)]
