"""The relay's storage: one interface (`RelayStore`), on SQLite + files or on PostgreSQL.

The SQL is written once and runs through server/storage.py on both engines; the tables are
made by the migrations in server/migrations/relay/. What differs is where the ciphertext and
the keyed-hash secret live (`Blobs`):

- By default (no CARTILLA_DATABASE_URL) everything is under `settings.state_dir / "entrega"`:
  `relay.db` (SQLite, WAL) with the tables below; `secret`, 32 random bytes made once (O_EXCL
  temporary file, published with a hard link, so two processes starting together agree on
  one), the key of every keyed hash (HMAC-SHA256) of a code or token; `blobs/<id>.part`
  while an upload arrives, renamed to `blobs/<id>.age` (after fsync) when it completes, so a
  half-written file is never served; deleted on ack, delete or expiry.
- With CARTILLA_DATABASE_URL (`PostgresRelayStore`) the tables are in that database, the
  ciphertext in `relay_chunks` (one bytea row per chunk received) and the secret in
  `relay_secret` (the first instance inserts it, ON CONFLICT DO NOTHING, and every instance
  reads that one): instances on different machines share nothing but the database.

Tables (docs/entrega.md, "What the relay stores"): `uploads` (id, keyed hashes of the phone's
token and of the pickup code, office, window id for an upload to a window, size, received,
created, completed, expires, picked_up), `windows` (id, keyed hash of the code, office, the
one-time recipient, expires), `challenges` (id, hash of the secret, office, expires) and
`desk_sessions` (keyed hash of the token, office, expires). No address, no user agent, no
worker data: the relay never sees plaintext.

Every write is one `Database.write()` transaction with a bounded wait for the lock
(`BEGIN IMMEDIATE` on SQLite; on PostgreSQL the upload's row is taken FOR UPDATE, and
starting an upload takes one advisory lock, so two instances never both pass a check and
then write); `RelayBusy` when the wait runs out. Times are Unix seconds passed in by the
caller (`now`), so tests drive expiry with a clock.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from server import storage
from server.config import Settings
from server.entrega import codes, envelope
from server.storage import Database

#: Raised when the write lock could not be taken in the bounded wait (the API answers 503).
RelayBusy = storage.StorageBusy

PICKUP_SECONDS = 7 * 24 * 3600
WINDOW_SECONDS = 30 * 60
CHALLENGE_SECONDS = 2 * 60
SESSION_SECONDS = 15 * 60
#: An upload that never completes is deleted after this long.
UPLOADING_SECONDS = 24 * 3600
CHUNK_SIZE = 1024 * 1024
#: Bytes all stored uploads may reserve together; beyond it new uploads wait (503).
MAX_STORED_BYTES = 20 * 1024 * 1024 * 1024

_ID = re.compile(r"[0-9a-f]{32}")


def valid_id(text: str) -> bool:
    """Ids are 32 lowercase hex digits: nothing else ever reaches a file path."""
    return bool(_ID.fullmatch(text))


def new_id() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Upload:
    id: str
    office: str
    window_id: str | None
    size: int
    received: int
    created: int
    completed: int | None
    expires: int
    picked_up: int | None

    @property
    def state(self) -> str:
        if self.picked_up is not None:
            return "picked_up"
        return "waiting" if self.completed is not None else "uploading"


@dataclass(frozen=True)
class Window:
    id: str
    office: str
    recipient: str
    expires: int


class WrongOffset(Exception):
    """A chunk that does not start where the stored bytes end."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


class Refused(Exception):
    """A request the stored state refuses, with a stable code (the API words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Ciphertext(Protocol):
    """A stored upload's bytes, opened for reading: `read(n)` until b"", then `close()`."""

    def read(self, size: int, /) -> bytes: ...
    def close(self) -> None: ...


