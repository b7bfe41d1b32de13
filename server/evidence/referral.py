"""Where each finding goes: triage problem, agencies, filing deadline, consular category.

Owns turning a verified bundle (wage-check findings, incidents) plus the triage and agency
data (content/data/) into referrals. The map from finding codes and incident kinds to triage
problems is pwa/staff/referral-map.json, read by this module and by the staff desk, so both
refer the same way. A route's deadline is the job state's own (`state_deadlines`) when the
data has one, else the general one. A deadline date is computed only where the data gives a
number of days (never invented); otherwise the deadline's text is shown as written.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server import log_format

INTAKE_LABELS = {
    "wage_theft": ("Robo de salario", "Wage theft"),
    "workers_comp": ("Compensación laboral", "Workers' compensation"),
    "labor_discrimination": ("Discriminación laboral", "Labor discrimination"),
    "labor_rights_violation": ("Violación de derechos laborales", "Labor rights violation"),
    "labor_trafficking": ("Trata laboral", "Labor trafficking"),
    "general_information": ("Información general", "General information"),
}


@dataclass
class Route:
    agency_id: str
    agency_name: dict[str, str]
    deadline_text: dict[str, str] | None
    deadline_date: str | None
    phone: str | None


@dataclass
class Referral:
    problem_id: str
    title: dict[str, str]
    intake_category: str
    first_date: str
    reasons: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    bring: list[dict[str, str]] = field(default_factory=list)


def load_map(pwa_dir: Path) -> dict[str, dict[str, str]]:
    try:
        doc = json.loads((pwa_dir / "staff" / "referral-map.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {"findings": {}, "incidents": {}}
    return {"findings": dict(doc.get("findings", {})), "incidents": dict(doc.get("incidents", {}))}


def events(
    wage_check: dict[str, Any] | None, entries: list[log_format.JournalEntry], mapping: Any
) -> dict[str, tuple[str, list[str]]]:
    """problem id -> (earliest date, reasons) from findings and incidents."""
    found: dict[str, tuple[str, list[str]]] = {}

    def add(problem: str | None, date: str, reason: str) -> None:
        if not problem or not date:
            return
        first, reasons = found.get(problem, (date, []))
        if reason not in reasons:
            reasons.append(reason)
        found[problem] = (min(first, date), reasons)

    for job in (wage_check or {}).get("jobs", []) or []:
        weeks = job.get("weeks", []) or []
        start = weeks[0]["end"] if weeks else ""
        for finding in job.get("findings", []) or []:
            add(mapping["findings"].get(finding.get("code")), start, str(finding.get("code")))
        for period in job.get("periods", []) or []:
            when = period.get("pay_date") or period.get("end") or ""
            for finding in period.get("findings", []) or []:
                add(mapping["findings"].get(finding.get("code")), when, str(finding.get("code")))
    for entry in entries:
        if isinstance(entry.data, log_format.Incident):
            add(mapping["incidents"].get(entry.data.kind), entry.data.date, entry.data.kind)
    return found


def referrals(
    found: dict[str, tuple[str, list[str]]], data: dict[str, Any], state: str | None
) -> list[Referral]:
    problems = {p["id"]: p for p in data.get("triage", [])}
    agencies = data.get("agencies", [])
    out: list[Referral] = []
    for problem_id, (first, reasons) in sorted(found.items(), key=lambda kv: kv[1][0]):
        problem = problems.get(problem_id)
        if problem is None:
            continue
        referral = Referral(
            problem_id=problem_id,
            title=problem["title"],
            intake_category=problem["intake_category"],
            first_date=first,
            reasons=reasons,
            bring=problem.get("bring", []),
        )
        for route in problem.get("routes", []):
            agency = _agency(route["agency"], agencies, state)
            deadline = route_deadline(route, state)
            date = None
            if deadline and deadline.get("days"):
                start = dt.date.fromisoformat(first)
                date = (start + dt.timedelta(days=int(deadline["days"]))).isoformat()
            name = agency["name"] if agency else {"es": route["agency"], "en": route["agency"]}
            referral.routes.append(
                Route(
                    agency_id=agency["id"] if agency else route["agency"],
                    agency_name=name,
                    deadline_text=deadline["text"] if deadline else None,
                    deadline_date=date,
                    phone=agency.get("phone") if agency else None,
                )
            )
        out.append(referral)
    return out


def route_deadline(route: dict[str, Any], state: str | None) -> dict[str, Any] | None:
    """The route's deadline for a job in `state`: that state's own if the data has one
    (`state_deadlines`), else the general `deadline`, else None."""
    own = (route.get("state_deadlines") or {}).get(state) if state else None
    return own or route.get("deadline") or None


def _agency(ref: str, agencies: list[dict[str, Any]], state: str | None) -> dict[str, Any] | None:
    if ref.startswith("state:"):
        area = ref.split(":", 1)[1]
        for agency in agencies:
            if agency["jurisdiction"] == state and area in agency.get("areas", []):
                return agency
        return None
    return next((a for a in agencies if a["id"] == ref), None)


def intake_categories(items: list[Referral]) -> list[str]:
    cats = sorted({r.intake_category for r in items})
    return cats or ["general_information"]
