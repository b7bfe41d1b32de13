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


def desk_reports(
    bundles: list[bytes], known: dict[str, ed25519.Ed25519PublicKey] | None
) -> list[dict[str, Any]]:
    """The desk's answer on each bundle: ok, codes, uncovered and each receipt's verdict."""
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
    results: list[dict[str, Any]] = json.loads(done.stdout)
    for result in results:
        assert result["crash"] is None, result["crash"]
    return results


def desk_verify(
    bundles: list[bytes], known: dict[str, ed25519.Ed25519PublicKey] | None
) -> list[Verdict]:
    """The desk's verdict on each bundle; a JS exception fails the test that asked."""
    return [Verdict(r["ok"], r["codes"]) for r in desk_reports(bundles, known)]


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


class DeskProcess:
    """One Node process that judges bundles one at a time (for the differential fuzzer)."""

    def __init__(self, known: dict[str, ed25519.Ed25519PublicKey] | None) -> None:
        assert NODE, "node is needed to run the desk's verifier"
        self.proc = subprocess.Popen(
            [NODE, str(HARNESS), "--lines"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        keys = {k: _raw(v) for k, v in known.items()} if known is not None else None
        self._send(json.dumps({"keys": keys}))

    def _send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def verify(self, bundle: bytes) -> Verdict:
        self._send(base64.b64encode(bundle).decode())
        assert self.proc.stdout is not None
        answer = self.proc.stdout.readline()
        assert answer, "the desk's verifier stopped"
        result = json.loads(answer)
        assert result["crash"] is None, result["crash"]
        return Verdict(result["ok"], result["codes"])

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
