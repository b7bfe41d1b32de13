"""Property tests for the Python wage check (hypothesis), over the vectors' own rule fixtures."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from test_wages_support import VECTOR_DIR, expand_log

from server.content.schema import WageRulesFile
from server.wages.check import LogRecords, check

RULES = msgspec.convert(
    json.loads((VECTOR_DIR / "overtime.json").read_text())["rules"], WageRulesFile
).jurisdictions
AS_OF = dt.date(2025, 6, 30)
BASE = dt.date(2025, 3, 2)  # a Sunday

clock = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45])).map(
    lambda hm: f"{hm[0]:02d}:{hm[1]:02d}"
)
shift = st.fixed_dictionaries(
    {
        "day": st.integers(0, 20),
        "start": clock,
        "end": clock,
        "break_minutes": st.sampled_from([0, 15, 30, 60]),
        "units": st.integers(0, 300),
    }
)
job = st.fixed_dictionaries(
    {
        "state": st.sampled_from(["TX", "CA", "WA"]),
        "industry": st.sampled_from(["construction", "agriculture", "domestic"]),
        "status": st.sampled_from(["other", "h2a", "h2b"]),
        "pay_type": st.sampled_from(["hourly", "piece"]),
        "promised_rate_cents": st.integers(0, 4000),
        "employer_size": st.one_of(st.none(), st.integers(1, 100)),
        "workweek_start": st.sampled_from(["sunday", "monday", "wednesday"]),
    }
)


def _records(
    job_fields: dict[str, Any], shifts: list[dict[str, Any]], stubs: list[dict[str, Any]]
) -> LogRecords:
    log = {
        "jobs": [dict(job_fields)],
        "shifts": [
            {
                "date": (BASE + dt.timedelta(days=s["day"])).isoformat(),
                "start": s["start"],
                "end": s["end"],
                "break_minutes": s["break_minutes"],
                "piece_units": s["units"],
            }
            for s in shifts
        ],
        "pay_stubs": stubs,
    }
    return msgspec.convert(expand_log(log), LogRecords)


def _stubs(gross: list[int], deduction: int) -> list[dict[str, Any]]:
    out = []
    for i, g in enumerate(gross):
        start = BASE + dt.timedelta(days=7 * i)
        out.append(
            {
                "period_start": start.isoformat(),
                "period_end": (start + dt.timedelta(days=6)).isoformat(),
                "pay_date": (start + dt.timedelta(days=10)).isoformat(),
                "gross_cents": g,
                "deductions": [{"kind": "tools", "amount_cents": deduction}],
            }
        )
    return out


@settings(max_examples=150, deadline=None)
@given(
    job=job,
    shifts=st.lists(shift, min_size=1, max_size=12),
    gross=st.lists(st.integers(0, 300_000), min_size=3, max_size=3),
    deduction=st.integers(0, 20_000),
    which=st.integers(0, 2),
    more=st.integers(1, 100_000),
)
def test_paying_more_never_raises_what_is_owed(
    job: dict[str, Any],
    shifts: list[dict[str, Any]],
    gross: list[int],
    deduction: int,
    which: int,
    more: int,
) -> None:
    before = check(_records(job, shifts, _stubs(gross, deduction)), RULES, AS_OF)
    raised = list(gross)
    raised[which] += more
    after = check(_records(job, shifts, _stubs(raised, deduction)), RULES, AS_OF)
    assert after.total_owed_cents <= before.total_owed_cents


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


@settings(max_examples=150, deadline=None)
@given(job=job, shifts=st.lists(shift, min_size=1, max_size=10), pick=st.integers(0, 9))
def test_splitting_a_shift_at_midnight_never_changes_weekly_totals(
    job: dict[str, Any], shifts: list[dict[str, Any]], pick: int
) -> None:
    target = shifts[pick % len(shifts)]
    start, end = _minutes(target["start"]), _minutes(target["end"])
    if start < 180:
        target = dict(target, start="22:00")
        start = 1320
    if end >= start or end == 0:
        target = dict(target, end="02:30")  # make it cross midnight
        end = 150
    first_len = 1440 - start
    if target["break_minutes"] >= first_len:  # keep some work before midnight
        target = dict(target, break_minutes=0)
    shifts = [target if s is shifts[pick % len(shifts)] else s for s in shifts]
    whole = check(_records(job, shifts, []), RULES, AS_OF)
    brk = target["break_minutes"]
    before_midnight = dict(target, end="00:00", break_minutes=min(brk, first_len))
    after_midnight = dict(
        target,
        day=target["day"] + 1,
        start="00:00",
        break_minutes=brk - min(brk, first_len),
        units=0,
    )
    parts = [s for s in shifts if s is not target] + [before_midnight, after_midnight]
    split = check(_records(job, parts, []), RULES, AS_OF)

    def weekly(report: Any) -> list[tuple[str, int, int, int, int]]:
        return [
            (w.start, w.minutes_worked, w.overtime_minutes, w.double_time_minutes, w.expected_cents)
            for w in report.jobs[0].weeks
        ]

    assert weekly(split) == weekly(whole)


def _expected(report: Any) -> int:
    return sum(w.expected_cents for w in report.jobs[0].weeks)


@settings(max_examples=100, deadline=None)
@given(job=job, shifts=st.lists(shift, min_size=1, max_size=10), extra=shift)
def test_more_hourly_work_never_lowers_expected_pay(
    job: dict[str, Any], shifts: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    # Hourly pay only: for piece work, more hours with no more output lower the regular
    # rate (piece earnings / hours), and with it the overtime premium on every overtime
    # hour. That is the law's own arithmetic, so the property does not hold there; see
    # test_more_output_never_lowers_expected_pay for what does.
    job = {**job, "pay_type": "hourly"}
    before = check(_records(job, shifts, []), RULES, AS_OF)
    after = check(_records(job, [*shifts, extra], []), RULES, AS_OF)
    # Rounding is per week, so allow one cent per week of slack.
    assert _expected(after) >= _expected(before) - len(before.jobs[0].weeks)


@settings(max_examples=100, deadline=None)
@given(
    job=job,
    shifts=st.lists(shift, min_size=1, max_size=10),
    which=st.integers(0, 9),
    more=st.integers(1, 300),
)
def test_more_output_never_lowers_expected_pay(
    job: dict[str, Any], shifts: list[dict[str, Any]], which: int, more: int
) -> None:
    """Piece work: more units in the same hours never lowers what the law expects."""
    job = {**job, "pay_type": "piece"}
    i = which % len(shifts)
    more_units = [*shifts[:i], {**shifts[i], "units": shifts[i]["units"] + more}, *shifts[i + 1 :]]
    before = check(_records(job, shifts, []), RULES, AS_OF)
    after = check(_records(job, more_units, []), RULES, AS_OF)
    assert _expected(after) >= _expected(before) - len(before.jobs[0].weeks)


@settings(max_examples=150, deadline=None)
@given(
    job=job,
    shifts=st.lists(shift, min_size=1, max_size=12),
    gross=st.lists(st.integers(0, 300_000), min_size=3, max_size=3),
)
def test_the_figures_the_phone_shows_add_up(
    job: dict[str, Any], shifts: list[dict[str, Any]], gross: list[int]
) -> None:
    report = check(_records(job, shifts, _stubs(gross, 0)), RULES, AS_OF)
    for result in report.jobs:
        for week in result.weeks:
            parts = (week.straight_pay_cents, week.overtime_pay_cents, week.double_time_pay_cents)
            assert min(parts) >= 0 and sum(parts) == week.expected_cents
        for period in result.periods:
            owed = sum(
                f.amount_cents or 0
                for f in period.findings
                if f.code in ("underpaid", "no_pay_recorded")
            )
            assert period.owed_overtime_cents + period.owed_straight_cents == owed
            assert min(period.owed_overtime_cents, period.owed_straight_cents) >= 0
        kinds = msgspec.to_builtins(result.owed_by_kind)
        assert sum(kinds.values()) == result.total_owed_cents and min(kinds.values()) >= 0
