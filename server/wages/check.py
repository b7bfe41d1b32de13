"""The wage check: expected pay per workweek and per pay period, compared with what was paid.

The algorithm (mirrored line by line in `pwa/js/wages.js`; docs/log-format.md#wage-check):

1. Shifts are split at midnight; hours count on the calendar date they were worked. The
   unpaid break comes off the first part first. Piece units and day-rate days count on the
   date the shift started.
2. For each worked date: the minimum = max(federal, state minimum in force, or the minimum of
   the job's region); for H-2A also the state's AEWR in force (for 2025-method job orders the
   skill-level AEWR less the housing adjustment) and the job-order rate; the hourly floor =
   max(that, the promised hourly rate).
3. Per workweek (from the job's workweek start day): straight-time pay is hours x floor
   (hourly) or piece/day/salary pay made up to the minimum for the hours. The regular rate is
   straight-time pay / hours. Overtime follows the overtime step in force on the first day of
   the week, for the job's kind of work, separately for federal and state rules; the one giving
   more overtime wins. The hours of the employer's other jobs with the same workweek are added
   in day by day (29 CFR 778.103) and the later work carries the overtime. Daily overtime is
   counted first, then hours over the weekly threshold
   that were not daily overtime (taken from the last days). On the seventh day in a row of a
   workweek with a `seventh_day` step, hours up to the daily threshold are overtime and the rest
   double time. Each overtime hour adds half the regular rate; each double-time hour a whole.
   "Legal" pay uses only the law's minimums (not the promise); "expected" pay adds the promise.
4. Per pay period (a logged stub): expected = sum over its days (each day once, in the first
   stub that covers it), compared with the gross paid; deductions are checked; H-2A/H-2B stubs
   are checked for required items. Worked days in no stub whose payday has passed are owed.
5. Per job (H-2A/H-2B): the three-fourths guarantee, the first-workweek FLSA reimbursement of
   travel and visa costs, travel/visa reimbursement, recruitment fees; for all jobs: paydays
   further apart than the promise, the state or the program allow.

Exact fractions of a cent are kept until a figure is reported, then rounded half up.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from server.content.schema import (
    AewrMethodChange,
    DatedRate,
    OvertimeStep,
    RegionalMinimum,
    SalaryRule,
    SkillAewr,
    WageJurisdiction,
)
from server.log_format import (
    WEEKDAYS,
    Employer,
    Expense,
    Job,
    LogRecords,
    PayStub,
    Shift,
)
from server.shifts import for_wage_check
from server.wages import rules as R
from server.wages.messages import duration, label, money, text
from server.wages.report import (
    AppliedRule,
    Finding,
    JobResult,
    Note,
    OwedByKind,
    PeriodResult,
    RuleSource,
    WageReport,
    WeekResult,
)

#: `job.region` for work outside every region a state lists (its general minimum wage applies).
REST_OF_STATE = "rest-of-state"


#: Which part of the total owed a finding's amount is (OwedByKind); any other code is "other".
#: Unpaid wages ("pay") are split by the period into overtime and straight time.
OWED_KIND = {
    "underpaid": "pay",
    "no_pay_recorded": "pay",
    "deduction_not_allowed": "deductions",
    "deduction_below_minimum": "deductions",
    "deduction_overtime_week": "deductions",
    "recruitment_fee": "fees",
    "visa_fees_not_reimbursed": "fees",
    "travel_not_reimbursed": "fees",
    "first_week_reimbursement": "fees",
    "three_fourths_shortfall": "guarantee",
}


def owed_by_kind(periods: list[PeriodResult], findings: list[Finding]) -> OwedByKind:
    """The total owed for one job, split by kind (the same rule as wages.js owedByKindTotal)."""
    totals = dict.fromkeys(("overtime", "straight", "deductions", "fees", "guarantee", "other"), 0)
    for period in periods:
        totals["overtime"] += period.owed_overtime_cents
        totals["straight"] += period.owed_straight_cents
    for finding in [*findings, *(f for p in periods for f in p.findings)]:
        kind = OWED_KIND.get(finding.code, "other")
        if kind != "pay":  # counted above, split by kind
            totals[kind] += finding.amount_cents or 0
    return OwedByKind(**totals)


def round_cents(value: Fraction) -> int:
    """Half up, for values >= 0 (every rounded figure here is)."""
    return int((2 * value.numerator + value.denominator) // (2 * value.denominator))


def _d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def _src(source: R.Src | None) -> RuleSource | None:
    return RuleSource(title=source[0], url=source[1]) if source else None


def _data_src(rate: DatedRate | OvertimeStep) -> RuleSource:
    return RuleSource(title=rate.source.title, url=rate.source.url)


def _program(status: str) -> str:
    return "H-2A" if status == "h2a" else "H-2B"


def _ot_rule_text(step: OvertimeStep) -> tuple[str, str]:
    es: list[str] = []
    en: list[str] = []
    if step.daily_after is not None:
        h = duration(R.hours_to_minutes(step.daily_after))
        es.append(f"tiempo y medio después de {h} por día")
        en.append(f"time and a half after {h} a day")
    if step.daily_double_after is not None:
        h = duration(R.hours_to_minutes(step.daily_double_after))
        es.append(f"doble después de {h} por día")
        en.append(f"double time after {h} a day")
    if step.weekly_after is not None:
        h = duration(R.hours_to_minutes(step.weekly_after))
        es.append(f"tiempo y medio después de {h} por semana")
        en.append(f"time and a half after {h} a week")
    if step.seventh_day:
        es.append("pago extra el séptimo día seguido de la semana")
        en.append("extra pay on the seventh day in a row of the workweek")
    return "; ".join(es), "; ".join(en)


@dataclass(frozen=True)
class _Aewr:
    """The H-2A AEWR for a date: the older (single) rate, or a 2025-method skill-level rate."""

    cents: int  # the floor: the rate less the housing adjustment, if any
    source: RuleSource
    level: int | None = None  # skill level (2025 method); None for the older AEWR
    rate_cents: int = 0  # before the housing adjustment
    housing_cents: int | None = None  # the adjustment; None when the data does not give it


def _roman(level: int) -> str:
    return "I" if level == 1 else "II"


@dataclass
class _Day:
    minutes: int = 0
    units: int = 0  # piece units of shifts that started this day
    starts: int = 0  # shifts with work that started this day (day rate)
    floor: int = 0  # hourly floor with the promise, cents
    minimum: int = 0  # the law's floor (minimum wage, AEWR), cents
    min_wage: int = 0  # minimum wage only (free-and-clear check), cents
    floor_src: RuleSource | None = None  # the law's binding figure (minimum wage or AEWR)
    ot_weight: int = 0  # overtime minutes + 2 x double-time minutes counted on this day
    reg_minutes: int = 0  # minutes that are not overtime or double time
    piece_pay: Fraction = field(default_factory=Fraction)  # piece, day or salary pay as logged
    ot_pay: Fraction = field(default_factory=Fraction)  # full pay due for the overtime minutes
    ot_src: RuleSource | None = None
    straight: Fraction = field(default_factory=Fraction)
    legal_straight: Fraction = field(default_factory=Fraction)
    expected: Fraction = field(default_factory=Fraction)
    legal: Fraction = field(default_factory=Fraction)


class _Notes:
    def __init__(self) -> None:
        self.items: list[Note] = []
        self.seen: set[str] = set()

    def add(
        self,
        code: str,
        key: str,
        values: dict[str, str] | None = None,
        en: dict[str, str] | None = None,
    ) -> None:
        if f"{code}|{key}" in self.seen:
            return
        self.seen.add(f"{code}|{key}")
        self.items.append(Note(code=code, explanation=text(code, values or {}, en)))


def _split_shift(shift: Shift) -> list[tuple[dt.date, int]]:
    """(date, minutes worked) parts of a shift, split at midnight, break off the first part."""
    sh, sm = (int(x) for x in shift.start.split(":"))
    eh, em = (int(x) for x in shift.end.split(":"))
    start = sh * 60 + sm
    end = eh * 60 + em
    if end <= start:
        end += 1440
    first = min(end, 1440) - start
    second = end - 1440 if end > 1440 else 0
    brk = shift.break_minutes
    take = min(brk, first)
    first -= take
    second -= brk - take
    day = _d(shift.date)
    parts = [(day, first)]
    if end > 1440:
        parts.append((day + dt.timedelta(days=1), second))
    return parts


def _week_start(day: dt.date, start_index: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - start_index) % 7)


def _daterange(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _ot_minutes(
    step: OvertimeStep | None, days: list[tuple[dt.date, int]], seventh: bool
) -> tuple[list[int], list[int]]:
    """Overtime and double-time minutes per day of the week (days in date order)."""
    n = len(days)
    ot = [0] * n
    dbl = [0] * n
    if step is None:
        return ot, dbl
    da = R.hours_to_minutes(step.daily_after) if step.daily_after is not None else None
    dd = (
        R.hours_to_minutes(step.daily_double_after) if step.daily_double_after is not None else None
    )
    wa = R.hours_to_minutes(step.weekly_after) if step.weekly_after is not None else None
    reg = [0] * n
    for i, (_, m) in enumerate(days):
        if seventh and step.seventh_day and i == n - 1:
            # The 7th day: time and a half up to `seventh_day_after` (default: the daily
            # threshold), double after it (CA Labor Code 510, for farm work also 862(b)).
            sda = R.hours_to_minutes(step.seventh_day_after) if step.seventh_day_after else da
            ot[i] = m if sda is None else min(m, sda)
            dbl[i] = m - ot[i]
        else:
            dbl[i] = max(0, m - dd) if dd is not None else 0
            ot[i] = max(0, min(m, dd if dd is not None else m) - da) if da is not None else 0
        reg[i] = m - ot[i] - dbl[i]
    if wa is not None:
        extra = max(0, sum(reg) - wa)
        for i in range(n - 1, -1, -1):
            if extra <= 0:
                break
            move = min(extra, reg[i])
            reg[i] -= move
            ot[i] += move
            extra -= move
    return ot, dbl


def _own_share(
    days: list[tuple[dt.date, int]],
    combined: list[tuple[dt.date, int]],
    per_job: list[list[int]],
    me: int,
    ot_all: list[int],
    dbl_all: list[int],
) -> tuple[list[int], list[int]]:
    """This job's overtime and double-time minutes per day, from the employer's combined day.

    A day's overtime is its last hours; with several jobs that day, the job listed later in
    the log is taken to be the later work: double time first, then overtime, from the last
    job back. Each job's premium is then paid at its own regular rate.
    """
    mine: dict[dt.date, tuple[int, int]] = {}
    for k, (day, _) in enumerate(combined):
        dbl_left, ot_left = dbl_all[k], ot_all[k]
        for q in range(len(per_job[k]) - 1, -1, -1):
            minutes = per_job[k][q]
            take_dbl = min(minutes, dbl_left)
            take_ot = min(minutes - take_dbl, ot_left)
            dbl_left -= take_dbl
            ot_left -= take_ot
            if q == me:
                mine[day] = (take_ot, take_dbl)
    ot = [mine.get(d, (0, 0))[0] for d, _ in days]
    dbl = [mine.get(d, (0, 0))[1] for d, _ in days]
    return ot, dbl


class _JobCheck:
    def __init__(
        self,
        job: Job,
        employer: Employer | None,
        records: LogRecords,
        juris: dict[str, WageJurisdiction],
        as_of: dt.date,
        report_notes: _Notes,
    ) -> None:
        self.job = job
        self.employer = employer
        self.records = records
        self.fed = juris.get("federal")
        self.state = juris.get(job.state)
        self.as_of = as_of
        self.notes = _Notes()
        self.report_notes = report_notes
        self.days: dict[dt.date, _Day] = {}
        self.findings: list[Finding] = []
        self.week_results: list[WeekResult] = []
        self.aewr_missing: set[dt.date] = set()
        self.aewr_new_method: dict[dt.date, tuple[DatedRate, AewrMethodChange]] = {}
        self.federal_minimum_used = False
        self.state_min_out = self._state_minimum_left_out()
        self.position = 0  # place in the log's job list
        self.peers: list[_JobCheck] = []  # the employer's other jobs with the same workweek
        # Each week's (straight-time pay, legal straight-time pay, minutes), for the peers'
        # weighted regular rate (29 CFR 778.115).
        self.week_pay: dict[dt.date, tuple[Fraction, Fraction, int]] = {}
        self.collected = False

    def _state_minimum_left_out(self) -> str | None:
        """Why the state minimum wage does not cover this job, if it does not (W5: NE)."""
        cov = self.state.minimum_wage_coverage if self.state is not None else None
        if cov is None:
            return None
        if self.job.industry in cov.excludes_industries:
            return "industry"
        if cov.employer_size_min is not None:
            if self.job.employer_size is None:
                return "size_unknown"
            if self.job.employer_size < cov.employer_size_min:
                return "size"
        return None

    # --- figures per date -------------------------------------------------------------

    def _minimum(self, day: dt.date) -> tuple[int, DatedRate | None, str]:
        best: tuple[int, DatedRate | None, str] = (0, None, "")
        for where, j in (("federal", self.fed), (self.job.state, self.state)):
            if j is None:
                continue
            rate = R.rate_in_force(j.minimum_wage, day)
            if rate is None:
                continue
            cents = R.dollars_to_cents(rate.rate)
            if j is self.state and self.state_min_out is not None:
                # The state's minimum does not cover this job: say so only when it mattered.
                if cents > best[0]:
                    self._note_state_minimum_left_out(cents)
                continue
            if cents > best[0]:
                best = (cents, rate, where)
        if self.state is not None and self.state_min_out is None:
            region = self._region()
            for other in self.state.regional_minimum_wage:
                rate = R.rate_in_force(other.rates, day)
                if rate is None or R.dollars_to_cents(rate.rate) <= best[0]:
                    continue
                if other is region:
                    # The job says the work is in this region: its higher rate is the minimum.
                    best = (R.dollars_to_cents(rate.rate), rate, self.job.state)
                elif region is None and self.job.region != REST_OF_STATE:
                    # Where in the state the work is, the log does not say: name the higher rate.
                    values = {"state": self.job.state, "rate": money(R.dollars_to_cents(rate.rate))}
                    self.notes.add(
                        "regional_minimum",
                        other.id,
                        {**values, "region": other.name.get("es", "")},
                        {**values, "region": other.name.get("en", "")},
                    )
        if best[1] is None:
            self.notes.add("no_minimum_wage", day.isoformat(), {"date": day.isoformat()})
        return best

    def _region(self) -> RegionalMinimum | None:
        """The state's region the job says the work is in (`job.region`), if it names one."""
        if self.state is None or self.job.region is None:
            return None
        return next((r for r in self.state.regional_minimum_wage if r.id == self.job.region), None)

    def _aewr_method_change(self, day: dt.date) -> AewrMethodChange | None:
        best: AewrMethodChange | None = None
        for j in (self.fed, self.state):
            for change in j.aewr_method_changes if j is not None else []:
                if change.effective <= day and (best is None or change.effective > best.effective):
                    best = change
        return best

    def _note_state_minimum_left_out(self, cents: int) -> None:
        cov = self.state.minimum_wage_coverage if self.state is not None else None
        assert cov is not None and self.state_min_out is not None
        values = {"state": self.job.state, "rate": money(cents)}
        if self.state_min_out == "industry":
            es_ind, en_ind = label(f"industry_{self.job.industry}")
            self.notes.add(
                "state_minimum_excludes_industry",
                "",
                {**values, "industry": es_ind},
                {**values, "industry": en_ind},
            )
            return
        size = str(cov.employer_size_min)
        code = (
            "state_minimum_small_employer"
            if self.state_min_out == "size"
            else ("state_minimum_size_unknown")
        )
        self.notes.add(code, "", {**values, "size": size})

    def _aewr(self, day: dt.date) -> _Aewr | None:
        if self.job.status != "h2a":
            return None
        change = self._aewr_method_change(day)
        start = self.job.contract_start
        # A job order filed from the change uses the new method; the contract start is the
        # only date the log has, so an unknown start may be either.
        new_method = change is not None and (start is None or _d(start) >= change.effective)
        if new_method:
            skill = self._skill_aewr(day)
            if skill is not None:
                return skill
        for j in (self.state, self.fed):
            if j is not None:
                rate = R.rate_in_force(j.aewr, day)
                # An AEWR is set for a year: an older one is not guessed forward.
                if rate is not None and (day - rate.effective).days <= R.AEWR_VALID_DAYS:
                    if change is not None and new_method and rate.effective < change.effective:
                        # The job order may use the new method: the old figure is no floor.
                        self.aewr_new_method.setdefault(day, (rate, change))
                        return None
                    cents = R.dollars_to_cents(rate.rate)
                    return _Aewr(cents=cents, source=_data_src(rate), rate_cents=cents)
        # Never a silent fall-back to the minimum wage: job_findings() says so plainly.
        self.aewr_missing.add(day)
        return None

    def _skill_aewr(self, day: dt.date) -> _Aewr | None:
        """The 2025-method AEWR for the job order's skill level, less the housing adjustment
        (H-2A workers only, which this job is). With no level entered, the lower level: that
        much is owed either way, and a note asks for the level."""
        if self.state is None:
            return None
        latest: dict[int, SkillAewr] = {}
        for entry in self.state.aewr_skill:
            if entry.effective > day or (day - entry.effective).days > R.AEWR_VALID_DAYS:
                continue
            if entry.level not in latest or entry.effective >= latest[entry.level].effective:
                latest[entry.level] = entry
        options = [self._skill_figure(e) for e in (latest.get(1), latest.get(2)) if e]
        if self.job.skill_level is not None:
            options = [o for o in options if o.level == self.job.skill_level]
        if not options:
            return None
        pick = min(options, key=lambda o: (o.cents, o.level or 0))
        if self.job.skill_level is None:
            self.notes.add("skill_level_unknown", "", {"level": _roman(pick.level or 1)})
        if pick.housing_cents is None:
            self.notes.add("housing_adjustment_unknown", "")
        return pick

    @staticmethod
    def _skill_figure(entry: SkillAewr) -> _Aewr:
        rate = R.dollars_to_cents(entry.rate)
        housing = (
            R.dollars_to_cents(entry.housing_adjustment)
            if entry.housing_adjustment is not None
            else None
        )
        return _Aewr(
            cents=max(0, rate - (housing or 0)),
            source=RuleSource(title=entry.source.title, url=entry.source.url),
            level=entry.level,
            rate_cents=rate,
            housing_cents=housing,
        )

    def _floors(self, day: dt.date) -> tuple[int, int, int, RuleSource | None]:
        min_wage, min_rate, where = self._minimum(day)
        if where == "federal":
            self.federal_minimum_used = True
        aewr = self._aewr(day)
        aewr_cents = aewr.cents if aewr else 0
        legal = max(min_wage, aewr_cents)
        src = (
            aewr.source
            if aewr is not None and aewr_cents > min_wage
            else (_data_src(min_rate) if min_rate is not None else None)
        )
        order_rate = self.job.job_order_rate_cents if self.job.status == "h2a" else None
        if order_rate is not None and order_rate > legal:
            # 20 CFR 655.120(a), 655.122(l): the rate the job order offers is owed, if higher.
            legal = order_rate
            src = _src(R.SRC_H2A_WAGE)
        floor = legal
        if self.job.pay_type == "hourly" and self.job.promised_rate_cents is not None:
            floor = max(floor, self.job.promised_rate_cents)
        return floor, legal, min_wage, src

    def _steps(self, day: dt.date) -> list[tuple[str, OvertimeStep | None]]:
        """(where, step) candidates: state tracks first, then federal; None = no step."""
        out: list[tuple[str, OvertimeStep | None]] = []
        for where, j in ((self.job.state, self.state), ("federal", self.fed)):
            if j is None:
                continue
            steps, size_mattered = R.steps_in_force(
                R.overtime_steps(j, self.job.industry), day, self.job.employer_size
            )
            if size_mattered:
                self.notes.add("employer_size_unknown", "")
            if not steps:
                out.append((where, None))
            out.extend((where, step) for step in steps)
        return out

    # --- the days -----------------------------------------------------------------------

    def collect(self) -> None:
        if self.collected:
            return
        self.collected = True
        # Impossible shifts (same start and end, over 24 h, future) are left out and shared
        # minutes of overlapping ones count once, with findings (server/shifts.py).
        sane = for_wage_check(self.records.shifts, self.job.id, self.as_of)
        self.findings = sane.findings
        for shift in self.records.shifts:
            if shift.job_id != self.job.id or shift.id in sane.skip:
                continue
            parts = _split_shift(shift)
            if any(m < 0 for _, m in parts) or sum(m for _, m in parts) <= 0:
                self.notes.add("shift_invalid", shift.id, {"date": shift.date})
                continue
            for day, m in sane.trimmed.get(shift.id, parts):
                self.days.setdefault(day, _Day()).minutes += m
            first = self.days.setdefault(parts[0][0], _Day())
            first.units += shift.piece_units or 0
            first.starts += 1
        for day, info in self.days.items():
            info.floor, info.minimum, info.min_wage, info.floor_src = self._floors(day)

    # --- weeks --------------------------------------------------------------------------

    def weeks(self) -> list[WeekResult]:
        start_index = WEEKDAYS.index(self.job.workweek_start)
        by_week: dict[dt.date, list[dt.date]] = {}
        for day in sorted(self.days):
            by_week.setdefault(_week_start(day, start_index), []).append(day)
        results = []
        for week_start in sorted(by_week):
            result = self._week(week_start, by_week[week_start])
            if result is not None:
                results.append(result)
        return results

    def _week(self, week_start: dt.date, dates: list[dt.date]) -> WeekResult | None:
        job = self.job
        days = [(d, self.days[d].minutes) for d in dates]
        total = sum(m for _, m in days)
        if total <= 0:
            return None
        rules: list[AppliedRule] = []
        first_day = next(d for d, m in days if m > 0)
        min_cents, min_rate, where = self._minimum(first_day)
        region = self._region()
        if region is not None and min_rate is not None and min_rate in region.rates:
            values = {"rate": money(min_cents)}
            rules.append(
                AppliedRule(
                    code="regional_minimum_wage",
                    explanation=text(
                        "regional_minimum_wage",
                        {**values, "region": region.name.get("es", "")},
                        {**values, "region": region.name.get("en", "")},
                    ),
                    source=_data_src(min_rate),
                )
            )
        elif min_rate is not None:
            rules.append(
                AppliedRule(
                    code="minimum_wage",
                    explanation=text(
                        "minimum_wage",
                        {"date": first_day.isoformat(), "rate": money(min_cents), "where": where},
                    ),
                    source=_data_src(min_rate),
                )
            )
        aewr = self._aewr(first_day)
        if aewr is not None:
            values = {"state": job.state, "date": first_day.isoformat(), "rate": money(aewr.cents)}
            if aewr.level is not None:
                code = "aewr_skill" if aewr.housing_cents is None else "aewr_skill_housing"
                values |= {
                    "level": _roman(aewr.level),
                    "full": money(aewr.rate_cents),
                    "housing": money(aewr.housing_cents or 0),
                }
            else:
                code = "aewr"
            rules.append(AppliedRule(code=code, explanation=text(code, values), source=aewr.source))
        if job.status == "h2a" and job.job_order_rate_cents is not None:
            rules.append(
                AppliedRule(
                    code="job_order_rate",
                    explanation=text("job_order_rate", {"rate": money(job.job_order_rate_cents)}),
                    source=_src(R.SRC_H2A_WAGE),
                )
            )
        info0 = self.days[first_day]
        if job.pay_type == "hourly" and info0.floor > info0.minimum:
            rules.append(
                AppliedRule(
                    code="promised_rate",
                    explanation=text("promised_rate", {"rate": money(info0.floor)}),
                    source=None,
                )
            )
        # Straight-time pay, legal (law's minimums only) and expected (with the promise).
        legal_total = Fraction(0)
        for d, m in days:
            info = self.days[d]
            info.legal_straight = Fraction(m * info.minimum, 60)
            legal_total += info.legal_straight
        salary_rule = (
            self.state.salary_regular_rate
            if job.pay_type == "salary" and self.state is not None
            else None
        )
        if job.pay_type == "hourly":
            for d, m in days:
                self.days[d].straight = Fraction(m * self.days[d].floor, 60)
        elif salary_rule is not None:
            # A salary under a state rule like CA Labor Code 515(d): worked out below, once the
            # overtime hours are known (the salary pays only the non-overtime hours).
            if job.promised_rate_cents is None:
                self.notes.add("no_piece_rate", "")
        else:
            rate = job.promised_rate_cents
            if rate is None:
                self.notes.add("no_piece_rate", "")
                rate = 0
            pay: dict[dt.date, Fraction] = {}
            for d, m in days:
                info = self.days[d]
                if job.pay_type == "piece":
                    pay[d] = Fraction(info.units * rate)
                elif job.pay_type == "day":
                    pay[d] = Fraction(rate if info.starts > 0 else 0)
                else:  # salary: a weekly amount, spread over the week's hours
                    pay[d] = Fraction(rate * m, total)
            earned = sum(pay.values(), Fraction(0))
            # H-2A: the AEWR is made up per pay period, not per week (20 CFR 655.122(l); see
            # periods()). The week itself is made up only to the minimum wage (FLSA workweek).
            per_period = job.status == "h2a"
            week_floor: dict[dt.date, Fraction] = {
                d: (
                    Fraction(m * self.days[d].min_wage, 60)
                    if per_period
                    else self.days[d].legal_straight
                )
                for d, m in days
            }
            floor_total = sum(week_floor.values(), Fraction(0))
            for d, _ in days:
                self.days[d].piece_pay = pay[d]
            if earned >= floor_total:
                for d, _ in days:
                    self.days[d].straight = pay[d]
            else:
                for d, _ in days:
                    self.days[d].straight = week_floor[d]
                rules.append(
                    AppliedRule(
                        code="piece_makeup",
                        explanation=text(
                            "piece_makeup",
                            {
                                "piece": money(round_cents(earned)),
                                "floor": money(round_cents(floor_total)),
                            },
                        ),
                        source=_data_src(min_rate) if min_rate else None,
                    )
                )
        straight_total = sum((self.days[d].straight for d, _ in days), Fraction(0))
        # Overtime counts every hour worked for the employer that week (29 CFR 778.103): the
        # days of its other logged jobs with the same workweek are added in, and this job keeps
        # its share of the overtime (see _employer_days).
        combined, per_job, me = self._employer_days(week_start, days)
        others = sum(m for _, m in combined) - total
        peer_pay = [c.week_pay[week_start] for c in self.peers if week_start in c.week_pay]
        # The premium is half the regular rate per overtime minute; with the employer's other
        # jobs in the week, that rate is the weighted average of all of them (29 CFR 778.115).
        reg_rate, legal_rate = self._regular_rates(straight_total, legal_total, total, peer_pay)
        if others > 0:
            rules.append(
                AppliedRule(
                    code="employer_hours_combined",
                    explanation=text("employer_hours_combined", {"hours": duration(others)}),
                    source=_src(R.SRC_ONE_EMPLOYER_WEEK),
                )
            )
        # The rule (state or federal) giving more weighted overtime minutes wins.
        full_week = len(combined) == 7
        best: tuple[str, OvertimeStep | None, list[int], list[int]] | None = None
        best_key = (-1, -1)
        for where_ot, step in self._steps(week_start):
            ot_all, dbl_all = _ot_minutes(step, combined, full_week)
            ot, dbl = _own_share(days, combined, per_job, me, ot_all, dbl_all)
            key = (sum(ot) + 2 * sum(dbl), 0 if step is None else 1)
            if key > best_key:
                best_key = key
                best = (where_ot, step, ot, dbl)
        ot_src: RuleSource | None = None
        if best is None:
            self.report_notes.add("no_overtime_rules", "")
            ot, dbl = [0] * len(days), [0] * len(days)
        else:
            where_ot, step, ot, dbl = best
            ot_src = _data_src(step) if step is not None else None
            if step is not None and (
                step.weekly_after is not None
                or step.daily_after is not None
                or step.daily_double_after is not None
                or step.seventh_day
            ):
                es_rule, en_rule = _ot_rule_text(step)
                rules.append(
                    AppliedRule(
                        code="overtime",
                        explanation=text(
                            "overtime",
                            {"where": where_ot, "rule": es_rule},
                            {"where": where_ot, "rule": en_rule},
                        ),
                        source=_data_src(step),
                    )
                )
            else:
                rules.append(
                    AppliedRule(
                        code="overtime_none",
                        explanation=text("overtime_none", {"where": where_ot}),
                        source=_data_src(step) if step is not None else None,
                    )
                )
        if salary_rule is None and job.pay_type != "hourly" and (sum(ot) + sum(dbl)) > 0:
            rules.append(
                AppliedRule(
                    code="regular_rate",
                    explanation=text("regular_rate", {"rate": money(round_cents(reg_rate * 60))}),
                    source=None,
                )
            )
            if job.pay_type == "salary":
                # Half-time overtime on a salary is the fluctuating-workweek method, which
                # needs an agreement the log does not record (29 CFR 778.114).
                self.notes.add("salary_half_time", "")
        expected = Fraction(0)
        legal = Fraction(0)
        regular_per_hour = reg_rate * 60
        if salary_rule is not None:
            regular_per_hour = self._salary_week(days, ot, dbl, salary_rule, rules)
            straight_total = sum((self.days[d].straight for d, _ in days), Fraction(0))
        self.week_pay[week_start] = (straight_total, legal_total, total)
        # Full pay for the overtime and double-time hours (hours at the regular pay plus the
        # premium), so the week's expected pay splits into three figures the phone shows as is.
        ot_full = Fraction(0)
        dbl_full = Fraction(0)
        for i, (d, _) in enumerate(days):
            info = self.days[d]
            weight = ot[i] + 2 * dbl[i]
            if salary_rule is not None:
                ot_full += regular_per_hour / 60 * Fraction(3, 2) * ot[i]
                dbl_full += regular_per_hour / 60 * 2 * dbl[i]
                info.ot_weight = weight
                info.ot_src = ot_src if weight > 0 else None
                info.legal = info.legal_straight + legal_rate * weight / 2
                expected += info.expected
                legal += info.legal
                continue
            info.ot_weight = weight
            info.ot_src = ot_src if weight > 0 else None
            info.reg_minutes = days[i][1] - ot[i] - dbl[i]
            # Overtime hours at the regular rate plus the premium: what deductions may not cut.
            info.ot_pay = straight_total * (ot[i] + dbl[i]) / total + reg_rate * weight / 2
            info.expected = info.straight + reg_rate * weight / 2
            ot_full += straight_total * ot[i] / total + reg_rate * ot[i] / 2
            dbl_full += straight_total * dbl[i] / total + reg_rate * dbl[i]
            info.legal = info.legal_straight + legal_rate * weight / 2
            expected += info.expected
            legal += info.legal
        week_end = week_start + dt.timedelta(days=6)
        paid = self._week_paid(week_start, week_end, [d for d, m in days if m > 0])
        expected_cents = round_cents(expected)
        overtime_pay_cents = round_cents(ot_full)
        double_time_pay_cents = round_cents(dbl_full)
        return WeekResult(
            job_id=job.id,
            start=week_start.isoformat(),
            end=week_end.isoformat(),
            days_worked=sum(1 for _, m in days if m > 0),
            minutes_worked=total,
            straight_minutes=total - sum(ot) - sum(dbl),
            overtime_minutes=sum(ot),
            double_time_minutes=sum(dbl),
            floor_rate_cents=max(self.days[d].floor for d, _ in days),
            regular_rate_cents=round_cents(regular_per_hour),
            # The rest of the expected pay: the three add up to it exactly (a rounding cent
            # falls here).
            straight_pay_cents=expected_cents - overtime_pay_cents - double_time_pay_cents,
            overtime_pay_cents=overtime_pay_cents,
            double_time_pay_cents=double_time_pay_cents,
            expected_cents=expected_cents,
            legal_expected_cents=round_cents(legal),
            paid_cents=paid,
            difference_cents=None if paid is None else expected_cents - paid,
            rules=rules,
        )

    @staticmethod
    def _regular_rates(
        straight: Fraction,
        legal: Fraction,
        minutes: int,
        peer_pay: list[tuple[Fraction, Fraction, int]],
    ) -> tuple[Fraction, Fraction]:
        """Regular rate per minute (with the promise, and the law's alone) for the week: this
        job's, or with the employer's other jobs that week, the weighted average of all."""
        all_minutes = minutes + sum(p[2] for p in peer_pay)
        return (
            (straight + sum((p[0] for p in peer_pay), Fraction(0))) / all_minutes,
            (legal + sum((p[1] for p in peer_pay), Fraction(0))) / all_minutes,
        )

    def _employer_days(
        self, week_start: dt.date, days: list[tuple[dt.date, int]]
    ) -> tuple[list[tuple[dt.date, int]], list[list[int]], int]:
        """The week's worked dates for the employer (this job and `peers`), in date order:
        (date, minutes of all those jobs), each job's minutes on it (in log order), and this
        job's place in that order. Alone, it is this job's own worked days."""
        group = sorted([*self.peers, self], key=lambda c: c.position)
        me = group.index(self)
        week = [week_start + dt.timedelta(days=i) for i in range(7)]
        own = dict(days)
        combined: list[tuple[dt.date, int]] = []
        per_job: list[list[int]] = []
        for day in week:
            minutes = [
                own.get(day, 0) if c is self else (c.days[day].minutes if day in c.days else 0)
                for c in group
            ]
            if sum(minutes) > 0:
                combined.append((day, sum(minutes)))
                per_job.append(minutes)
        return combined, per_job, me

    def _salary_week(
        self,
        days: list[tuple[dt.date, int]],
        ot: list[int],
        dbl: list[int],
        rule: SalaryRule,
        rules: list[AppliedRule],
    ) -> Fraction:
        """Expected pay for a salary where the state fixes the regular rate (CA: salary / 40).

        The salary pays the non-overtime hours (made up to the minimum wage for them if it is
        less); each overtime hour is paid on top at 1.5 x the regular rate, each double-time
        hour at 2 x. The regular rate is salary / `rule.hours`, but never below the minimum.
        Sets each day's straight, expected and overtime pay; returns the regular rate per hour.
        """
        salary = Fraction(self.job.promised_rate_cents or 0)
        minimum_per_minute = max(Fraction(self.days[d].minimum, 60) for d, _ in days)
        per_minute = max(salary / R.hours_to_minutes(rule.hours), minimum_per_minute)
        reg = [m - ot[i] - dbl[i] for i, (_, m) in enumerate(days)]
        reg_total = sum(reg)
        straight_total = max(
            salary,
            sum(
                (Fraction(reg[i] * self.days[d].minimum, 60) for i, (d, _) in enumerate(days)),
                Fraction(0),
            ),
        )
        total = sum(m for _, m in days)
        for i, (d, m) in enumerate(days):
            info = self.days[d]
            share = Fraction(reg[i], reg_total) if reg_total else Fraction(m, total)
            info.straight = straight_total * share
            info.reg_minutes = reg[i]
            info.ot_pay = per_minute * (Fraction(3, 2) * ot[i] + 2 * dbl[i])
            info.expected = info.straight + info.ot_pay
        where = self.job.state
        rules.append(
            AppliedRule(
                code="salary_regular_rate",
                explanation=text(
                    "salary_regular_rate",
                    {
                        "where": where,
                        "salary": money(round_cents(salary)),
                        "hours": duration(R.hours_to_minutes(rule.hours)),
                        "rate": money(round_cents(per_minute * 60)),
                    },
                ),
                source=RuleSource(title=rule.source.title, url=rule.source.url),
            )
        )
        return per_minute * 60

    def _stubs(self) -> list[PayStub]:
        stubs = [s for s in self.records.pay_stubs if s.job_id == self.job.id]
        return sorted(stubs, key=lambda s: (s.period_start, s.pay_date, s.id))

    def _week_paid(self, start: dt.date, end: dt.date, worked: list[dt.date]) -> int | None:
        inside = [
            s for s in self._stubs() if _d(s.period_start) >= start and _d(s.period_end) <= end
        ]
        if not inside:
            return None
        for day in worked:
            if not any(_d(s.period_start) <= day <= _d(s.period_end) for s in inside):
                return None
        return sum(s.gross_cents for s in inside)

    # --- pay periods ----------------------------------------------------------------------

    def pay_interval(self) -> tuple[int | None, RuleSource | None]:
        """Most days allowed between paydays, and the rule that says so (smallest wins)."""
        options: list[tuple[int, int, RuleSource | None]] = []
        if self.job.status in R.PROGRAM_PAY_DAYS:
            days, src = R.PROGRAM_PAY_DAYS[self.job.status]
            options.append((days, 0, _src(src)))
        if self.state is not None and self.state.pay_frequency_days_max is not None:
            freq_src = self.state.pay_frequency_source
            options.append(
                (
                    self.state.pay_frequency_days_max,
                    1,
                    RuleSource(title=freq_src.title, url=freq_src.url) if freq_src else None,
                )
            )
        if self.job.pay_frequency is not None:
            options.append((R.FREQUENCY_DAYS[self.job.pay_frequency], 2, None))
        if not options:
            return None, None
        days, _, src_best = min(options, key=lambda o: (o[0], o[1]))
        return days, src_best

    def _period_topup(self, days: list[dt.date]) -> Fraction:
        """H-2A pay that is not hourly: what brings the pay period up to the AEWR for its hours.

        20 CFR 655.122(l): piece (or other) earnings are compared with the hourly rate over the
        pay period, so a good week makes up for a poor one inside the same period. The weeks
        were already made up to the minimum wage. (Overtime on the top-up is not added.)
        """
        if self.job.status != "h2a" or self.job.pay_type == "hourly":
            return Fraction(0)
        floor = sum(
            (Fraction(self.days[d].minutes * self.days[d].minimum, 60) for d in days), Fraction(0)
        )
        paid = sum((self.days[d].straight for d in days), Fraction(0))
        topup = max(Fraction(0), floor - paid)
        if topup > 0:
            self.notes.add("h2a_period_topup", "")
        return topup

    def periods(self) -> list[PeriodResult]:
        job = self.job
        results: list[PeriodResult] = []
        covered: set[dt.date] = set()
        for stub in self._stubs():
            start, end = _d(stub.period_start), _d(stub.period_end)
            days = [d for d in _daterange(start, end) if d in self.days and d not in covered]
            covered.update(days)
            expected = sum((self.days[d].expected for d in days), Fraction(0))
            expected += self._period_topup(days)
            legal = sum((self.days[d].legal for d in days), Fraction(0))
            # What employer-benefit deductions must leave: the minimum wage for straight-time
            # hours plus full overtime pay (29 CFR 531.35, and 531.37 in overtime weeks).
            minimum_pay = sum(
                (
                    Fraction(self.days[d].reg_minutes * self.days[d].min_wage, 60)
                    + self.days[d].ot_pay
                    for d in days
                ),
                Fraction(0),
            )
            expected_cents = round_cents(expected)
            legal_cents = round_cents(legal)
            findings = self._period_findings(stub, expected_cents, legal_cents, minimum_pay, days)
            deductions = sum(x.amount_cents for x in stub.deductions)
            results.append(
                PeriodResult(
                    job_id=job.id,
                    pay_stub_id=stub.id,
                    start=stub.period_start,
                    end=stub.period_end,
                    pay_date=stub.pay_date,
                    minutes_worked=sum(self.days[d].minutes for d in days),
                    minutes_paid=stub.minutes_paid,
                    expected_cents=expected_cents,
                    legal_expected_cents=legal_cents,
                    paid_cents=stub.gross_cents,
                    deductions_cents=deductions,
                    net_cents=stub.net_cents,
                    difference_cents=expected_cents - stub.gross_cents,
                    **self._owed_by_kind(max(0, expected_cents - stub.gross_cents), days),
                    findings=findings,
                )
            )
        # Worked days no stub covers, grouped by workweek.
        interval, _ = self.pay_interval()
        start_index = WEEKDAYS.index(job.workweek_start)
        loose: dict[dt.date, list[dt.date]] = {}
        for day in sorted(self.days):
            if day not in covered and self.days[day].minutes > 0:
                loose.setdefault(_week_start(day, start_index), []).append(day)
        for week_start, days in sorted(loose.items()):
            week_end = week_start + dt.timedelta(days=6)
            expected = sum((self.days[d].expected for d in days), Fraction(0))
            expected += self._period_topup(days)
            legal = sum((self.days[d].legal for d in days), Fraction(0))
            expected_cents = round_cents(expected)
            findings = []
            if self.as_of > week_end + dt.timedelta(days=interval or 0) and expected_cents > 0:
                min_rate = self._minimum(days[0])[1]
                findings.append(
                    Finding(
                        code="no_pay_recorded",
                        amount_cents=expected_cents,
                        explanation=text(
                            "no_pay_recorded",
                            {
                                "start": days[0].isoformat(),
                                "end": days[-1].isoformat(),
                                "amount": money(expected_cents),
                            },
                        ),
                        source=_data_src(min_rate) if min_rate else None,
                    )
                )
            results.append(
                PeriodResult(
                    job_id=job.id,
                    pay_stub_id=None,
                    start=days[0].isoformat(),
                    end=days[-1].isoformat(),
                    pay_date=None,
                    minutes_worked=sum(self.days[d].minutes for d in days),
                    minutes_paid=None,
                    expected_cents=expected_cents,
                    legal_expected_cents=round_cents(legal),
                    paid_cents=0,
                    deductions_cents=0,
                    net_cents=None,
                    difference_cents=expected_cents,
                    **self._owed_by_kind(expected_cents if findings else 0, days),
                    findings=findings,
                )
            )
        results.sort(key=lambda p: (p.start, p.end, p.pay_stub_id or "~"))
        return results

    def _owed_by_kind(self, owed: int, days: list[dt.date]) -> dict[str, int]:
        """Split a period's unpaid wages into unpaid overtime and straight-time shortfall.

        What was paid counts first toward the straight-time hours (at the floor: minimum
        wage, AEWR or promised rate), so what is missing is unpaid overtime up to the
        period's full overtime pay (overtime and double-time hours, rounded once); anything
        beyond that is straight-time pay below the floor.
        """
        overtime = min(owed, round_cents(sum((self.days[d].ot_pay for d in days), Fraction(0))))
        return {"owed_overtime_cents": overtime, "owed_straight_cents": owed - overtime}

    def _period_findings(
        self,
        stub: PayStub,
        expected: int,
        legal: int,
        minimum_pay: Fraction,
        days: list[dt.date],
    ) -> list[Finding]:
        job = self.job
        out: list[Finding] = []
        gross = stub.gross_cents
        owed = max(0, expected - gross)
        if owed > 0:
            with_ot = [self.days[d].ot_src for d in days if self.days[d].ot_src is not None]
            source: RuleSource | None
            if with_ot:
                source = with_ot[0]
            elif gross < legal and days:
                source = self.days[days[0]].floor_src
            else:
                source = _src(
                    R.SRC_H2A_CONTRACT
                    if job.status == "h2a"
                    else R.SRC_H2B
                    if job.status == "h2b"
                    else None
                )
            out.append(
                Finding(
                    code="underpaid",
                    amount_cents=owed,
                    explanation=text(
                        "underpaid",
                        {
                            "expected": money(expected),
                            "paid": money(gross),
                            "amount": money(owed),
                            "legal": money(legal),
                        },
                    ),
                    source=source,
                )
            )
        forbidden = R.FORBIDDEN_DEDUCTIONS.get(job.status, {})
        benefit = 0
        benefit_kinds: list[str] = []
        for ded in stub.deductions:
            if ded.kind in forbidden and ded.amount_cents > 0:
                es_kind, en_kind = label(ded.kind)
                program = _program(job.status)
                out.append(
                    Finding(
                        code="deduction_not_allowed",
                        amount_cents=ded.amount_cents,
                        explanation=text(
                            "deduction_not_allowed",
                            {
                                "amount": money(ded.amount_cents),
                                "kind": es_kind,
                                "program": program,
                            },
                            {
                                "amount": money(ded.amount_cents),
                                "kind": en_kind,
                                "program": program,
                            },
                        ),
                        source=_src(forbidden[ded.kind]),
                    )
                )
            elif ded.kind in R.EMPLOYER_BENEFIT_DEDUCTIONS and ded.amount_cents > 0:
                benefit += ded.amount_cents
                if ded.kind not in benefit_kinds:
                    benefit_kinds.append(ded.kind)
        if benefit > 0:
            cut = min(Fraction(benefit), max(Fraction(0), minimum_pay - (gross - benefit)))
            cut_cents = round_cents(cut)
            overtime = any(self.days[d].ot_weight > 0 for d in days)
            if cut_cents > 0:
                code = "deduction_overtime_week" if overtime else "deduction_below_minimum"
                out.append(
                    Finding(
                        code=code,
                        amount_cents=cut_cents,
                        explanation=text(
                            code,
                            {
                                "kinds": ", ".join(label(k)[0] for k in benefit_kinds),
                                "deducted": money(benefit),
                                "minimum": money(round_cents(minimum_pay)),
                                "amount": money(cut_cents),
                            },
                            {
                                "kinds": ", ".join(label(k)[1] for k in benefit_kinds),
                                "deducted": money(benefit),
                                "minimum": money(round_cents(minimum_pay)),
                                "amount": money(cut_cents),
                            },
                        ),
                        source=_src(R.SRC_OT_DEDUCTIONS if overtime else R.SRC_FREE_AND_CLEAR),
                    )
                )
        if job.status in ("h2a", "h2b"):
            src = _src(R.SRC_H2A_CONTRACT if job.status == "h2a" else R.SRC_H2B)
            if not stub.statement_given:
                out.append(
                    Finding(
                        code="no_pay_statement",
                        amount_cents=None,
                        explanation=text("no_pay_statement", {"program": _program(job.status)}),
                        source=src,
                    )
                )
            elif stub.statement_items is not None:
                required = list(R.STATEMENT_ITEMS)
                if job.pay_type == "piece":
                    required.append("piece_units")
                missing = [item for item in required if item not in stub.statement_items]
                if missing:
                    out.append(
                        Finding(
                            code="statement_missing_items",
                            amount_cents=None,
                            explanation=text(
                                "statement_missing_items",
                                {"items": ", ".join(label(i)[0] for i in missing)},
                                {"items": ", ".join(label(i)[1] for i in missing)},
                            ),
                            source=src,
                        )
                    )
        else:
            self.report_notes.add("statement_rules_state", "")
        return out

    # --- job-level rules ----------------------------------------------------------------

    def job_findings(self) -> list[Finding]:
        job = self.job
        out: list[Finding] = []
        if job.status in ("h2a", "h2b"):
            out.extend(self._three_fourths())
            out.extend(self._reimbursements())
        out.extend(self._pay_frequency())
        if job.status == "h2a":
            # Last, because the checks above look up the AEWR too; shown first.
            out[:0] = self._aewr_missing()
        return out

    def _aewr_missing(self) -> list[Finding]:
        """No AEWR in the data for some H-2A work: a note if the job-order rate was entered,
        else a finding that asks for it (the minimum wage is not the H-2A floor)."""
        job = self.job
        out = self._aewr_new_method()
        if not self.aewr_missing:
            return out
        worked = sorted(d for d in self.aewr_missing if d in self.days and self.days[d].minutes)
        if self._rate_entered() or not worked:
            for year in sorted({d.year for d in self.aewr_missing}):
                self.notes.add("no_aewr", f"{year}", {"state": job.state, "year": str(year)})
            return out
        minimum = max(self.days[d].minimum for d in worked)
        return [
            *out,
            Finding(
                code="aewr_missing",
                amount_cents=None,
                explanation=text(
                    "aewr_missing",
                    {
                        "state": job.state,
                        "start": worked[0].isoformat(),
                        "end": worked[-1].isoformat(),
                        "rate": money(minimum),
                    },
                ),
                source=_src(R.SRC_H2A_WAGE),
            ),
        ]

    def _rate_entered(self) -> bool:
        """The worker entered an hourly rate from the job order (or an hourly promise)."""
        job = self.job
        return job.job_order_rate_cents is not None or (
            job.pay_type == "hourly" and job.promised_rate_cents is not None
        )

    def _aewr_new_method(self) -> list[Finding]:
        """Work a new-method job order may cover: the older AEWR was not used (see _aewr)."""
        worked = sorted(d for d in self.aewr_new_method if d in self.days and self.days[d].minutes)
        if not worked:
            return []
        rate, change = self.aewr_new_method[worked[0]]
        values = {
            "date": change.effective.isoformat(),
            "rate": money(R.dollars_to_cents(rate.rate)),
            "start": worked[0].isoformat(),
            "end": worked[-1].isoformat(),
        }
        if self._rate_entered():
            self.notes.add("aewr_new_method", "", values)
            return []
        return [
            Finding(
                code="aewr_new_method",
                amount_cents=None,
                explanation=text("aewr_new_method", values),
                source=RuleSource(title=change.source.title, url=change.source.url),
            )
        ]

    def _live_in_note(self) -> None:
        """Domestic work: the log does not say whether the worker lives in; name that rule."""
        if self.job.industry != "domestic":
            return
        day = min(self.days) if self.days else self.as_of
        es: list[str] = []
        en: list[str] = []
        for where, j in (("federal", self.fed), (self.job.state, self.state)):
            if j is None:
                continue
            steps, _ = R.steps_in_force(j.overtime.domestic_live_in, day, self.job.employer_size)
            for step in steps[-1:]:
                rule_es, rule_en = _ot_rule_text(step)
                es.append(f"{where}: {rule_es or 'sin horas extra'}")
                en.append(f"{where}: {rule_en or 'no overtime'}")
        if not es:
            es, en = ["no está en los datos"], ["not in the data"]
        self.notes.add("live_in_domestic", "", {"rules": "; ".join(es)}, {"rules": "; ".join(en)})

    def _three_fourths(self) -> list[Finding]:
        job = self.job
        if not (job.contract_start and job.contract_end and job.job_order_hours_per_week):
            self.notes.add("three_fourths_unknown", "")
            return []
        cs, ce = _d(job.contract_start), _d(job.contract_end)
        if ce < cs:
            self.notes.add("three_fourths_unknown", "")
            return []
        spans: list[tuple[dt.date, dt.date]] = []
        if job.status == "h2a":
            spans.append((cs, ce))
        else:
            length = (ce - cs).days + 1
            weeks = (
                R.H2B_GUARANTEE_SHORT_WEEKS
                if length < R.H2B_SHORT_JOB_DAYS
                else R.H2B_GUARANTEE_WEEKS
            )
            start = cs
            while start <= ce:
                end = min(ce, start + dt.timedelta(days=7 * weeks - 1))
                spans.append((start, end))
                start = end + dt.timedelta(days=1)
        src = _src(R.SRC_H2A_CONTRACT if job.status == "h2a" else R.SRC_H2B)
        out: list[Finding] = []
        for start, end in spans:
            if end >= self.as_of:
                continue
            length = (end - start).days + 1
            guaranteed = R.THREE_FOURTHS * job.job_order_hours_per_week * 60 * length / 7
            worked = sum(info.minutes for d, info in self.days.items() if start <= d <= end)
            short = guaranteed - worked
            if short <= 0:
                continue
            per_minute = Fraction(self._floors(end)[0], 60)
            if job.pay_type == "piece" and worked > 0:
                # 655.122(i): the higher of average hourly piece earnings and the hourly rate.
                piece = sum(
                    (info.piece_pay for d, info in self.days.items() if start <= d <= end),
                    Fraction(0),
                )
                per_minute = max(per_minute, piece / worked)
            amount = round_cents(short * per_minute)
            if amount <= 0:
                continue
            out.append(
                Finding(
                    code="three_fourths_shortfall",
                    amount_cents=amount,
                    explanation=text(
                        "three_fourths_shortfall",
                        {
                            "start": start.isoformat(),
                            "end": end.isoformat(),
                            "guaranteed": duration(round_cents(guaranteed)),
                            "worked": duration(worked),
                            "amount": money(amount),
                        },
                    ),
                    source=src,
                )
            )
        return out

    def _expenses(self, kinds: tuple[str, ...]) -> list[Expense]:
        return [e for e in self.records.expenses if e.job_id == self.job.id and e.kind in kinds]

    @staticmethod
    def _unpaid(expenses: list[Expense]) -> int:
        return max(0, sum(e.amount_cents - e.reimbursed_cents for e in expenses))

    def _reimbursements(self) -> list[Finding]:
        job = self.job
        program = _program(job.status)
        src = _src(R.SRC_H2A_CONTRACT if job.status == "h2a" else R.SRC_H2B)
        out: list[Finding] = []
        first_week, owed_first = self._first_week_reimbursement()
        if first_week is not None:
            out.append(first_week)
        # Inbound travel and subsistence: due once half the contract period has passed (less
        # what the first workweek already owed).
        if job.contract_start and job.contract_end:
            cs, ce = _d(job.contract_start), _d(job.contract_end)
            half = cs + dt.timedelta(days=((ce - cs).days + 1) // 2)
            unpaid = self._unpaid(self._expenses(("travel", "subsistence"))) - owed_first.get(
                "travel", 0
            )
            if self.as_of >= half and unpaid > 0:
                out.append(
                    Finding(
                        code="travel_not_reimbursed",
                        amount_cents=unpaid,
                        explanation=text(
                            "travel_not_reimbursed",
                            {"date": half.isoformat(), "amount": money(unpaid)},
                        ),
                        source=src,
                    )
                )
        visas = self._expenses(("visa",))
        unpaid_visa = self._unpaid(visas)
        if unpaid_visa > 0 and job.status == "h2b":
            first = (
                min(self.days)
                if self.days
                else (_d(job.contract_start) if job.contract_start else None)
            )
            if first is not None:
                start_index = WEEKDAYS.index(job.workweek_start)
                first_week_end = _week_start(first, start_index) + dt.timedelta(days=6)
                if self.as_of > first_week_end:
                    out.append(
                        Finding(
                            code="visa_fees_not_reimbursed",
                            amount_cents=unpaid_visa,
                            explanation=text(
                                "visa_fees_not_reimbursed",
                                {"date": first_week_end.isoformat(), "amount": money(unpaid_visa)},
                            ),
                            source=src,
                        )
                    )
        elif unpaid_visa > 0 and "visa" not in owed_first:
            # The first workweek could not be worked out (no week logged or not over yet).
            out.append(
                Finding(
                    code="visa_fee_ask",
                    amount_cents=None,
                    explanation=text("visa_fee_ask", {"amount": money(unpaid_visa)}),
                    source=_src(R.SRC_FREE_AND_CLEAR),
                )
            )
        fees = self._unpaid(self._expenses(("recruitment_fee",)))
        if fees > 0:
            out.append(
                Finding(
                    code="recruitment_fee",
                    amount_cents=fees,
                    explanation=text(
                        "recruitment_fee", {"amount": money(fees), "program": program}
                    ),
                    source=_src(R.SRC_H2A_ASSURANCES if job.status == "h2a" else R.SRC_H2B),
                )
            )
        return out

    def _first_week_reimbursement(self) -> tuple[Finding | None, dict[str, int]]:
        """FLSA, first workweek: inbound travel and visa costs the worker paid are the
        employer's, and the amount by which they bring that week's pay below the federal
        minimum wage is owed in that week (29 CFR 531.35; Arriaga v. Florida Pacific Farms;
        H-2B: WHD FAB 2009-2, 20 CFR 655.20(j)). H-2B visa fees are owed in full that week
        anyway (visa_fees_not_reimbursed), so for H-2B only travel counts here.

        Returns the finding (if any) and how much of it comes from each cost ({"visa": ...,
        "travel": ...}; visa first), so the later reimbursement findings do not count it twice.
        An empty dict means the first week could not be worked out.
        """
        job = self.job
        worked = sorted(d for d, info in self.days.items() if info.minutes > 0)
        if not worked or self.fed is None:
            return None, {}
        start = _week_start(worked[0], WEEKDAYS.index(job.workweek_start))
        end = start + dt.timedelta(days=6)
        week = next((w for w in self.week_results if w.start == start.isoformat()), None)
        fed_min = R.rate_in_force(self.fed.minimum_wage, worked[0])
        if self.as_of <= end or week is None or fed_min is None:
            return None, {}
        kinds = (("visa",) if job.status == "h2a" else ()) + ("travel",)
        costs: dict[str, int] = {}
        for kind in kinds:
            names = ("travel", "subsistence") if kind == "travel" else ("visa",)
            inbound = [e for e in self._expenses(names) if _d(e.date) <= end]
            costs[kind] = self._unpaid(inbound)
        total_costs = sum(costs.values())
        pay = max(week.expected_cents, week.paid_cents or 0)
        minimum = round_cents(Fraction(week.minutes_worked * R.dollars_to_cents(fed_min.rate), 60))
        amount = max(0, min(total_costs, minimum - (pay - total_costs)))
        owed: dict[str, int] = {}
        left = amount
        for kind in kinds:
            owed[kind] = min(left, costs[kind])
            left -= owed[kind]
        if amount <= 0:
            return None, owed
        values = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "costs": money(total_costs),
            "pay": money(pay),
            "minimum": money(minimum),
            "amount": money(amount),
        }
        source = R.SRC_FIRST_WEEK_H2A if job.status == "h2a" else R.SRC_FIRST_WEEK_H2B
        return (
            Finding(
                code="first_week_reimbursement",
                amount_cents=amount,
                explanation=text("first_week_reimbursement", values),
                source=_src(source),
            ),
            owed,
        )

    def _pay_frequency(self) -> list[Finding]:
        interval, src = self.pay_interval()
        if interval is None:
            return []
        out: list[Finding] = []
        pay_dates = sorted({_d(s.pay_date) for s in self._stubs()})
        for before, after in itertools.pairwise(pay_dates):
            gap = (after - before).days
            if gap > interval:
                out.append(
                    Finding(
                        code="pay_late",
                        amount_cents=None,
                        explanation=text(
                            "pay_late",
                            {
                                "days": str(gap),
                                "start": before.isoformat(),
                                "end": after.isoformat(),
                                "max": str(interval),
                            },
                        ),
                        source=src,
                    )
                )
        if pay_dates:
            last = pay_dates[-1]
            last_end = max(_d(s.period_end) for s in self._stubs())
            worked_after = any(d > last_end and i.minutes > 0 for d, i in self.days.items())
            gap = (self.as_of - last).days
            if worked_after and gap > interval:
                out.append(
                    Finding(
                        code="pay_overdue",
                        amount_cents=None,
                        explanation=text(
                            "pay_overdue",
                            {"start": last.isoformat(), "days": str(gap), "max": str(interval)},
                        ),
                        source=src,
                    )
                )
        return out

    def run(self) -> JobResult:
        if self.state is None:
            self.notes.add("no_state_rules", "", {"state": self.job.state})
        self.collect()
        self._live_in_note()
        if (
            self.federal_minimum_used
            and self.job.industry == "agriculture"
            and self.job.status != "h2a"
        ):
            # 29 U.S.C. 213(a)(6): small farms and local hand-harvest piece workers are outside
            # the federal minimum wage; the log cannot tell, so the check says it assumed not.
            self.notes.add("farm_minimum_exemptions", "")
        weeks = self.weeks()
        self.week_results = weeks
        periods = self.periods()
        findings = [*self.findings, *self.job_findings()]
        owed = sum(f.amount_cents or 0 for p in periods for f in p.findings) + sum(
            f.amount_cents or 0 for f in findings
        )
        return JobResult(
            job_id=self.job.id,
            employer=self.employer.name if self.employer else None,
            state=self.job.state,
            status=self.job.status,
            pay_type=self.job.pay_type,
            weeks=weeks,
            periods=periods,
            findings=findings,
            notes=self.notes.items,
            total_owed_cents=owed,
            owed_by_kind=owed_by_kind(periods, findings),
        )


