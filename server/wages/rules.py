"""Wage rules for the check: dated figures and overtime steps from the data, program citations.

Every wage figure (minimum wage, AEWR, overtime thresholds, state pay frequency) comes from the
wage-rules data (`WageJurisdiction`). What lives here are the H-2A/H-2B program rules that
are not figures in that data (which statement items are required, which deductions the
regulations forbid, the three-fourths fraction, the 50% point for travel reimbursement, the
program pay frequency), each tied to its regulation. `pwa/js/wages.js` mirrors this file.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from fractions import Fraction
from pathlib import Path

import msgspec

from server.content.schema import DatedRate, OvertimeStep, WageJurisdiction, WageRulesFile

Src = tuple[str, str]  # (title, url)

ECFR = "https://www.ecfr.gov/current"
SRC_H2A_CONTRACT: Src = (
    "20 CFR 655.122 (H-2A contents of job offers)",
    f"{ECFR}/title-20/section-655.122",
)
SRC_H2A_ASSURANCES: Src = (
    "20 CFR 655.135 (H-2A assurances: no recruitment fees)",
    f"{ECFR}/title-20/section-655.135",
)
SRC_H2A_WAGE: Src = (
    "20 CFR 655.120 (H-2A offered wage rate: the highest of the AEWR and the other rates)",
    f"{ECFR}/title-20/section-655.120",
)
SRC_H2B: Src = ("20 CFR 655.20 (H-2B employer obligations)", f"{ECFR}/title-20/section-655.20")
SRC_FREE_AND_CLEAR: Src = (
    "29 CFR 531.35 (wages paid free and clear)",
    f"{ECFR}/title-29/section-531.35",
)

SRC_ONE_EMPLOYER_WEEK: Src = (
    "29 CFR 778.103 (one employer's hours in a workweek count together)",
    f"{ECFR}/title-29/section-778.103",
)

SRC_FIRST_WEEK_H2A: Src = (
    "29 CFR 531.35; Arriaga v. Florida Pacific Farms (11th Cir. 2002): first-week travel and visa",
    f"{ECFR}/title-29/section-531.35",
)
SRC_FIRST_WEEK_H2B: Src = (
    "WHD FAB 2009-2; 20 CFR 655.20(j): H-2B first-week travel",
    "https://www.dol.gov/agencies/whd/field-assistance-bulletins/2009-2",
)

SRC_OT_DEDUCTIONS: Src = (
    "29 CFR 531.37 (deductions in overtime workweeks: judged against 40 straight-time hours)",
    f"{ECFR}/title-29/section-531.37",
)

#: An AEWR entry is for one year; past this many days with no newer entry, it is missing.
AEWR_VALID_DAYS = 365
#: Part of the job-order hours the employer must offer over the guarantee period.
THREE_FOURTHS = Fraction(3, 4)
#: H-2B measures the guarantee in 12-week periods, 6-week if the job is shorter than 120 days.
H2B_GUARANTEE_WEEKS = 12
H2B_GUARANTEE_SHORT_WEEKS = 6
H2B_SHORT_JOB_DAYS = 120

#: Most days allowed between paydays by program: H-2A at least twice a month, H-2B every 2 weeks.
PROGRAM_PAY_DAYS: dict[str, tuple[int, Src]] = {
    "h2a": (16, SRC_H2A_CONTRACT),
    "h2b": (14, SRC_H2B),
}
#: Days between paydays a promised pay frequency means.
FREQUENCY_DAYS: dict[str, int] = {"weekly": 7, "biweekly": 14, "semimonthly": 16, "monthly": 31}

#: Deductions the program rules forbid outright: kind -> source.
FORBIDDEN_DEDUCTIONS: dict[str, dict[str, Src]] = {
    "h2a": {
        "housing": SRC_H2A_CONTRACT,  # 655.122(d): housing at no cost
        "tools": SRC_H2A_CONTRACT,  # 655.122(f): tools and equipment without charge
        "recruitment_fee": SRC_H2A_ASSURANCES,  # 655.135(j)
    },
    "h2b": {
        "tools": SRC_H2B,  # 655.20(k)
        "recruitment_fee": SRC_H2B,  # 655.20(o)
        "visa": SRC_H2B,  # 655.20(j)(2)
    },
}
#: Deductions for the employer's benefit: they may not cut into the minimum wage (531.35).
EMPLOYER_BENEFIT_DEDUCTIONS: tuple[str, ...] = ("tools", "uniform", "recruitment_fee", "visa")

#: What an H-2A (655.122(k)) or H-2B (655.20(i)) earnings statement must show.
STATEMENT_ITEMS: tuple[str, ...] = (
    "employer_name",
    "employer_address",
    "employer_fein",
    "pay_period",
    "hours_offered",
    "hours_worked",
    "rate",
    "gross",
    "deductions",
)


def dollars_to_cents(value: float) -> int:
    """Data figures are dollars; multiply as a float (as JS does), then round half up."""
    return math.floor(value * 100 + 0.5)


def hours_to_minutes(value: float) -> int:
    """Overtime thresholds are hours (maybe 9.5); minutes rounded half up."""
    return math.floor(value * 60 + 0.5)


def rate_in_force(rates: list[DatedRate], day: dt.date) -> DatedRate | None:
    """The entry in force on `day`: the latest `effective` on or before it (last one wins ties)."""
    best: DatedRate | None = None
    for rate in rates:
        if rate.effective <= day and (best is None or rate.effective >= best.effective):
            best = rate
    return best


def overtime_steps(jurisdiction: WageJurisdiction, industry: str) -> list[OvertimeStep]:
    """The overtime steps for the job's kind of work; an empty list falls back to `general`."""
    rules = jurisdiction.overtime
    if industry == "agriculture" and rules.agriculture:
        return rules.agriculture
    if industry == "domestic" and rules.domestic:
        return rules.domestic
    return rules.general


