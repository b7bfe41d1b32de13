"""Strict Ed25519 in both verifiers, on crafted vectors shared with the desk.

tests/ed25519_vectors.json is made by `make_vectors()` below (deterministic; a test checks
the file is current) and run by Python here and by the desk's code in
tests/js/ed25519.test.mjs: the same strict accept/reject decision and the same reason for
every vector. The vectors were crafted for Cartilla from the curve's definition (RFC 8032)
and the list of low-order point encodings published with C2SP CCTV's ed25519 vectors. The published
suites themselves (CCTV and Wycheproof) run in tests/test_ed25519_suites.py and
tests/js/ed25519_suites.test.mjs. Then whole bundles signed with weak keys and malleated
signatures go through both verifiers.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from bundles import factory as f
from bundles.desk import both_verify
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from server.evidence import bag
from server.evidence import signing as s

VECTORS_FILE = Path(__file__).resolve().parent / "ed25519_vectors.json"
# Low-order point encodings (edwards25519), as listed in C2SP CCTV's ed25519/README.md.
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
]
NON_CANONICAL = [
    "0100000000000000000000000000000000000000000000000000000000000080",  # x = -0
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y > p
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # x = -0
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
]
B_ENC = bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666")
MESSAGE = b"0" * 64 + b"  data/journal.jsonl\n"


def encode(point: s.Point) -> bytes:
    x, y, z, _ = point
    zi = pow(z, s.P - 2, s.P)
    x, y = x * zi % s.P, y * zi % s.P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def point(raw: bytes) -> s.Point:
    decoded = s.decode_point(raw)
    assert not isinstance(decoded, str)
    return decoded


def make_vectors() -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = []

    def add(name: str, key: bytes, sig: bytes, msg: bytes = MESSAGE) -> None:
        key_problem = s.ed25519_key_problem(key)
        sig_problem = s.ed25519_signature_problem(sig)
        valid = False
        if key_problem is None and sig_problem is None:
            try:
                ed25519.Ed25519PublicKey.from_public_bytes(key).verify(sig, msg)
                valid = True
            except InvalidSignature:
                pass
        vectors.append(
            {
                "name": name,
                "key": key.hex(),
                "sig": sig.hex(),
                "msg": msg.hex(),
                "key_problem": key_problem,
                "sig_problem": sig_problem,
                "valid": valid,
            }
        )

    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    key = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    sig = private.sign(MESSAGE)
    add("genuine signature", key, sig)
    add("genuine key, other message", key, sig, MESSAGE + b"x")
    big_s = (int.from_bytes(sig[32:], "little") + s.L).to_bytes(32, "little")
    add("S + L (same meaning, malleated)", key, sig[:32] + big_s)
    add("S = 2**256 - 1", key, sig[:32] + b"\xff" * 32)
    # The identity key: R = [S]B makes a signature the cofactorless check accepts for any
    # message ([S]B = R + [k]A with A = 0). OpenSSL and WebCrypto take it.
    universal_s = 12345
    universal = encode(s._mul(universal_s, point(B_ENC))) + universal_s.to_bytes(32, "little")
    add("identity key, universal signature", bytes.fromhex(SMALL_ORDER[0]), universal)
    add(
        "identity key, universal signature, other message",
        bytes.fromhex(SMALL_ORDER[0]),
        universal,
        b"x",
    )
    for i, enc in enumerate(SMALL_ORDER):
        add(f"small-order key {i}", bytes.fromhex(enc), sig)
        add(f"small-order R {i}", key, bytes.fromhex(enc) + sig[32:])
    for i, enc in enumerate(NON_CANONICAL):
        add(f"non-canonical key {i}", bytes.fromhex(enc), sig)
        add(f"non-canonical R {i}", key, bytes.fromhex(enc) + sig[32:])
    torsion = point(bytes.fromhex(SMALL_ORDER[4]))
    mixed = encode(s._add(point(key), torsion))
    add("key with a low-order component", mixed, sig)
    mixed_r = encode(s._add(point(sig[:32]), torsion))
    add("R with a low-order component", key, mixed_r + sig[32:])
    y = 2
    while not isinstance(s.decode_point(y.to_bytes(32, "little")), str):
        y += 1
    add("key not on the curve", y.to_bytes(32, "little"), sig)
    add("R not on the curve", key, y.to_bytes(32, "little") + sig[32:])
    return vectors


def test_vector_file_is_current() -> None:
    data = json.loads(VECTORS_FILE.read_text("utf-8"))
    assert data["vectors"] == make_vectors(), (
        "regenerate tests/ed25519_vectors.json from make_vectors()"
    )


def test_only_the_genuine_signature_is_valid() -> None:
    vectors = make_vectors()
    assert [v["name"] for v in vectors if v["valid"]] == ["genuine signature"]
    reasons = {v["name"]: (v["key_problem"], v["sig_problem"]) for v in vectors}
    assert reasons["S + L (same meaning, malleated)"] == (None, "S >= L")
    assert reasons["identity key, universal signature"] == ("small order", None)
    assert reasons["key with a low-order component"] == ("low-order component", None)
    assert reasons["R with a low-order component"] == (None, "R: low-order component")
    assert reasons["non-canonical key 0"] == ("non-canonical", None)


def test_the_library_alone_accepts_the_identity_key() -> None:
    """Why the explicit check exists: OpenSSL verifies the universal signature."""
    identity = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(SMALL_ORDER[0]))
    vector = next(v for v in make_vectors() if v["name"].startswith("identity key"))
    sig = bytes.fromhex(vector["sig"])
    try:
        identity.verify(sig, b"any manifest at all")
        accepted = True
    except InvalidSignature:
        accepted = False
    if not accepted:
        pytest.skip("this OpenSSL refuses the identity key itself")
    assert s.ed25519_key_problem(bytes.fromhex(SMALL_ORDER[0])) == "small order"


# --- whole bundles ---------------------------------------------------------------------


def _pem(raw: bytes) -> bytes:
    der = s.ED25519_SPKI + raw
    b64 = base64.b64encode(der).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n".encode()


def _with_key(files: dict[str, bytes], raw_key: bytes, sign: Any) -> bytes:
    """A bundle whose key and signature files are replaced, every manifest made to match:
    `sign(tag manifest) -> signature` (the signature is over the retagged tag manifest)."""
    out = dict(files)
    out["public-key.pem"] = _pem(raw_key)
    fingerprint = s.hashlib.sha256(s.ED25519_SPKI + raw_key).hexdigest()
    info = out["bag-info.txt"].decode().splitlines()
    info = [
        f"Cartilla-Key-Fingerprint: {fingerprint}" if line.startswith("Cartilla-Key-F") else line
        for line in info
    ]
    out["bag-info.txt"] = ("\n".join(info) + "\n").encode()
    _tags(out)
    out[bag.SIGNATURE] = base64.b64encode(sign(out[bag.TAGMANIFEST])) + b"\n"
    return f.rezip(out)


def _tags(out: dict[str, bytes]) -> None:
    tags = [
        (n, d) for n, d in out.items() if "/" not in n and n not in (bag.TAGMANIFEST, bag.SIGNATURE)
    ]
    out[bag.TAGMANIFEST] = bag.manifest_text(tags)


def _retag(out: dict[str, bytes]) -> bytes:
    """Recompute the tag manifest (not re-signed) and zip: a forger's careful re-packing."""
    _tags(out)
    return f.rezip(out)


