"""Shift sanity rules: which shifts a log must refuse, question or leave out of the wage check.

Owns the rules that keep a log from being inflated by mistake (issue 14). The phone applies the
same rules before saving (`pwa/js/log/shifts.js`, the JS twin); this module applies them to logs
that arrive from elsewhere, so `cartilla wages` reports impossible shifts instead of paying them.
Both sides run the shared vectors in `tests/shift_vectors.json`.

A shift runs from `start` on `date` to `end`, on the next day when `end` is before `start` or
when the worker confirmed `ends_next_day`. The rules:

- `same_time`: start and end are the same time (refused; never read as a 24-hour shift);
- `next_day`: the end is before the start and the worker has not said it ended the next day
  (the phone asks "¿Terminó al día siguiente?");
- `too_long`: more than 24 hours from start to end (refused);
- `long`: more than 16 hours (the phone asks for confirmation);
- `future`: the date is after today (refused);
- `overlap`: the shift overlaps another shift of the same job (refused, naming the other).

For the wage check (`for_wage_check`), `same_time`, `too_long` and `future` make a shift
impossible: it is left out and reported as a finding. Overlapping shifts of one job are reported
too, and the minutes they share count once, so neither a duplicate nor an overlap adds hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from server.log_format import Shift
from server.wages.messages import date_words
from server.wages.report import Finding, Text

#: More than this many minutes from start to end asks for confirmation.
LONG_MINUTES = 16 * 60
#: More than this many minutes from start to end is refused.
MAX_MINUTES = 24 * 60

IssueCode = Literal["same_time", "next_day", "too_long", "long", "future", "overlap"]
#: Issues that refuse a shift (the others only ask a question).
REFUSED: frozenset[str] = frozenset({"same_time", "too_long", "future", "overlap"})

#: The wage check's findings for a shift it left out, in Spanish and English (same in JS).
MESSAGES: dict[str, tuple[str, str]] = {
    "shift_same_time": (
        "El turno del {date} empieza y termina a la misma hora ({start}). No se contó: "
        "corrija la hora de salida.",
        "The shift on {date} starts and ends at the same time ({start}). It was not counted: "
        "correct the time it ended.",
    ),
    "shift_too_long": (
        "El turno del {date} ({start} a {end} del día siguiente) dura más de 24 horas. "
        "No se contó.",
        "The shift on {date} ({start} to {end} the next day) lasts more than 24 hours. "
        "It was not counted.",
    ),
    "shift_future": (
        "El turno del {date} tiene una fecha después del {as_of}. No se contó.",
        "The shift on {date} has a date after {as_of}. It was not counted.",
    ),
    "shift_overlap": (
        "El turno del {date} ({start} a {end}) se cruza con el turno del {other_date} "
        "({other_start} a {other_end}) del mismo trabajo. Las horas que comparten se "
        "contaron una sola vez.",
        "The shift on {date} ({start} to {end}) overlaps the shift on {other_date} "
        "({other_start} to {other_end}) of the same job. The hours they share were "
        "counted once.",
    ),
}


@dataclass(frozen=True)
class ShiftIssue:
    """One rule a shift breaks; `other` is the shift it overlaps (for `overlap`)."""

    code: IssueCode
    other: Shift | None = None

    @property
    def refused(self) -> bool:
        return self.code in REFUSED


def _clock(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def span(shift: Shift) -> tuple[int, int]:
    """(start, end) in minutes counted from a fixed day, so shifts on any dates compare."""
    base = dt.date.fromisoformat(shift.date).toordinal() * 1440
    start, end = _clock(shift.start), _clock(shift.end)
    if shift.ends_next_day or end < start:
        end += 1440
    return base + start, base + end


def length(shift: Shift) -> int:
    """Minutes from start to end (breaks included)."""
    start, end = span(shift)
    return end - start


def overlaps(a: Shift, b: Shift) -> bool:
    """Same job and the two stretches of time share at least one minute."""
    if a.job_id != b.job_id:
        return False
    a0, a1 = span(a)
    b0, b1 = span(b)
    return a0 < b1 and b0 < a1


def check_shift(shift: Shift, others: Iterable[Shift], today: dt.date) -> list[ShiftIssue]:
    """Every rule `shift` breaks before it is saved, next to the shifts already in the log.

    `others` may include the shift itself (an edit): a record never overlaps its own id.
    """
    issues: list[ShiftIssue] = []
    if dt.date.fromisoformat(shift.date) > today:
        issues.append(ShiftIssue("future"))
    if shift.start == shift.end:
        issues.append(ShiftIssue("same_time"))
        return issues
    if _clock(shift.end) < _clock(shift.start) and not shift.ends_next_day:
        issues.append(ShiftIssue("next_day"))
    minutes = length(shift)
    if minutes > MAX_MINUTES:
        issues.append(ShiftIssue("too_long"))
    elif minutes > LONG_MINUTES:
        issues.append(ShiftIssue("long"))
    for other in others:
        if other.id != shift.id and other.start != other.end and overlaps(shift, other):
            issues.append(ShiftIssue("overlap", other))
            break
    return issues


def impossible_shifts(shifts: Sequence[Shift], as_of: dt.date) -> dict[str, ShiftIssue]:
    """Shift id -> why the wage check must leave it out entirely, for a log from anywhere."""
    out: dict[str, ShiftIssue] = {}
    for shift in shifts:
        if shift.start == shift.end:
            out[shift.id] = ShiftIssue("same_time")
        elif length(shift) > MAX_MINUTES:
            out[shift.id] = ShiftIssue("too_long")
        elif dt.date.fromisoformat(shift.date) > as_of:
            out[shift.id] = ShiftIssue("future")
    return out


Parts = list[tuple[dt.date, int]]


def _minus(piece: tuple[int, int], covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of `piece` that no interval in `covered` touches."""
    left = [piece]
    for c0, c1 in covered:
        nxt = []
        for a, b in left:
            if c1 <= a or b <= c0:
                nxt.append((a, b))
                continue
            if a < c0:
                nxt.append((a, c0))
            if c1 < b:
                nxt.append((c1, b))
        left = nxt
    return left