class RelayStore(Protocol):
    """What the API, the sweep and the command line need from the relay's storage."""

    def create_upload(
        self, *, office: str, window_id: str | None, size: int, now: int
    ) -> tuple[str, str, int]: ...
    def upload(self, upload_id: str) -> Upload | None: ...
    def upload_for_token(self, upload_id: str, token: str) -> Upload | None: ...
    def append(self, upload_id: str, offset: int, data: bytes, now: int) -> int: ...
    def complete(self, upload_id: str, now: int) -> tuple[str, int]: ...
    def delete_upload(self, upload_id: str) -> bool: ...
    def find_pickup(self, office: str, code: str, now: int) -> Upload | None: ...
    def open_ciphertext(self, upload_id: str) -> Ciphertext | None: ...
    def ack(self, upload_id: str, now: int) -> None: ...
    def create_challenge(self, office: str, secret: bytes, now: int) -> tuple[str, int]: ...
    def take_challenge(self, challenge_id: str, answer: bytes, now: int) -> str | None: ...
    def create_session(self, office: str, now: int) -> tuple[str, int]: ...
    def session_office(self, token: str, now: int) -> str | None: ...
    def create_window(self, office: str, recipient: str, now: int) -> tuple[str, str, int]: ...
    def window_by_code(self, code: str, now: int) -> Window | None: ...
    def window(self, window_id: str, now: int) -> Window | None: ...
    def window_upload(self, window_id: str) -> str | None: ...
    def sweep(self, now: int) -> dict[str, int]: ...


