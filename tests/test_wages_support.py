"""Helpers (no tests): load the shared wage vectors in tests/wage_vectors/, as tests/js does."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import msgspec

from server.content.schema import WageRulesFile
from server.wages.check import LogRecords, check
from server.wages.report import WageReport

VECTOR_DIR = Path(__file__).resolve().parent / "wage_vectors"


def load_vectors() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(id, file rules, vector) for every vector, in file and list order."""
    out = []
    for path in sorted(VECTOR_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for vector in doc["vectors"]:
            out.append((f"{path.stem}:{vector['name']}", doc["rules"], vector))
    return out


def expand_log(log: dict[str, Any]) -> dict[str, Any]:
    """Fill the documented shorthands (see tests/wage_vectors/README.md)."""
    log = copy.deepcopy(log)
    jobs = log.setdefault("jobs", [])
    for job in jobs:
        job.setdefault("id", "j1")
        job.setdefault("employer_id", "e1")
    log.setdefault("employers", [{"id": "e1", "name": "Test employer"}])
    first_job = jobs[0]["id"] if jobs else "j1"
    shifts = []
    for shift in log.get("shifts", []):
        if isinstance(shift, list):
            item: dict[str, Any] = {
                "date": shift[0],
                "start": shift[1],
                "end": shift[2],
                "break_minutes": shift[3] if len(shift) > 3 else 0,
            }
            if len(shift) > 4:
                item["piece_units"] = shift[4]
            shift = item
        shifts.append(shift)
    log["shifts"] = shifts
    for key, prefix in (("shifts", "s"), ("pay_stubs", "p"), ("expenses", "x"), ("incidents", "i")):
        for i, item in enumerate(log.get(key, []), start=1):
            item.setdefault("id", f"{prefix}{i}")
            item.setdefault("job_id", first_job)
            if key == "pay_stubs":
                item.setdefault("pay_date", item["period_end"])
    return log


def run_vector(file_rules: dict[str, Any], vector: dict[str, Any]) -> WageReport:
    rules = msgspec.convert(vector.get("rules", file_rules), WageRulesFile)
    records = msgspec.convert(expand_log(vector["log"]), LogRecords)
    return check(records, rules.jurisdictions, dt.date.fromisoformat(vector["as_of"]))


def report_findings(report: WageReport) -> list[tuple[str, int | None]]:
    found = []
    for job in report.jobs:
        for period in job.periods:
            found += [(f.code, f.amount_cents) for f in period.findings]
        found += [(f.code, f.amount_cents) for f in job.findings]
    return found


def report_notes(report: WageReport) -> set[str]:
    codes = {n.code for n in report.notes}
    for job in report.jobs:
        codes |= {n.code for n in job.notes}
    return codes
