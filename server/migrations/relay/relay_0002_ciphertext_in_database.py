"""On PostgreSQL the ciphertext and the keyed-hash secret live in the database too, so
server instances on different machines share nothing but it. On SQLite they stay files
beside relay.db (blobs/, secret): nothing to do.

- `relay_chunks` (pk upload_id, start): the upload's bytes, one row per chunk received
  (at most CHUNK_SIZE bytes each), deleted with the upload (also by the foreign key).
- `relay_secret` (pk id = 1): the 32 random bytes every keyed hash uses; the first
  instance to start inserts it, the others read that one.
"""

import sqlite3
from typing import Any

from yoyo import step

__depends__ = {"relay_0001_tables"}


def apply(conn: Any) -> None:
    if isinstance(conn, sqlite3.Connection):
        return
    cursor = conn.cursor()
    for sql in (
        "CREATE TABLE IF NOT EXISTS relay_chunks (upload_id TEXT NOT NULL"
        " REFERENCES uploads (id) ON DELETE CASCADE, start BIGINT NOT NULL,"
        " data BYTEA NOT NULL, PRIMARY KEY (upload_id, start))",
        # Ciphertext does not compress: store it out of line without trying.
        "ALTER TABLE relay_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
        "CREATE TABLE IF NOT EXISTS relay_secret (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " secret BYTEA NOT NULL)",
    ):
        cursor.execute(sql)


steps = [step(apply)]
