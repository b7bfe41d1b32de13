"""`pg_url` gives every test its own empty PostgreSQL database: the push and relay suites rely
on it (no rows or tables left over from another test, whichever order they run in)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import psycopg
import pytest


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    return [row[0] for row in rows]


# Both tests make the same table and must find the database empty first: whichever runs
# second would fail if the first one's database were shared or left behind.
@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_gets_a_fresh_empty_database(pg_url: str, run: str) -> None:
    assert _tables(pg_url) == []
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE left_behind (note text)")
        conn.execute("INSERT INTO left_behind VALUES (%s)", [run])
    assert _tables(pg_url) == ["left_behind"]


def test_the_url_names_the_tests_own_database(pg_url: str) -> None:
    name = pg_url.rsplit("/", 1)[1]
    assert name.startswith("test_") and name != "postgres"
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT current_database()").fetchone()
    assert row == (name,)


def test_the_database_is_dropped_afterwards(
    pg_admin: str, new_pg_database: Callable[[], AbstractContextManager[str]]
) -> None:
    with new_pg_database() as url:
        name = url.rsplit("/", 1)[1]
        # A connection the test left open (a server pool, say) does not keep it alive.
        lingering = psycopg.connect(url, autocommit=True)
        lingering.execute("CREATE TABLE kept (n int)")
        with psycopg.connect(pg_admin) as conn:
            assert _exists(conn, name)
    try:
        with psycopg.connect(pg_admin) as conn:
            assert not _exists(conn, name)
    finally:
        lingering.close()


def _exists(conn: psycopg.Connection[tuple[object, ...]], name: str) -> bool:
    row = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row == (1,)


def test_database_url_runs_on_both_backends(
    database_url: str | None, request: pytest.FixtureRequest
) -> None:
    backend = request.node.callspec.params["database_url"]
    if backend == "sqlite":
        assert database_url is None
    else:
        assert database_url is not None and database_url.startswith("postgresql://")
        assert _tables(database_url) == []
