"""The push fan-out queue's tables: procrastinate's own schema, in the same PostgreSQL
database as the subscriptions (server/push/fanout.py). PostgreSQL only.

procrastinate ships its schema as one SQL file for its current version; an upgrade of
procrastinate that changes it comes with migration SQL files of its own, which go into a new
migration here (never an edit of this one).
"""

from typing import Any

from procrastinate.schema import SchemaManager
from yoyo import step

__depends__: set[str] = set()


def apply(conn: Any) -> None:
    conn.cursor().execute(SchemaManager.get_schema())


steps = [step(apply)]
