"""Facts staff read, derived from a bundle's journal, and where the phone's summary disagrees.

Owns what the PDF (and, through its JS twin `pwa/staff/facts.js`, the desk) says about a
case: the employers and jobs, the first and last dates, the counts, the totals, hours per day,
the worker's own words and which record each photo belongs to. All of it is computed by
replaying the verified journal (create, edit, delete; a deleted record counts nowhere), never
read from `data/summary.json`: the summary is written by the phone and is only a claim.
`disagreements` compares the two and says, in Spanish and English, what differs.

Both twins run the shared vectors in `tests/facts_vectors.json`. `wage_disagreement` (Python
only) compares the phone's wage check with the one recomputed from the journal by
server/wages, the same check `cartilla wages` runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import msgspec

from server import log_format
from server.log_format import (
    Employer,
    Expense,
    Incident,
    Job,
    JournalEntry,
    PayStub,
    Photo,
    Shift,
)
from server.shifts import length, overlaps
from server.wages.messages import date_words

#: Every field of the employer block, in the order staff read it (missing ones are null).
EMPLOYER_FIELDS = (
    "name",
    "address",
    "phone",
    "supervisor",
    "crew_leader",
    "contractor",
    "vehicle",
    "plate",
    "work_site",
    "notes",
)
JOB_FIELDS = (
    "title",
    "state",
    "industry",
    "status",
    "pay_type",
    "promised_rate_cents",
    "pay_frequency",
    "contract_start",
    "contract_end",
    "job_order_hours_per_week",
)
#: Record types in the order the worker's words are listed within one date.
WORD_ORDER = ("employer", "job", "shift", "pay_stub", "expense", "incident")
COUNT_LABELS = {
    "shifts": ("turnos", "shifts"),
    "pay": ("pagos", "pay records"),
    "expenses": ("gastos", "expenses"),
    "incidents": ("incidentes", "incidents"),
    "photos": ("fotos", "photos"),
}
PREFIX = (
    "El resumen del teléfono no coincide con el registro: ",
    "The phone's summary disagrees with the journal: ",
)


@dataclass(frozen=True)
class Disagreement:
    """One thing summary.json says differently from the journal, in both languages."""

    code: str
    es: str
    en: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "es": self.es, "en": self.en}


def _date_of(record: Any) -> str | None:
    """The date the phone files a record under (its period uses the same one)."""
    if isinstance(record, (Shift, Expense, Incident)):
        return record.date
    if isinstance(record, PayStub):
        return record.pay_date
    return None


def worked_minutes(shift: Shift) -> int:
    """Minutes worked in a shift: start to end (server/shifts.py) less the break, never < 0."""
    return max(0, length(shift) - shift.break_minutes)


def facts(entries: list[JournalEntry]) -> dict[str, Any]:
    """Everything staff read about the case, from the journal's replay (JSON-ready)."""
    state = log_format.replay(entries)
    jobs = [j for j in state["job"].values() if isinstance(j, Job)]
    employers = []
    for employer in state["employer"].values():
        assert isinstance(employer, Employer)
        block: dict[str, Any] = {"id": employer.id}
        block.update({name: getattr(employer, name) for name in EMPLOYER_FIELDS})
        block["jobs"] = [
            {"id": job.id, **{name: getattr(job, name) for name in JOB_FIELDS}}
            for job in jobs
            if job.employer_id == employer.id
        ]
        employers.append(block)
    shifts = [s for s in state["shift"].values() if isinstance(s, Shift)]
    stubs = [p for p in state["pay_stub"].values() if isinstance(p, PayStub)]
    expenses = [x for x in state["expense"].values() if isinstance(x, Expense)]
    incidents = [i for i in state["incident"].values() if isinstance(i, Incident)]
    photos = [p for p in state["photo"].values() if isinstance(p, Photo)]
    dates = sorted(d for r in (*shifts, *stubs, *expenses, *incidents) if (d := _date_of(r)))
    days: dict[str, dict[str, Any]] = {}
    for shift in sorted(shifts, key=lambda s: (s.date, s.start, s.id)):
        day = days.setdefault(
            shift.date, {"date": shift.date, "minutes": 0, "shifts": 0, "overlap": False}
        )
        day["minutes"] += worked_minutes(shift)
        day["shifts"] += 1
        # A day whose shifts overlap another of the same job: its sum counts some minutes
        # twice (the wage check counts them once), so staff are told, not shown a fact.
        if any(other.id != shift.id and overlaps(shift, other) for other in shifts):
            day["overlap"] = True
    words = []
    owners: dict[str, dict[str, Any]] = {}
    for rtype in WORD_ORDER:
        for record in state[rtype].values():
            notes = getattr(record, "notes", None)
            date = _date_of(record)
            if notes and notes.strip():
                words.append(
                    {"date": date, "record_type": rtype, "record_id": record.id, "text": notes}
                )
            for photo_id in getattr(record, "photo_ids", []):
                owners.setdefault(
                    photo_id, {"record_type": rtype, "record_id": record.id, "date": date}
                )
    # Every edit and delete, with the worker's reason: edits keep history, and an officer
    # should see what was changed or taken back, and when.
    changes = [
        {
            "seq": e.seq,
            "time": e.time,
            "kind": e.kind,
            "record_type": e.record_type,
            "record_id": e.record_id,
            "reason": e.reason,
        }
        for e in entries
        if e.kind in ("edit", "delete")
    ]
    order = {t: i for i, t in enumerate(WORD_ORDER)}
    words.sort(key=lambda w: (w["date"] or "", order[w["record_type"]], w["record_id"]))
    none = {"record_type": None, "record_id": None, "date": None}
    return {
        "employers": employers,
        "period": {"first": dates[0] if dates else None, "last": dates[-1] if dates else None},
        "counts": {
            "shifts": len(shifts),
            "pay": len(stubs),
            "expenses": len(expenses),
            "incidents": len(incidents),
            "photos": len(photos),
        },
        "totals": {
            "minutes_worked": sum(worked_minutes(s) for s in shifts),
            "break_minutes": sum(s.break_minutes for s in shifts),
            "piece_units": sum(s.piece_units or 0 for s in shifts),
            "gross_cents": sum(p.gross_cents for p in stubs),
            "net_cents": sum(p.net_cents or 0 for p in stubs),
            "deductions_cents": sum(d.amount_cents for p in stubs for d in p.deductions),
            "expenses_cents": sum(x.amount_cents for x in expenses),
            "reimbursed_cents": sum(x.reimbursed_cents for x in expenses),
        },
        "days": list(days.values()),
        "words": words,
        "changes": changes,
        "photos": [
            {"photo_id": p.id, "sha256": p.sha256, **owners.get(p.id, none)} for p in photos
        ],
    }


