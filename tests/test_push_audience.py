"""The phone decides which listed guides apply, by the same rule as the pack.

The server keeps no status and no industry, so each guide in a push message carries its own
audience and `pwa/sw-push.js` keeps the ones that fit the phone's profile. These vectors go
through the server's real message code (`changes_for`, msgspec encoding) and then through the
service worker's own `applies` function in Node, and must agree with `GuideEntry.applies`,
the rule that decides what is in a worker's pack.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest

from server.catalog import GuideEntry
from server.push.changes import Snapshot, changes_for, snapshot_from_rows
from server.push.schema import PushProfile

SW_PUSH = Path(__file__).resolve().parent.parent / "pwa" / "sw-push.js"

INDUSTRY_AUDIENCES: list[Any] = ["all", ["agriculture"], ["agriculture", "cleaning"]]
STATUS_AUDIENCES: list[list[str]] = [["any"], ["h2a"], ["h2a", "undocumented"], ["h2b"]]
PROFILES = list(
    itertools.product(
        ["agriculture", "cleaning", "domestic", "any"], ["h2a", "h2b", "undocumented", "any"]
    )
)

# Load sw-push.js with just enough of a service worker around it, then answer each vector.
NODE = """
const fs = require("fs");
const listeners = {};
globalThis.self = {
  addEventListener: (n, f) => { listeners[n] = f; }, location: { origin: "http://x" },
};
new Function(fs.readFileSync(process.argv[1], "utf8"))();
const vectors = JSON.parse(fs.readFileSync(0, "utf8"));
const answers = vectors.map((v) => self.cartillaGuideApplies(v.guide, v.profile));
process.stdout.write(JSON.stringify(answers));
"""


def listed_guide(industries: Any, statuses: list[str]) -> dict[str, Any]:
    """The guide as a push message lists it, made by the server's own code."""
    row = {
        "id": "g", "lang": "es", "version": 2, "hash": "h", "title": "T",
        "states": json.dumps("all"), "industries": json.dumps(industries),
        "statuses": json.dumps(statuses),
    }  # fmt: skip
    [changed] = changes_for(
        PushProfile(states=["CA"], language="es"), Snapshot([]), snapshot_from_rows([row])
    )
    guide: dict[str, Any] = json.loads(msgspec.json.encode(changed))
    return guide


def pack_rule(industries: Any, statuses: list[str], industry: str, status: str) -> bool:
    entry = GuideEntry(
        id="g", lang="es", version=1, title="T", summary="", kind="topic", states="all",
        industries=industries, statuses=statuses, topics=[], reviewed="2026-01-01",
        review_status="draft", hash="h", stale=False,
    )  # fmt: skip
    return entry.applies("CA", industry, status)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_service_worker_keeps_exactly_the_guides_the_pack_would_have() -> None:
    vectors = []
    expected = []
    for industries, statuses in itertools.product(INDUSTRY_AUDIENCES, STATUS_AUDIENCES):
        guide = listed_guide(industries, statuses)
        for industry, status in PROFILES:
            vectors.append(
                {
                    "guide": guide,
                    "profile": {"state": "CA", "industry": industry, "status": status},
                }
            )
            expected.append(pack_rule(industries, statuses, industry, status))
    done = subprocess.run(
        ["node", "-e", NODE, str(SW_PUSH)],
        input=json.dumps(vectors),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    wrong = [
        (v["guide"]["industries"], v["guide"]["statuses"], v["profile"], a)
        for v, a, e in zip(vectors, answers, expected, strict=True)
        if a != e
    ]
    assert wrong == []
    assert any(expected) and not all(expected)
