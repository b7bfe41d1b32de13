"""Facts staff read come from the journal, not from summary.json (server/evidence/facts.py).

The shared vectors (tests/facts_vectors.json) are run here and by tests/js/facts.test.mjs on the
desk's twin; the tests below check, in a real bundle, that the PDF says what the journal says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from server import log_format
from server.evidence import facts as F

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "facts_vectors.json").read_text("utf-8"))


def entries(journal: list[dict[str, Any]]) -> list[log_format.JournalEntry]:
    full = [e for e in journal if not e.get("withheld")]
    return msgspec.convert(full, list[log_format.JournalEntry])


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_facts_vectors(case: dict[str, Any]) -> None:
    found = F.facts(entries(case["journal"]))
    assert found == case["expect"]["facts"]
    got = [d.as_json() for d in F.disagreements(found, case["summary"])]
    assert got == case["expect"]["disagreements"]


def test_a_deleted_shift_counts_nowhere_and_an_edit_replaces_the_old_hours() -> None:
    case = next(c for c in VECTORS["cases"] if c["name"].startswith("edits take effect"))
    found = F.facts(entries(case["journal"]))
    assert found["counts"]["shifts"] == 1
    assert found["days"] == [{"date": "2026-06-01", "minutes": 450, "shifts": 1, "overlap": False}]
    assert found["period"] == {"first": "2026-06-01", "last": "2026-06-01"}  # not 05-20
    assert [e["name"] for e in found["employers"]] == ["Rancho Nuevo S.A."]


def test_claims_add_up_to_the_total_owed() -> None:
    wage = {
        "total_owed_cents": 4500 + 1200 + 50000,
        "jobs": [
            {
                "weeks": [
                    {"start": "2026-06-01", "end": "2026-06-07", "overtime_minutes": 300},
                    {"start": "2026-06-08", "end": "2026-06-14", "overtime_minutes": 0},
                ],
                "periods": [
                    {"start": "2026-06-01", "end": "2026-06-05",
                     "findings": [{"code": "underpaid", "amount_cents": 4500}]},
                    {"start": "2026-06-08", "end": "2026-06-12",
                     "findings": [{"code": "underpaid", "amount_cents": 1200},
                                  {"code": "pay_late", "amount_cents": None}]},
                ],
                "findings": [{"code": "recruitment_fee", "amount_cents": 50000}],
            }
        ],
    }  # fmt: skip
    rows = {r["kind"]: r["amount_cents"] for r in F.claims(wage)}
    assert rows == {
        "overtime": 4500,
        "minimum_wage": 1200,
        "deductions": 0,
        "fees": 50000,
        "guarantee": 0,
    }
    assert sum(rows.values()) == wage["total_owed_cents"]


@pytest.mark.parametrize("case", VECTORS["claims"], ids=[c["name"] for c in VECTORS["claims"]])
def test_claims_vectors(case: dict[str, Any]) -> None:
    assert F.claims(case["wage_check"]) == case["expect"]


@pytest.mark.parametrize("case", VECTORS["wage"], ids=[c["name"] for c in VECTORS["wage"]])
def test_wage_disagreement_vectors(case: dict[str, Any]) -> None:
    got = [d.as_json() for d in F.wage_disagreement(case["phone"], case["recomputed"])]
    assert got == case["expect"]
