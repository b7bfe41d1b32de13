"""Signatures made on the phone: Ed25519, or ECDSA P-256 where the browser lacks Ed25519.

Owns reading the bundle's `public-key.pem` (SubjectPublicKeyInfo, as WebCrypto exports it),
its fingerprint, and checking `manifest-sha256.txt.sig` (base64 of the raw signature: 64
bytes; for ECDSA the r||s form WebCrypto produces, converted to DER for `cryptography`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from server.evidence.errors import BundleError

Algorithm = Literal["Ed25519", "ECDSA-P256-SHA256"]
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def load_public_key(pem: bytes) -> tuple[PublicKey, Algorithm, str]:
    """The key, its algorithm and its fingerprint (SHA-256 of the DER key, hex)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise BundleError("bad_public_key", detail="not a PEM public key") from exc
    if isinstance(key, ed25519.Ed25519PublicKey):
        algorithm: Algorithm = "Ed25519"
    elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        algorithm = "ECDSA-P256-SHA256"
    else:
        raise BundleError("bad_public_key", detail="only Ed25519 or ECDSA P-256 keys")
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, algorithm, hashlib.sha256(der).hexdigest()


def decode_signature(text: bytes) -> bytes:
    """The raw signature from the `.sig` file (base64, whitespace ignored)."""
    try:
        raw = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return b""
    return raw


def verify_signature(key: PublicKey, signature: bytes, message: bytes) -> bool:
    """True when `signature` (raw form) is `key`'s signature of `message`."""
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            if len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
