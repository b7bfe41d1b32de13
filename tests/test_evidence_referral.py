"""The referral map (pwa/staff/referral-map.json) against what the wage check really emits.

A finding code missing from the map means staff see no agency, no deadline and "general
information" for a case the phone found; a code in the map that the check never emits is a
guess that hides the real one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import msgspec
from test_wages_support import load_vectors, report_findings, run_vector

from server import log_format
from server.content.check import load_content
from server.content.schema import WageJurisdiction
from server.evidence import referral as R
from server.log_format import LogRecords
from server.wages.check import check

ROOT = Path(__file__).resolve().parent.parent
MAP = json.loads((ROOT / "pwa" / "staff" / "referral-map.json").read_text("utf-8"))
TRIAGE_IDS = {
    line.split(":", 1)[1].strip()
    for line in (ROOT / "content" / "data" / "triage.yaml").read_text("utf-8").splitlines()
    if line.startswith("- id:")
}


def emitted_finding_codes() -> set[str]:
    codes: set[str] = set()
    for vector in load_vectors():
        codes |= {code for code, _ in report_findings(run_vector(*vector[1:]))}
    return codes


def test_every_finding_the_wage_check_emits_is_referred_and_nothing_else() -> None:
    assert set(MAP["findings"]) == emitted_finding_codes()


def test_every_referral_points_to_a_triage_problem() -> None:
    targets = set(MAP["findings"].values()) | set(MAP["incidents"].values())
    assert targets <= TRIAGE_IDS, targets - TRIAGE_IDS


def test_an_underpaid_week_is_referred_as_wage_theft() -> None:
    records = msgspec.convert(
        {
            "employers": [{"type": "employer", "id": "e", "name": "Rancho"}],
            "jobs": [
                {"type": "job", "id": "j", "employer_id": "e", "state": "TX",
                 "industry": "construction", "status": "other", "pay_type": "hourly",
                 "promised_rate_cents": 1500, "workweek_start": "monday"},
            ],
            "shifts": [
                {"type": "shift", "id": f"s{d}", "job_id": "j", "date": f"2025-03-0{d}",
                 "start": "07:00", "end": "15:00", "break_minutes": 0}
                for d in range(3, 8)
            ],
            "pay_stubs": [
                {"type": "pay_stub", "id": "p", "job_id": "j", "pay_date": "2025-03-14",
                 "period_start": "2025-03-03", "period_end": "2025-03-09", "gross_cents": 40000,
                 "method": "cash"},
            ],
        },
        LogRecords,
    )  # fmt: skip
    rules = [
        {"id": "federal",
         "minimum_wage": [{"effective": "2009-07-24", "rate": 7.25,
                           "source": {"title": "WHD", "url": "https://www.dol.gov/"}}]},
    ]  # fmt: skip
    report = check(records, msgspec.convert(rules, list[WageJurisdiction]), dt.date(2025, 4, 1))
    wage_check = msgspec.to_builtins(report)
    codes = [f["code"] for j in wage_check["jobs"] for p in j["periods"] for f in p["findings"]]
    assert codes == ["underpaid"]  # 40 h x $15 = $600 due, $400 paid
    problems = R.events(wage_check, [], MAP)
    assert problems == {"unpaid-wages": ("2025-03-14", ["underpaid"])}


def real_data() -> dict[str, object]:
    cs = load_content(ROOT / "content", check_git=False)
    return {
        "triage": msgspec.to_builtins(cs.data["triage.yaml"])["problems"],
        "agencies": msgspec.to_builtins(cs.data["agencies.yaml"])["agencies"],
    }


def test_the_job_state_own_deadline_replaces_the_general_one() -> None:
    """Texas: the TWC wage claim's 180 days gives a date; California: the Labor Commissioner's
    rule is text only (no single number of days); elsewhere the state route has no deadline."""
    found = {"unpaid-wages": ("2025-03-14", ["underpaid"])}

    def state_route(state: str) -> R.Route:
        (referral,) = R.referrals(found, real_data(), state)
        whd = next(r for r in referral.routes if r.agency_id == "whd")
        assert whd.deadline_text and "FLSA" in whd.deadline_text["en"]  # federal: unchanged
        return referral.routes[0]

    texas = state_route("TX")
    assert texas.agency_id == "tx-twc"
    assert texas.deadline_date == "2025-09-10"  # 2025-03-14 + 180 days
    assert texas.deadline_text and "180" in texas.deadline_text["es"]
    california = state_route("CA")
    assert california.agency_id == "ca-labor-commissioner"
    assert california.deadline_date is None
    assert california.deadline_text and "3 years" in california.deadline_text["en"]
    illinois = state_route("IL")
    assert illinois.agency_id == "il-idol"
    assert (illinois.deadline_text, illinois.deadline_date) == (None, None)


# --- Deadline dates: the same vectors as the desk (tests/js/referral.test.mjs) ---------------

VECTORS = json.loads((ROOT / "tests" / "referral_vectors.json").read_text("utf-8"))
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _decisive(deadline: dict[str, object] | None) -> dict[str, object] | None:
    return None if deadline is None else {"days": deadline.get("days")}


def decisive_data(data: dict[str, object]) -> dict[str, object]:
    """What decides a referral's agency and deadline date: ids, areas and days, no texts."""
    wanted = {p["id"] for p in VECTORS["data"]["triage"]}
    triage = [
        {"id": p["id"], "intake_category": p["intake_category"],
         "routes": [{"agency": r["agency"], "deadline": _decisive(r.get("deadline")),
                     "state_deadlines": {k: _decisive(v)
                                         for k, v in sorted(r.get("state_deadlines", {}).items())}}
                    for r in p["routes"]]}
        for p in data["triage"]  # type: ignore[attr-defined]
        if p["id"] in wanted
    ]  # fmt: skip
    states = {a["jurisdiction"] for a in VECTORS["data"]["agencies"]}
    agencies = [
        {"id": a["id"], "jurisdiction": a["jurisdiction"], "areas": a["areas"]}
        for a in data["agencies"]  # type: ignore[attr-defined]
        if a["jurisdiction"] in states
    ]
    return {"triage": triage, "agencies": agencies}


