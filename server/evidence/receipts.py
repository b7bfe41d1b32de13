"""Time receipts: the server signs {hash, time} with its own Ed25519 key and keeps nothing.

A receipt shows that a journal head hash existed no later than the server's clock said. The
phone sends only the hash (64 hex characters); it carries no record, name or device
identifier, and the server writes nothing about it: the signed receipt itself, kept by the
worker, is the proof, so a server-side list would add only a record of who asked when.

The signed message is the UTF-8 text `cartilla-receipt-v1\\n<hash>\\n<time>` so anyone can
rebuild it. `key_id` is the first 16 hex characters of SHA-256 over the raw 32-byte key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

Hex64 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$", description="SHA-256, hex")]
KeyId = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{16}$")]
UtcTime = Annotated[
    str,
    msgspec.Meta(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", description="UTC, to the second"),
]
Base64Url = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{86}$")]

RECEIPT_PREFIX = "cartilla-receipt-v1"


class ReceiptRequest(msgspec.Struct, forbid_unknown_fields=True):
    """What the phone sends: only the current head hash of its journal."""

    hash: Hex64


class Receipt(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A signed statement: this hash existed no later than `time` (server clock, UTC)."""

    hash: Hex64
    time: UtcTime
    key_id: KeyId
    signature: Base64Url


class ReceiptKey(msgspec.Struct, kw_only=True):
    """The server's public receipt key, as published at /.well-known/cartilla-receipt-key."""

    algorithm: str
    key_id: KeyId
    public_key: str  # base64url of the raw 32-byte Ed25519 key
    public_key_pem: str


def receipt_message(hash_hex: str, time: str) -> bytes:
    return f"{RECEIPT_PREFIX}\n{hash_hex}\n{time}".encode()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_of(public: ed25519.Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class ReceiptKeyError(Exception):
    """The receipt key cannot be made or read (a full disk, a damaged key file)."""


_key_lock = threading.Lock()
_key_cache: dict[Path, tuple[tuple[int, int, int], ed25519.Ed25519PrivateKey]] = {}


def _tmp_name(path: Path) -> Path:
    # Unique per attempt: a failed attempt can never block a later one by its name.
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")


def remove_stale_temp_files(path: Path, older_than: float = 60.0) -> int:
    """Delete temp files a killed process left beside `path`; returns how many."""
    removed = 0
    now = time.time()
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if now - stale.stat().st_mtime >= older_than:
                stale.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def write_new_key_file(path: Path) -> tuple[Path, ed25519.Ed25519PrivateKey]:
    """A new private key written whole to a private temp file beside `path` (O_EXCL, 0600,
    fsync): the caller links or renames it into place, or removes it."""
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = _tmp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(pem)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        os.close(fd)
    return tmp, key


def _create_once(path: Path) -> None:
    """Write a new key to `path` unless one is already there, safely across processes.

    The key is written whole to a private temp file (O_EXCL, 0600, fsync) and then linked
    into place; `link` fails when `path` exists, so when several worker processes race,
    exactly one key wins and every process then reads that one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, _ = write_new_key_file(path)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return  # another process won the race: its key is the key
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def load_or_create_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """The server's receipt key; made once (0600), then read (and kept while unchanged).

    Raises ReceiptKeyError when it can be neither made nor read.
    """
    with _key_lock:
        try:
            if not path.exists():
                _create_once(path)
            st = path.stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
            cached = _key_cache.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except OSError as exc:
            raise ReceiptKeyError(f"{path}: {exc.strerror or exc}") from exc
        except (ValueError, TypeError) as exc:
            raise ReceiptKeyError(f"{path} is not a readable private key") from exc
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ReceiptKeyError(f"{path} is not an Ed25519 private key")
        _key_cache[path] = (stamp, key)
        return key


def public_key_info(key: ed25519.Ed25519PrivateKey) -> ReceiptKey:
    public = key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return ReceiptKey(
        algorithm="Ed25519", key_id=key_id_of(public), public_key=_b64url(raw),
        public_key_pem=pem.decode(),
    )  # fmt: skip


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_receipt(key: ed25519.Ed25519PrivateKey, hash_hex: str, time: str | None = None) -> Receipt:
    when = time or utc_now()
    signature = key.sign(receipt_message(hash_hex, when))
    return Receipt(
        hash=hash_hex, time=when, key_id=key_id_of(key.public_key()), signature=_b64url(signature)
    )


def public_key_from_b64url(text: str) -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(_b64url_decode(text))


#: Codes from `check_receipt` that mean "could not check", not "not genuine": the receipt
#: names a key this verifier does not know (another server, or a key it was never given).
#: A verifier reports these as a note on the receipts check, never as a failure.
UNCHECKED_CODES = frozenset({"receipt_unknown_key"})


def check_receipt(receipt: Receipt, known: dict[str, ed25519.Ed25519PublicKey]) -> str | None:
    """None when genuine; otherwise the error code (`receipt_unknown_key`, `receipt_forged`).

    `receipt_unknown_key` is in UNCHECKED_CODES: see `receipt_verdict`.
    """
    public = known.get(receipt.key_id)
    if public is None:
        return "receipt_unknown_key"
    try:
        signature = _b64url_decode(receipt.signature)
        public.verify(signature, receipt_message(receipt.hash, receipt.time))
    except (InvalidSignature, binascii.Error, ValueError):
        return "receipt_forged"
    return None


def receipt_verdict(
    receipt: Receipt, known: dict[str, ed25519.Ed25519PublicKey] | None
) -> Literal["genuine", "forged", "unchecked"]:
    """Three outcomes: the signature holds, it does not, or the key is not known here."""
    if known is None:
        return "unchecked"
    code = check_receipt(receipt, known)
    if code is None:
        return "genuine"
    return "unchecked" if code in UNCHECKED_CODES else "forged"