def test_bundles_with_weak_keys_and_signatures(tmp_path: Path) -> None:
    keys = f.new_keys()
    files = f.unzip(f.make_bundle(keys))
    worker = keys.worker
    assert isinstance(worker, ed25519.Ed25519PrivateKey)
    raw = worker.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    universal_s = 777
    universal = encode(s._mul(universal_s, point(B_ENC))) + universal_s.to_bytes(32, "little")
    torsion = point(bytes.fromhex(SMALL_ORDER[5]))

    def big_s(message: bytes) -> bytes:
        good = worker.sign(message)
        return good[:32] + (int.from_bytes(good[32:], "little") + s.L).to_bytes(32, "little")

    def torsion_r(message: bytes) -> bytes:
        good = worker.sign(message)
        return encode(s._add(point(good[:32]), torsion)) + good[32:]

    bundles = [
        _with_key(files, raw, worker.sign),
        # An edited manifest "signed" by the identity key: OpenSSL and WebCrypto accept it.
        _with_key(files, bytes.fromhex(SMALL_ORDER[0]), lambda _m: universal),
        _with_key(files, bytes.fromhex(NON_CANONICAL[0]), lambda _m: universal),
        _with_key(files, encode(s._add(point(raw), torsion)), worker.sign),
        _with_key(files, raw, big_s),
        _with_key(files, raw, torsion_r),
    ]
    verdicts = both_verify(bundles, keys.known)
    assert [v.codes for v in verdicts] == [
        {},
        {"signature": ["weak_public_key"]},
        {"signature": ["weak_public_key"]},
        {"signature": ["weak_public_key"]},
        {"signature": ["weak_signature"]},
        {"signature": ["weak_signature"]},
    ]


def test_key_and_signature_files_are_read_strictly() -> None:
    keys = f.new_keys()
    files = f.unzip(f.make_bundle(keys))
    sig = files["tagmanifest-sha256.txt.sig"].strip()
    pem = files["public-key.pem"]
    variants = {
        "tagmanifest-sha256.txt.sig": [sig.rstrip(b"=") + b"\n", b" " + sig + b" \n"],
        "public-key.pem": [
            pem.replace(b"PUBLIC KEY", b"SOMETHING ELSE"),
            b"junk before\n" + pem,
            pem.replace(b"\n", b"\r\n"),
        ],
    }
    bundles = []
    for name, contents in variants.items():
        for content in contents:
            out = dict(files)
            out[name] = content
            bundles.append(_retag(out))
    verdicts = both_verify(bundles, keys.known)
    codes = [v.codes.get("signature", []) for v in verdicts]
    assert codes[0] == ["signature_invalid"]  # no padding: not the 88 characters we write
    assert codes[1] == []  # surrounding whitespace is fine
    assert all(c and c[0] == "bad_public_key" for c in codes[2:])


def test_ecdsa_bundles_in_both_verifiers() -> None:
    """Phones without Ed25519 sign with ECDSA P-256: same verdicts in Python and the desk."""
    keys = f.new_keys(ecdsa=True)
    good = f.make_bundle(keys)
    files = f.unzip(good)
    sig = base64.b64decode(files["tagmanifest-sha256.txt.sig"])
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    pem = files["public-key.pem"].decode()
    body = "".join(pem.splitlines()[1:-1])
    der = bytearray(base64.b64decode(body))
    der[-1] ^= 1  # no longer a point on P-256
    bad_point = base64.b64encode(bytes(der)).decode()
    bad_pem = f"-----BEGIN PUBLIC KEY-----\n{bad_point}\n-----END PUBLIC KEY-----\n".encode()
    bundles = [
        good,
        _retag({**files, "tagmanifest-sha256.txt.sig": base64.b64encode(flipped) + b"\n"}),
        _retag({**files, "public-key.pem": bad_pem}),
    ]
    verdicts = both_verify(bundles, keys.known)
    assert verdicts[0].ok
    assert verdicts[1].codes == {"signature": ["signature_invalid"]}
    assert verdicts[2].codes["signature"][0] == "bad_public_key"
