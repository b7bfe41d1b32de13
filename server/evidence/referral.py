"""Where each finding goes: triage problem, agencies, filing deadline, consular category.

Owns turning a verified bundle (wage-check findings, incidents) plus the triage and agency
data (content/data/) into referrals. The map from finding codes and incident kinds to triage
problems is pwa/staff/referral-map.json, read by this module and by the staff desk, so both
refer the same way. A route's deadline is the job state's own (`state_deadlines`) when the
data has one, else the general one. A deadline date is computed only where the data gives a
number of days (never invented); otherwise the deadline's text is shown as written. People
read the dates in words ("6 de junio de 2026", "June 6, 2026"): `since_text` and
`deadline_sentence` say them as pwa/staff/referral.js does (tests/referral_vectors.json).

A deadline counts from the date of the event, never from when it was logged: an incident's
own date, a short paycheck's pay date, a fee's payment date (the expense's date). Retaliation
goes first to the agency of what the worker complained about: with wage problems in the same
case, the state wage agency (in California the Labor Commissioner) and the WHD lead; with
injuries or unsafe work, OSHA leads (the map's `retaliation` block says which is which).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server import log_format
from server.wages.messages import date_words

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
    #: Why the routes are in this order: "wage" or "safety" retaliation, else None.
    lead: str | None = None


#: The referral's sentences, dates in words: the same as SENTENCES in pwa/staff/referral.js.
SENTENCES: dict[str, dict[str, str]] = {
    "es": {
        "since": "desde el {date}",
        "deadline": "Fecha límite: {date} (contada desde el {first})",
    },
    "en": {"since": "since {date}", "deadline": "Deadline: {date} (counted from {first})"},
}


def _say(key: str, lang: str, **dates: str) -> str:
    lang = "en" if lang == "en" else "es"
    return SENTENCES[lang][key].format(**{k: date_words(v, lang) for k, v in dates.items()})


def since_text(first: str, lang: str) -> str:
    """ "desde el 6 de junio de 2026" / "since June 6, 2026": when the problem began."""
    return _say("since", lang, date=first)


def deadline_sentence(date: str, first: str, lang: str) -> str:
    """ "Fecha límite: 6 de julio de 2026 (contada desde el 6 de junio de 2026)" in Spanish,
    "Deadline: July 6, 2026 (counted from June 6, 2026)" in English."""
    return _say("deadline", lang, date=date, first=first)


#: Which expense kinds a fee finding is about: its deadline counts from the payment's date.
FEE_EXPENSES: dict[str, tuple[str, ...]] = {
    "recruitment_fee": ("recruitment_fee",),
    "visa_fee_ask": ("visa",),
    "visa_fees_not_reimbursed": ("visa",),
    "travel_not_reimbursed": ("travel", "subsistence"),
    "first_week_reimbursement": ("travel", "subsistence", "visa"),
}


def load_map(pwa_dir: Path) -> dict[str, Any]:
    try:
        doc = json.loads((pwa_dir / "staff" / "referral-map.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {"findings": {}, "incidents": {}, "retaliation": {}}
    return {
        "findings": dict(doc.get("findings", {})),
        "incidents": dict(doc.get("incidents", {})),
        "retaliation": dict(doc.get("retaliation", {})),
    }


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

    state = log_format.replay(entries)
    expenses = [x for x in state["expense"].values() if isinstance(x, log_format.Expense)]
    for job in (wage_check or {}).get("jobs", []) or []:
        weeks = job.get("weeks", []) or []
        start = weeks[0]["end"] if weeks else ""
        for finding in job.get("findings", []) or []:
            code = str(finding.get("code"))
            kinds = FEE_EXPENSES.get(code, ())
            paid = [x.date for x in expenses if x.kind in kinds and x.job_id == job.get("job_id")]
            add(mapping["findings"].get(code), min(paid) if paid else start, code)
        for period in job.get("periods", []) or []:
            when = period.get("pay_date") or period.get("end") or ""
            for finding in period.get("findings", []) or []:
                add(mapping["findings"].get(finding.get("code")), when, str(finding.get("code")))
    # Current incidents only (an incident deleted later is not an event), by their own date.
    for incident in state["incident"].values():
        if isinstance(incident, log_format.Incident):
            add(mapping["incidents"].get(incident.kind), incident.date, incident.kind)
    return found


def retaliation_lead(found: dict[str, Any], mapping: dict[str, Any] | None) -> str | None:
    """ "wage" when the case has wage problems, "safety" when it has safety ones and no wage
    ones, else None (data order): what the retaliation was most likely for."""
    rules = (mapping or {}).get("retaliation") or {}
    if "retaliation" not in found or not rules:
        return None
    if set(found) & set(rules.get("wage_problems", [])):
        return "wage"
    if set(found) & set(rules.get("safety_problems", [])):
        return "safety"
    return None


def _lead_order(routes: list[dict[str, Any]], first: list[str]) -> list[dict[str, Any]]:
    """The routes to the agencies in `first` first (in that order), the rest as in the data."""
    rank = {agency: i for i, agency in enumerate(first)}
    return sorted(routes, key=lambda r: rank.get(r["agency"], len(rank)))


def referrals(
    found: dict[str, tuple[str, list[str]]],
    data: dict[str, Any],
    state: str | None,
    mapping: dict[str, Any] | None = None,
) -> list[Referral]:
    problems = {p["id"]: p for p in data.get("triage", [])}
    lead = retaliation_lead(found, mapping)
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
        routes = list(problem.get("routes", []))
        if problem_id == "retaliation" and lead and mapping:
            referral.lead = lead
            routes = _lead_order(routes, mapping["retaliation"].get(f"{lead}_agencies", []))
        for route in routes:
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
