"""Reading a bundle ZIP strictly: one reading of the bytes, or a named refusal.

Owns the first line of defence against hostile files. The same algorithm, step for step and
code for code, is in the desk's pwa/staff/unzip.js (tests run both on crafted archives), so a
file can never verify as two different bundles. We read the ZIP ourselves instead of with
`zipfile`, because every lenient choice a ZIP library makes (skipping bytes before the first
entry, trusting the central directory over the local header, decoding names as cp437,
preferring a ZIP64 or Unicode-path extra field) is a place where two readers disagree.

A bundle ZIP is accepted only when it is laid out exactly as Cartilla's writers lay it out:
local entries back to back from byte 0, then the central directory, then the end record at
the very end of the file; no archive or file comments, no extra fields, no ZIP64, no data
descriptors, no encryption; each local header says the same as its central-directory entry;
names are UTF-8 (or plain ASCII), NFC, made of Latin letters, digits and a few punctuation
marks, and no two names are equal after NFC and full Unicode case folding. Every limit
(size, entry count, expansion ratio) is checked before and while bytes are inflated.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from server.evidence.errors import BundleError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How big a bundle may be. A year of records with photos is about 8 MB."""

    max_bundle_bytes: int = 64 * MiB
    max_files: int = 4000
    max_file_bytes: int = 16 * MiB
    max_total_bytes: int = 160 * MiB
    #: Entries bigger than `ratio_floor_bytes` may expand at most this many times.
    max_ratio: int = 100
    ratio_floor_bytes: int = 1 * MiB
    #: Photos: the size in an image's header (read before any decoding) may be at most this.
    #: The phone shrinks photos to about 1600 px; these caps stop a decoder from allocating
    #: gigabytes for a small file that claims a huge image.
    max_photo_side: int = 12_000
    max_photo_pixels: int = 40_000_000


DEFAULT_LIMITS = Limits()

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_CHUNK = 64 * 1024
#: General-purpose flag bits we accept: 1-2 (deflate level hints) and 11 (UTF-8 names).
_FLAGS_OK = 0x0002 | 0x0004 | 0x0800
_FLAG_UTF8 = 0x0800
# Names: printable, no backslash, no drive letters, nothing that could climb out of a folder.
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\\:*?\"<>|]")


def name_char_allowed(cp: int) -> bool:
    """Printable ASCII, Latin letters with accents (Latin-1, Extended-A/B), combining accents.

    Everything else (bidi controls, zero-width and invisible characters, other scripts) is
    refused: the app writes ASCII names, and a fixed set of long-assigned characters keeps
    NFC and case folding identical in every Python and every browser.
    """
    if 0x20 <= cp < 0x7F:
        return True
    if 0xC0 <= cp <= 0x24F:
        return cp not in (0xD7, 0xF7)
    return 0x300 <= cp <= 0x36F and cp != 0x34F  # U+034F COMBINING GRAPHEME JOINER is invisible


def fold_name(name: str) -> str:
    """The key two names collide on: NFC, then full Unicode case folding (ß = ss, ſ = s)."""
    return unicodedata.normalize("NFC", name.rstrip("/")).casefold()


@dataclass
class BundleFiles:
    """The files of a bundle, by path relative to the bag's top folder (e.g. `data/x.json`)."""

    root: str
    files: dict[str, bytes] = field(default_factory=dict)

    def get(self, name: str) -> bytes | None:
        return self.files.get(name)


@dataclass
class _Entry:
    """One central-directory entry, as read (before any check)."""

    flags: int
    method: int
    crc: int
    csize: int
    size: int
    name_bytes: bytes
    extra: bytes
    comment_len: int
    disk: int
    attr: int
    offset: int
    name: str = ""


def _human(n: int) -> str:
    return f"{n / MiB:.1f} MB" if n >= MiB else f"{n} bytes"


def check_name(name: str) -> None:
    """Refuse names that could escape a folder or confuse a person reading the list."""
    if not name or name.startswith("/") or _UNSAFE_CHARS.search(name):
        raise BundleError("unsafe_name", name=repr(name))
    parts = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BundleError("unsafe_name", name=repr(name))
    if unicodedata.normalize("NFC", name) != name:
        raise BundleError("unsafe_name", name=repr(name))
    if not all(name_char_allowed(ord(c)) for c in name):
        raise BundleError("confusing_name", name=repr(name))
    if any(p.endswith((".", " ")) or p.startswith(" ") for p in parts):
        raise BundleError("confusing_name", name=repr(name))


def _decode_name(raw: bytes, flags: int) -> str:
    """UTF-8 when the archive says so; otherwise only ASCII (never a cp437 guess)."""
    if flags & _FLAG_UTF8:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleError("name_not_utf8", name=repr(raw)) from exc
    if any(b >= 0x80 for b in raw):
        raise BundleError("name_not_utf8", name=repr(raw))
    return raw.decode("ascii")


