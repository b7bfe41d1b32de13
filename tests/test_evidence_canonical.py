"""The one strict JSON reading and canonical form (server/canonical.py) on the shared vectors.

The desk and the phone run the same vectors with pwa/js/canonical.js in
tests/js/canonical.test.mjs; both must give the same canonical bytes or the same error code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server import canonical

VECTORS = json.loads(
    (Path(__file__).resolve().parent / "canonical_vectors.json").read_text("utf-8")
)["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_shared_vector(vector: dict[str, Any]) -> None:
    if "error" in vector:
        with pytest.raises(canonical.JsonError) as caught:
            canonical.loads(vector["json"].encode("utf-8", "surrogatepass"))
        assert caught.value.code == vector["error"]
    else:
        value = canonical.loads(vector["json"].encode("utf-8"))
        assert canonical.canonical_json(value) == vector["canonical"].encode("utf-8")


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(canonical.JsonError) as caught:
        canonical.loads(b'"caf\xe9"')
    assert caught.value.code == "json_syntax"


def test_values_without_a_canonical_form() -> None:
    for value, code in [
        (1.5, "json_number"),
        (2**53, "json_number"),
        ("\ud800", "json_lone_surrogate"),
        ({1: "x"}, "json_syntax"),
        ([[[]]] * 1, None),
    ]:
        if code is None:
            assert canonical.canonical_json(value) == b"[[[]]]"
            continue
        with pytest.raises(canonical.JsonError) as caught:
            canonical.canonical_json(value)
        assert caught.value.code == code


def test_the_log_hashes_with_the_one_canonical_implementation() -> None:
    """server/log_format.py hashes with server/canonical.py itself, not a copy of it."""
    from server import log_format

    assert log_format.canonical_json is canonical.canonical_json
    assert log_format.CanonicalJsonError is canonical.JsonError