def _ensure_secret(path: Path) -> bytes:
    """The keyed-hash secret: made once, then only read.

    Written whole to a temporary file (created with O_EXCL), then published with a hard
    link, which fails if the name exists: two processes starting together never read a
    half-written secret, and the first one's secret is the only one.
    """
    if not path.exists():
        tmp = path.with_name(f".secret-{os.getpid()}-{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process published its secret first: use that one
        finally:
            tmp.unlink()
    data = path.read_bytes()
    if len(data) != 32:
        raise OSError(f"{path}: the relay secret must be 32 bytes")
    return data


# --- where the ciphertext lives ---------------------------------------------------------------


class Blobs(Protocol):
    """The ciphertext half of a store. Calls that take `db` run inside its write transaction
    (so on PostgreSQL the bytes and the record change together)."""

    def start(self, upload_id: str) -> None: ...
    def write(self, db: Database, upload_id: str, offset: int, data: bytes) -> None: ...
    def head(self, db: Database, upload_id: str, size: int) -> bytes: ...
    def seal(self, db: Database, upload_id: str) -> None: ...
    def drop(self, db: Database, upload_id: str) -> None: ...
    def open(self, upload_id: str) -> Ciphertext | None: ...
    def orphans(self, db: Database) -> int: ...


class FileBlobs:
    """`blobs/<id>.part` while arriving, `blobs/<id>.age` once complete (module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def part(self, upload_id: str) -> Path:
        assert valid_id(upload_id)
        return self.folder / f"{upload_id}.part"

    def blob(self, upload_id: str) -> Path:
        assert valid_id(upload_id)
        return self.folder / f"{upload_id}.age"

    def start(self, upload_id: str) -> None:
        # Made empty now, so every chunk is a write at an offset into an existing file.
        os.close(os.open(self.part(upload_id), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))

    def write(self, db: Database, upload_id: str, offset: int, data: bytes) -> None:
        with open(self.part(upload_id), "r+b") as out:
            out.seek(offset)
            out.write(data)
            out.truncate()  # bytes left by a write the database never recorded

    def head(self, db: Database, upload_id: str, size: int) -> bytes:
        with open(self.part(upload_id), "rb+") as f:
            first = f.read(size)
            os.fsync(f.fileno())
        return first

    def seal(self, db: Database, upload_id: str) -> None:
        os.replace(self.part(upload_id), self.blob(upload_id))  # the served file appears whole

    def drop(self, db: Database, upload_id: str) -> None:
        for path in (self.part(upload_id), self.blob(upload_id)):
            with suppress(FileNotFoundError):
                path.unlink()

    def open(self, upload_id: str) -> BinaryIO | None:
        # Open before answering: an ack or sweep meanwhile cannot cut the answer short.
        try:
            return open(self.blob(upload_id), "rb")
        except FileNotFoundError:
            return None

    def orphans(self, db: Database) -> int:
        known = {r["id"] for r in db.query("SELECT id FROM uploads")}
        count = 0
        for path in self.folder.iterdir():
            if path.name.split(".", 1)[0] not in known:
                with suppress(FileNotFoundError):
                    path.unlink()
                count += 1
        return count


class TableBlobs:
    """`relay_chunks` on PostgreSQL: one bytea row per chunk, keyed by where it starts."""

    def __init__(self, opener: Any) -> None:
        self._open = opener

    def start(self, upload_id: str) -> None:
        return None

    def write(self, db: Database, upload_id: str, offset: int, data: bytes) -> None:
        # Nothing is ever stored past `received` (one transaction), but a chunk is a chunk:
        # what starts at or after `offset` is replaced.
        db.execute(
            "DELETE FROM relay_chunks WHERE upload_id = ? AND start >= ?", [upload_id, offset]
        )
        db.execute(
            "INSERT INTO relay_chunks (upload_id, start, data) VALUES (?, ?, ?)",
            [upload_id, offset, data],
        )

    def head(self, db: Database, upload_id: str, size: int) -> bytes:
        first = b""
        for row in db.query(
            "SELECT substring(data from 1 for ?) AS data FROM relay_chunks WHERE upload_id = ?"
            " AND start < ? ORDER BY start",
            [size, upload_id, size],
        ):
            first += bytes(row["data"])
        return first[:size]

    def seal(self, db: Database, upload_id: str) -> None:
        return None  # the rows commit with the record: never served half-written

    def drop(self, db: Database, upload_id: str) -> None:
        db.execute("DELETE FROM relay_chunks WHERE upload_id = ?", [upload_id])

    def open(self, upload_id: str) -> Ciphertext | None:
        with self._open() as db:
            starts = [
                int(r["start"])
                for r in db.query(
                    "SELECT start FROM relay_chunks WHERE upload_id = ? ORDER BY start",
                    [upload_id],
                )
            ]
        return _ChunkReader(self._open, upload_id, starts) if starts else None

    def orphans(self, db: Database) -> int:
        # The foreign key deletes chunks with their upload: this finds none in practice.
        rows = db.query(
            "DELETE FROM relay_chunks WHERE upload_id NOT IN (SELECT id FROM uploads)"
            " RETURNING upload_id"
        )
        return len({r["upload_id"] for r in rows})


class _ChunkReader:
    """Reads an upload's rows one at a time (memory stays at one chunk per download).

    Unlike an open file, rows an ack or the sweep deletes meanwhile are gone: the answer then
    ends short (OSError), never with other bytes."""

    def __init__(self, opener: Any, upload_id: str, starts: list[int]) -> None:
        self._open = opener
        self._id = upload_id
        self._starts = starts
        self._buffer = b""

    def read(self, size: int, /) -> bytes:
        if not self._buffer and self._starts:
            start = self._starts.pop(0)
            with self._open() as db:
                data = db.value(
                    "SELECT data FROM relay_chunks WHERE upload_id = ? AND start = ?",
                    [self._id, start],
                )
            if data is None:
                raise OSError(f"upload {self._id}: ciphertext deleted while it was read")
            self._buffer = bytes(data)
        block, self._buffer = self._buffer[:size], self._buffer[size:]
        return block

    def close(self) -> None:
        self._starts, self._buffer = [], b""


# --- the store ----------------------------------------------------------------------------


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = db.query(sql, params)
    return rows[0] if rows else None


class DatabaseRelayStore:
    """`RelayStore` over a `storage.Database` and a `Blobs` (see the module docstring)."""

    def __init__(self, opener: Any, blobs: Blobs, secret: bytes, dialect: str) -> None:
        self._open_db = opener
        self.blob_store = blobs
        self._secret = secret
        self._for_update = " FOR UPDATE" if dialect == "postgresql" else ""

    # --- plumbing ---------------------------------------------------------------------------

    def _db(self) -> AbstractContextManager[Database]:
        db: AbstractContextManager[Database] = self._open_db()
        return db

    def keyed(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _upload(row: dict[str, Any] | None) -> Upload | None:
        if row is None:
            return None
        return Upload(
            id=row["id"], office=row["office"], window_id=row["window_id"], size=row["size"],
            received=row["received"], created=row["created"], completed=row["completed"],
            expires=row["expires"], picked_up=row["picked_up"],
        )  # fmt: skip

    _UPLOAD_COLUMNS = (
        "id, office, window_id, size, received, created, completed, expires, picked_up"
    )

    def _locked_upload(self, db: Database, upload_id: str) -> dict[str, Any] | None:
        """The upload's progress, its row locked until the transaction ends (PostgreSQL; on
        SQLite BEGIN IMMEDIATE already holds the whole file)."""
        return _one(
            db,
            f"SELECT received, size, completed FROM uploads WHERE id = ?{self._for_update}",
            [upload_id],
        )

    # --- uploads ----------------------------------------------------------------------------

    def create_upload(
        self, *, office: str, window_id: str | None, size: int, now: int
    ) -> tuple[str, str, int]:
        """(id, token, expires) of a new upload; Refused("relay_full"|"window_taken")."""
        upload_id, token = new_id(), secrets.token_urlsafe(32)
        expires = now + UPLOADING_SECONDS
        with self._db() as db, db.write():
            if db.dialect == "postgresql":
                # One upload starts at a time across instances: the room and the window's
                # single upload are checked and taken together.
                db.execute("SELECT pg_advisory_xact_lock(?)", [RELAY_LOCK])
            reserved = db.value("SELECT COALESCE(SUM(size), 0) FROM uploads")
            if int(reserved) + size > MAX_STORED_BYTES:
                raise Refused("relay_full")
            if window_id is not None and db.value(
                "SELECT 1 FROM uploads WHERE window_id = ?", [window_id]
            ):
                raise Refused("window_taken")
            db.execute(
                "INSERT INTO uploads (id, token_hash, office, window_id, size, received, created,"
                " expires) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                [upload_id, self.keyed("token:" + token), office, window_id, size, now, expires],
            )
        self.blob_store.start(upload_id)
        return upload_id, token, expires

    def upload(self, upload_id: str) -> Upload | None:
        if not valid_id(upload_id):
            return None
        with self._db() as db:
            row = _one(db, f"SELECT {self._UPLOAD_COLUMNS} FROM uploads WHERE id = ?", [upload_id])
        return self._upload(row)

    def upload_for_token(self, upload_id: str, token: str) -> Upload | None:
        """The upload if `token` is the one it was made with (compared in constant time)."""
        if not valid_id(upload_id) or not token:
            return None
        with self._db() as db:
            row = _one(
                db,
                f"SELECT {self._UPLOAD_COLUMNS}, token_hash FROM uploads WHERE id = ?",
                [upload_id],
            )
        if row is None or not hmac.compare_digest(row["token_hash"], self.keyed("token:" + token)):
            return None
        return self._upload(row)

    def append(self, upload_id: str, offset: int, data: bytes, now: int) -> int:
        """Write one chunk at `offset` (must equal what was received); the new `received`.

        Done inside the write transaction, so two chunks for one upload never interleave.
        WrongOffset(received) for a chunk elsewhere; Refused for a finished upload or one
        that would exceed its size.
        """
        with self._db() as db, db.write():
            row = self._locked_upload(db, upload_id)
            if row is None:
                raise Refused("not_found")
            if row["completed"] is not None:
                raise Refused("already_complete")
            if offset != row["received"]:
                raise WrongOffset(int(row["received"]))
            if offset + len(data) > row["size"]:
                raise Refused("beyond_size")
            self.blob_store.write(db, upload_id, offset, data)
            received = offset + len(data)
            db.execute("UPDATE uploads SET received = ? WHERE id = ?", [received, upload_id])
        return received

    def complete(self, upload_id: str, now: int) -> tuple[str, int]:
        """(pickup code, expires) once every byte arrived and it starts as age does.

        Refused("incomplete"|"not_age"|"already_complete"|"not_found").
        """
        code = codes.new_pickup_code()
        expires = now + PICKUP_SECONDS
        with self._db() as db, db.write():
            row = self._locked_upload(db, upload_id)
            if row is None:
                raise Refused("not_found")
            if row["completed"] is not None:
                raise Refused("already_complete")
            if row["received"] != row["size"]:
                raise Refused("incomplete")
            first = self.blob_store.head(db, upload_id, len(envelope.AGE_FIRST_LINE))
            if first != envelope.AGE_FIRST_LINE:
                raise Refused("not_age")
            self.blob_store.seal(db, upload_id)
            for _ in range(5):  # a code already in use (45 bits: practically never)
                try:
                    with db.write():  # a savepoint: PostgreSQL would abort the whole transaction
                        db.execute(
                            "UPDATE uploads SET code_hash = ?, completed = ?, expires = ?"
                            " WHERE id = ?",
                            [self.keyed("code:" + code.replace("-", "")), now, expires, upload_id],
                        )
                    break
                except storage.Conflict:
                    code = codes.new_pickup_code()
        return code, expires

    def delete_upload(self, upload_id: str) -> bool:
        if not valid_id(upload_id):
            return False
        with self._db() as db, db.write():
            self._locked_upload(db, upload_id)
            self.blob_store.drop(db, upload_id)
            cursor = db.execute("DELETE FROM uploads WHERE id = ?", [upload_id])
        return bool(cursor.rowcount > 0)

    def find_pickup(self, office: str, code: str, now: int) -> Upload | None:
        """The completed upload of `office` with this (normalised) code, expired or not: until
        the sweep deletes it, the desk can be told the code expired rather than "unknown"."""
        with self._db() as db:
            row = _one(
                db,
                f"SELECT {self._UPLOAD_COLUMNS} FROM uploads WHERE code_hash = ? AND office = ?"
                " AND completed IS NOT NULL",
                [self.keyed("code:" + code), office],
            )
        return self._upload(row)

    def open_ciphertext(self, upload_id: str) -> Ciphertext | None:
        """The completed upload's bytes, opened; None once they were deleted (picked up)."""
        if not valid_id(upload_id):
            return None
        return self.blob_store.open(upload_id)

    def ack(self, upload_id: str, now: int) -> None:
        """The desk has it: the ciphertext goes, the record stays as picked up."""
        with self._db() as db, db.write():
            self._locked_upload(db, upload_id)
            db.execute(
                "UPDATE uploads SET picked_up = COALESCE(picked_up, ?) WHERE id = ?",
                [now, upload_id],
            )
            self.blob_store.drop(db, upload_id)

    # --- desk: challenges and sessions ------------------------------------------------------

    def create_challenge(self, office: str, secret: bytes, now: int) -> tuple[str, int]:
        challenge_id = new_id()
        expires = now + CHALLENGE_SECONDS
        with self._db() as db, db.write():
            db.execute(
                "INSERT INTO challenges (id, secret_hash, office, expires) VALUES (?, ?, ?, ?)",
                [challenge_id, hashlib.sha256(secret).hexdigest(), office, expires],
            )
        return challenge_id, expires

    def take_challenge(self, challenge_id: str, answer: bytes, now: int) -> str | None:
        """The office if `answer` is the challenge's secret; the challenge is used up either
        way (one answer per challenge, no replay: of two answers at once, on any instance,
        only one deletes the row)."""
        if not valid_id(challenge_id):
            return None
        with self._db() as db, db.write():
            row = _one(
                db,
                "DELETE FROM challenges WHERE id = ? RETURNING secret_hash, office, expires",
                [challenge_id],
            )
        if row is None or row["expires"] <= now:
            return None
        if not hmac.compare_digest(row["secret_hash"], hashlib.sha256(answer).hexdigest()):
            return None
        return str(row["office"])

    def create_session(self, office: str, now: int) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        expires = now + SESSION_SECONDS
        with self._db() as db, db.write():
            db.execute(
                "INSERT INTO desk_sessions (token_hash, office, expires) VALUES (?, ?, ?)",
                [self.keyed("desk:" + token), office, expires],
            )
        return token, expires

    def session_office(self, token: str, now: int) -> str | None:
        if not token or len(token) > 200:
            return None
        with self._db() as db:
            office = db.value(
                "SELECT office FROM desk_sessions WHERE token_hash = ? AND expires > ?",
                [self.keyed("desk:" + token), now],
            )
        return None if office is None else str(office)

    # --- windows ----------------------------------------------------------------------------

    def create_window(self, office: str, recipient: str, now: int) -> tuple[str, str, int]:
        window_id = new_id()
        expires = now + WINDOW_SECONDS
        for _ in range(20):  # 25-bit codes: a live collision is possible, so try another
            code = codes.new_window_code()
            try:
                with self._db() as db, db.write():
                    db.execute(
                        "INSERT INTO windows (id, code_hash, office, recipient, expires)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [window_id, self.keyed("window:" + code.replace("-", "")), office,
                         recipient, expires],
                    )  # fmt: skip
                return window_id, code, expires
            except storage.Conflict:
                with self._db() as db, db.write():
                    db.execute("DELETE FROM windows WHERE expires <= ?", [now])
        raise Refused("relay_full")

    @staticmethod
    def _window(row: dict[str, Any] | None) -> Window | None:
        if row is None:
            return None
        return Window(
            id=row["id"], office=row["office"], recipient=row["recipient"], expires=row["expires"]
        )

    def window_by_code(self, code: str, now: int) -> Window | None:
        with self._db() as db:
            row = _one(
                db,
                "SELECT id, office, recipient, expires FROM windows WHERE code_hash = ?"
                " AND expires > ?",
                [self.keyed("window:" + code), now],
            )
        return self._window(row)

    def window(self, window_id: str, now: int) -> Window | None:
        if not valid_id(window_id):
            return None
        with self._db() as db:
            row = _one(
                db,
                "SELECT id, office, recipient, expires FROM windows WHERE id = ? AND expires > ?",
                [window_id, now],
            )
        return self._window(row)

    def window_upload(self, window_id: str) -> str | None:
        with self._db() as db:
            found = db.value(
                "SELECT id FROM uploads WHERE window_id = ? AND completed IS NOT NULL",
                [window_id],
            )
        return None if found is None else str(found)

    # --- expiry -----------------------------------------------------------------------------

    def sweep(self, now: int) -> dict[str, int]:
        """Delete everything expired at `now`, and ciphertext no record owns."""
        counts: dict[str, int] = {}
        with self._db() as db, db.write():
            expired = [
                r["id"] for r in db.query("SELECT id FROM uploads WHERE expires <= ?", [now])
            ]
            for upload_id in expired:
                self.blob_store.drop(db, upload_id)
            db.execute("DELETE FROM uploads WHERE expires <= ?", [now])
            counts["uploads"] = len(expired)
            for table in ("windows", "challenges", "desk_sessions"):
                counts[table] = db.execute(
                    f"DELETE FROM {table} WHERE expires <= ?", [now]
                ).rowcount
            counts["orphan_files"] = self.blob_store.orphans(db)
        return counts


