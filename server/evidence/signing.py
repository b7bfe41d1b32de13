"""Signatures made on the phone: Ed25519, or ECDSA P-256 where the browser lacks Ed25519.

Owns reading the bundle's `public-key.pem` (SubjectPublicKeyInfo, as WebCrypto exports it),
its fingerprint, and checking `tagmanifest-sha256.txt.sig` (base64 of the raw signature: 64
bytes; for ECDSA the r||s form WebCrypto produces, converted to DER for `cryptography`).

Reading is strict and done the same way on the desk (pwa/staff/verify.js): the PEM must be
one `PUBLIC KEY` block, its DER exactly one of the two SPKI forms WebCrypto exports, the
signature exactly 88 base64 characters. Ed25519 is checked strictly before the library
verifies (OpenSSL and WebCrypto accept the identity key, for which one signature verifies
for *every* manifest): the key and the signature's R must be canonical encodings of points
in the prime-order subgroup (no small-order point, no low-order component) and S < L. With
those rules the cofactored and cofactorless equations agree, so every library agrees.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from server.evidence.errors import BundleError

Algorithm = Literal["Ed25519", "ECDSA-P256-SHA256"]
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

ED25519_SPKI = bytes.fromhex("302a300506032b6570032100")
P256_SPKI = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
_PEM = re.compile(
    r"-----BEGIN PUBLIC KEY-----\n((?:[A-Za-z0-9+/=]{1,76}\n)+)-----END PUBLIC KEY-----\n?"
)
_SIG = re.compile(r"[A-Za-z0-9+/]{86}==")
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")

# --- edwards25519, just enough to refuse weak keys and signatures -----------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
Point = tuple[int, int, int, int]  # extended coordinates X, Y, Z, T
IDENTITY: Point = (0, 1, 1, 0)


def _add(a: Point, b: Point) -> Point:
    """Complete addition on -x^2 + y^2 = 1 + d x^2 y^2 (also doubles)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * D * t1 * t2 % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k: int, point: Point) -> Point:
    result = IDENTITY
    for bit in bin(k)[2:]:
        result = _add(result, result)
        if bit == "1":
            result = _add(result, point)
    return result


def _is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def decode_point(raw: bytes) -> Point | str:
    """The point, or why not: 'non-canonical' (y >= p, or x = -0) or 'not on the curve'."""
    value = int.from_bytes(raw, "little")
    y, sign = value & ((1 << 255) - 1), value >> 255
    if y >= P:
        return "non-canonical"
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return "not on the curve"
    if x == 0 and sign:
        return "non-canonical"
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def point_problem(raw: bytes) -> str | None:
    """None for a canonical point of prime order L; otherwise what is wrong with it."""
    point = decode_point(raw)
    if isinstance(point, str):
        return point
    if _is_identity(_mul(8, point)):
        return "small order"
    if not _is_identity(_mul(L, point)):
        return "low-order component"
    return None


def ed25519_key_problem(raw: bytes) -> str | None:
    return point_problem(raw) if len(raw) == 32 else "not 32 bytes"


def ed25519_signature_problem(signature: bytes) -> str | None:
    """Why a 64-byte signature is malleable or degenerate (S >= L, weak R), else None."""
    if len(signature) != 64:
        return None  # plainly invalid; the library says so
    if int.from_bytes(signature[32:], "little") >= L:
        return "S >= L"
    problem = point_problem(signature[:32])
    return None if problem in (None, "not on the curve") else f"R: {problem}"


# --- reading the bundle's files --------------------------------------------------------


def _der_from_pem(pem: bytes) -> bytes:
    try:
        text = pem.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BundleError("bad_public_key", detail="not a PEM public key") from exc
    match = _PEM.fullmatch(text)
    if not match:
        raise BundleError("bad_public_key", detail="not a PEM public key")
    body = "".join(match.group(1).split())
    if not _B64.fullmatch(body):
        raise BundleError("bad_public_key", detail="not a PEM public key")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BundleError("bad_public_key", detail="not a PEM public key") from exc


def load_public_key(pem: bytes) -> tuple[PublicKey, Algorithm, str]:
    """The key, its algorithm and its fingerprint (SHA-256 of the DER key, hex)."""
    der = _der_from_pem(pem)
    key: PublicKey
    if len(der) == 44 and der.startswith(ED25519_SPKI):
        raw = der[len(ED25519_SPKI) :]
        problem = ed25519_key_problem(raw)
        if problem:
            raise BundleError("weak_public_key", detail=problem)
        key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        algorithm: Algorithm = "Ed25519"
    elif len(der) == 91 and der.startswith(P256_SPKI) and der[26] == 4:
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), der[26:])
        except ValueError as exc:
            raise BundleError("bad_public_key", detail="not a point on P-256") from exc
        algorithm = "ECDSA-P256-SHA256"
    else:
        raise BundleError("bad_public_key", detail="only Ed25519 or ECDSA P-256 keys")
    return key, algorithm, hashlib.sha256(der).hexdigest()


def decode_signature(text: bytes) -> bytes:
    """The raw 64-byte signature from the `.sig` file (88 base64 characters), else b""."""
    compact = b"".join(text.split())
    if not _SIG.fullmatch(compact.decode("ascii", "replace")):
        return b""
    return base64.b64decode(compact, validate=True)


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
    except (InvalidSignature, ValueError):
        return False
    return True
