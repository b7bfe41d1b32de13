"""PostgreSQL for the tests: the test server's URL and fresh databases on it.

Shared by tests/conftest.py (the `pg_url` and `database_url` fixtures) and
tests/entrega_fixtures.py (one database per module for the relay's module-scoped apps).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_ENV = "CARTILLA_TEST_DATABASE_URL"
PG_UNAVAILABLE = (
    "PostgreSQL not available (set CARTILLA_TEST_DATABASE_URL; scripts/test starts one)"
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def pg_admin_url() -> str:
    """CARTILLA_TEST_DATABASE_URL; skips the test without it (fails it with CI=true)."""
    admin = os.environ.get(PG_ENV, "").strip()
    if not admin:
        if _in_ci():
            pytest.fail(f"{PG_UNAVAILABLE}: CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(PG_UNAVAILABLE)
    return admin


@contextmanager
def fresh_pg_database(admin: str) -> Iterator[str]:
    """A new, empty database on the server of `admin` (its URL); dropped on exit."""
    import psycopg

    name = "test_" + secrets.token_hex(8)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, query = admin.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    try:
        yield url
    finally:
        # This process's pooled connections to it (server/storage.py), before dropping it.
        from server import storage

        storage.forget_database(url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
