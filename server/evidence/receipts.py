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
import datetime as dt
import hashlib
import os
import threading
from pathlib import Path
from typing import Annotated

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


_key_lock = threading.Lock()


def load_or_create_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """The server's receipt key; made on first use, written atomically with 0600 permissions."""
    with _key_lock:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, ed25519.Ed25519PrivateKey):
                raise ValueError(f"{path} is not an Ed25519 private key")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ed25519.Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
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


def check_receipt(receipt: Receipt, known: dict[str, ed25519.Ed25519PublicKey]) -> str | None:
    """None when genuine; otherwise the error code (`receipt_unknown_key`, `receipt_forged`)."""
    public = known.get(receipt.key_id)
    if public is None:
        return "receipt_unknown_key"
    try:
        signature = _b64url_decode(receipt.signature)
        public.verify(signature, receipt_message(receipt.hash, receipt.time))
    except (InvalidSignature, binascii.Error, ValueError):
        return "receipt_forged"
    return None
