"""A differential fuzzer: mutated real bundles through Python and the desk, one verdict.

Hypothesis mutates a real signed bundle (a week of records with photos and time receipts):
bytes flipped, entries renamed, reordered, dropped or added, ZIP header fields changed, and
JSON edited (then re-signed with the worker's key, re-tagged, or just re-zipped). Each
mutant goes through server/evidence/verify.py and the desk's pwa/staff/verify.js (in Node),
which must give the same verdict and the same error codes, and neither may fail with
`verifier_error`. Bounded (about a minute on the 2-core CI machine) by the example count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bundles import factory as f
from bundles import rawzip
from bundles.desk import DeskProcess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.evidence import bag
from server.evidence.errors import BundleError
from server.evidence.verify import verify_bundle

KEYS = f.new_keys()
LOG = f.make_log(KEYS.server, days=7, start=dt.date(2026, 6, 1))
BASE = f.make_bundle(KEYS, LOG)
FILES = f.unzip(BASE)
NAMES = sorted(FILES)
JSON_FILES = ["data/journal.jsonl", "data/summary.json", "data/guides.json"]
TOKENS = [
    '"',
    "1.5",
    "-0",
    "1e3",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    '"\\ud800"',
    '"x"',
    "9007199254740993",
    '"a":1,',
    "\n",
    " ",
    "\x1c",
    "\u00e9",
    '"seq":0,',
    '"data":{},',
    '"hash":"' + "0" * 64 + '",',
    "[" * 40,
]
TRICKY_NAMES = [
    "data/photos/x.jpg",
    "DATA/summary.json",
    "data/Summary.json",
    "data/journal.jsonl ",
    "data/journal.jsonl.",
    "data/\u202egpj.txt",
    "data/stra\u00dfe",
    "data/STRASSE",
    "../x",
    "data/caf\u00e9",
    "data/cafe\u0301",
    "extra/notes.txt",
    "bagit.txt",
    "data/\u200b",
    "data/\u0430",
    "data/ok.txt",
]


@pytest.fixture(scope="module")
def desk() -> Iterator[DeskProcess]:
    process = DeskProcess(KEYS.known)
    yield process
    process.close()


def _retag(files: dict[str, bytes]) -> bytes:
    tags = [(n, d) for n, d in files.items() if "/" not in n and n != bag.TAGMANIFEST]
    return f.rezip({**files, bag.TAGMANIFEST: bag.manifest_text(tags)})


@st.composite
def flipped(draw: Any) -> bytes:
    data = bytearray(BASE)
    for _ in range(draw(st.integers(1, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def rearranged(draw: Any) -> bytes:
    entries = rawzip.bundle_entries(BASE, method=draw(st.sampled_from([0, 8])))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["rename", "swap", "drop", "add", "flags", "method"]))
        i = draw(st.integers(0, len(entries) - 1))
        if action == "rename":
            name = draw(st.sampled_from(TRICKY_NAMES) | st.text(min_size=1, max_size=12))
            entries[i].name = f"{f.ROOT}/{name}".encode("utf-8", "surrogatepass")
        elif action == "swap":
            j = draw(st.integers(0, len(entries) - 1))
            entries[i], entries[j] = entries[j], entries[i]
        elif action == "drop" and len(entries) > 1:
            entries.pop(i)
        elif action == "add":
            name = draw(st.sampled_from(TRICKY_NAMES))
            entries.append(rawzip.Entry(f"{f.ROOT}/{name}".encode(), draw(st.binary(max_size=40))))
        elif action == "flags":
            entries[i].flags = draw(st.sampled_from([0, 0x0800, 0x0808, 0x0801, 0x0002]))
        elif action == "method":
            entries[i].local_method = draw(st.sampled_from([0, 8, 12]))
    return rawzip.write(entries)


@st.composite
def edited(draw: Any) -> bytes:
    files = dict(FILES)
    name = draw(st.sampled_from(JSON_FILES + NAMES))
    text = files[name]
    at = draw(st.integers(0, len(text)))
    cut = draw(st.integers(0, 8))
    insert = draw(st.sampled_from(TOKENS) | st.text(max_size=6)).encode("utf-8", "surrogatepass")
    files[name] = text[:at] + insert + text[at + cut :]
    how = draw(st.sampled_from(["reseal", "retag", "rezip"]))
    if how == "reseal":
        try:
            return f.reseal(files, KEYS.worker)
        except BundleError:  # bag-info.txt edited past reading: nothing to reseal from
            return f.rezip(files)
    return _retag(files) if how == "retag" else f.rezip(files)


@st.composite
def json_changed(draw: Any) -> bytes:
    """A journal entry's field changed to another JSON value, then re-signed."""
    lines = FILES["data/journal.jsonl"].decode().split("\n")
    index = draw(st.integers(0, len(lines) - 2))
    entry = json.loads(lines[index])
    field = draw(st.sampled_from(sorted(entry)))
    value = draw(
        st.none()
        | st.booleans()
        | st.integers(-(2**54), 2**54)
        | st.text(max_size=10)
        | st.sampled_from(["2026-06-01T12:00:00Z", "0" * 64, "receipt", "create"])
    )
    entry[field] = value
    lines[index] = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    files = {**FILES, "data/journal.jsonl": "\n".join(lines).encode("utf-8", "surrogatepass")}
    return f.reseal(files, KEYS.worker)


