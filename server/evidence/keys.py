"""Which server receipt keys exist and which a verifier trusts: the history, with ids.

A receipt is only worth something when its key is the Cartilla server's, known from
outside the bundle (the server's key files, /.well-known/cartilla-receipt-key, or a file
staff saved from it). Keys inside a bundle are never trusted for receipts.

The server keeps one current private key and a public history of every key it has used
(`receipt_keys.json` beside the key, with each key's id and when it was valid), so a
bundle made before the key was replaced still verifies. The history is written under a
lock and replaced atomically, so several worker processes agree on it.

Several instances (CARTILLA_DATABASE_URL set, `database_url=` below): each instance still
keeps its own private key file (a private key never leaves its machine), but the public
history is the PostgreSQL table `receipt_keys` (server/migrations/receipts/), which every
instance adds its key to. So /.well-known/cartilla-receipt-key on any instance lists every
instance's keys (its own current one at the top level) and any instance verifies receipts
any other signed. A rotation closes (`valid_until`) the rotated key only; the other
instances' current keys stay current. An instance that had a receipt_keys.json before
copies its records into the table when it starts, so its older receipts still verify.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from server import storage
from server.evidence.errors import BundleError
from server.evidence.receipts import (
    KeyId,
    ReceiptKeyError,
    UtcTime,
    key_id_of,
    load_or_create_key,
    public_key_from_b64url,
    public_key_info,
    remove_stale_temp_files,
    utc_now,
    write_new_key_file,
)


class KeyRecord(msgspec.Struct, kw_only=True):
    """One receipt key the server has used; `valid_until` is None for the current key."""

    key_id: KeyId
    algorithm: str
    public_key: str  # base64url of the raw 32-byte Ed25519 key
    valid_from: UtcTime
    valid_until: UtcTime | None = None


class KeyHistory(msgspec.Struct, kw_only=True):
    keys: list[KeyRecord] = msgspec.field(default_factory=list)


class PublishedKeys(msgspec.Struct, kw_only=True):
    """/.well-known/cartilla-receipt-key: the current key (top level) and every key used."""

    algorithm: str
    key_id: KeyId
    public_key: str
    public_key_pem: str
    keys: list[KeyRecord]


def history_path(key_path: Path) -> Path:
    return key_path.with_name("receipt_keys.json")


@contextlib.contextmanager
def _locked(key_path: Path) -> Iterator[None]:
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path.with_name(".receipt_keys.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _table(database_url: str) -> contextlib.AbstractContextManager[storage.Database]:
    return storage.open_postgres(database_url, "receipts")


#: Oldest first; of keys made in the same second, the one already retired first.
_ORDER = "ORDER BY valid_from, valid_until IS NULL, valid_until, key_id"


def _table_history(database_url: str) -> KeyHistory:
    with _table(database_url) as db:
        rows = db.query(
            f"SELECT key_id, algorithm, public_key, valid_from, valid_until FROM receipt_keys"
            f" {_ORDER}"
        )
    return msgspec.convert({"keys": rows}, type=KeyHistory)


def _storage_problem(exc: storage.StorageBusy) -> ReceiptKeyError:
    return ReceiptKeyError(f"receipt_keys (PostgreSQL): {type(exc).__name__}: {exc}")


def read_history(key_path: Path, database_url: str | None = None) -> KeyHistory:
    """The recorded history (empty when there is none or it cannot be read). With a
    database URL, every instance's keys from the `receipt_keys` table (ReceiptKeyError when
    the database cannot be reached)."""
    if database_url:
        try:
            return _table_history(database_url)
        except storage.StorageBusy as exc:
            raise _storage_problem(exc) from exc
    try:
        return msgspec.json.decode(history_path(key_path).read_bytes(), type=KeyHistory)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return KeyHistory()


def _write_history(key_path: Path, history: KeyHistory) -> None:
    target = history_path(key_path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as out:
            out.write(msgspec.json.encode(history))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _record(key_path: Path, key: ed25519.Ed25519PrivateKey) -> KeyHistory:
    """Add `key` to the history as the current key (closing the previous one). Locked."""
    history = read_history(key_path)
    info = public_key_info(key)
    if history.keys and history.keys[-1].key_id == info.key_id:
        return history
    now = utc_now()
    for record in history.keys:
        if record.valid_until is None:
            record.valid_until = now
    history.keys = [k for k in history.keys if k.key_id != info.key_id]
    history.keys.append(
        KeyRecord(
            key_id=info.key_id, algorithm=info.algorithm, public_key=info.public_key,
            valid_from=now,
        )
    )  # fmt: skip
    _write_history(key_path, history)
    return history


def _insert(db: storage.Database, record: KeyRecord) -> None:
    db.execute(
        "INSERT INTO receipt_keys (key_id, algorithm, public_key, valid_from, valid_until)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
        [record.key_id, record.algorithm, record.public_key, record.valid_from,
         record.valid_until],
    )  # fmt: skip


def _new_record(key: ed25519.Ed25519PrivateKey, now: str) -> KeyRecord:
    info = public_key_info(key)
    return KeyRecord(
        key_id=info.key_id, algorithm=info.algorithm, public_key=info.public_key,
        valid_from=now,
    )  # fmt: skip


def _record_in_table(
    database_url: str, key: ed25519.Ed25519PrivateKey, *, local: KeyHistory | None = None
) -> KeyHistory:
    """Add `key` (and the records of a receipt_keys.json kept before) to the shared table;
    a key already there is left as it is. The whole shared history."""
    try:
        with _table(database_url) as db, db.write():
            for record in (local or KeyHistory()).keys:
                _insert(db, record)
            _insert(db, _new_record(key, utc_now()))
        return _table_history(database_url)
    except storage.StorageBusy as exc:
        raise _storage_problem(exc) from exc


def ensure_receipt_key(key_path: Path, database_url: str | None = None) -> KeyHistory:
    """Start-up: remove temp files a killed process left, make the key once, record it
    (in the shared table when `database_url` is set).

    Raises ReceiptKeyError when the key can be neither made nor read, or not recorded.
    """
    remove_stale_temp_files(key_path)
    remove_stale_temp_files(history_path(key_path))
    try:
        with _locked(key_path):
            key = load_or_create_key(key_path)
            if database_url:
                return _record_in_table(database_url, key, local=read_history(key_path))
            return _record(key_path, key)
    except OSError as exc:
        raise ReceiptKeyError(f"{history_path(key_path)}: {exc.strerror or exc}") from exc


def _write_new_key(key_path: Path) -> tuple[Path, ed25519.Ed25519PrivateKey]:
    """A new private key, whole on disk under a temp name (O_EXCL, 0600, fsync)."""
    return write_new_key_file(key_path)


def rotate_receipt_key(key_path: Path, database_url: str | None = None) -> KeyHistory:
    """Replace the current key with a new one; the old one's public key stays in the history.

    The old key is recorded first and the new key is written whole before it is renamed
    over the old one, so a full disk or a crash at any step leaves a working key and a
    history that still verifies every receipt made so far. Raises ReceiptKeyError.

    With `database_url` the new key is in the shared table before it signs anything, and
    only the rotated key gets its `valid_until` (other instances' keys stay current).
    """
    remove_stale_temp_files(key_path)
    if database_url:
        return _rotate_in_table(key_path, database_url)
    try:
        with _locked(key_path):
            # A damaged key file has nothing to keep: replacing it is the repair.
            with contextlib.suppress(ReceiptKeyError):
                _record(key_path, load_or_create_key(key_path))
            tmp, key = _write_new_key(key_path)
            try:
                os.replace(tmp, key_path)
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            return _record(key_path, key)
    except OSError as exc:
        raise ReceiptKeyError(f"{key_path.parent}: {exc.strerror or exc}") from exc


def _rotate_in_table(key_path: Path, database_url: str) -> KeyHistory:
    try:
        with _locked(key_path):
            old: ed25519.Ed25519PrivateKey | None = None
            with contextlib.suppress(ReceiptKeyError):
                old = load_or_create_key(key_path)
                _record_in_table(database_url, old, local=read_history(key_path))
            tmp, key = _write_new_key(key_path)
            try:
                now = utc_now()
                with _table(database_url) as db, db.write():
                    _insert(db, _new_record(key, now))
                os.replace(tmp, key_path)
                if old is not None:
                    with _table(database_url) as db, db.write():
                        db.execute(
                            "UPDATE receipt_keys SET valid_until = ? WHERE key_id = ?"
                            " AND valid_until IS NULL",
                            [now, key_id_of(old.public_key())],
                        )
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            return _table_history(database_url)
    except storage.StorageBusy as exc:
        raise _storage_problem(exc) from exc
    except OSError as exc:
        raise ReceiptKeyError(f"{key_path.parent}: {exc.strerror or exc}") from exc


class KeyListing(msgspec.Struct, kw_only=True):
    """One line of `cartilla keys --list`: a key's id, dates and full fingerprint."""

    key_id: KeyId
    created: UtcTime | None
    retired: UtcTime | None
    fingerprint: str  # SHA-256 of the raw public key, hex; key_id is its first 16 characters
    current: bool


def list_receipt_keys(key_path: Path, database_url: str | None = None) -> list[KeyListing]:
    """Every receipt key this server has used (with `database_url`: every instance's),
    oldest first; never creates one."""
    current = local_public_key(key_path, database_url) or {}
    try:
        private = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        private = None
    current_id = (
        key_id_of(private.public_key()) if isinstance(private, ed25519.Ed25519PrivateKey) else None
    )
    rows: list[KeyListing] = []
    recorded = read_history(key_path, database_url).keys
    for record in recorded:
        public = current.get(record.key_id)
        if public is None:
            continue
        rows.append(
            KeyListing(
                key_id=record.key_id, created=record.valid_from,
                retired=None if record.key_id == current_id else record.valid_until,
                fingerprint=_fingerprint(public), current=record.key_id == current_id,
            )
        )  # fmt: skip
    if current_id is not None and current_id not in {r.key_id for r in rows}:
        rows.append(
            KeyListing(key_id=current_id, created=None, retired=None,
                       fingerprint=_fingerprint(current[current_id]), current=True)
        )  # fmt: skip
    return rows


def _fingerprint(public: ed25519.Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def published_keys(key_path: Path, database_url: str | None = None) -> PublishedKeys:
    """What the server publishes: its current key and every key it has signed with (with
    `database_url`: every key any instance has signed with)."""
    key = load_or_create_key(key_path)
    info = public_key_info(key)
    history = read_history(key_path, database_url)
    if database_url:
        if info.key_id not in {k.key_id for k in history.keys}:
            history = _record_in_table(database_url, key)
    elif not history.keys or history.keys[-1].key_id != info.key_id:
        with _locked(key_path):
            history = _record(key_path, key)
    return PublishedKeys(
        algorithm=info.algorithm, key_id=info.key_id, public_key=info.public_key,
        public_key_pem=info.public_key_pem, keys=history.keys,
    )  # fmt: skip


def _from_history(history: KeyHistory) -> dict[str, ed25519.Ed25519PublicKey]:
    known: dict[str, ed25519.Ed25519PublicKey] = {}
    for record in history.keys:
        try:
            public = public_key_from_b64url(record.public_key)
        except ValueError:
            continue
        if key_id_of(public) == record.key_id:  # an id that does not match its key is ignored
            known[record.key_id] = public
    return known


def known_receipt_keys(
    key_path: Path, database_url: str | None = None
) -> dict[str, ed25519.Ed25519PublicKey]:
    """Every key this server (with `database_url`: any instance) has signed receipts with
    (current and previous), by id."""
    return local_public_key(key_path, database_url) or {}


def local_public_key(
    path: Path, database_url: str | None = None
) -> dict[str, ed25519.Ed25519PublicKey] | None:
    """This server's receipt keys, current and previous (never created); None if none.
    With `database_url`, every instance's keys from the shared table as well."""
    known = _from_history(read_history(path, database_url))
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        private = None
    if isinstance(private, ed25519.Ed25519PrivateKey):
        public = private.public_key()
        known[key_id_of(public)] = public
    return known or None


def read_public_key_file(path: Path) -> dict[str, ed25519.Ed25519PublicKey]:
    """A PEM public key, or the JSON published at /.well-known/cartilla-receipt-key (with
    its whole key history, when it has one)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError("missing_file", name=str(path)) from exc
    try:
        if data.lstrip().startswith(b"{"):
            doc = json.loads(data)
            public = public_key_from_b64url(str(doc["public_key"]))
            known = {key_id_of(public): public}
            if isinstance(doc.get("keys"), list):
                known.update(_from_history(msgspec.convert({"keys": doc["keys"]}, type=KeyHistory)))
            return known
        loaded = serialization.load_pem_public_key(data)
        if not isinstance(loaded, ed25519.Ed25519PublicKey):
            raise ValueError("not Ed25519")
        public = loaded
    except (ValueError, KeyError, TypeError, msgspec.ValidationError) as exc:
        raise BundleError("bad_public_key", detail=str(path)) from exc
    return {key_id_of(public): public}


__all__ = [
    "KeyHistory",
    "KeyListing",
    "KeyRecord",
    "PublishedKeys",
    "ReceiptKeyError",
    "ensure_receipt_key",
    "known_receipt_keys",
    "list_receipt_keys",
    "local_public_key",
    "published_keys",
    "read_public_key_file",
    "rotate_receipt_key",
]