@dataclass
class WageShifts:
    """What the wage check needs: shifts to leave out, minutes of overlapping shifts that were
    not already counted (date -> minutes, split at midnight like the check does), findings."""

    skip: set[str]
    trimmed: dict[str, Parts]
    findings: list[Finding]


def _finding(code: str, values: dict[str, str]) -> Finding:
    """Dates in words, as every wage-check sentence says them (the JS twin does the same)."""
    es, en = MESSAGES[code]
    return Finding(
        code=code,
        amount_cents=None,
        explanation=Text(
            es=es.format(**{k: date_words(v, "es") for k, v in values.items()}),
            en=en.format(**{k: date_words(v, "en") for k, v in values.items()}),
        ),
        source=None,
    )


def for_wage_check(shifts: Sequence[Shift], job_id: str, as_of: dt.date) -> WageShifts:
    """Impossible shifts of `job_id` are left out; overlapping ones count each minute once.

    Worked time is the shift minus its break, the break taken from the start (which is what
    "the break comes off the first day first" means). Shifts are taken in list order: a
    shift only adds the minutes no earlier shift of the job already counted, so neither
    overlapping shifts nor splitting a shift at midnight change the hours. The findings carry
    no amount: a shift left out or trimmed never adds to what is owed.
    """
    out = WageShifts(skip=set(), trimmed={}, findings=[])
    problems = impossible_shifts(shifts, as_of)
    covered: list[tuple[int, int]] = []
    counted: list[Shift] = []
    for shift in shifts:
        if shift.job_id != job_id:
            continue
        values = {"date": shift.date, "start": shift.start, "end": shift.end}
        issue = problems.get(shift.id)
        if issue is not None:
            if shift.id not in out.skip:
                out.skip.add(shift.id)
                out.findings.append(
                    _finding(f"shift_{issue.code}", values | {"as_of": as_of.isoformat()})
                )
            continue
        start, end = span(shift)
        worked = (start + shift.break_minutes, end)
        if worked[0] >= worked[1]:
            continue  # a break as long as the shift: the check's own note says so
        other = next((c for c in counted if overlaps(shift, c)), None)
        if other is not None:
            out.findings.append(
                _finding(
                    "shift_overlap",
                    values
                    | {
                        "other_date": other.date,
                        "other_start": other.start,
                        "other_end": other.end,
                    },
                )
            )
            midnight = start - start % 1440 + 1440
            left = _minus(worked, covered)
            first = sum(max(0, min(b, midnight) - a) for a, b in left)
            second = sum(max(0, b - max(a, midnight)) for a, b in left)
            day = dt.date.fromisoformat(shift.date)
            parts: Parts = [(day, first)]
            if end > midnight:
                parts.append((day + dt.timedelta(days=1), second))
            out.trimmed[shift.id] = parts
        covered.append(worked)
        counted.append(shift)
    return out
