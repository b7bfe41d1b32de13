"""Shift sanity rules in Python (server/shifts.py) over the vectors the phone's twin also runs
(tests/shift_vectors.json), and `cartilla wages` on an export with impossible shifts."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest

from server.log_format import Shift, append_entry, export_from_journal
from server.shifts import check_shift, for_wage_check

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "shift_vectors.json").read_text())


def _shift(raw: dict[str, Any], i: int) -> Shift:
    return msgspec.convert({"type": "shift", "id": f"s{i}", "job_id": "j1", **raw}, Shift)


@pytest.mark.parametrize("case", VECTORS["check"], ids=[c["name"] for c in VECTORS["check"]])
def test_the_phone_rules_before_saving(case: dict[str, Any]) -> None:
    others = [_shift(o, 100 + i) for i, o in enumerate(case.get("others", []))]
    issues = check_shift(_shift(case["shift"], 0), others, dt.date.fromisoformat(case["today"]))
    got = [[i.code, i.other.id if i.other else None] for i in issues]
    assert got == case["issues"]


@pytest.mark.parametrize("case", VECTORS["wage"], ids=[c["name"] for c in VECTORS["wage"]])
def test_what_the_wage_check_leaves_out(case: dict[str, Any]) -> None:
    shifts = [_shift(s, i + 1) for i, s in enumerate(case["shifts"])]
    result = for_wage_check(shifts, "j1", dt.date.fromisoformat(case["as_of"]))
    assert sorted(result.skip) == case["skip"]
    trimmed = {k: [[d.isoformat(), m] for d, m in v] for k, v in result.trimmed.items()}
    assert trimmed == case["trimmed"]
    assert [f.code for f in result.findings] == [f[0] for f in case["findings"]]
    for finding, (_, es, en) in zip(result.findings, case["findings"], strict=True):
        assert finding.amount_cents is None
        if es is not None:
            assert (finding.explanation.es, finding.explanation.en) == (es, en)


def _export(shifts: list[dict[str, Any]]) -> dict[str, Any]:
    journal: list[dict[str, Any]] = []
    time = "2025-06-20T12:00:00.000Z"
    append_entry(
        journal, time=time, kind="create", data={"type": "employer", "id": "e1", "name": "Rancho"}
    )
    append_entry(
        journal,
        time=time,
        kind="create",
        data={
            "type": "job",
            "id": "j1",
            "employer_id": "e1",
            "state": "TX",
            "industry": "construction",
            "pay_type": "hourly",
            "promised_rate_cents": 1500,
            # Paid weekly, so the week of June 2 is overdue by --as-of (Texas alone would
            # allow 16 days between paydays: the check would not call it owed yet).
            "pay_frequency": "weekly",
            "workweek_start": "sunday",
        },
    )
    for i, s in enumerate(shifts):
        data = {"type": "shift", "id": f"s{i + 1}", "job_id": "j1", "break_minutes": 0, **s}
        append_entry(journal, time=time, kind="create", data=data)
    return export_from_journal(journal, exported_at=time)


def _wages(tmp_path: Path, doc: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "log.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cartilla"), "wages", str(path), "--as-of", "2025-06-20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report: dict[str, Any] = json.loads(out.stdout)
    return report


def test_cartilla_wages_reports_impossible_shifts_and_does_not_pay_them(tmp_path: Path) -> None:
    honest = [{"date": "2025-06-02", "start": "07:00", "end": "15:00"}]
    impossible: list[dict[str, Any]] = [
        *honest,
        {"date": "2025-06-02", "start": "07:00", "end": "15:00"},  # the same day twice
        {"date": "2025-06-02", "start": "12:00", "end": "20:00"},  # overlaps the first
        {"date": "2025-06-03", "start": "09:00", "end": "09:00"},  # zero length
        {"date": "2025-06-04", "start": "06:00", "end": "08:00", "ends_next_day": True},  # 26 h
        {"date": "2025-06-25", "start": "07:00", "end": "15:00"},  # after --as-of
    ]
    base = _wages(tmp_path, _export(honest))
    report = _wages(tmp_path, _export(impossible))
    job = report["jobs"][0]
    codes = [f["code"] for f in job["findings"]]
    for code in ("shift_overlap", "shift_same_time", "shift_too_long", "shift_future"):
        assert code in codes
    overlap = next(f for f in job["findings"] if f["code"] == "shift_overlap")
    assert "07:00" in overlap["explanation"]["es"] and overlap["amount_cents"] is None
    # Only the five hours 15:00-20:00 of the overlapping shift are new work.
    assert [w["minutes_worked"] for w in job["weeks"]] == [8 * 60 + 5 * 60]
    assert [w["minutes_worked"] for w in base["jobs"][0]["weeks"]] == [8 * 60]
    owed_base = base["total_owed_cents"]
    # Unpaid: 13 h at $15.00, never the 24 h "shift" or the duplicate.
    assert report["total_owed_cents"] - owed_base == 5 * 1500


def test_an_old_log_without_ends_next_day_still_reads_and_counts_overnight(tmp_path: Path) -> None:
    report = _wages(tmp_path, _export([{"date": "2025-06-02", "start": "22:00", "end": "06:00"}]))
    assert report["jobs"][0]["weeks"][0]["minutes_worked"] == 8 * 60
    assert not [f for f in report["jobs"][0]["findings"] if f["code"].startswith("shift_")]


def test_a_deleted_shift_is_not_paid_by_cartilla_wages(tmp_path: Path) -> None:
    doc = _export(
        [
            {"date": "2025-06-02", "start": "07:00", "end": "15:00"},
            {"date": "2025-06-03", "start": "07:00", "end": "15:00"},
        ]
    )
    journal = doc["journal"]
    last_s2 = next(e for e in journal if e["record_id"] == "s2")
    append_entry(
        journal,
        time="2025-06-20T12:00:00.000Z",
        kind="delete",
        record_type="shift",
        record_id="s2",
        replaces=last_s2["hash"],
        reason="No trabajé ese día",
    )
    report = _wages(tmp_path, export_from_journal(journal, exported_at="2025-06-20T12:00:00.000Z"))
    assert [w["minutes_worked"] for w in report["jobs"][0]["weeks"]] == [8 * 60]


def test_the_phone_and_python_wage_checks_agree_on_impossible_shifts(tmp_path: Path) -> None:
    """Whole reports, text included, from pwa/js/wages.js (in Node) and server/wages/check.py."""
    from server.content.schema import WageRulesFile
    from server.log_format import LogRecords
    from server.wages.check import check

    rules_doc = json.loads((ROOT / "tests" / "wage_vectors" / "overtime.json").read_text())["rules"]
    rules = msgspec.convert(rules_doc, WageRulesFile).jurisdictions
    doc = _export(
        [
            {"date": "2025-06-02", "start": "22:00", "end": "06:00", "ends_next_day": True},
            {"date": "2025-06-03", "start": "05:00", "end": "09:00", "break_minutes": 30},
            {"date": "2025-06-03", "start": "05:00", "end": "09:00", "break_minutes": 30},
            {"date": "2025-06-04", "start": "08:00", "end": "08:00"},
            {"date": "2025-06-05", "start": "06:00", "end": "07:00", "ends_next_day": True},
            {"date": "2025-06-30", "start": "07:00", "end": "15:00"},
        ]
    )
    records = {k: doc[k] for k in ("employers", "jobs", "shifts", "pay_stubs", "expenses")}
    python = msgspec.to_builtins(
        check(msgspec.convert(records, LogRecords), rules, dt.date(2025, 6, 20))
    )
    (tmp_path / "in.json").write_text(json.dumps({"records": records, "rules": rules_doc}))
    script = (
        "import { readFileSync } from 'node:fs';"
        f"import {json.dumps(str(ROOT / 'tests' / 'js' / 'wage_texts.mjs'))};"
        f"import {{ checkWages }} from {json.dumps(str(ROOT / 'pwa' / 'js' / 'wages.js'))};"
        f"const i = JSON.parse(readFileSync({json.dumps(str(tmp_path / 'in.json'))}, 'utf8'));"
        "const r = checkWages(i.records, i.rules.jurisdictions, '2025-06-20');"
        "process.stdout.write(JSON.stringify(r));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == python
    codes = [f["code"] for f in python["jobs"][0]["findings"]]
    # The morning after the night shift overlaps it, and the same morning logged twice too.
    assert codes[:5] == [
        "shift_overlap",
        "shift_overlap",
        "shift_same_time",
        "shift_too_long",
        "shift_future",
    ]
    # 8 h at night + the morning from 06:00 to 09:00, once (its break, taken from the start,
    # fell inside the night shift).
    assert python["jobs"][0]["weeks"][0]["minutes_worked"] == 8 * 60 + 180
