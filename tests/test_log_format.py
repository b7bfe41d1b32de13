"""The exported log format: the schema file is current, the chain catches tampering."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from server.log_format import (
    GENESIS_HASH,
    CanonicalJsonError,
    LogFormatError,
    append_entry,
    canonical_json,
    entry_hash,
    export_from_journal,
    log_schema_json,
    verify_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
T = "2025-06-03T18:22:05.123Z"


def sample_log() -> dict[str, Any]:
    journal: list[dict[str, Any]] = []
    append_entry(
        journal,
        time=T,
        kind="create",
        data={"type": "employer", "id": "e1", "name": "Rancho Ñandú"},
    )
    append_entry(
        journal,
        time=T,
        kind="create",
        data={
            "type": "job",
            "id": "j1",
            "employer_id": "e1",
            "state": "CA",
            "industry": "agriculture",
            "status": "h2a",
        },
    )
    shift = {
        "type": "shift",
        "id": "s1",
        "job_id": "j1",
        "date": "2025-06-02",
        "start": "07:00",
        "end": "15:30",
        "break_minutes": 30,
    }
    first = append_entry(journal, time=T, kind="create", data=shift)
    edited = dict(shift, end="16:30")
    append_entry(
        journal,
        time=T,
        kind="edit",
        data=edited,
        replaces=first["hash"],
        reason="Olvidé la última hora",
    )
    photo_bytes = b"\xff\xd8\xff fake jpeg"
    digest = hashlib.sha256(photo_bytes).hexdigest()
    append_entry(
        journal,
        time=T,
        kind="create",
        data={
            "type": "photo",
            "id": "p1",
            "mime": "image/jpeg",
            "sha256": digest,
            "size_bytes": len(photo_bytes),
        },
    )
    photos = [
        {
            "id": "p1",
            "mime": "image/jpeg",
            "sha256": digest,
            "data_base64": base64.b64encode(photo_bytes).decode(),
        }
    ]
    return export_from_journal(journal, exported_at=T, photos=photos)


def encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def test_schema_file_is_current() -> None:
    path = ROOT / "content" / "schema" / "log.schema.json"
    assert path.read_bytes() == log_schema_json(), "run: cartilla schemas"


def test_a_clean_log_verifies_with_its_head() -> None:
    doc = sample_log()
    report = verify_bytes(encode(doc))
    assert report.ok, report.problems
    assert report.entries == 5
    assert report.head == doc["chain_head"] == doc["journal"][-1]["hash"]
    assert doc["journal"][0]["prev_hash"] == GENESIS_HASH
    # The edited shift is current, the old end time is kept in the journal.
    assert doc["shifts"][0]["end"] == "16:30"
    assert doc["journal"][2]["data"]["end"] == "15:30"


def test_changing_a_stored_entry_is_caught() -> None:
    doc = sample_log()
    doc["journal"][2]["data"]["end"] = "17:30"
    codes = {p.code for p in verify_bytes(encode(doc)).problems}
    assert "hash_mismatch" in codes


def test_rehashing_a_changed_entry_breaks_the_next_link() -> None:
    doc = sample_log()
    doc["journal"][2]["data"]["end"] = "17:30"
    doc["journal"][2]["hash"] = entry_hash(doc["journal"][2])
    report = verify_bytes(encode(doc))
    assert not report.ok
    assert [p.seq for p in report.problems if p.code == "broken_link"] == [3]


def test_removing_an_entry_is_caught() -> None:
    doc = sample_log()
    del doc["journal"][1]
    codes = {p.code for p in verify_bytes(encode(doc)).problems}
    assert {"seq", "broken_link"} <= codes


def test_records_that_disagree_with_the_journal_are_caught() -> None:
    doc = sample_log()
    doc["shifts"][0]["end"] = "18:00"
    codes = {p.code for p in verify_bytes(encode(doc)).problems}
    assert codes == {"records_differ"}


def test_an_edit_without_a_reason_is_flagged() -> None:
    journal = copy.deepcopy(sample_log()["journal"][:3])
    append_entry(
        journal,
        time=T,
        kind="edit",
        data=dict(journal[2]["data"], end="18:00"),
        replaces=journal[2]["hash"],
        reason=" ",
    )
    doc = export_from_journal(journal, exported_at=T)
    codes = {p.code for p in verify_bytes(encode(doc)).problems}
    assert codes == {"no_reason"}


def test_swapped_photo_bytes_are_caught() -> None:
    doc = sample_log()
    doc["photos"][0]["data_base64"] = base64.b64encode(b"another picture").decode()
    codes = {p.code for p in verify_bytes(encode(doc)).problems}
    assert codes == {"photo_mismatch"}


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats() -> None:
    assert (
        canonical_json({"b": 1, "a": "ñ", "c": [True, None]})
        == '{"a":"ñ","b":1,"c":[true,null]}'.encode()
    )
    assert canonical_json({"t": 'a\nb\u0001"\\'}) == b'{"t":"a\\nb\\u0001\\"\\\\"}'
    with pytest.raises(CanonicalJsonError):
        canonical_json({"rate": 12.5})


def test_known_hash_matches_the_documented_recipe() -> None:
    entry = {
        "seq": 0,
        "prev_hash": GENESIS_HASH,
        "kind": "create",
        "data": {"id": "x", "name": "José"},
    }
    expected = hashlib.sha256(
        (
            GENESIS_HASH
            + "\n"
            + '{"data":{"id":"x","name":"José"},"kind":"create","prev_hash":"'
            + GENESIS_HASH
            + '","seq":0}'
        ).encode()
    ).hexdigest()
    assert entry_hash(entry) == expected


@pytest.mark.parametrize(
    ("raw", "en_part"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        # A second "format" would be read by one parser and hidden from another.
        (b'{"format": "cartilla-log", "format": "x"}', "a field name appears twice"),
        (b'{"format": "cartilla-log", "n": 1.5}', "not whole"),
        (b'{"format": "something-else"}', "not a Cartilla log"),
        (
            b'{"format": "cartilla-log", "exported_at": "yesterday", "chain_head": "00"}',
            "invalid value",
        ),
    ],
)
def test_non_logs_get_a_clear_bilingual_error(raw: bytes, en_part: str) -> None:
    with pytest.raises(LogFormatError) as info:
        verify_bytes(raw)
    assert en_part in info.value.en
    assert info.value.es


def test_the_js_fixture_hashes_match_python() -> None:
    """tests/js/journal_fixture.json is what tests/js/journal.test.mjs checks the phone against."""
    doc = json.loads((ROOT / "tests" / "js" / "journal_fixture.json").read_text(encoding="utf-8"))
    for entry in doc["journal"]:
        assert entry_hash(entry) == entry["hash"]
    log = export_from_journal(doc["journal"], exported_at=T)
    assert verify_bytes(encode(log)).ok