def _same_employer_weeks(records: list[Job], jobs: list[JobResult], notes: _Notes) -> None:
    """Two jobs with one employer whose workweeks start on different days, over 40 h together
    in overlapping weeks: their hours could not be added up week by week (jobs with the same
    workweek are, see _employer_days), so the report says overtime may be missing."""
    for a, b in itertools.combinations(range(len(jobs)), 2):
        if records[a].employer_id != records[b].employer_id:
            continue
        if records[a].workweek_start == records[b].workweek_start:
            continue
        for wa in jobs[a].weeks:
            for wb in jobs[b].weeks:
                overlap = wa.start <= wb.end and wb.start <= wa.end
                if overlap and wa.minutes_worked + wb.minutes_worked > 40 * 60:
                    notes.add("same_employer_weeks", records[a].employer_id)


def check(records: LogRecords, jurisdictions: list[WageJurisdiction], as_of: dt.date) -> WageReport:
    """Run the wage check over every job in the log, as of `as_of` (usually today)."""
    juris: dict[str, WageJurisdiction] = {str(j.id): j for j in jurisdictions}
    employers = {e.id: e for e in records.employers}
    notes = _Notes()
    checks = [
        _JobCheck(job, employers.get(job.employer_id), records, juris, as_of, notes)
        for job in records.jobs
    ]
    for i, one in enumerate(checks):
        one.position = i
        one.collect()
    for one in checks:
        one.peers = [
            other
            for other in checks
            if other is not one
            and other.job.employer_id == one.job.employer_id
            and other.job.workweek_start == one.job.workweek_start
        ]
    for one in checks:
        if one.peers:
            one.weeks()  # a first pass: each week's pay, for the peers' regular rate
    jobs = [one.run() for one in checks]
    _same_employer_weeks(records.jobs, jobs, notes)
    return WageReport(
        as_of=as_of.isoformat(),
        jobs=jobs,
        notes=notes.items,
        total_owed_cents=sum(j.total_owed_cents for j in jobs),
        owed_by_kind=OwedByKind(
            **{
                kind: sum(getattr(j.owed_by_kind, kind) for j in jobs)
                for kind in OwedByKind.__struct_fields__
            }
        ),
    )