def _names(items: list[tuple[str, str]]) -> tuple[str, str]:
    if not items:
        return "ninguno", "none"
    text = ", ".join(f"«{name}»" for _, name in items)
    return text, text


def disagreements(found: dict[str, Any], summary: dict[str, Any]) -> list[Disagreement]:
    """Where summary.json (as JSON, e.g. msgspec.to_builtins of the Struct) differs from the
    journal's facts: employers (id and name), period, counts. Same order and words in JS."""
    out: list[Disagreement] = []

    def add(code: str, es: str, en: str) -> None:
        out.append(Disagreement(code, PREFIX[0] + es, PREFIX[1] + en))

    said = sorted((str(e.get("id")), str(e.get("name"))) for e in summary.get("employers") or [])
    real = sorted((e["id"], e["name"]) for e in found["employers"])
    if said != real:
        s_es, s_en = _names(said)
        r_es, r_en = _names(real)
        add(
            "employers",
            f"empleadores {s_es} en el resumen, {r_es} en el registro.",
            f"employers {s_en} in the summary, {r_en} in the journal.",
        )
    period = summary.get("period") or {}
    start, end = str(period.get("start") or ""), str(period.get("end") or "")
    first, last = found["period"]["first"], found["period"]["last"]
    # The summary's period may be the range the worker chose (wider than the records); it
    # disagrees when a record of the journal lies outside it.
    if first and (not start or not end or first < start or last > end):
        # Dates in words, as pwa/staff/facts.js says them (tests/facts_vectors.json).
        es, en = (
            [date_words(v, lang) if v else "—" for v in (start, end, first, last)]
            for lang in ("es", "en")
        )
        add(
            "period",
            f"periodo {es[0]} – {es[1]} en el resumen; el registro tiene fechas "
            f"del {es[2]} al {es[3]}.",
            f"period {en[0]} – {en[1]} in the summary; the journal has dates "
            f"from {en[2]} to {en[3]}.",
        )
    counts = summary.get("counts") or {}
    left_out = summary.get("left_out") or []
    for key, (label_es, label_en) in COUNT_LABELS.items():
        if key == "photos" and "photos" in left_out:
            continue  # the worker chose not to include them: the summary says 0 on purpose
        claimed, actual = counts.get(key, 0), found["counts"][key]
        if claimed != actual:
            add(
                f"counts.{key}",
                f"{label_es}: {claimed} en el resumen, {actual} en el registro.",
                f"{label_en}: {claimed} in the summary, {actual} in the journal.",
            )
    return out


# --- the wage check, recomputed (Python only) ---------------------------------------------


def records_from(entries: list[JournalEntry]) -> log_format.LogRecords:
    """The current records after replay, in the shape the wage check reads."""
    state = log_format.replay(entries)
    lists: dict[str, list[Any]] = {
        name: list(state[rtype].values()) for rtype, name in log_format.RECORD_LISTS.items()
    }
    return log_format.LogRecords(**lists)


def as_of_date(summary_created: str, wage_check: dict[str, Any] | None) -> dt.date:
    """The date the phone ran its check (its `as_of`), else the day the bundle was made."""
    claimed = (wage_check or {}).get("as_of")
    for text in (claimed, summary_created[:10]):
        try:
            return dt.date.fromisoformat(str(text))
        except ValueError:
            continue
    return dt.date.today()


