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
