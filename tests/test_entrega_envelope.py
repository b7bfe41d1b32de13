"""The envelope inside the age file: made and read strictly, against the shared vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pyrage
import pytest

from server.entrega import envelope

VECTORS = json.loads((Path(__file__).parent / "entrega_vectors.json").read_text("utf-8"))


def _bytes(vec: dict[str, Any]) -> bytes:
    head = base64.b64decode(vec["head"])
    tail = base64.b64decode(vec.get("tail", ""))
    return head + b"\0" * (vec["total"] - len(head) - len(tail)) + tail


@pytest.mark.parametrize("vec", VECTORS["envelopes"], ids=lambda v: v["case"])
def test_envelope_vector(vec: dict[str, Any]) -> None:
    data = _bytes(vec)
    if "error" in vec:
        with pytest.raises(envelope.EnvelopeError) as caught:
            envelope.read(data)
        assert caught.value.code == vec["error"]
    else:
        name, bundle = envelope.read(data)
        assert name == vec["name"]
        assert bundle == base64.b64decode(vec["bundle"])
        assert envelope.make(name, bundle) == data


def test_buckets_hide_the_size() -> None:
    assert VECTORS["buckets"] == list(envelope.BUCKETS)
    assert envelope.BUCKETS[0] == 64 * 1024 and envelope.BUCKETS[-1] == 48 * 1024 * 1024
    assert len(envelope.make("a.zip", b"x")) == 64 * 1024
    assert len(envelope.make("a.zip", b"x" * 70_000)) == 128 * 1024
    with pytest.raises(envelope.EnvelopeError) as caught:
        envelope.make("a.zip", b"x" * envelope.MAX_PLAINTEXT)
    assert caught.value.code == "too_large"


def test_the_largest_envelope_fits_the_declared_ciphertext_maximum() -> None:
    assert VECTORS["max_ciphertext"] == envelope.MAX_CIPHERTEXT
    # A real age file of a full 1-bucket envelope, to four recipients: overhead as computed.
    ids = [pyrage.x25519.Identity.generate() for _ in range(4)]
    plain = envelope.make("a.zip", b"x")
    cipher = pyrage.encrypt(plain, [i.to_public() for i in ids])
    payload = envelope.age_payload_size(len(plain))
    assert payload < len(cipher) < payload + envelope.AGE_HEADER_ALLOWANCE


def test_age_vector_decrypts_to_an_envelope() -> None:
    vec = VECTORS["age"]
    plain = pyrage.decrypt(
        base64.b64decode(vec["ciphertext"]), [pyrage.x25519.Identity.from_str(vec["identity"])]
    )
    name, bundle = envelope.read(plain)
    assert name.endswith(".zip") and bundle.startswith(b"PK")