def _read_source(source: bytes | Path, limits: Limits) -> bytes:
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise BundleError("missing_file", name=str(source)) from exc
        if size > limits.max_bundle_bytes:
            raise BundleError(
                "too_big", detail=f"{_human(size)} > {_human(limits.max_bundle_bytes)}"
            )
        try:
            # Read at most one byte past the limit: a device or a growing file whose size
            # `stat` does not tell (/dev/zero, a pipe) can never make us read forever.
            with source.open("rb") as handle:
                data = handle.read(limits.max_bundle_bytes + 1)
        except OSError as exc:
            raise BundleError("missing_file", name=str(source)) from exc
        return data
    return source


def _find_end(data: bytes) -> int:
    """The end record's offset; it must end the file exactly (no comment, nothing after)."""
    tail_start = max(0, len(data) - (65535 + 22))
    pos = data.rfind(_EOCD, tail_start)
    if pos < 0 or pos + 22 > len(data):
        raise BundleError("truncated")
    comment_len = struct.unpack_from("<H", data, pos + 20)[0]
    if pos + 22 + comment_len > len(data):
        raise BundleError("truncated")
    if comment_len or pos + 22 != len(data):
        raise BundleError("trailing_bytes", detail=f"{len(data) - pos - 22}")
    return pos


def read_bundle(source: bytes | Path, limits: Limits = DEFAULT_LIMITS) -> BundleFiles:
    """Open a bundle and return its files, or raise BundleError saying exactly what is wrong."""
    data = _read_source(source, limits)
    if not data:
        raise BundleError("empty")
    if len(data) > limits.max_bundle_bytes:
        raise BundleError("too_big", detail=f"> {_human(limits.max_bundle_bytes)}")
    if not data.startswith((_LOCAL, _EOCD)):
        try:
            _find_end(data)
        except BundleError:
            raise BundleError("not_zip") from None
        # A ZIP with something glued in front (a self-extractor, a polyglot file).
        raise BundleError("leading_bytes")
    eocd = _find_end(data)
    disk, cd_disk, on_disk, total, cd_size, cd_offset = struct.unpack_from(
        "<HHHHII", data, eocd + 4
    )
    if total > limits.max_files:
        raise BundleError("too_many_files", detail=f"{total} > {limits.max_files}")
    if eocd >= 20 and data[eocd - 20 : eocd - 16] == _EOCD64_LOCATOR:
        raise BundleError("zip64")
    if total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise BundleError("zip64")
    if disk or cd_disk or on_disk != total:
        raise BundleError("unsupported_entry", detail="split archive")
    if cd_offset + cd_size > eocd:
        raise BundleError("truncated")
    if cd_offset + cd_size < eocd:
        raise BundleError("hidden_bytes", detail=f"{eocd - cd_offset - cd_size}")
    entries = _read_central(data, total, cd_offset, eocd)
    root = _check_entries(entries, limits)
    _check_layout(data, entries, cd_offset)
    result = BundleFiles(root=root)
    used = 0
    for entry in entries:
        if entry.name.endswith("/"):
            continue
        content = _inflate(data, entry, limits.max_total_bytes - used)
        used += len(content)
        result.files[entry.name[len(root) + 1 :]] = content
    return result


def _read_central(data: bytes, total: int, start: int, end: int) -> list[_Entry]:
    """Parse `total` central-directory entries that must fill [start, end) exactly."""
    entries: list[_Entry] = []
    pos = start
    for _ in range(total):
        if pos + 46 > end or data[pos : pos + 4] != _CENTRAL:
            raise BundleError("truncated")
        (flags, method, _t, _d, crc, csize, size, name_len, extra_len, comment_len, disk) = (
            struct.unpack_from("<HHHHIIIHHHH", data, pos + 8)
        )
        attr, offset = struct.unpack_from("<II", data, pos + 38)
        name_end = pos + 46 + name_len
        entry_end = name_end + extra_len + comment_len
        if entry_end > end:
            raise BundleError("truncated")
        entries.append(
            _Entry(
                flags=flags,
                method=method,
                crc=crc,
                csize=csize,
                size=size,
                name_bytes=data[pos + 46 : name_end],
                extra=data[name_end : name_end + extra_len],
                comment_len=comment_len,
                disk=disk,
                attr=attr,
                offset=offset,
            )
        )
        pos = entry_end
    if pos != end:
        raise BundleError("hidden_bytes", detail=f"{end - pos}")
    return entries


def _extra_ids(extra: bytes) -> list[int]:
    ids: list[int] = []
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        ids.append(tag)
        pos += 4 + length
    if pos != len(extra):
        ids.append(-1)  # a malformed extra field
    return ids