def recompute_wages(
    entries: list[JournalEntry], jurisdictions: list[Any], as_of: dt.date
) -> dict[str, Any]:
    """server/wages' check on the journal's records, as the JSON `cartilla wages` prints."""
    from server.wages.check import check  # the wage check is heavy; only the PDF needs it

    report = check(records_from(entries), jurisdictions, as_of)
    result: dict[str, Any] = msgspec.to_builtins(report)
    return result


def _money(cents: Any) -> str:
    if not isinstance(cents, int) or isinstance(cents, bool):
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def wage_disagreement(
    phone: dict[str, Any] | None, recomputed: dict[str, Any]
) -> list[Disagreement]:
    """Where the phone's `wage_check` owed figures differ from the recomputed ones: the
    total, and each job's total owed. An absent phone check is not a disagreement."""
    if not isinstance(phone, dict):
        return []
    out: list[Disagreement] = []
    said, real = phone.get("total_owed_cents"), recomputed.get("total_owed_cents")
    if said != real:
        out.append(
            Disagreement(
                "wage_check.total_owed",
                f"{PREFIX[0]}lo que se debería: {_money(said)} según el teléfono, "
                f"{_money(real)} recalculado del registro.",
                f"{PREFIX[1]}amount owed: {_money(said)} according to the phone, "
                f"{_money(real)} recomputed from the journal.",
            )
        )
    phone_jobs = {
        str(j.get("job_id")): j.get("total_owed_cents")
        for j in phone.get("jobs") or []
        if isinstance(j, dict)
    }
    for job in recomputed.get("jobs", []):
        job_id = job["job_id"]
        if phone_jobs.get(job_id) != job["total_owed_cents"]:
            out.append(
                Disagreement(
                    f"wage_check.job.{job_id}",
                    f"{PREFIX[0]}lo que se debería en el trabajo {job_id}: "
                    f"{_money(phone_jobs.get(job_id))} según el teléfono, "
                    f"{_money(job['total_owed_cents'])} recalculado del registro.",
                    f"{PREFIX[1]}amount owed for job {job_id}: "
                    f"{_money(phone_jobs.get(job_id))} according to the phone, "
                    f"{_money(job['total_owed_cents'])} recomputed from the journal.",
                )
            )
    return out


# --- what each claim is worth --------------------------------------------------------------

#: Wage-check finding codes grouped into the claims an officer files (issue 14).
CLAIM_KINDS: dict[str, tuple[str, str]] = {
    "overtime": ("Horas extra no pagadas", "Unpaid overtime"),
    "minimum_wage": ("Salario mínimo o tarifa prometida", "Minimum wage or promised rate"),
    "deductions": ("Descuentos", "Deductions"),
    "fees": ("Cobros y gastos no reembolsados", "Fees and unreimbursed costs"),
    "guarantee": ("Garantía de tres cuartas partes", "Three-fourths guarantee"),
    "other": ("Otros", "Other"),
}
FINDING_CLAIM = {
    "deduction_below_minimum": "deductions",
    "deduction_not_allowed": "deductions",
    "deduction_overtime_week": "deductions",
    "recruitment_fee": "fees",
    "visa_fee_ask": "fees",
    "visa_fees_not_reimbursed": "fees",
    "travel_not_reimbursed": "fees",
    "first_week_reimbursement": "fees",
    "three_fourths_shortfall": "guarantee",
}


def _has_overtime(job: dict[str, Any], start: str, end: str) -> bool:
    """Whether any workweek of the job that overlaps start..end had overtime minutes."""
    for week in job.get("weeks") or []:
        overtime = (week.get("overtime_minutes") or 0) + (week.get("double_time_minutes") or 0)
        if overtime > 0 and str(week.get("start")) <= end and str(week.get("end")) >= start:
            return True
    return False


def claims(wage_check: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What the wage check found owed, by the claim an officer files, from its findings (so
    the rows add up to its total owed). Pay short in a pay period whose weeks had overtime
    counts as unpaid overtime, otherwise as minimum wage / promised rate: the check does not
    split one short paycheck further. Findings with no dollar figure add nothing."""
    totals = {kind: 0 for kind in CLAIM_KINDS}
    counted = {kind: 0 for kind in CLAIM_KINDS}

    def add(kind: str, amount: Any) -> None:
        if isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
            totals[kind] += amount
            counted[kind] += 1

    for job in (wage_check or {}).get("jobs") or []:
        if not isinstance(job, dict):
            continue
        for period in job.get("periods") or []:
            for finding in period.get("findings") or []:
                code = str(finding.get("code"))
                kind = FINDING_CLAIM.get(code)
                if kind is None and code in ("underpaid", "no_pay_recorded"):
                    start, end = str(period.get("start")), str(period.get("end"))
                    kind = "overtime" if _has_overtime(job, start, end) else "minimum_wage"
                add(kind or "other", finding.get("amount_cents"))
        for finding in job.get("findings") or []:
            add(FINDING_CLAIM.get(str(finding.get("code")), "other"), finding.get("amount_cents"))
    return [
        {"kind": kind, "es": es, "en": en, "amount_cents": totals[kind], "items": counted[kind]}
        for kind, (es, en) in CLAIM_KINDS.items()
        if kind != "other" or totals[kind]
    ]
