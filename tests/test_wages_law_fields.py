"""`cartilla check`: every state's wage rules say every field the law sets (pay frequency, day
of rest, farm exemptions, regional minimums, overtime), filled or told in `law` with a source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.content.check import load_content
from server.content.schema import LAW_FIELDS

# Not imported from conftest: with tests/browser/ collected too, "conftest" is ambiguous.
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"

ROOT = Path(__file__).resolve().parent.parent

HEAD = """reviewed: 2026-11-01
review_status: draft
jurisdictions:
  - id: federal
    minimum_wage:
      - effective: 2009-07-24
        rate: 7.25
        source: {title: WHD minimum wage, url: "https://www.dol.gov/agencies/whd/minimum-wage"}
"""
SRC = '{title: Test source, url: "https://example.test/law", accessed: 2026-12-01}'


def _errors(tmp_path: Path, wage_rules: str) -> list[str]:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / "data" / "wage_rules.yaml").write_text(wage_rules, encoding="utf-8")
    return [str(p) for p in load_content(root, check_git=False).errors]


def test_the_real_rules_fill_every_field_for_every_state(tmp_path: Path) -> None:
    real = (ROOT / "content" / "data" / "wage_rules.yaml").read_text(encoding="utf-8")
    assert [e for e in _errors(tmp_path, real) if "wage_rules" in e] == []


def test_a_state_with_only_a_minimum_wage_names_each_missing_field(tmp_path: Path) -> None:
    rules = (
        HEAD
        + f"""  - id: TX
    minimum_wage:
      - effective: 2009-07-24
        rate: 7.25
        source: {SRC}
"""
    )
    errors = [e for e in _errors(tmp_path, rules) if "wage_rules" in e]
    assert len(errors) == len(LAW_FIELDS)
    for name in LAW_FIELDS:
        assert any(f"TX: '{name}' is missing" in e and "wage_rules.yaml:9" in e for e in errors), (
            name,
            errors,
        )


def test_fields_filled_in_place_or_told_in_law_pass(tmp_path: Path) -> None:
    rules = (
        HEAD
        + f"""  - id: NE
    minimum_wage_coverage:
      excludes_industries: [agriculture]
      source: {SRC}
    overtime:
      general:
        - effective: 2024-01-01
          weekly_after: 40
          seventh_day: true
          source: {SRC}
    pay_frequency_days_max: 16
    pay_frequency_source: {SRC}
    law:
      regional_minimum_wage: {{none_in_law: true, source: {SRC}}}
"""
    )
    assert [e for e in _errors(tmp_path, rules) if "wage_rules" in e] == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            f"    pay_frequency_days_max: 16\n    law:\n      pay_frequency: "
            f"{{none_in_law: true, source: {SRC}}}\n",
            "NE: law.pay_frequency says none_in_law, but the rules fill pay_frequency",
        ),
        (
            "    pay_frequency_days_max: 16\n",
            "NE: pay_frequency_days_max needs a pay_frequency_source",
        ),
    ],
)
def test_contradictions_and_unsourced_figures_are_errors(
    tmp_path: Path, extra: str, message: str
) -> None:
    rules = HEAD + "  - id: NE\n" + extra
    errors = _errors(tmp_path, rules)
    assert any(message in e for e in errors), errors


def test_a_law_note_without_a_source_is_refused(tmp_path: Path) -> None:
    rules = HEAD + "  - id: NE\n    law:\n      overtime: {none_in_law: true}\n"
    errors = _errors(tmp_path, rules)
    assert any("source" in e and "wage_rules.yaml" in e for e in errors), errors
