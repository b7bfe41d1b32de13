"""Strict Ed25519 decisions on suites others maintain: C2SP CCTV and Wycheproof.

The vectors are data in tests/third_party/ (origin, commit and licence in its README). The
decision is the one `cartilla verify` makes for a bundle's key and signature: refuse a weak key
(`weak_public_key`), refuse a weak signature (`weak_signature`), then the library's check. The
desk makes the same decisions on the same files (tests/js/ed25519_suites.test.mjs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from server.evidence import signing

HERE = Path(__file__).resolve().parent / "third_party"
CCTV: list[dict[str, Any]] = json.loads((HERE / "cctv_ed25519vectors.json").read_text("utf-8"))
WYCHEPROOF = json.loads((HERE / "wycheproof_ed25519_test.json").read_text("utf-8"))


def strict_accepts(key: bytes, sig: bytes, msg: bytes) -> bool:
    if signing.ed25519_key_problem(key) is not None:
        return False
    if len(sig) != 64 or signing.ed25519_signature_problem(sig) is not None:
        return False
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(key).verify(sig, msg)
    except (InvalidSignature, ValueError):
        return False
    return True


def wycheproof_cases() -> list[tuple[str, bytes, bytes, bytes, bool]]:
    cases = []
    for group in WYCHEPROOF["testGroups"]:
        key = bytes.fromhex(group["publicKey"]["pk"])
        for t in group["tests"]:
            cases.append(
                (
                    f"wycheproof {t['tcId']} {t['comment']}".strip(),
                    key,
                    bytes.fromhex(t["sig"]),
                    bytes.fromhex(t["msg"]),
                    t["result"] == "valid",
                )
            )
    return cases


def test_every_flagged_cctv_vector_is_refused_and_the_plain_one_accepted() -> None:
    accepted = [
        v["number"]
        for v in CCTV
        if strict_accepts(bytes.fromhex(v["key"]), bytes.fromhex(v["sig"]), v["msg"].encode())
    ]
    plain = [v["number"] for v in CCTV if not v["flags"]]
    assert len(CCTV) == 914
    assert accepted == plain and len(plain) == 1


def test_cctv_low_order_keys_are_refused_as_weak_keys() -> None:
    """A low-order or non-canonical A is a weak key by itself, before any signature."""
    for v in CCTV:
        flags = set(v["flags"] or ())
        if flags & {"low_order_A", "non_canonical_A", "low_order_component_A"}:
            assert signing.ed25519_key_problem(bytes.fromhex(v["key"])) is not None, v["number"]


@pytest.mark.parametrize(
    ("name", "key", "sig", "msg", "valid"), wycheproof_cases(), ids=lambda x: None
)
def test_wycheproof(name: str, key: bytes, sig: bytes, msg: bytes, valid: bool) -> None:
    assert strict_accepts(key, sig, msg) is valid, name


def test_the_suites_are_the_recorded_ones() -> None:
    """The README's counts are what the files hold (a truncated copy would test less)."""
    assert WYCHEPROOF["numberOfTests"] == len(wycheproof_cases()) == 151
    readme = (HERE / "README.md").read_text("utf-8")
    for name in ("cctv_ed25519vectors.json", "wycheproof_ed25519_test.json"):
        assert name in readme
