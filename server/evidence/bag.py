"""BagIt (RFC 8493) for bundles: the tag files' text, parsing them, and checking hashes.

Owns writing and reading `bagit.txt`, `bag-info.txt`, `manifest-sha256.txt` and
`tagmanifest-sha256.txt`. Manifest lines use two spaces between hash and path, the form
`sha256sum -c` reads, which BagIt also accepts. Writing is done here by hand, never with
`bagit.make_bag` (it changes the process's working directory; see stack notes).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from server.evidence.errors import BundleError

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
#: The phone signs the tag manifest, which lists every top-level file (the payload manifest,
#: bag-info, README, public key...); the payload manifest lists every file under data/.
SIGNATURE = "tagmanifest-sha256.txt.sig"
#: `Cartilla-Bundle-Version` this code writes and accepts. Version 1 signed only
#: manifest-sha256.txt (bag-info and the README were unsigned) and bound no key in the chain;
#: such bundles are refused with `bundle_version_old`.
BUNDLE_VERSION = "2"
PUBLIC_KEY = "public-key.pem"
README = "LEEME-README.txt"
# Lines, blanks and spaces are defined in ASCII terms, exactly as pwa/staff/verify.js reads
# them: Python's splitlines()/strip()/\S would also take \x1c, \x85 or U+2028, JS would not.
_LINE = re.compile(r"([0-9a-fA-F]{64})[ \t]+\*?([^ \t].*)", re.DOTALL)
_NEWLINE = re.compile(r"\r?\n")
_BLANK = " \t"


def _lines(text: str) -> list[str]:
    return _NEWLINE.split(text)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_text(files: Iterable[tuple[str, bytes]]) -> bytes:
    """Manifest lines `<sha256>  <path>`, sorted by path so the same bag gives the same bytes."""
    ordered = sorted(files, key=lambda item: item[0])
    return "".join(f"{sha256_hex(content)}  {path}\n" for path, content in ordered).encode()


def parse_manifest(name: str, text: bytes) -> dict[str, str]:
    """path -> hash, refusing malformed lines, unsafe paths and repeated paths."""
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError("bad_bagit", name=name, detail="not UTF-8") from exc
    entries: dict[str, str] = {}
    for number, line in enumerate(_lines(decoded), start=1):
        if not line.strip(_BLANK):
            continue
        match = _LINE.fullmatch(line)
        if not match:
            raise BundleError("bad_bagit", name=name, detail=f"line {number}")
        digest, path = match.group(1).lower(), match.group(2).rstrip(_BLANK)
        parts = path.split("/")
        if path.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in path:
            raise BundleError("unsafe_name", name=path)
        if path in entries:
            raise BundleError("bad_bagit", name=name, detail=f"line {number}: {path} twice")
        entries[path] = digest
    return entries


def parse_bag_info(text: bytes, name: str = "bag-info.txt") -> dict[str, str]:
    """Labels and values of `bag-info.txt` (continuation lines start with whitespace)."""
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError("bad_bagit", name=name, detail="not UTF-8") from exc
    info: dict[str, str] = {}
    last = ""
    for number, line in enumerate(_lines(decoded), start=1):
        if not line.strip(_BLANK):
            continue
        if line[0] in _BLANK and last:
            info[last] += " " + line.strip(_BLANK)
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip(_BLANK):
            raise BundleError("bad_bagit", name=name, detail=f"line {number}")
        last = label.strip(_BLANK)
        info[last] = value.strip(_BLANK)
    return info


def check_bagit_txt(text: bytes) -> None:
    info = parse_bag_info(text, "bagit.txt") if text else {}
    if info.get("BagIt-Version") not in ("1.0", "0.97"):
        raise BundleError("bad_bagit", name="bagit.txt", detail="BagIt-Version")
    if info.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        raise BundleError("bad_bagit", name="bagit.txt", detail="Tag-File-Character-Encoding")


def bag_info_text(fields: list[tuple[str, str]]) -> bytes:
    return "".join(f"{label}: {value}\n" for label, value in fields).encode()


def payload_oxum(payload: dict[str, bytes]) -> str:
    return f"{sum(len(v) for v in payload.values())}.{len(payload)}"
