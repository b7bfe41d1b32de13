"""The journal's own rules, its times and its photo files, checked inside a bundle.

Owns the `rules` check (run after `chain`) and the photo-file part of the `photos` check of
server/evidence/verify.py. The desk's twin is pwa/staff/rules.js: same rules, same order,
same codes (tests/test_evidence_rules.py and the differential fuzzer compare them).

Journal rules. Every full (not withheld) entry must obey what server/log_format.py enforces
for an exported log; its own rule function is called here, so there is one source of truth:
a create or edit carries its record, with `record_type`/`record_id` equal to the record's
(`no_data`, `record_mismatch`); an edit or delete says why and names, in `replaces`, an earlier
version of the same record (`no_reason`, `replaces_unknown`); a receipt entry carries its
receipt (`no_receipt`); only a key entry names the phone's key (`no_key`). On top of those,
for bundles: a delete names its record and carries no data (`record_mismatch`); `replaces`
names the same kind of record, and its latest version, so history cannot fork
(`replaces_unknown`, `replaces_not_latest`); a create never reuses the id of a record that
still exists (`duplicate_id`). Record types and field sizes are enforced by the schema check.
A `replaces` naming a withheld entry cannot be looked into and is accepted.

Times. Entry times are the phone's clock; receipt times are the server's. With a tolerance of
`TIME_TOLERANCE_SECONDS` (a clock set by the network drifts by seconds, not minutes), a full
entry is flagged when its time is not a real date (`time_invalid`), is earlier than the full
entry before it (`time_backwards`), is later than the bundle's `created` (`time_after_bundle`)
or is later than a server receipt that covers it (`time_after_receipt`: a receipt for entry j
proves entries back to the last withheld one existed by its time). Each code is reported once,
naming the entries ("#39–#44").

Photos. Every file under `data/photos/` must be recorded by a full photo entry of the journal
(`photo_unrecorded`); its bytes must be the type its name declares, with an image header that
can be read (`photo_type_mismatch`: JPEG FF D8 FF with one SOFn before the scan; PNG signature
and IHDR; WebP RIFF…WEBP with a VP8, VP8L or VP8X header); and the size read from that header,
before anything is decoded, must be within `Limits.max_photo_side` and `max_photo_pixels`
(`photo_too_large`), so the PDF endpoint never decodes an over-size image.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from server import log_format
from server.evidence.chain import Journal, WithheldEntry
from server.evidence.errors import BundleError
from server.evidence.zipread import BundleFiles, Limits

#: How far entry times may go backwards, or past the bundle or a receipt, before it is flagged.
TIME_TOLERANCE_SECONDS = 300
_TOLERANCE_US = TIME_TOLERANCE_SECONDS * 1_000_000

#: The order codes are reported in (one error per code), the same in pwa/staff/rules.js.
RULE_CODES = (
    "no_data",
    "record_mismatch",
    "no_reason",
    "replaces_unknown",
    "replaces_not_latest",
    "no_receipt",
    "no_key",
    "duplicate_id",
    "time_invalid",
    "time_backwards",
    "time_after_bundle",
    "time_after_receipt",
)
#: How many runs of entry numbers a message lists before "… (+N)".
MAX_RUNS = 12

PHOTO_DIR = "data/photos/"
PHOTO_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_DECLARED = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
#: JPEG markers read before the scan starts; a real header needs fewer than ten.
_MAX_JPEG_STEPS = 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}

_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z\Z", re.ASCII
)


# --- times --------------------------------------------------------------------------------


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 (proleptic Gregorian), as pwa/staff/rules.js computes them."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def instant_us(text: str) -> int | None:
    """Microseconds since 1970 for "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", or None if not a real time."""
    match = _INSTANT.match(text)
    if not match:
        return None
    y, mo, d, h, mi, s = (int(match[i]) for i in range(1, 7))
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days_in = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if y < 1 or not 1 <= mo <= 12 or not 1 <= d <= days_in[mo - 1]:
        return None
    if h > 23 or mi > 59 or s > 59:
        return None
    fraction = int((match[7] or "").ljust(6, "0"))
    seconds = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
    return seconds * 1_000_000 + fraction


# --- journal rules ------------------------------------------------------------------------


def entry_list(indexes: list[int]) -> str:
    """Entry numbers as runs: "#3, #5–#7, … (+4)" (the same text in rules.js)."""
    runs: list[tuple[int, int]] = []
    for i in sorted(set(indexes)):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    shown = [f"#{a}" if a == b else f"#{a}–#{b}" for a, b in runs[:MAX_RUNS]]
    more = len(runs) - MAX_RUNS
    return ", ".join(shown) + (f", … (+{more})" if more > 0 else "")


def journal_problems(journal: Journal, created: str) -> list[BundleError]:
    """Every journal rule and time problem, one error per code naming its entries."""
    found: dict[str, list[int]] = {code: [] for code in RULE_CODES}

    def bad(code: str, seq: int | None, _es: str = "", _en: str = "") -> None:
        found.setdefault(code, []).append(-1 if seq is None else seq)

    _entry_rules(journal, bad)
    _time_rules(journal, created, bad)
    return [BundleError(code, name=entry_list(seqs)) for code, seqs in found.items() if seqs]


def _entry_rules(journal: Journal, bad: Any) -> None:
    full: dict[str, log_format.JournalEntry] = {}
    withheld: set[str] = set()
    latest: dict[tuple[str | None, str | None], str] = {}
    live: set[tuple[str | None, str | None]] = set()
    for i, entry in enumerate(journal.entries):
        if isinstance(entry, WithheldEntry):
            withheld.add(entry.hash)
            continue
        replaces = entry.replaces or ""
        # A version that was withheld cannot be looked into: the log's rule is given the entry
        # itself as that version, so only what can be known is checked.
        lookup = {replaces: entry} if replaces in withheld else full
        # server/log_format.py's own rules (private there, shared here on purpose: one source).
        log_format.check_entry_rules(entry, i, lookup, bad)
        key = (entry.record_type, entry.record_id)
        if entry.kind == "create" and entry.data is not None:
            if key in live:
                bad("duplicate_id", i)
            live.add(key)
            latest[key] = entry.hash
        elif entry.kind in ("edit", "delete"):
            if entry.kind == "delete" and (
                entry.record_type is None or entry.record_id is None or entry.data is not None
            ):
                bad("record_mismatch", i)
            old = full.get(replaces)
            if old is not None and old.record_id == entry.record_id:
                if old.record_type != entry.record_type:
                    bad("replaces_unknown", i)
                elif latest.get(key) != old.hash:
                    bad("replaces_not_latest", i)
            latest[key] = entry.hash
            if entry.kind == "delete":
                live.discard(key)
            else:
                live.add(key)
        full[entry.hash] = entry


def _time_rules(journal: Journal, created: str, bad: Any) -> None:
    entries = journal.entries
    times: list[int | None] = []
    previous: int | None = None
    made = instant_us(created)
    for i, entry in enumerate(entries):
        if isinstance(entry, WithheldEntry):
            times.append(None)
            continue
        t = instant_us(entry.time)
        times.append(t)
        if t is None:
            bad("time_invalid", i)
            continue
        if previous is not None and t < previous - _TOLERANCE_US:
            bad("time_backwards", i)
        previous = t
        if made is not None and t > made + _TOLERANCE_US:
            bad("time_after_bundle", i)
    # Receipts by the entry they are for; then, from the last entry back, the earliest receipt
    # time that covers each entry (a withheld entry cuts what later receipts vouch for).
    position = {entry.hash: i for i, entry in enumerate(entries)}
    by_target: dict[int, list[int]] = {}
    for k, entry in enumerate(entries):
        if isinstance(entry, WithheldEntry) or entry.kind != "receipt" or entry.receipt is None:
            continue
        target = position.get(entry.receipt.hash)
        when = instant_us(entry.receipt.time)
        if target is None or target >= k or when is None:
            continue
        by_target.setdefault(target, []).append(when)
    earliest: int | None = None
    late: list[int] = []
    for i in range(len(entries) - 1, -1, -1):
        if isinstance(entries[i], WithheldEntry):
            earliest = None
            continue
        for when in by_target.get(i, ()):
            earliest = when if earliest is None else min(earliest, when)
        t = times[i]
        if t is not None and earliest is not None and t > earliest + _TOLERANCE_US:
            late.append(i)
    for i in reversed(late):
        bad("time_after_receipt", i)


# --- photos -------------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The image type the bytes start with (magic numbers only), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == _PNG_SIGNATURE:
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the one SOFn before the scan (SOS); None if not exactly one."""
    pos = 2
    size: tuple[int, int] | None = None
    sofs = 0
    for _ in range(_MAX_JPEG_STEPS):
        if pos >= len(data) or data[pos] != 0xFF:
            return None
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        if pos >= len(data):
            return None
        marker = data[pos]
        pos += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue  # markers with no length
        if marker in (0xD8, 0xD9, 0x00):
            return None
        if pos + 2 > len(data):
            return None
        length = struct.unpack_from(">H", data, pos)[0]
        if length < 2 or pos + length > len(data):
            return None
        if marker == 0xDA:
            return size if sofs == 1 else None
        if marker in _SOF_MARKERS:
            if length < 8:
                return None
            height, width = struct.unpack_from(">HH", data, pos + 3)
            size = (width, height)
            sofs += 1
        pos += length
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[8:16] != b"\x00\x00\x00\x0dIHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30 or struct.unpack_from("<I", data, 4)[0] + 8 != len(data):
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[20] & 1 or data[23:26] != b"\x9d\x01\x2a":
            return None  # not a key frame
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            return None
        bits = struct.unpack_from("<I", data, 21)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def image_size(mime: str, data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the header of an image of type `mime`, never decoding it."""
    if mime == "image/jpeg":
        size = _jpeg_size(data)
    elif mime == "image/png":
        size = _png_size(data)
    else:
        size = _webp_size(data)
    if size is None or size[0] < 1 or size[1] < 1:
        return None
    return size


def photo_problems(files: BundleFiles, journal: Journal, limits: Limits) -> list[BundleError]:
    """Every file in data/photos/: recorded by a photo entry, of its declared type, not huge."""
    recorded = {
        f"{PHOTO_DIR}{e.data.sha256}.{PHOTO_EXT[e.data.mime]}"
        for e in journal.full()
        if e.kind in ("create", "edit") and isinstance(e.data, log_format.Photo)
    }
    errors: list[BundleError] = []
    for name in sorted(n for n in files.files if n.startswith(PHOTO_DIR)):
        data = files.files[name]
        if name not in recorded:
            errors.append(BundleError("photo_unrecorded", name=name))
        ext = name.rsplit("/", 1)[-1].rsplit(".", 1)[-1] if "." in name.rsplit("/", 1)[-1] else ""
        declared = _DECLARED.get(ext)
        actual = sniff(data)
        if declared is None or actual != declared:
            detail = f"{actual or 'unknown'} bytes, named as {declared or ext or 'no type'}"
            errors.append(BundleError("photo_type_mismatch", name=name, detail=detail))
            continue
        size = image_size(declared, data)
        if size is None:
            errors.append(
                BundleError("photo_type_mismatch", name=name, detail="no readable image header")
            )
            continue
        width, height = size
        if max(width, height) > limits.max_photo_side or width * height > limits.max_photo_pixels:
            detail = (
                f"{width} × {height} px > {limits.max_photo_side} px a side or "
                f"{limits.max_photo_pixels // 1_000_000} Mpx"
            )
            errors.append(BundleError("photo_too_large", name=name, detail=detail))
    return errors
