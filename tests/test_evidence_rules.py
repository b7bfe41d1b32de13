"""The journal's own rules, its times and its photo files, in bundles (server/evidence/rules.py).

Two kinds of test: the shared vectors (tests/rules_vectors.json, also run by
tests/js/rules.test.mjs against pwa/staff/rules.js), and real signed bundles, each changed in
one way, run through the Python verifier and the desk's verifier (in Node), which must give
the same verdict and the same codes.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from bundles import factory as f
from bundles.desk import both_verify

from server.evidence import build, receipts, rules
from server.evidence.chain import parse_journal
from server.evidence.errors import MESSAGES
from server.evidence.verify import verify_bundle
from server.evidence.zipread import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((Path(__file__).parent / "rules_vectors.json").read_text("utf-8"))


# --- the shared vectors ---------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["journal"], ids=lambda c: c["name"])
def test_journal_vectors(case: dict[str, Any]) -> None:
    journal = parse_journal(build.jsonl(case["entries"]))
    found = rules.journal_problems(journal, case["created"])
    assert [[e.code, e.name] for e in found] == case["expected"]
    for error in found:
        assert error.name in error.es and error.name in error.en and error.es != error.en


@pytest.mark.parametrize("case", VECTORS["images"], ids=lambda c: c["name"])
def test_image_header_vectors(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["hex"])
    size = rules.image_size(case["mime"], data)
    assert (list(size) if size else None) == case["size"]


def test_sniff_and_instant_vectors() -> None:
    for case in VECTORS["sniff"]:
        assert rules.sniff(bytes.fromhex(case["hex"])) == case["type"], case["name"]
    for text, expected in VECTORS["instants"]:
        assert rules.instant_us(text) == (None if expected is None else int(expected)), text


def test_one_tolerance_and_one_set_of_caps_in_python_js_and_the_messages() -> None:
    js_rules = (ROOT / "pwa" / "staff" / "rules.js").read_text("utf-8")
    js_limits = (ROOT / "pwa" / "staff" / "unzip.js").read_text("utf-8")
    seconds = rules.TIME_TOLERANCE_SECONDS
    assert VECTORS["tolerance_seconds"] == seconds
    assert f"export const TIME_TOLERANCE_SECONDS = {seconds};" in js_rules
    assert f"maxPhotoSide: {DEFAULT_LIMITS.max_photo_side}," in js_limits.replace("_", "")
    assert f"maxPhotoPixels: {DEFAULT_LIMITS.max_photo_pixels}," in js_limits.replace("_", "")
    for code in ("time_backwards", "time_after_bundle", "time_after_receipt"):
        es, en = MESSAGES[code]
        assert f"{seconds // 60} minutos" in es and f"{seconds // 60} minutes" in en
    codes = re.search(r"export const RULE_CODES = \[(.*?)\];", js_rules, re.S)
    assert codes and re.findall(r'"(\w+)"', codes[1]) == list(rules.RULE_CODES)


def test_entry_lists_name_runs_and_stop_after_twelve() -> None:
    assert rules.entry_list([44, 39, 40, 41, 42, 43]) == "#39–#44"
    assert rules.entry_list([3, 5, 6, 7, 9]) == "#3, #5–#7, #9"
    assert rules.entry_list(list(range(0, 40, 2))).endswith("#22, … (+8)")


def test_a_long_hostile_journal_is_checked_in_linear_time() -> None:
    # 20000 entries, every other one a receipt for the entry before it, every time going back:
    # the receipt coverage is a single sweep, not entries x receipts.
    lines = []
    for i in range(20000):
        entry: dict[str, Any] = {
            "seq": i,
            "time": f"2026-06-{28 - i % 27:02d}T12:00:00Z",
            "kind": "receipt" if i % 2 else "create",
            "prev_hash": f"{i:064x}",
            "hash": f"{i + 1:064x}",
        }
        if i % 2:
            entry["receipt"] = {
                "hash": f"{i:064x}",
                "time": "2026-06-01T00:00:00Z",
                "key_id": "0" * 16,
                "signature": "A" * 86,
            }
        else:
            incident = {"type": "incident", "id": "x", "date": "2026-06-01", "kind": "other"}
            entry.update(record_type="incident", record_id="x", data=incident)
        lines.append(entry)
    found = {e.code: e for e in rules.journal_problems(parse_journal(build.jsonl(lines)), "")}
    assert set(found) == {"duplicate_id", "time_backwards", "time_after_receipt"}
    assert found["time_after_receipt"].name == "#0–#19998"  # every one after the receipts


# --- real bundles, both verifiers ------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> f.Keys:
    return f.new_keys()


def _log(keys: f.Keys) -> f.LogBuilder:
    return f.make_log(keys.server, days=7)


def _incident(n: int, **extra: Any) -> dict[str, Any]:
    return {"type": "incident", "id": f"x{n}", "date": "2026-06-07", "kind": "other", **extra}


def _photo(log: f.LogBuilder, data: bytes, mime: str, ext: str, when: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    record = {"type": "photo", "id": f"ph-{digest[:8]}", "mime": mime, "sha256": digest}
    log.create({**record, "size_bytes": len(data)}, when)
    log.photos[f"data/photos/{digest}.{ext}"] = data
    return digest


def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\x00" * 40


def _webp(width: int, height: int) -> bytes:
    payload = b"\x2f" + struct.pack("<I", (width - 1) | ((height - 1) << 14)) + b"\x00" * 20
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


LATE = "2026-06-07T20:00:00.000Z"


def _cases(keys: f.Keys) -> dict[str, tuple[bytes, dict[str, list[str]]]]:
    """name -> (bundle, the codes both verifiers must give)."""
    cases: dict[str, tuple[bytes, dict[str, list[str]]]] = {}

    log = _log(keys)
    made = log.create(_incident(1), LATE)
    log.append(
        {"time": LATE, "kind": "edit", "record_type": "incident", "record_id": "x1",
         "data": _incident(1, notes="b"), "replaces": made["hash"], "reason": "corregido"}
    )  # fmt: skip
    log.append(
        {"time": LATE, "kind": "delete", "record_type": "incident", "record_id": "x1",
         "replaces": log.head, "reason": "duplicado"}
    )  # fmt: skip
    cases["an edit and a delete that follow the rules"] = (f.make_bundle(keys, log), {})

    log = _log(keys)
    made = log.create(_incident(1), LATE)
    log.append(
        {"time": LATE, "kind": "edit", "record_type": "incident", "record_id": "x1",
         "data": _incident(1, notes="otra cosa"), "replaces": made["hash"], "reason": "  "}
    )  # fmt: skip
    cases["an edit that gives no reason"] = (f.make_bundle(keys, log), {"rules": ["no_reason"]})

    log = _log(keys)
    made = log.create(_incident(1), LATE)
    for notes in ("a", "b"):  # both claim to replace the first version
        log.append(
            {"time": LATE, "kind": "edit", "record_type": "incident", "record_id": "x1",
             "data": _incident(1, notes=notes), "replaces": made["hash"], "reason": "r"}
        )  # fmt: skip
    cases["an edit that forks the history"] = (
        f.make_bundle(keys, log),
        {"rules": ["replaces_not_latest"]},
    )

    log = _log(keys)
    shift = next(e["data"] for e in log.entries if e.get("record_id") == "s0")
    log.create({**shift, "notes": "otro turno"}, LATE)  # shift s0 still exists
    cases["a create that reuses a live id"] = (
        f.make_bundle(keys, log),
        {"rules": ["duplicate_id"]},
    )

    log = _log(keys)
    log.create(_incident(1), "2026-06-02T12:00:00.000Z")  # after a week of entries
    cases["an entry dated days before the one before it"] = (
        f.make_bundle(keys, log),
        {"rules": ["time_backwards"]},
    )

    log = _log(keys)
    log.create(_incident(1), "2026-07-01T00:00:00.000Z")  # CREATED is 2026-06-30T18:00:00Z
    cases["an entry dated after the bundle was made"] = (
        f.make_bundle(keys, log),
        {"rules": ["time_after_bundle"]},
    )

    log = _log(keys)
    log.create(_incident(1), LATE)
    # A genuine receipt (the server's key) for that entry, signed at 18:00: the entry claims
    # 20:00, yet the server saw it by 18:00.
    signed = receipts.sign_receipt(keys.server, log.head, "2026-06-07T18:00:00Z")
    log.append(
        {"time": LATE, "kind": "receipt",
         "receipt": {"hash": signed.hash, "time": signed.time, "key_id": signed.key_id,
                     "signature": signed.signature}}
    )  # fmt: skip
    cases["an entry dated after the receipt that covers it"] = (
        f.make_bundle(keys, log),
        {"rules": ["time_after_receipt"]},
    )

    log = _log(keys)
    _photo(log, _png(1600, 1200), "image/png", "png", LATE)
    _photo(log, _webp(1200, 900), "image/webp", "webp", LATE)
    cases["PNG and WebP photos with true headers"] = (f.make_bundle(keys, log), {})

    log = _log(keys)
    _photo(log, _png(1600, 1200), "image/jpeg", "jpg", LATE)
    cases["PNG bytes recorded and named as a JPEG"] = (
        f.make_bundle(keys, log),
        {"photos": ["photo_type_mismatch"]},
    )

    log = _log(keys)
    _photo(log, _png(20000, 100), "image/png", "png", LATE)
    _photo(log, f.tiny_jpeg(1, width=7000, height=7000), "image/jpeg", "jpg", LATE)  # 49 Mpx
    cases["photos whose headers claim huge images"] = (
        f.make_bundle(keys, log),
        {"photos": ["photo_too_large", "photo_too_large"]},
    )

    log = _log(keys)
    jpeg = f.tiny_jpeg(2)
    log.photos["data/photos/" + hashlib.sha256(jpeg).hexdigest() + ".jpg"] = jpeg
    cases["a photo file no entry records"] = (
        f.make_bundle(keys, log),
        {"photos": ["photo_unrecorded"]},
    )
    return cases


def test_crafted_bundles_give_the_same_codes_in_python_and_the_desk(keys: f.Keys) -> None:
    cases = _cases(keys)
    verdicts = both_verify([bundle for bundle, _ in cases.values()], keys.known)
    for (name, (_, expected)), verdict in zip(cases.items(), verdicts, strict=True):
        assert verdict.codes == expected, name
        assert verdict.ok is (not expected), name


def test_rule_errors_name_the_entries_in_both_languages(keys: f.Keys) -> None:
    log = _log(keys)
    first = len(log.entries)
    for n in range(3):
        log.create(_incident(n), "2026-06-02T12:00:00.000Z")
    report = verify_bundle(f.make_bundle(keys, log), keys.known)
    (error,) = report.checks["rules"].errors
    assert error.code == "time_backwards" and error.name == f"#{first}"
    assert f"#{first}" in error.es and f"#{first}" in error.en
    assert report.checks["rules"].ok is False and not report.ok


def test_photo_errors_name_the_file_and_the_size(keys: f.Keys) -> None:
    log = _log(keys)
    digest = _photo(log, _png(30000, 30000), "image/png", "png", LATE)
    report = verify_bundle(f.make_bundle(keys, log), keys.known)
    (error,) = report.checks["photos"].errors
    assert error.name == f"data/photos/{digest}.png"
    assert "30000 × 30000 px" in error.en and "30000 × 30000 px" in error.es