#: The advisory lock (PostgreSQL) that one starting upload holds: "entrega" in ASCII.
RELAY_LOCK = int.from_bytes(b"entrega", "big")


class SqliteRelayStore(DatabaseRelayStore):
    """`relay.db`, `secret` and `blobs/` in one folder (the default; module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(root, 0o700)
        self.db_path = root / "relay.db"
        super().__init__(
            lambda: storage.open_sqlite(self.db_path, "relay"),
            FileBlobs(self.blobs),
            _ensure_secret(root / "secret"),
            "sqlite",
        )
        with self._db():
            pass  # made and migrated now, not on the first request


class PostgresRelayStore(DatabaseRelayStore):
    """Tables, ciphertext and secret in the PostgreSQL database of CARTILLA_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = url

        def opener() -> AbstractContextManager[Database]:
            return storage.open_postgres(url, "relay")

        with opener() as db:
            with db.write():
                db.execute(
                    "INSERT INTO relay_secret (id, secret) VALUES (1, ?)"
                    " ON CONFLICT (id) DO NOTHING",
                    [secrets.token_bytes(32)],
                )
            secret = bytes(db.value("SELECT secret FROM relay_secret WHERE id = 1"))
        if len(secret) != 32:
            raise OSError("relay_secret: the relay secret must be 32 bytes")
        super().__init__(opener, TableBlobs(opener), secret, "postgresql")


def open_store(settings: Settings) -> DatabaseRelayStore:
    """The relay's store for these settings: PostgreSQL when CARTILLA_DATABASE_URL is set,
    else the folder `state_dir / "entrega"`."""
    if settings.database_url:
        return PostgresRelayStore(settings.database_url)
    return SqliteRelayStore(settings.state_dir / "entrega")
