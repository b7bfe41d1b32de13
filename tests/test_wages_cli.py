"""`cartilla wages LOG.json`: JSON per week and pay period; clear bilingual errors, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from server.log_format import append_entry, export_from_journal

ROOT = Path(__file__).resolve().parent.parent
T = "2025-03-20T12:00:00.000Z"
RULES = """reviewed: 2025-01-01
review_status: draft
jurisdictions:
- id: federal
  minimum_wage:
  - effective: 2009-07-24
    rate: 7.25
    source: {title: "Test: federal minimum", url: "https://example.test/federal-minimum"}
  overtime:
    general:
    - effective: 2009-07-24
      weekly_after: 40
      source: {title: "Test: federal overtime", url: "https://example.test/federal-overtime"}
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "wages", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def a_log() -> dict[str, Any]:
    journal: list[dict[str, Any]] = []
    append_entry(
        journal, time=T, kind="create", data={"type": "employer", "id": "e1", "name": "Obra"}
    )
    append_entry(
        journal,
        time=T,
        kind="create",
        data={
            "type": "job", "id": "j1", "employer_id": "e1", "state": "TX",
            "industry": "construction", "promised_rate_cents": 1000, "workweek_start": "monday",
        },
    )  # fmt: skip
    for i, day in enumerate(["03", "04", "05", "06", "07"]):
        append_entry(
            journal,
            time=T,
            kind="create",
            data={
                "type": "shift",
                "id": f"s{i}",
                "job_id": "j1",
                "date": f"2025-03-{day}",
                "start": "07:00",
                "end": "17:00",
            },
        )
    append_entry(
        journal,
        time=T,
        kind="create",
        data={
            "type": "pay_stub",
            "id": "p1",
            "job_id": "j1",
            "pay_date": "2025-03-14",
            "period_start": "2025-03-03",
            "period_end": "2025-03-09",
            "gross_cents": 50000,
        },
    )
    return export_from_journal(journal, exported_at=T)


def test_prints_weeks_and_periods_as_json(tmp_path: Path) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps(a_log()))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    result = run(str(log), "--rules", str(rules), "--as-of", "2025-03-31")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    job = report["jobs"][0]
    assert job["weeks"][0]["overtime_minutes"] == 600
    assert job["weeks"][0]["expected_cents"] == 55000
    assert job["periods"][0]["paid_cents"] == 50000
    finding = job["periods"][0]["findings"][0]
    assert finding["code"] == "underpaid" and finding["amount_cents"] == 5000
    assert finding["explanation"]["es"] and finding["explanation"]["en"]
    assert finding["source"]["url"] == "https://example.test/federal-overtime"
    assert report["total_owed_cents"] == 5000


def test_uses_the_content_rules_by_default(tmp_path: Path) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps(a_log()))
    env_index = tmp_path / "no-index.db"
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "wages", str(log), "--as-of", "2025-03-31"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"CARTILLA_INDEX": str(env_index), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["jobs"][0]["weeks"][0]["minutes_worked"] == 3000


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "No se pudo leer" in result.stderr and "Could not read" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_a_log_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    result = run(str(bad))
    assert result.returncode == 2
    assert "no es un registro de Cartilla" in result.stderr
    assert "is not a Cartilla log" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_field_and_bad_date_are_clear_errors(tmp_path: Path) -> None:
    doc = a_log()
    doc["shifts"][0]["start"] = "25:99"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run(str(bad))
    assert result.returncode == 2 and "shifts[0].start" in result.stderr
    good = tmp_path / "good.json"
    good.write_text(json.dumps(a_log()))
    result = run(str(good), "--as-of", "31/03/2025")
    assert result.returncode == 2
    assert "AAAA-MM-DD" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_broken_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps(a_log()))
    rules = tmp_path / "rules.yaml"
    rules.write_text("reviewed: 2025-01-01\nreview_status: draft\njurisdictions:\n- id: XX\n")
    result = run(str(log), "--rules", str(rules))
    assert result.returncode == 2
    assert "reglas de salario no son válidas" in result.stderr
    assert "Traceback" not in result.stderr


def test_hostile_job_order_fields_are_clear_errors(tmp_path: Path) -> None:
    for field, value in (
        ("skill_level", 3),
        ("region", "../nyc"),
        ("job_order_rate_cents", -5),
        ("region", "x" * 81),
    ):
        doc = a_log()
        doc["jobs"][0][field] = value
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc))
        result = run(str(bad))
        assert result.returncode == 2, (field, result.stderr)
        assert f"jobs[0].{field}" in result.stderr and "Traceback" not in result.stderr


def test_a_job_with_a_region_and_job_order_fields_is_checked(tmp_path: Path) -> None:
    doc = a_log()
    doc["jobs"][0] |= {"region": "rest-of-state", "skill_level": 2, "job_order_rate_cents": 1500}
    log = tmp_path / "log.json"
    log.write_text(json.dumps(doc))
    result = run(str(log), "--as-of", "2025-03-31")
    assert result.returncode == 0, result.stderr
    # Not H-2A: the job-order rate and level are kept in the log but set no floor.
    report = json.loads(result.stdout)
    assert report["jobs"][0]["weeks"][0]["floor_rate_cents"] == 1000
