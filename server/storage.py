"""Where the server's shared state lives: one storage interface over SQLite and PostgreSQL.

By default every store is a SQLite file under `settings.state_dir` (the embedded setup: one
command, no other service). When `CARTILLA_DATABASE_URL` is set (`postgresql://...`), the
push subscriptions, notify bookkeeping, the relay's metadata and the receipt-key history
live in that PostgreSQL database instead, so several server instances and queue workers
share them (docs/deploy.md).

What this module owns:

- `Database`: one open connection with the same small API on both engines. SQL is written
  once with `?` placeholders and portable syntax (`INSERT ... ON CONFLICT`, `RETURNING`);
  `dialect` says which engine runs it, for the rare statement that differs.
- `Database.write()`: one write transaction. On SQLite `BEGIN IMMEDIATE` takes the write
  lock before the first read (two requests never both read and then try to upgrade, which
  SQLite refuses at once with "database is locked"); on PostgreSQL a plain transaction with
  `lock_timeout`. Waiting is bounded; then `StorageBusy` (the API answers 503 with
  Retry-After, never a bare 500). Nested, it is a savepoint.
- `Conflict` for a unique-key violation on either engine; `StorageUnavailable` when the
  PostgreSQL server cannot be reached.
- `migrate(...)`: the one migration tool for both engines, yoyo-migrations, over the
  directories in `server/migrations/` (each store has its own, with ids prefixed by the
  store's name so they can share one PostgreSQL database).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

Dialect = Literal["sqlite", "postgresql"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: How long one attempt waits for a lock, in milliseconds (SQLite's busy handler,
#: PostgreSQL's lock_timeout).
BUSY_TIMEOUT_MS = 5000
#: Attempts at taking SQLite's write lock before giving up with StorageBusy.
WRITE_ATTEMPTS = 3
#: Connections a process keeps open to PostgreSQL (each server instance, each worker).
POOL_MAX = 8


class StorageBusy(Exception):
    """The write lock could not be taken within the bounded wait."""


class StorageUnavailable(StorageBusy):
    """The configured PostgreSQL server could not be reached (answered like busy: 503)."""


class Conflict(Exception):
    """A row with the same unique key exists (another writer got there first)."""


def database_errors() -> tuple[type[BaseException], ...]:
    """Every error a store can raise for a database problem (for a command line's one-line
    explanation instead of a traceback)."""
    errors: tuple[type[BaseException], ...] = (sqlite3.Error, StorageBusy)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is locked; SQLite-only installs
        return errors
    return (*errors, psycopg.Error)


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))


def _pg_errors() -> Any:
    import psycopg

    return psycopg


class Database:
    """One connection. `execute`/`query` take `?` placeholders on both engines."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect: Dialect = dialect
        self._depth = 0

    # -- statements -------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        if self.dialect == "postgresql":
            return sql.replace("%", "%%").replace("?", "%s")
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the cursor has fetchone/fetchall/rowcount on both engines."""
        try:
            return self.conn.execute(self._sql(sql), tuple(params))
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
                raise Conflict(str(exc)) from None
            raise
        except Exception as exc:
            self._translate_pg(exc)
            raise

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(row) for row in rows]
        if not rows:
            return
        try:
            if self.dialect == "postgresql":
                with self.conn.cursor() as cursor:
                    cursor.executemany(self._sql(sql), rows)
            else:
                self.conn.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise Conflict(str(exc)) from None
        except Exception as exc:
            self._translate_pg(exc)
            raise

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row as a dict keyed by column name."""
        cursor = self.execute(sql, params)
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _translate_pg(self, exc: Exception) -> None:
        if self.dialect != "postgresql":
            return
        psycopg = _pg_errors()
        if isinstance(exc, psycopg.errors.UniqueViolation):
            raise Conflict(str(exc)) from None
        if isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
            raise StorageBusy(str(exc)) from None
        if isinstance(exc, psycopg.OperationalError):
            raise StorageUnavailable(str(exc)) from None

    # -- transactions -----------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction, or a savepoint inside one."""
        if self.dialect == "postgresql":
            with self._pg_write():
                yield self
            return
        if self._depth:
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if not _sqlite_busy(exc):
                    raise
                if attempt == WRITE_ATTEMPTS:
                    raise StorageBusy(str(exc)) from None
                time.sleep(0.05 * attempt)  # busy_timeout already waited; a short extra pause
        self._depth = 1
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    @contextmanager
    def _pg_write(self) -> Iterator[None]:
        psycopg = _pg_errors()
        self._depth += 1
        try:
            with self.conn.transaction():
                yield
        except psycopg.errors.UniqueViolation as exc:
            raise Conflict(str(exc)) from None
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as exc:
            raise StorageBusy(str(exc)) from None
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(str(exc)) from None
        finally:
            self._depth -= 1


