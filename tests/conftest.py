"""Shared fixtures: a private copy of test content, its built index, and the app over it.

PostgreSQL: `pg_url` is a fresh, empty database on the server of CARTILLA_TEST_DATABASE_URL
(scripts/test starts a throwaway one on loopback, scripts/lib/postgres.sh), dropped after
the test; without that variable the test is skipped, and the run says so at the end. With
CI=true a missing server is a failure, not a skip. `database_url` runs a test on both
backends: None (the default SQLite files) and a `pg_url` database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from postgres_fixtures import PG_ENV, _in_ci, fresh_pg_database, pg_admin_url

from server.app import create_app
from server.config import PROJECT_ROOT, Settings
from server.content.build import build_index
from server.push.keys import create_vapid
from server.push.testing import MockPushService

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture content (not in git)."""
    dest = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, dest)
    return dest


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path) -> Settings:
    state = tmp_path / "state"
    state.mkdir()
    return Settings(
        content_dir=content_dir,
        index_path=state / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=state,
        test_mode=True,
    )


@pytest.fixture
def built(settings: Settings) -> Settings:
    result = build_index(settings.content_dir, settings.index_path)
    assert result.status == "built", result.problems
    return settings


@pytest.fixture
def app(built: Settings) -> Litestar:
    return create_app(built)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as c:
        yield c


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def keyed(built: Settings) -> Settings:
    """A built index and a VAPID key: what `cartilla notify` and `cartilla worker` need."""
    create_vapid(built.vapid_key_path)
    return built


@pytest.fixture
def service() -> Iterator[MockPushService]:
    """The local mock push service on 127.0.0.1 (server/push/testing.py)."""
    with MockPushService() as running:
        yield running


@pytest.fixture
def pg_admin() -> str:
    """The URL of the test PostgreSQL server itself (its `postgres` database)."""
    return pg_admin_url()


@pytest.fixture
def new_pg_database(pg_admin: str) -> Callable[[], AbstractContextManager[str]]:
    """More fresh databases when one test needs several: `with new_pg_database() as url:`."""
    return lambda: fresh_pg_database(pg_admin)


@pytest.fixture
def pg_url(pg_admin: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test only (its URL); dropped afterwards."""
    with fresh_pg_database(pg_admin) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """Run the test on both backends: None (the SQLite files) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_url")
    return url


def _skipped_for_postgres(reporter: pytest.TerminalReporter) -> int:
    """How many tests were skipped because no PostgreSQL server was given."""
    count = 0
    for report in reporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        message = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        if PG_ENV in str(message):
            count += 1
    return count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = _skipped_for_postgres(terminalreporter)
    if skipped:
        terminalreporter.write_sep(
            "=",
            f"PostgreSQL not available: {skipped} PostgreSQL test(s) skipped "
            f"(set {PG_ENV}; scripts/test starts one)"
            + (" - a failure, since CI=true" if _in_ci() else ""),
            yellow=True,
            bold=True,
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # CI must run the PostgreSQL halves: a skip for a missing server (from any fixture that
    # says CARTILLA_TEST_DATABASE_URL in its skip message) fails the run there.
    if not _in_ci() or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if isinstance(reporter, pytest.TerminalReporter) and _skipped_for_postgres(reporter):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