def test_the_desk_vectors_run_on_todays_content() -> None:
    """The JS test reads `data` from the vector file; it must be today's triage and agencies."""
    assert VECTORS["data"] == decisive_data(real_data())


def case_entries(case: dict[str, Any]) -> list[log_format.JournalEntry]:
    """The vector's incidents and expenses as journal entries: each incident logged at its own
    `logged` time (else noon of its date) and deleted afterwards when `deleted` is set."""
    raw: list[dict[str, Any]] = []

    def add(body: dict[str, Any]) -> None:
        raw.append({"seq": len(raw), "prev_hash": "0" * 64, "hash": "0" * 64, **body})

    for i, item in enumerate(case.get("expenses", [])):
        record = {"type": "expense", "id": f"x{i}", "job_id": "job1", "date": item["date"],
                  "kind": item["kind"], "amount_cents": 50000}  # fmt: skip
        add({"time": f"{item['date']}T12:00:00Z", "kind": "create", "record_type": "expense",
             "record_id": f"x{i}", "data": record})  # fmt: skip
    for i, item in enumerate(case["incidents"]):
        when = item.get("logged", f"{item['date']}T12:00:00Z")
        record = {"type": "incident", "id": f"i{i}", "date": item["date"], "kind": item["kind"]}
        add({"time": when, "kind": "create", "record_type": "incident", "record_id": f"i{i}",
             "data": record})  # fmt: skip
        if item.get("deleted"):
            add({"time": when, "kind": "delete", "record_type": "incident", "record_id": f"i{i}",
                 "replaces": "0" * 64, "reason": "error"})  # fmt: skip
    return msgspec.convert(raw, list[log_format.JournalEntry])