def _check_entries(entries: list[_Entry], limits: Limits) -> str:
    """Check every central-directory entry before any byte is inflated; return the root."""
    seen: set[str] = set()
    roots: set[str] = set()
    declared_total = 0
    for entry in entries:
        entry.name = name = _decode_name(entry.name_bytes, entry.flags)
        check_name(name)
        key = fold_name(name)
        if key in seen:
            raise BundleError("duplicate_name", name=name)
        seen.add(key)
        roots.add(name.split("/", 1)[0])
        mode = entry.attr >> 16
        if mode & 0o170000 == 0o120000:
            raise BundleError("unsupported_entry", name=name, detail="symbolic link")
        if entry.flags & 0x1:
            raise BundleError("unsupported_entry", name=name, detail="encrypted")
        if entry.flags & ~_FLAGS_OK:
            raise BundleError("unsupported_entry", name=name, detail=f"flags 0x{entry.flags:04x}")
        if entry.method not in (0, 8):
            raise BundleError("unsupported_entry", name=name, detail=f"compression {entry.method}")
        if entry.comment_len:
            raise BundleError("unsupported_entry", name=name, detail="file comment")
        ids = _extra_ids(entry.extra)
        if 1 in ids or entry.size == 0xFFFFFFFF or entry.csize == 0xFFFFFFFF:
            raise BundleError("zip64", name=name)
        if ids:
            raise BundleError("unsupported_entry", name=name, detail="extra field")
        if entry.disk or entry.offset == 0xFFFFFFFF:
            raise BundleError("unsupported_entry", name=name, detail="split archive")
        if entry.method == 0 and entry.csize != entry.size:
            raise BundleError("damaged", name=name)
        if name.endswith("/"):
            if entry.size or entry.csize > 2:
                raise BundleError("damaged", name=name)
            continue
        if "/" not in name:
            raise BundleError("no_single_folder")
        if entry.size > limits.max_file_bytes:
            raise BundleError(
                "file_too_big",
                name=name,
                detail=f"{_human(entry.size)} > {_human(limits.max_file_bytes)}",
            )
        if entry.size > limits.ratio_floor_bytes and entry.size > limits.max_ratio * max(
            entry.csize, 1
        ):
            ratio = entry.size // max(entry.csize, 1)
            raise BundleError("zip_bomb", name=name, detail=f"{ratio}:1 > {limits.max_ratio}:1")
        declared_total += entry.size
        if declared_total > limits.max_total_bytes:
            raise BundleError("total_too_big", detail=f"> {_human(limits.max_total_bytes)}")
    if len(roots) != 1:
        raise BundleError("no_single_folder")
    return roots.pop()


def _check_layout(data: bytes, entries: list[_Entry], cd_offset: int) -> None:
    """Local entries back to back from byte 0, each saying what its central entry says."""
    expected = 0
    for entry in entries:
        if entry.offset != expected:
            if expected == 0:
                raise BundleError("leading_bytes", detail=str(entry.offset))
            if entry.offset > expected:
                raise BundleError("hidden_bytes", name=entry.name)
            raise BundleError("overlapping_entries", name=entry.name)
        at = entry.offset
        if at + 30 > cd_offset or data[at : at + 4] != _LOCAL:
            raise BundleError("truncated")
        (_v, flags, method, _t, _d, crc, csize, size, name_len, extra_len) = struct.unpack_from(
            "<HHHHHIIIHH", data, at + 4
        )
        name_bytes = data[at + 30 : at + 30 + name_len]
        if (flags, method, crc, csize, size, name_bytes) != (
            entry.flags,
            entry.method,
            entry.crc,
            entry.csize,
            entry.size,
            entry.name_bytes,
        ) or extra_len:
            raise BundleError("local_header_mismatch", name=entry.name)
        expected = at + 30 + name_len + csize
        if expected > cd_offset:
            raise BundleError("truncated")
    if expected != cd_offset:
        if not entries:
            raise BundleError("leading_bytes", detail=str(cd_offset))
        raise BundleError("hidden_bytes", detail=f"{cd_offset - expected}")


def _inflate(data: bytes, entry: _Entry, budget: int) -> bytes:
    """The entry's bytes, never inflating past its declared size or the total budget."""
    start = entry.offset + 30 + len(entry.name_bytes)
    raw = data[start : start + entry.csize]
    if entry.method == 0:
        out = raw
    else:
        inflater = zlib.decompressobj(-15)
        chunks: list[bytes] = []
        got = 0
        try:
            for pos in range(0, len(raw), _CHUNK):
                piece = inflater.decompress(raw[pos : pos + _CHUNK], entry.size - got + 1)
                got += len(piece)
                chunks.append(piece)
                if got > entry.size or inflater.unconsumed_tail:
                    raise BundleError("damaged", name=entry.name)
            tail = inflater.flush()
        except zlib.error as exc:
            raise BundleError("damaged", name=entry.name) from exc
        chunks.append(tail)
        got += len(tail)
        if not inflater.eof or inflater.unused_data or got > entry.size:
            raise BundleError("damaged", name=entry.name)
        out = b"".join(chunks)
    if len(out) > budget:
        raise BundleError("total_too_big", detail=f"> {_human(budget)}")
    if len(out) != entry.size or zlib.crc32(out) != entry.crc:
        raise BundleError("damaged", name=entry.name)
    return out
