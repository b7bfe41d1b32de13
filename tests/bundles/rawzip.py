"""Writing ZIP files byte by byte, so tests can craft every ambiguity a reader might resolve.

`Entry` holds what the central directory says and, separately, what the local header says;
`write()` lays them out and can add bytes before, between and after, comments, ZIP64
records and extra fields. Used only by tests: bundles are written by server/evidence/build.py
and pwa/js/bundle/zip.js.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from bundles import factory as f


@dataclass
class Entry:
    name: bytes
    data: bytes
    method: int = 8
    flags: int = 0x0800
    extra: bytes = b""
    comment: bytes = b""
    attr: int = 0o100644 << 16
    #: Overrides for the local header only (None: same as the central directory).
    local_name: bytes | None = None
    local_size: int | None = None
    local_method: int | None = None
    local_extra: bytes = b""
    #: Bytes written after this entry's data and before the next local header.
    gap: bytes = b""
    payload: bytes = field(default=b"", init=False)

    def packed(self) -> bytes:
        if self.method == 8:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            return c.compress(self.data) + c.flush()
        return self.data


def write(
    entries: list[Entry],
    *,
    before: bytes = b"",
    after: bytes = b"",
    comment: bytes = b"",
    zip64_locator: bool = False,
    offsets_include_before: bool = True,
) -> bytes:
    out = bytearray(before)
    central = bytearray()
    for e in entries:
        packed = e.packed()
        crc = zlib.crc32(e.data)
        offset = len(out) if offsets_include_before else len(out) - len(before)
        lname = e.name if e.local_name is None else e.local_name
        lsize = len(e.data) if e.local_size is None else e.local_size
        lmethod = e.method if e.local_method is None else e.local_method
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            e.flags,
            lmethod,
            0,
            0x5C21,
            crc,
            len(packed),
            lsize,
            len(lname),
            len(e.local_extra),
        )
        out += lname + e.local_extra + packed + e.gap
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            0x0314,
            20,
            e.flags,
            e.method,
            0,
            0x5C21,
            crc,
            len(packed),
            len(e.data),
            len(e.name),
            len(e.extra),
            len(e.comment),
            0,
            0,
            e.attr,
            offset,
        )
        central += e.name + e.extra + e.comment
    cd_offset = len(out) if offsets_include_before else len(out) - len(before)
    out += central
    if zip64_locator:
        out += struct.pack("<IIQI", 0x07064B50, 0, len(out), 1)
    out += struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        len(entries),
        len(entries),
        len(central),
        cd_offset,
        len(comment),
    )
    return bytes(out + comment + after)


def bundle_entries(good: bytes, method: int = 8) -> list[Entry]:
    """A good bundle's files as raw entries (same names and bytes, our own layout)."""
    return [
        Entry(f"{f.ROOT}/{name}".encode(), data, method=method)
        for name, data in f.unzip(good).items()
    ]
