"""Reading a bundle ZIP safely: every limit is checked before and while bytes are read.

Owns the first line of defence against hostile files: size, number of entries (counted in
the end-of-central-directory record before Python builds its own list), names (no path
traversal, no absolute paths, no duplicates, one top folder), declared and actual sizes,
expansion ratio (zip bombs), links, encryption and compression methods. Bytes are read in
chunks and counted, so a lying header cannot make us read more than the limits allow.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import unicodedata
import zipfile
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


DEFAULT_LIMITS = Limits()

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_LOCAL_HEADER = b"PK\x03\x04"
_CHUNK = 64 * 1024
# Names: printable, no backslash, no drive letters, nothing that could climb out of a folder.
_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")


@dataclass
class BundleFiles:
    """The files of a bundle, by path relative to the bag's top folder (e.g. `data/x.json`)."""

    root: str
    files: dict[str, bytes] = field(default_factory=dict)

    def get(self, name: str) -> bytes | None:
        return self.files.get(name)


def _human(n: int) -> str:
    return f"{n / MiB:.1f} MB" if n >= MiB else f"{n} bytes"


def _declared_entry_count(data: bytes) -> int:
    """Entries claimed by the end-of-central-directory record (ZIP64 aware)."""
    tail_start = max(0, len(data) - (65535 + 22))
    pos = data.rfind(_EOCD, tail_start)
    if pos < 0 or pos + 22 > len(data):
        raise BundleError("truncated")
    total = struct.unpack_from("<H", data, pos + 10)[0]
    if total == 0xFFFF:
        loc = pos - 20
        if loc >= 0 and data[loc : loc + 4] == _EOCD64_LOCATOR:
            off = struct.unpack_from("<Q", data, loc + 8)[0]
            if off + 56 <= len(data) and data[off : off + 4] == b"PK\x06\x06":
                return int(struct.unpack_from("<Q", data, off + 32)[0])
            raise BundleError("truncated")
    return int(total)


def check_name(name: str) -> None:
    """Refuse names that could escape a folder or confuse a person reading the list."""
    if not name or name.startswith("/") or _BAD_NAME_CHARS.search(name):
        raise BundleError("unsafe_name", name=repr(name))
    parts = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BundleError("unsafe_name", name=repr(name))
    if unicodedata.normalize("NFC", name) != name:
        raise BundleError("unsafe_name", name=repr(name))


def read_bundle(source: bytes | Path, limits: Limits = DEFAULT_LIMITS) -> BundleFiles:
    """Open a bundle and return its files, or raise BundleError saying exactly what is wrong."""
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
            data = source.read_bytes()
        except OSError as exc:
            raise BundleError("missing_file", name=str(source)) from exc
    else:
        data = source
    if not data:
        raise BundleError("empty")
    if len(data) > limits.max_bundle_bytes:
        raise BundleError(
            "too_big", detail=f"{_human(len(data))} > {_human(limits.max_bundle_bytes)}"
        )
    if not data.startswith((_LOCAL_HEADER, _EOCD)):
        raise BundleError("not_zip")
    declared = _declared_entry_count(data)
    if declared > limits.max_files:
        raise BundleError("too_many_files", detail=f"{declared} > {limits.max_files}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error) as exc:
        raise BundleError("truncated") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            raise BundleError("too_many_files", detail=f"{len(infos)} > {limits.max_files}")
        root = _check_entries(infos, limits)
        result = BundleFiles(root=root)
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            content = _read_entry(archive, info, limits, total)
            total += len(content)
            result.files[info.filename[len(root) + 1 :]] = content
    return result


def _check_entries(infos: list[zipfile.ZipInfo], limits: Limits) -> str:
    """Check every central-directory entry before any byte is decompressed; return the root."""
    seen: set[str] = set()
    roots: set[str] = set()
    declared_total = 0
    for info in infos:
        name = info.filename
        check_name(name)
        key = name.rstrip("/").casefold()
        if key in seen:
            raise BundleError("duplicate_name", name=name)
        seen.add(key)
        roots.add(name.split("/", 1)[0])
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise BundleError("unsupported_entry", name=name, detail="symbolic link")
        if info.flag_bits & 0x1:
            raise BundleError("unsupported_entry", name=name, detail="encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleError(
                "unsupported_entry", name=name, detail=f"compression {info.compress_type}"
            )
        if info.is_dir():
            continue
        if "/" not in name:
            raise BundleError("no_single_folder")
        if info.file_size > limits.max_file_bytes:
            raise BundleError(
                "file_too_big",
                name=name,
                detail=f"{_human(info.file_size)} > {_human(limits.max_file_bytes)}",
            )
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise BundleError("zip_bomb", name=name, detail=f"{ratio}:1 > {limits.max_ratio}:1")
        declared_total += info.file_size
        if declared_total > limits.max_total_bytes:
            raise BundleError(
                "total_too_big",
                detail=f"> {_human(limits.max_total_bytes)}",
            )
    if len(roots) != 1:
        raise BundleError("no_single_folder")
    return roots.pop()


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, total_so_far: int
) -> bytes:
    """Decompress one entry in chunks, never past its declared size or the total limit."""
    out = bytearray()
    budget = min(info.file_size, limits.max_total_bytes - total_so_far)
    try:
        with archive.open(info) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > budget:
                    raise BundleError("total_too_big", detail=f"> {_human(budget)}")
    except BundleError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error) as exc:
        # zipfile raises BadZipFile for a CRC mismatch and EOFError for cut-off data.
        if isinstance(exc, EOFError):
            raise BundleError("truncated") from exc
        raise BundleError("damaged", name=info.filename) from exc
    except Exception as exc:  # zlib.error and friends: a damaged deflate stream
        raise BundleError("damaged", name=info.filename) from exc
    if len(out) != info.file_size:
        raise BundleError("damaged", name=info.filename)
    return bytes(out)
