"""The relay's storage: one interface (`RelayStore`), one implementation on SQLite + files.

Everything lives under `settings.state_dir / "entrega"`:

- `relay.db` (SQLite, WAL): the tables below, nothing else.
- `secret`: 32 random bytes, made once (O_EXCL temporary file, published with a hard link, so
  two processes starting together agree on one), the key of every keyed hash (HMAC-SHA256)
  of a code or token.
- `blobs/<id>.part` while an upload arrives, renamed to `blobs/<id>.age` (after fsync) when it
  completes, so a half-written file is never served; deleted on ack, delete or expiry.

Tables (docs/entrega.md, "What the relay stores"): `uploads` (id, keyed hashes of the phone's
token and of the pickup code, office, window id for an upload to a window, size, received,
created, completed, expires, picked_up), `windows` (id, keyed hash of the code, office, the
one-time recipient, expires), `challenges` (id, hash of the secret, office, expires) and
`desk_sessions` (keyed hash of the token, office, expires). No address, no user agent, no
worker data: the relay never sees plaintext.

Every write is one `BEGIN IMMEDIATE` transaction with a bounded wait for the lock, the
pattern and helper of server/push/store.py (`write`); `RelayBusy` when the wait runs out.
Times are Unix seconds passed in by the caller (`now`), so tests drive expiry with a clock.

Several server instances: point them all at one shared `state_dir` (a local or network file
system with working POSIX locks, for example one host's disk shared by processes); SQLite's
locking and the O_EXCL secret make that safe. A store on another machine would implement
the same `RelayStore` protocol (docs/entrega.md, "Running the relay").
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from server import storage
from server.entrega import codes, envelope
from server.storage import BUSY_TIMEOUT_MS, Database

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

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, code_hash TEXT UNIQUE, office TEXT NOT NULL,
    window_id TEXT, size INTEGER NOT NULL, received INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL, completed INTEGER, expires INTEGER NOT NULL, picked_up INTEGER
);
CREATE INDEX IF NOT EXISTS uploads_expires ON uploads (expires);
CREATE INDEX IF NOT EXISTS uploads_window ON uploads (window_id);
CREATE TABLE IF NOT EXISTS windows (
    id TEXT PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, office TEXT NOT NULL,
    recipient TEXT NOT NULL, expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS challenges (
    id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, office TEXT NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS desk_sessions (
    token_hash TEXT PRIMARY KEY, office TEXT NOT NULL, expires INTEGER NOT NULL
);
"""


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
    def ciphertext_path(self, upload_id: str) -> Path: ...
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


