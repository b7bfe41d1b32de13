"""One JSON reading in a bundle: Python and the desk refuse the same JSON with the same code.

Each bundle here is re-sealed with the worker's key after the edit (a careful forger), so
only the strict reading can catch it: duplicate keys (a second "data" member that one reader
would hash and another would show), nesting past 32 levels, lone surrogates, numbers that
are not canonical integers.
"""

from __future__ import annotations

import pytest
from bundles import factory as f
from bundles.desk import both_verify


@pytest.fixture(scope="module")
def keys() -> f.Keys:
    return f.new_keys()


@pytest.fixture(scope="module")
def files(keys: f.Keys) -> dict[str, bytes]:
    return f.unzip(f.make_bundle(keys))


def edited(files: dict[str, bytes], keys: f.Keys, name: str, change: object) -> bytes:
    out = dict(files)
    if name == "data/journal.jsonl":
        lines = out[name].decode().split("\n")
        index, text = change  # type: ignore[misc]
        lines[index] = text(lines[index])
        out[name] = "\n".join(lines).encode()
    else:
        out[name] = str(change).encode("utf-8", "surrogatepass")
    return f.reseal(out, keys.worker)


CASES = [
    # A second "data" member: Python's json keeps the last, others the first.
    ("journal", (3, lambda line: line[:-1] + ',"data":{"type":"note"}}'), "json_duplicate_key"),
    ("journal", (3, lambda line: line.replace('"seq":3', '"seq":3.0')), "json_number"),
    ("journal", (3, lambda line: line.replace('"seq":3', '"seq":-0')), "json_number"),
    ("journal", (3, lambda line: line.replace('"seq":3', '"seq":3e0')), "json_number"),
    ("journal", (3, lambda line: line.replace('"seq":3', '"seq":9007199254740995')), "json_number"),
    ("journal", (3, lambda line: "[" * 33 + "]" * 33), "json_too_deep"),
    (
        "journal",
        (3, lambda line: line.replace('"kind":"create"', '"kind":"\\udc00"')),
        "json_lone_surrogate",
    ),
    ("journal", (3, lambda line: "\x1c"), "bad_schema"),  # not blank to every language
    ("journal", (3, lambda line: line + " NaN"), "bad_schema"),
    ("summary", '{"format":"cartilla-evidence","format":"x"}', "json_duplicate_key"),
    ("summary", "\ufeff{}", "bad_schema"),
    ("guides", '{"guides":[],"pack_hash":"\\ud800"}', "json_lone_surrogate"),
    ("guides", '{"guides":[{"version":1.5}]}', "json_number"),
]
FILE = {
    "journal": "data/journal.jsonl",
    "summary": "data/summary.json",
    "guides": "data/guides.json",
}


def test_strict_json_in_both_verifiers(keys: f.Keys, files: dict[str, bytes]) -> None:
    bundles = [edited(files, keys, FILE[where], change) for where, change, _ in CASES]
    verdicts = both_verify(bundles, keys.known)
    assert [v.codes for v in verdicts] == [{"schema": [code]} for _, _, code in CASES]
    assert not any(v.ok for v in verdicts)


def test_the_desk_checks_the_same_schema_as_python() -> None:
    """The schema embedded in pwa/staff/verify.js is the one generated from the Structs."""
    import json
    import re
    from pathlib import Path

    from server.evidence.format import bundle_schema

    source = (Path(__file__).resolve().parent.parent / "pwa" / "staff" / "verify.js").read_text()
    match = re.search(r"// \[\[\[schema\nconst SCHEMA = (.*?);\n// \]\]\]", source, re.S)
    assert match, "the SCHEMA block is missing from verify.js"
    assert json.loads(match.group(1)) == bundle_schema(), (
        "regenerate the SCHEMA block in pwa/staff/verify.js from format.bundle_schema()"
    )


def test_patterns_mean_the_same_in_both(keys: f.Keys, files: dict[str, bytes]) -> None:
    import json

    lines = files["data/journal.jsonl"].decode().split("\n")
    shift = next(i for i, line in enumerate(lines) if '"record_type":"shift"' in line)
    entry = json.loads(lines[shift])

    def variant(change: dict[str, object]) -> bytes:
        edited_entry = {**entry, **change}
        out = list(lines)
        out[shift] = json.dumps(edited_entry, ensure_ascii=False, separators=(",", ":"))
        return f.reseal({**files, "data/journal.jsonl": "\n".join(out).encode()}, keys.worker)

    date = entry["data"]["date"]
    fullwidth = date.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    bundles = [
        variant({"hash": entry["hash"] + "\n"}),
        variant({"data": {**entry["data"], "date": fullwidth}}),
        variant({"data": {**entry["data"], "date": date + "\n"}}),
        variant({"time": "٢٠٢٦-06-01T12:00:00Z"}),
        variant({"data": {**entry["data"], "start": "6:00"}}),
    ]
    verdicts = both_verify(bundles, keys.known)
    assert [v.codes for v in verdicts] == [{"schema": ["bad_schema"]}] * len(bundles)