def steps_in_force(
    steps: list[OvertimeStep], day: dt.date, employer_size: int | None
) -> tuple[list[OvertimeStep], bool]:
    """The overtime steps that may apply on `day`: the latest of each employer-size track.

    A phase-in is a track of steps for employers of at least `employer_size_min` employees
    (no minimum: every employer). The employer is on every track whose minimum it meets; the
    check then uses whichever gives the worker more overtime. Returns (steps, size_mattered):
    size_mattered is true when the size is unknown and a size track was left out.
    """
    latest: dict[int, OvertimeStep] = {}
    size_mattered = False
    for step in steps:
        if step.effective > day:
            continue
        track = step.employer_size_min or 0
        if track and (employer_size is None or employer_size < track):
            size_mattered = size_mattered or employer_size is None
            continue
        if track not in latest or step.effective >= latest[track].effective:
            latest[track] = step
    return [latest[k] for k in sorted(latest)], size_mattered


# --- loading ------------------------------------------------------------------------------


def jurisdictions_from_file(path: Path) -> list[WageJurisdiction]:
    """Read content/data/wage_rules.yaml (raises server.content.loader.ContentError)."""
    from server.content.loader import decode_yaml

    text = path.read_text(encoding="utf-8")
    return decode_yaml(text, WageRulesFile, str(path)).jurisdictions


def jurisdictions_from_index(index_path: Path) -> list[WageJurisdiction] | None:
    """Read the `wage_rules` row of the built index's `data` table, if there is one."""
    if not index_path.exists():
        return None
    con = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
    try:
        row = con.execute("select json from data where name = 'wage_rules'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    if row is None:
        return None
    return msgspec.json.decode(row[0], type=WageRulesFile).jurisdictions


def jurisdictions_from_pack(items: list[object]) -> list[WageJurisdiction]:
    """The pack's `data.wage_rules` list (what the phone has)."""
    return msgspec.convert(items, list[WageJurisdiction])
