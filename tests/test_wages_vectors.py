"""The shared wage vectors, run through the Python check (the JS twin runs in tests/js/)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
import pytest
from test_wages_support import load_vectors, report_findings, report_notes, run_vector

VECTORS = load_vectors()


def _sort_key(item: tuple[str, int | None]) -> tuple[str, int]:
    return (item[0], -1 if item[1] is None else item[1])


@pytest.mark.parametrize(
    ("file_rules", "vector"), [v[1:] for v in VECTORS], ids=[v[0] for v in VECTORS]
)
def test_vector(file_rules: dict[str, Any], vector: dict[str, Any]) -> None:
    report = run_vector(file_rules, vector)
    expect = vector["expect"]
    found = report_findings(report)
    wanted = [(code, amount) for code, amount in expect["findings"]]
    assert Counter(found) == Counter(wanted), sorted(found, key=_sort_key)
    if "notes" in expect:
        assert report_notes(report) == set(expect["notes"])
    if "total_owed_cents" in expect:
        assert report.total_owed_cents == expect["total_owed_cents"]
    if "owed_by_kind" in expect:
        kinds = msgspec.to_builtins(report.owed_by_kind)
        assert {k: kinds[k] for k in expect["owed_by_kind"]} == expect["owed_by_kind"]
    job = msgspec.to_builtins(report.jobs[0]) if report.jobs else {"weeks": [], "periods": []}
    for key in ("weeks", "periods"):
        if key in expect:
            assert len(job[key]) >= len(expect[key])
            for got, want in zip(job[key], expect[key], strict=False):
                assert {k: got[k] for k in want} == want


@pytest.mark.parametrize(
    ("file_rules", "vector"), [v[1:] for v in VECTORS], ids=[v[0] for v in VECTORS]
)
def test_the_shown_figures_add_up(file_rules: dict[str, Any], vector: dict[str, Any]) -> None:
    """The phone shows these figures as they are: each week's three parts make its expected
    pay, and each period's owed-by-kind makes what its unpaid-wages finding claims."""
    report = run_vector(file_rules, vector)
    for job in report.jobs:
        for week in job.weeks:
            parts = week.straight_pay_cents + week.overtime_pay_cents + week.double_time_pay_cents
            assert parts == week.expected_cents, week
            assert min(week.overtime_pay_cents, week.double_time_pay_cents) >= 0
            assert week.overtime_pay_cents == 0 or week.overtime_minutes > 0
            assert week.double_time_pay_cents == 0 or week.double_time_minutes > 0
        for period in job.periods:
            owed = sum(
                f.amount_cents or 0
                for f in period.findings
                if f.code in ("underpaid", "no_pay_recorded")
            )
            assert period.owed_overtime_cents + period.owed_straight_cents == owed
            assert min(period.owed_overtime_cents, period.owed_straight_cents) >= 0
        kinds = msgspec.to_builtins(job.owed_by_kind)
        assert sum(kinds.values()) == job.total_owed_cents and min(kinds.values()) >= 0
    assert sum(msgspec.to_builtins(report.owed_by_kind).values()) == report.total_owed_cents


def test_there_are_at_least_40_vectors_each_worked_by_hand() -> None:
    assert len(VECTORS) >= 40
    for name, _, vector in VECTORS:
        assert len(vector.get("comment", "")) > 40, f"{name} has no hand-worked comment"


def test_every_finding_and_note_code_is_covered_by_a_vector() -> None:
    from server.wages.messages import MESSAGES

    seen: set[str] = set()
    for _, _, vector in VECTORS:
        seen |= {code for code, _ in vector["expect"]["findings"]}
        seen |= set(vector["expect"].get("notes", []))
    applied_only = {
        "minimum_wage",
        "aewr",
        "promised_rate",
        "overtime",
        "overtime_none",
        "regular_rate",
        "salary_regular_rate",
        "piece_makeup",
        "aewr_skill",
        "aewr_skill_housing",
        "job_order_rate",
        "regional_minimum_wage",
        "employer_hours_combined",
    }
    assert set(MESSAGES) - applied_only - seen == set()
