"""`cartilla check --as-of DATE`: a scheduled wage change whose figure is not in the data warns 60
days ahead and is an error once in force; a state with no AEWR in force is an error."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

from server.content.check import load_content

# Not imported from conftest: with tests/browser/ collected too, "conftest" is ambiguous.
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"

ROOT = Path(__file__).resolve().parent.parent
SRC = '{title: Test source, url: "https://example.test/law", accessed: 2026-12-01}'
RULES = f"""reviewed: 2026-11-01
review_status: draft
jurisdictions:
  - id: federal
    minimum_wage:
      - {{effective: 2009-07-24, rate: 7.25, source: {SRC}}}
  - id: WA
    minimum_wage:
      - {{effective: 2026-01-01, rate: 17.13, source: {SRC}}}
    aewr:
      - {{effective: 2026-01-01, rate: 20.00, source: {SRC}}}
    scheduled_changes:
      - {{field: minimum_wage, effective: 2024-01-01, yearly: true, source: {SRC}}}
"""


def _problems(tmp_path: Path, as_of: str, rules: str = RULES) -> list[tuple[str, str]]:
    root = tmp_path / "content"
    if not root.exists():
        shutil.copytree(FIXTURE_CONTENT, root)
    (root / "data" / "wage_rules.yaml").write_text(rules, encoding="utf-8")
    cs = load_content(root, check_git=False, as_of=dt.date.fromisoformat(as_of))
    return [
        (p.level, p.message)
        for p in cs.problems
        if p.path == "data/wage_rules.yaml" and "is missing:" not in p.message
    ]


def test_a_yearly_change_warns_60_days_before_its_date(tmp_path: Path) -> None:
    assert _problems(tmp_path, "2026-11-01") == []  # 61 days before 2027-01-01
    assert _problems(tmp_path, "2026-11-02") == [
        (
            "warning",
            "WA: the minimum_wage scheduled for 2027-01-01 is not in the data (as of 2026-11-02);"
            " add it with its source",
        )
    ]


def test_once_in_force_without_a_figure_it_is_an_error(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "2027-01-01")
    assert (
        "error",
        "WA: the minimum_wage in force since 2027-01-01 is not in the data (as of 2027-01-01);"
        " add it with its source",
    ) in problems


def test_an_entry_on_or_after_the_date_is_enough(tmp_path: Path) -> None:
    rules = RULES.replace(
        "      - {effective: 2026-01-01, rate: 17.13,",
        f"      - {{effective: 2027-01-01, rate: 17.50, source: {SRC}}}\n"
        "      - {effective: 2026-01-01, rate: 17.13,",
    )
    assert not [m for _, m in _problems(tmp_path, "2027-01-10", rules) if "minimum_wage" in m]


def test_a_state_without_an_aewr_in_force_is_an_error(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "2027-01-03")  # 367 days after the 2026-01-01 AEWR
    assert (
        "error",
        "WA: no AEWR in force on 2027-01-03 (latest: 2026-01-01); add the current year's rates"
        " with their source",
    ) in problems
    no_aewr = RULES.replace(
        f"    aewr:\n      - {{effective: 2026-01-01, rate: 20.00, source: {SRC}}}\n", ""
    )
    assert any(
        "WA: no AEWR in force on 2026-06-01 (latest: none)" in m
        for _, m in _problems(tmp_path, "2026-06-01", no_aewr)
    )


def test_without_as_of_nothing_about_dates_is_checked(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / "data" / "wage_rules.yaml").write_text(RULES, encoding="utf-8")
    messages = [p.message for p in load_content(root, check_git=False).problems]
    assert not [m for m in messages if "AEWR" in m or "scheduled" in m]


def test_a_bad_as_of_date_is_a_plain_usage_error_in_both_languages() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "check", "--as-of", "2026-13-45"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "fecha no válida / not a date: '2026-13-45'" in done.stderr
    assert "Traceback" not in done.stderr