def _sqlite_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# -- opening ----------------------------------------------------------------------------

_migrated: set[str] = set()
_migrate_locks: dict[str, threading.Lock] = {}
_migrate_locks_guard = threading.Lock()
_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


@contextmanager
def _migrate_lock(key: str) -> Iterator[None]:
    """One migration at a time per store and database in this process (yoyo's own lock row
    serialises processes). Per key, so a database that went away, whose migration waits out
    yoyo's lock timeout, holds up no other database."""
    with _migrate_locks_guard:
        lock = _migrate_locks.setdefault(key, threading.Lock())
    with lock:
        yield


def forget_migrations() -> None:
    """Tests: run the migrations again on the next open (a file was replaced underneath)."""
    _migrated.clear()


@contextmanager
def open_sqlite(path: Path, store: str, *, threads: bool = False) -> Iterator[Database]:
    """Open (creating and migrating if needed) a SQLite store file; closed on exit.

    `threads=True` lets several threads use the connection; the caller serialises them.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Endpoints and relay hashes: only the server's user may read them. SQLite gives its
        # -wal and -shm files the same mode.
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    # isolation_level=None: no implicit (deferred) transactions; `write` opens them.
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=not threads,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA secure_delete = ON")  # deleted rows leave no bytes behind
        key = f"sqlite:{path.resolve()}:{store}"
        if key not in _migrated:
            with _migrate_lock(key):
                if key not in _migrated:
                    conn.execute("PRAGMA journal_mode = WAL")
                    migrate(f"sqlite:///{path.resolve()}", store)
                    _migrated.add(key)
        yield Database(conn, "sqlite")
    finally:
        conn.close()


def _pool(url: str) -> Any:
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            from psycopg_pool import ConnectionPool

            pool = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_MAX,
                open=False,
                kwargs={
                    "autocommit": True,
                    "options": f"-c lock_timeout={BUSY_TIMEOUT_MS} -c statement_timeout=60000",
                },
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            try:
                pool.open(wait=True, timeout=BUSY_TIMEOUT_MS / 1000)
            except Exception as exc:
                pool.close()
                raise StorageUnavailable(str(exc)) from None
            _pools[url] = pool
        return pool


def forget_database(url: str) -> None:
    """Close this process's pool to `url` and forget that its stores were migrated (a
    database that is about to be dropped or replaced: tests)."""
    with _pools_lock:
        pool = _pools.pop(url, None)
    if pool is not None:
        pool.close()
    for key in [k for k in _migrated if k.startswith(f"{url}:")]:
        _migrated.discard(key)


def close_pools() -> None:
    """Close every PostgreSQL pool this process opened (tests, worker shutdown)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


@contextmanager
def open_postgres(url: str, store: str) -> Iterator[Database]:
    """A pooled connection to PostgreSQL, the store's migrations applied once per process."""
    key = f"{url}:{store}"
    if key not in _migrated:
        with _migrate_lock(key):
            if key not in _migrated:
                migrate(url, store)
                _migrated.add(key)
    pool = _pool(url)
    try:
        connection = pool.connection(timeout=BUSY_TIMEOUT_MS / 1000)
        conn = connection.__enter__()
    except Exception as exc:
        raise StorageUnavailable(str(exc)) from None
    try:
        yield Database(conn, "postgresql")
    except BaseException as exc:
        connection.__exit__(type(exc), exc, exc.__traceback__)
        raise
    else:
        connection.__exit__(None, None, None)


@contextmanager
def open_store(
    database_url: str | None, sqlite_path: Path, store: str, *, threads: bool = False
) -> Iterator[Database]:
    """The store `store` on PostgreSQL when `database_url` is set, else its SQLite file."""
    if database_url:
        with open_postgres(database_url, store) as db:
            yield db
    else:
        with open_sqlite(sqlite_path, store, threads=threads) as db:
            yield db


# -- migrations -------------------------------------------------------------------------


def _yoyo_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def migrate(url: str, store: str) -> list[str]:
    """Apply the store's pending migrations (yoyo-migrations); returns the ids applied.

    Safe to run from several processes at once: yoyo takes its lock table first.
    """
    from yoyo import get_backend, read_migrations

    try:
        backend = get_backend(_yoyo_url(url))
    except Exception as exc:
        if is_postgres_url(url):
            raise StorageUnavailable(str(exc)) from None
        raise
    try:
        migrations = read_migrations(str(MIGRATIONS_DIR / store))
        with backend.lock(timeout=60):
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return [migration.id for migration in pending]
    finally:
        backend.connection.close()