def test_referral_vectors_give_the_deadline_date_for_the_bundle_state() -> None:
    """EEOC: 300 days in CA, TX, IL, NY, FL, AZ, WA and NE; 180 in GA and NC; no date where
    the data does not say which (e.g. OR); deadlines from the event's own date (an incident
    logged later, a fee's payment, a pay date); retaliation led by what it was for."""
    data = real_data()
    assert len(VECTORS["cases"]) >= 18
    for case in VECTORS["cases"]:
        found = R.events(case.get("wage_check"), case_entries(case), MAP)
        got = [
            {"problem_id": r.problem_id, "first_date": r.first_date, "lead": r.lead,
             "routes": [[route.agency_id, route.deadline_date] for route in r.routes]}
            for r in R.referrals(found, data, case["state"], MAP)
        ]  # fmt: skip
        expect = [{k: e[k] for k in ("problem_id", "first_date", "lead", "routes")}
                  for e in case["expect"]]  # fmt: skip
        assert got == expect, case["name"]


def test_referral_sentences_say_the_dates_in_words_as_the_desk_does() -> None:
    """Issue 14: "Fecha límite: 6 de julio de 2026 (contada desde el 6 de junio de 2026)", never
    2026-07-06; the vectors' hand-written sentences are what tests/js/referral.test.mjs checks
    in the desk's pwa/staff/referral.js, so the PDF and the desk say the same words."""
    assert len(VECTORS["sentences"]) >= 5
    for v in VECTORS["sentences"]:
        for lang in ("es", "en"):
            assert R.since_text(v["first"], lang) == v[lang]["since"]
            assert R.deadline_sentence(v["deadline"], v["first"], lang) == v[lang]["deadline"]
    data = real_data()
    for case in VECTORS["cases"]:
        found = R.events(case.get("wage_check"), case_entries(case), MAP)
        for r in R.referrals(found, data, case["state"], MAP):
            for lang in ("es", "en"):
                said = [R.since_text(r.first_date, lang)] + [
                    R.deadline_sentence(route.deadline_date, r.first_date, lang)
                    for route in r.routes
                    if route.deadline_date
                ]
                for sentence in said:
                    assert not ISO_DATE.search(sentence), (case["name"], sentence)


def test_wage_retaliation_in_california_goes_to_the_labor_commissioner_first() -> None:
    """Issue 14: retaliation for a wage complaint goes to the wage agency first, safety
    retaliation to OSHA; the order comes from the case, not from the data's order."""
    found = {"retaliation": ("2026-03-02", ["threat"]), "unpaid-wages": ("2026-02-06", ["x"])}
    items = {r.problem_id: r for r in R.referrals(found, real_data(), "CA", MAP)}
    agencies = [route.agency_id for route in items["retaliation"].routes]
    assert agencies[:2] == ["ca-labor-commissioner", "whd"], agencies
    safety = {"retaliation": ("2026-03-02", ["threat"]), "unsafe-work": ("2026-03-01", ["unsafe"])}
    items = {r.problem_id: r for r in R.referrals(safety, real_data(), "CA", MAP)}
    assert items["retaliation"].routes[0].agency_id == "osha"
    assert items["retaliation"].lead == "safety"


def test_eeoc_deadline_text_names_the_state_figure() -> None:
    """What staff read next to the date says the same number of days."""
    found = {"harassment": ("2026-01-10", ["harassment"])}
    for state, days in (("CA", "300"), ("NE", "300"), ("GA", "180"), ("NC", "180")):
        (referral,) = R.referrals(found, real_data(), state)
        eeoc = next(r for r in referral.routes if r.agency_id == "eeoc")
        assert eeoc.deadline_text is not None
        assert f"{days} días" in eeoc.deadline_text["es"], state
        assert f"{days} days" in eeoc.deadline_text["en"], state
