"""Which push endpoints the server will ever POST to, and checks on subscription keys.

The endpoint comes from the browser, so without a check the server could be told to send
requests anywhere (SSRF). Only https URLs of the real push services pass; plain-http loopback
passes only in test mode, for the local mock push service.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from server.push.schema import MAX_ENDPOINT_LENGTH

#: Hosts that are push services themselves.
ALLOWED_HOSTS: frozenset[str] = frozenset(
    {
        "fcm.googleapis.com",
        "web.push.apple.com",
        "updates.push.services.mozilla.com",
    }
)
#: Host suffixes of push services with many regional hosts.
ALLOWED_SUFFIXES: tuple[str, ...] = (
    ".push.services.mozilla.com",
    ".push.apple.com",
    ".notify.windows.com",
)


def endpoint_problem(endpoint: str, *, test_mode: bool) -> str | None:
    """Why `endpoint` is not acceptable, in English for logs and tests, or None if it is."""
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return "too long"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in endpoint):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "not a URL"
    host = (parts.hostname or "").lower()
    if not host:
        return "no host"
    if parts.username is not None or parts.password is not None:
        return "contains a user name or password"
    if parts.fragment:
        return "contains a fragment"
    if parts.scheme == "https":
        if port not in (None, 443):
            return "uses a port other than 443"
        if host in ALLOWED_HOSTS or any(host.endswith(suffix) for suffix in ALLOWED_SUFFIXES):
            return None
        if test_mode and _is_loopback(host):
            return None
        return "is not a known push service"
    if parts.scheme == "http" and test_mode and _is_loopback(host):
        return None
    return "is not an https push service URL"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def decode_base64url(text: str) -> bytes | None:
    """Bytes of an unpadded or padded base64url string, or None if it is not one."""
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        return None


def p256dh_problem(p256dh: str) -> str | None:
    """Why the browser's P-256 public key is unusable, or None: it must be a curve point."""
    raw = decode_base64url(p256dh)
    if raw is None or len(raw) != 65 or raw[0] != 0x04:
        return "not an uncompressed P-256 public key"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "not a point on the P-256 curve"
    return None


def auth_problem(auth: str) -> str | None:
    """Why the browser's auth secret is unusable, or None: it must be 16 bytes."""
    raw = decode_base64url(auth)
    if raw is None or len(raw) != 16:
        return "not a 16-byte auth secret"
    return None
