"""`cartilla coverage` over the real content: every profile has a state, industry and status
guide in Spanish and English."""

from __future__ import annotations

import json

import pytest

from server.cli import main
from server.config import PROJECT_ROOT
from server.content.check import load_content
from server.content.coverage import coverage

TEN_STATES = ["AZ", "CA", "FL", "GA", "IL", "NC", "NE", "NY", "TX", "WA"]


def test_real_content_covers_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["gaps"] == []
    assert report["states"] == TEN_STATES
    assert report["profiles"] == 10 * 8 * 3 * 2 == report["covered"]


def test_a_missing_state_guide_is_reported_as_a_gap() -> None:
    cs = load_content(PROJECT_ROOT / "content", check_git=False)
    cs.guides = [g for g in cs.guides if not (g.front.id == "nebraska" and g.front.lang == "en")]
    cov = coverage(cs)
    assert len(cov.gaps) == 8 * 3
    assert {(g["state"], g["lang"], tuple(g["missing"])) for g in cov.gaps} == {  # type: ignore[arg-type]
        ("NE", "en", ("state",))
    }
