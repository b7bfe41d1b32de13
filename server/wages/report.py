"""The wage check's result: per job, per workweek, per pay period, each finding explained.

Money is in whole cents (rounded half up once, where it is reported), time in minutes.
"""

from __future__ import annotations

import msgspec
from msgspec import Struct


class Text(Struct, kw_only=True):
    """A plain-language explanation in both interface languages."""

    es: str
    en: str


class RuleSource(Struct, kw_only=True):
    """Where the rule comes from: an official page."""

    title: str
    url: str


class Finding(Struct, kw_only=True):
    """Something the worker may be owed or should look at. `amount_cents` null: no figure."""

    code: str
    amount_cents: int | None
    explanation: Text
    source: RuleSource | None


class AppliedRule(Struct, kw_only=True):
    """A rule the check applied to get the expected pay, explained."""

    code: str
    explanation: Text
    source: RuleSource | None


class Note(Struct, kw_only=True):
    """Something the check could not do, or did with a caveat (missing data, unknown size)."""

    code: str
    explanation: Text


class WeekResult(Struct, kw_only=True):
    """One workweek of one job (starting on the job's workweek start day).

    The expected pay is shown as three figures that add up to `expected_cents` exactly:

    - `overtime_pay_cents`: the *full* pay for the overtime minutes (not only the premium):
      each minute at the week's straight-time pay per minute plus half the regular rate, which
      is overtime minutes x 1.5 x the regular rate when the week has a single rate;
    - `double_time_pay_cents`: the same for double-time minutes (straight pay plus the full
      regular rate again: 2 x the regular rate);
    - `straight_pay_cents`: the rest, `expected_cents` minus the two above, which is the
      straight-time minutes at the floor/regular rate (any rounding cent falls here).
    """

    job_id: str
    start: str
    end: str
    days_worked: int
    minutes_worked: int
    straight_minutes: int
    overtime_minutes: int
    double_time_minutes: int
    floor_rate_cents: int
    regular_rate_cents: int
    straight_pay_cents: int
    overtime_pay_cents: int
    double_time_pay_cents: int
    expected_cents: int
    legal_expected_cents: int
    paid_cents: int | None
    difference_cents: int | None
    rules: list[AppliedRule] = msgspec.field(default_factory=list)


class PeriodResult(Struct, kw_only=True):
    """One pay period (a logged pay stub), or days with work and no pay logged (stub id null).

    The wages it leaves unpaid (the `underpaid` or `no_pay_recorded` finding; 0 without one)
    are split by kind, `owed_overtime_cents + owed_straight_cents`: what was paid counts first
    toward the straight-time hours at the floor (minimum wage, AEWR or promised rate), so the
    shortfall is unpaid overtime (overtime and double-time hours' full pay) first, and only
    what is beyond the period's overtime pay is straight-time / minimum-wage shortfall.
    """

    job_id: str
    pay_stub_id: str | None
    start: str
    end: str
    pay_date: str | None
    minutes_worked: int
    minutes_paid: int | None
    expected_cents: int
    legal_expected_cents: int
    paid_cents: int
    deductions_cents: int
    net_cents: int | None
    difference_cents: int
    owed_overtime_cents: int
    owed_straight_cents: int
    findings: list[Finding] = msgspec.field(default_factory=list)


class OwedByKind(Struct, kw_only=True):
    """What may be owed, split by kind; the six add up to the `total_owed_cents` beside it.

    `overtime` and `straight` are the periods' `owed_overtime_cents` and `owed_straight_cents`
    (unpaid wages: overtime first, see PeriodResult); `deductions` the deductions not allowed
    or cutting into the minimum wage or overtime pay; `fees` recruitment fees and the visa,
    travel and first-week costs not paid back; `guarantee` the H-2 three-fourths guarantee;
    `other` any other finding with an amount.
    """

    overtime: int = 0
    straight: int = 0
    deductions: int = 0
    fees: int = 0
    guarantee: int = 0
    other: int = 0


class JobResult(Struct, kw_only=True):
    """Everything the check found for one job."""

    job_id: str
    employer: str | None
    state: str
    status: str
    pay_type: str
    weeks: list[WeekResult]
    periods: list[PeriodResult]
    findings: list[Finding]
    notes: list[Note]
    total_owed_cents: int
    owed_by_kind: OwedByKind


class WageReport(Struct, kw_only=True):
    """The whole result: what `cartilla wages LOG.json` prints as JSON."""

    format: str = "cartilla-wage-check"
    format_version: int = 1
    as_of: str
    jobs: list[JobResult]
    notes: list[Note]
    total_owed_cents: int
    owed_by_kind: OwedByKind
