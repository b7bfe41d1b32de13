"""Running the staff desk's JS verifier (pwa/staff/verify.js) in Node from Python tests.

`desk_verify` sends many bundles to one Node process (tests/js/desk_verify.mjs) and returns
each verdict and its error codes in the form `Report.error_codes` has, so a test can assert
that the Python verifier and the desk's say exactly the same about every crafted bundle.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from server.evidence.verify import verify_bundle

HARNESS = Path(__file__).resolve().parent.parent / "js" / "desk_verify.mjs"
NODE = shutil.which("node")


@dataclass
class Verdict:
    ok: bool
    codes: dict[str, list[str]]


def _raw(key: ed25519.Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def desk_verify(
    bundles: list[bytes], known: dict[str, ed25519.Ed25519PublicKey] | None
) -> list[Verdict]:
    """The desk's verdict on each bundle; a JS exception fails the test that asked."""
    assert NODE, "node is needed to run the desk's verifier"
    payload: dict[str, Any] = {
        "keys": {k: _raw(v) for k, v in known.items()} if known is not None else None,
        "bundles": [base64.b64encode(b).decode() for b in bundles],
    }
    done = subprocess.run(
        [NODE, str(HARNESS)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    results = json.loads(done.stdout)
    verdicts = []
    for result in results:
        assert result["crash"] is None, result["crash"]
        verdicts.append(Verdict(result["ok"], result["codes"]))
    return verdicts


def both_verify(
    bundles: list[bytes], known: dict[str, ed25519.Ed25519PublicKey] | None
) -> list[Verdict]:
    """Each bundle through Python and the desk; asserts the same verdict and the same codes."""
    desk = desk_verify(bundles, known)
    python = []
    for index, bundle in enumerate(bundles):
        report = verify_bundle(bundle, known)
        mine = Verdict(report.ok, report.error_codes)
        assert mine == desk[index], f"bundle {index}: Python {mine} != desk {desk[index]}"
        python.append(mine)
    return python