class SqliteRelayStore:
    """`RelayStore` on one SQLite file and a folder of blobs (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(root, 0o700)
        self.db_path = root / "relay.db"
        self._secret = _ensure_secret(root / "secret")
        with self._db() as db:
            db.conn.executescript(SCHEMA)

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _db(self) -> Iterator[Database]:
        if not self.db_path.exists():
            with suppress(FileExistsError):
                os.close(os.open(self.db_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA secure_delete = ON")  # deleted rows leave no bytes behind
            conn.execute("PRAGMA journal_mode = WAL")
            conn.row_factory = sqlite3.Row
            yield Database(conn, "sqlite")
        finally:
            conn.close()

    def keyed(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def _part(self, upload_id: str) -> Path:
        assert valid_id(upload_id)
        return self.blobs / f"{upload_id}.part"

    def _blob(self, upload_id: str) -> Path:
        assert valid_id(upload_id)
        return self.blobs / f"{upload_id}.age"

    def _drop_files(self, upload_id: str) -> None:
        for path in (self._part(upload_id), self._blob(upload_id)):
            with suppress(FileNotFoundError):
                path.unlink()

    @staticmethod
    def _upload(row: sqlite3.Row | None) -> Upload | None:
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

    # --- uploads ----------------------------------------------------------------------------

    def create_upload(
        self, *, office: str, window_id: str | None, size: int, now: int
    ) -> tuple[str, str, int]:
        """(id, token, expires) of a new upload; Refused("relay_full"|"window_taken")."""
        upload_id, token = new_id(), secrets.token_urlsafe(32)
        expires = now + UPLOADING_SECONDS
        with self._db() as db, db.write():
            reserved = db.execute("SELECT COALESCE(SUM(size), 0) FROM uploads").fetchone()[0]
            if reserved + size > MAX_STORED_BYTES:
                raise Refused("relay_full")
            if window_id is not None:
                taken = db.execute(
                    "SELECT 1 FROM uploads WHERE window_id = ?", [window_id]
                ).fetchone()
                if taken:
                    raise Refused("window_taken")
            db.execute(
                "INSERT INTO uploads (id, token_hash, office, window_id, size, received, created,"
                " expires) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                [upload_id, self.keyed("token:" + token), office, window_id, size, now, expires],
            )
        # Made empty now, so every chunk is a write at an offset into an existing file.
        fd = os.open(self._part(upload_id), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        return upload_id, token, expires

    def upload(self, upload_id: str) -> Upload | None:
        if not valid_id(upload_id):
            return None
        with self._db() as db:
            row = db.execute(
                f"SELECT {self._UPLOAD_COLUMNS} FROM uploads WHERE id = ?", [upload_id]
            ).fetchone()
        return self._upload(row)

    def upload_for_token(self, upload_id: str, token: str) -> Upload | None:
        """The upload if `token` is the one it was made with (compared in constant time)."""
        if not valid_id(upload_id) or not token:
            return None
        with self._db() as db:
            row = db.execute(
                f"SELECT {self._UPLOAD_COLUMNS}, token_hash FROM uploads WHERE id = ?",
                [upload_id],
            ).fetchone()
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
            row = db.execute(
                "SELECT received, size, completed FROM uploads WHERE id = ?", [upload_id]
            ).fetchone()
            if row is None:
                raise Refused("not_found")
            if row["completed"] is not None:
                raise Refused("already_complete")
            if offset != row["received"]:
                raise WrongOffset(row["received"])
            if offset + len(data) > row["size"]:
                raise Refused("beyond_size")
            with open(self._part(upload_id), "r+b") as out:
                out.seek(offset)
                out.write(data)
                out.truncate()  # bytes left by a write the database never recorded
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
            row = db.execute(
                "SELECT received, size, completed FROM uploads WHERE id = ?", [upload_id]
            ).fetchone()
            if row is None:
                raise Refused("not_found")
            if row["completed"] is not None:
                raise Refused("already_complete")
            if row["received"] != row["size"]:
                raise Refused("incomplete")
            part = self._part(upload_id)
            with open(part, "rb+") as f:
                first = f.read(len(envelope.AGE_FIRST_LINE))
                os.fsync(f.fileno())
            if first != envelope.AGE_FIRST_LINE:
                raise Refused("not_age")
            os.replace(part, self._blob(upload_id))  # the served file appears whole
            for _ in range(5):  # a code already in use (45 bits: practically never)
                try:
                    db.execute(
                        "UPDATE uploads SET code_hash = ?, completed = ?, expires = ? WHERE id = ?",
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
            cursor = db.execute("DELETE FROM uploads WHERE id = ?", [upload_id])
            self._drop_files(upload_id)
        return bool(cursor.rowcount > 0)

    def find_pickup(self, office: str, code: str, now: int) -> Upload | None:
        """The completed upload of `office` with this (normalised) code, expired or not: until
        the sweep deletes it, the desk can be told the code expired rather than "unknown"."""
        with self._db() as db:
            row = db.execute(
                f"SELECT {self._UPLOAD_COLUMNS} FROM uploads WHERE code_hash = ? AND office = ?"
                " AND completed IS NOT NULL",
                [self.keyed("code:" + code), office],
            ).fetchone()
        return self._upload(row)

    def ciphertext_path(self, upload_id: str) -> Path:
        return self._blob(upload_id)

    def ack(self, upload_id: str, now: int) -> None:
        """The desk has it: the ciphertext goes, the record stays as picked up."""
        with self._db() as db, db.write():
            db.execute(
                "UPDATE uploads SET picked_up = COALESCE(picked_up, ?) WHERE id = ?",
                [now, upload_id],
            )
            with suppress(FileNotFoundError):
                self._blob(upload_id).unlink()

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
        way (one answer per challenge, no replay)."""
        if not valid_id(challenge_id):
            return None
        with self._db() as db, db.write():
            row = db.execute(
                "SELECT secret_hash, office, expires FROM challenges WHERE id = ?",
                [challenge_id],
            ).fetchone()
            db.execute("DELETE FROM challenges WHERE id = ?", [challenge_id])
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
            row = db.execute(
                "SELECT office FROM desk_sessions WHERE token_hash = ? AND expires > ?",
                [self.keyed("desk:" + token), now],
            ).fetchone()
        return None if row is None else str(row["office"])

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
    def _window(row: sqlite3.Row | None) -> Window | None:
        if row is None:
            return None
        return Window(
            id=row["id"], office=row["office"], recipient=row["recipient"], expires=row["expires"]
        )

    def window_by_code(self, code: str, now: int) -> Window | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id, office, recipient, expires FROM windows WHERE code_hash = ?"
                " AND expires > ?",
                [self.keyed("window:" + code), now],
            ).fetchone()
        return self._window(row)

    def window(self, window_id: str, now: int) -> Window | None:
        if not valid_id(window_id):
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT id, office, recipient, expires FROM windows WHERE id = ? AND expires > ?",
                [window_id, now],
            ).fetchone()
        return self._window(row)

    def window_upload(self, window_id: str) -> str | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id FROM uploads WHERE window_id = ? AND completed IS NOT NULL",
                [window_id],
            ).fetchone()
        return None if row is None else str(row["id"])

    # --- expiry -----------------------------------------------------------------------------

    def sweep(self, now: int) -> dict[str, int]:
        """Delete everything expired at `now`, and blob files no record owns."""
        counts: dict[str, int] = {}
        with self._db() as db, db.write():
            expired = [r[0] for r in db.execute("SELECT id FROM uploads WHERE expires <= ?", [now])]
            db.execute("DELETE FROM uploads WHERE expires <= ?", [now])
            for upload_id in expired:
                self._drop_files(upload_id)
            counts["uploads"] = len(expired)
            for table in ("windows", "challenges", "desk_sessions"):
                counts[table] = db.execute(
                    f"DELETE FROM {table} WHERE expires <= ?", [now]
                ).rowcount
            known = {r[0] for r in db.execute("SELECT id FROM uploads")}
            orphans = 0
            for path in self.blobs.iterdir():
                stem = path.name.split(".", 1)[0]
                if stem not in known:
                    with suppress(FileNotFoundError):
                        path.unlink()
                    orphans += 1
            counts["orphan_files"] = orphans
        return counts


def open_store(state_dir: Path) -> SqliteRelayStore:
    """The relay's store for a server's state folder."""
    return SqliteRelayStore(state_dir / "entrega")
