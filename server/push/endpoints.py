"""Which push endpoints the server will ever POST to, and checks on subscription keys.

The endpoint comes from the browser, so without a check the server could be told to send
requests anywhere (SSRF). The danger is two parsers disagreeing: if the check reads one host
and the HTTP library another (`https://evil.com\\.push.apple.com/`), the check is worthless.
So `parse_endpoint` accepts only a strict grammar on which every URL parser agrees:

    https://<host><path>[?<query>]

- host: DNS labels of ASCII letters, digits and inner hyphens, lower-cased; no userinfo, no
  port (`:443` is accepted and dropped), no IP literal, no `%`, `\\`, `;`, NUL, soft hyphen
  or any other non-ASCII character;
- path and query: printable ASCII from a fixed set, `%` only as `%XX` and never a control
  character; no fragment.

The host must be a push service exactly, or end in one of its suffixes on a label boundary.
The URL is then re-serialised from the parts, checked once more against urllib3 (the parser
requests uses to send), stored in that form, and `cartilla notify` sends to exactly that
string. Plain-http loopback (`http://127.0.0.1:PORT/...`) passes only in test mode, for the
local mock push service.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from urllib3.util import parse_url

from server.push.schema import MAX_ENDPOINT_LENGTH

#: Hosts that are push services themselves.
ALLOWED_HOSTS: frozenset[str] = frozenset(
    {
        "fcm.googleapis.com",
        "web.push.apple.com",
        "updates.push.services.mozilla.com",
    }
)
#: Host suffixes of push services with many regional hosts (each starts on a label boundary).
ALLOWED_SUFFIXES: tuple[str, ...] = (
    ".push.services.mozilla.com",
    ".push.apple.com",
    ".notify.windows.com",
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
# Path and query characters: RFC 3986 unreserved and sub-delims minus `;`, plus `:@/`,
# and `%` only as the start of a %XX escape (checked separately).
_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,=:@/%]*")
_QUERY = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,=:@/?%]*")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})|%[01][0-9A-Fa-f]|%7[Ff]")
_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|\[::1\]):([0-9]{1,5})(/.*)?", re.S)


@dataclass(frozen=True, slots=True)
class PushEndpoint:
    """An endpoint that passed the grammar: the canonical URL and its host."""

    url: str
    host: str


class EndpointRefused(ValueError):
    """Why an endpoint is not acceptable, in English for logs and tests."""


def parse_endpoint(endpoint: str, *, test_mode: bool) -> PushEndpoint:
    """The canonical form of a push endpoint the server may POST to, or EndpointRefused."""
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused("too long")
    if not endpoint.isascii() or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in endpoint):
        raise EndpointRefused("contains spaces, control or non-ASCII characters")
    if "\\" in endpoint or ";" in endpoint:
        raise EndpointRefused("contains a backslash or a semicolon")
    if "#" in endpoint:
        raise EndpointRefused("contains a fragment")
    if test_mode:
        loopback = _LOOPBACK.fullmatch(endpoint)
        if loopback:
            host, number = loopback.group(1), int(loopback.group(2))
            if not 0 < number < 65536:
                raise EndpointRefused("has a port out of range")
            return _checked(f"http://{host}:{number}", host, loopback.group(3) or "/")
    scheme, sep, rest = endpoint.partition("://")
    if not sep or scheme.lower() != "https":
        raise EndpointRefused("is not an https push service URL")
    slash = rest.find("/")
    if slash < 0:
        query_at = rest.find("?")
        authority, tail = (rest, "/") if query_at < 0 else (rest[:query_at], "/" + rest[query_at:])
    else:
        authority, tail = rest[:slash], rest[slash:]
    if "@" in authority:
        raise EndpointRefused("contains a user name or password")
    if "%" in authority:
        raise EndpointRefused("has a %-escape in the host")
    host, colon, port = authority.partition(":")
    if colon and port != "443":
        raise EndpointRefused("uses a port other than 443")
    host = host.lower()
    if not host:
        raise EndpointRefused("no host")
    if len(host) > 253 or not _HOST.fullmatch(host) or host.rsplit(".", 1)[-1].isdigit():
        raise EndpointRefused("has a host that is not a DNS name")
    if host not in ALLOWED_HOSTS and not host.endswith(ALLOWED_SUFFIXES):
        raise EndpointRefused("is not a known push service")
    return _checked("https://" + host, host, tail)


def _checked(origin: str, host: str, tail: str) -> PushEndpoint:
    """Re-serialise and make sure the sending library reads the same host."""
    path, question, query = tail.partition("?")
    if not _PATH.fullmatch(path) or (question and not _QUERY.fullmatch(query)):
        raise EndpointRefused("has characters a push endpoint path never has")
    if _ESCAPE.search(tail):
        raise EndpointRefused("has a malformed or control-character %-escape")
    url = origin + tail
    parsed = parse_url(url)  # what requests will connect to
    if (parsed.host or "").strip("[]") != host.strip("[]") or parsed.auth:
        raise EndpointRefused("is read differently by the HTTP library")
    return PushEndpoint(url=url, host=host)


def endpoint_problem(endpoint: str, *, test_mode: bool) -> str | None:
    """Why `endpoint` is not acceptable, in English for logs and tests, or None if it is."""
    try:
        parse_endpoint(endpoint, test_mode=test_mode)
    except EndpointRefused as exc:
        return str(exc)
    return None


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