MUTANTS = flipped() | rearranged() | edited() | json_changed()


def test_the_base_bundle_verifies_in_both(desk: DeskProcess) -> None:
    assert verify_bundle(BASE, KEYS.known).ok
    assert desk.verify(BASE).ok


@settings(
    max_examples=160,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(MUTANTS)
def test_python_and_the_desk_agree_on_every_mutant(desk: DeskProcess, mutant: bytes) -> None:
    report = verify_bundle(mutant, KEYS.known)
    python = (report.ok, report.error_codes)
    seen = desk.verify(mutant)
    assert python == (seen.ok, seen.codes)
    assert "verifier_error" not in json.dumps(report.error_codes)


# --- the journal's own rules, times and photo files (server/evidence/rules.py) -----------------
#
# Mutants that keep the chain whole: journal entries are changed (kind, time, reason, replaces,
# record, receipt), copied, dropped or withheld, then the chain is recomputed and the bundle sealed,
# so both verifiers get past `chain` and must agree on `rules` and `photos`. Photo files whose
# headers come from tests/rules_vectors.json are added, recorded by an entry or not.

_RULES_VECTORS = json.loads((Path(__file__).parent / "rules_vectors.json").read_text("utf-8"))
_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PHOTO_FILES = [(c["mime"], bytes.fromhex(c["hex"])) for c in _RULES_VECTORS["images"]]
TIMES = [
    "2026-06-01T00:00:00.000Z",
    "2026-06-03T16:45:00.000Z",
    "2026-06-05T17:04:59.999Z",
    "2026-06-05T17:05:00.001Z",
    "2026-07-01T00:00:00.000Z",
    "2026-02-30T12:00:00Z",
    "2026-06-07T16:45:00.5Z",
]


@st.composite
def rechained(draw: Any) -> bytes:
    bodies = [
        {k: v for k, v in e.items() if k not in ("seq", "prev_hash", "hash")} for e in LOG.entries
    ]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(bodies) - 1))
        body = bodies[i] = dict(bodies[i])
        what = draw(st.sampled_from(
            ["time", "kind", "reason", "replaces", "record_id", "record_type", "data", "receipt",
             "copy", "drop", "withhold"]
        ))  # fmt: skip
        if what == "time":
            body["time"] = draw(st.sampled_from(TIMES))
        elif what == "kind":
            body["kind"] = draw(st.sampled_from(["create", "edit", "delete", "receipt"]))
        elif what == "reason":
            body["reason"] = draw(st.sampled_from([None, "", " ", "\x1c", "\u3000", "corregido"]))
        elif what == "replaces":
            body["replaces"] = ("entry", draw(st.integers(0, len(bodies) - 1)))
        elif what == "record_id":
            body["record_id"] = draw(st.sampled_from([None, "s0", "s1", "emp1", "job1"]))
        elif what == "record_type":
            body["record_type"] = draw(st.sampled_from([None, "shift", "incident", "photo"]))
        elif what in ("data", "receipt"):
            body[what] = None
        elif what == "copy":
            bodies.insert(i + 1, dict(body))
        elif what == "withhold":
            body["withhold"] = True  # becomes a withheld line once the chain is made
        elif len(bodies) > 2:
            bodies.pop(i)
    log = f.LogBuilder(photos=dict(LOG.photos))
    withhold = []
    for body in bodies:
        entry = dict(body)
        if entry.pop("withhold", False):
            withhold.append(len(log.entries))
        if isinstance(entry.get("replaces"), tuple):
            k = entry["replaces"][1]
            entry["replaces"] = log.entries[k]["hash"] if k < len(log.entries) else "0" * 64
        log.append(entry)
    for i in withhold:
        e = log.entries[i]
        log.entries[i] = {k: e[k] for k in ("seq", "prev_hash", "hash", "time")} | {
            "withheld": True
        }
    for _ in range(draw(st.integers(0, 2))):
        mime, data = draw(st.sampled_from(PHOTO_FILES))
        ext = draw(st.sampled_from([_EXT[mime], "jpg", "png", "webp", "gif"]))
        digest = hashlib.sha256(data).hexdigest()
        log.photos[f"data/photos/{digest}.{ext}"] = data
        if draw(st.booleans()):
            record = {"type": "photo", "id": f"z{digest[:6]}", "mime": mime, "sha256": digest}
            log.create({**record, "size_bytes": len(data)}, log.entries[-1]["time"])
    return f.make_bundle(KEYS, log)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rechained())
def test_python_and_the_desk_agree_on_journal_rules_times_and_photos(
    desk: DeskProcess, mutant: bytes
) -> None:
    report = verify_bundle(mutant, KEYS.known)
    seen = desk.verify(mutant)
    assert (report.ok, report.error_codes) == (seen.ok, seen.codes)
    assert "verifier_error" not in json.dumps(report.error_codes)
