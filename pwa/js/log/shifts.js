/** Shift sanity rules: what the log refuses, what it asks about, and what the wage check leaves
 * out. JS twin of server/shifts.py (read its docstring for the rules); both run the shared
 * vectors in tests/shift_vectors.json.
 *
 * A shift runs from `start` on `date` to `end`, on the next day when `end` is before `start` or
 * when the worker confirmed `ends_next_day`. Issue codes: same_time, next_day (ask), too_long,
 * long (ask), future, overlap (with `other`, the shift it overlaps).
 */

export const LONG_MINUTES = 16 * 60;
export const MAX_MINUTES = 24 * 60;
export const REFUSED = new Set(["same_time", "too_long", "future", "overlap"]);

/** The wage check's findings for a shift it left out or trimmed (same text as Python). */
export const MESSAGES = {
  shift_same_time: [
    "El turno del {date} empieza y termina a la misma hora ({start}). No se contó: corrija la hora de salida.",
    "The shift on {date} starts and ends at the same time ({start}). It was not counted: correct the time it ended.",
  ],
  shift_too_long: [
    "El turno del {date} ({start} a {end} del día siguiente) dura más de 24 horas. No se contó.",
    "The shift on {date} ({start} to {end} the next day) lasts more than 24 hours. It was not counted.",
  ],
  shift_future: [
    "El turno del {date} tiene una fecha después del {as_of}. No se contó.",
    "The shift on {date} has a date after {as_of}. It was not counted.",
  ],
  shift_overlap: [
    "El turno del {date} ({start} a {end}) se cruza con el turno del {other_date} ({other_start} a {other_end}) del mismo trabajo. Las horas que comparten se contaron una sola vez.",
    "The shift on {date} ({start} to {end}) overlaps the shift on {other_date} ({other_start} to {other_end}) of the same job. The hours they share were counted once.",
  ],
};

const clock = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** Days since 1970-01-01 (UTC, so no clock change moves a date). */
export const dayNumber = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86400000;

/** [start, end] in minutes from a fixed day, so shifts on any dates compare. */
export function span(shift) {
  const base = dayNumber(shift.date) * 1440;
  const start = clock(shift.start);
  let end = clock(shift.end);
  if (shift.ends_next_day || end < start) end += 1440;
  return [base + start, base + end];
}

/** Minutes from start to end (breaks included). */
export function length(shift) {
  const [a, b] = span(shift);
  return b - a;
}

export function overlaps(a, b) {
  if (a.job_id !== b.job_id) return false;
  const [a0, a1] = span(a);
  const [b0, b1] = span(b);
  return a0 < b1 && b0 < a1;
}

/** Every rule `shift` breaks before it is saved: [{code, refused, other?}]. `today` is ISO. */
export function checkShift(shift, others, today) {
  const issues = [];
  const add = (code, other = null) => issues.push(other ? { code, refused: REFUSED.has(code), other } : { code, refused: REFUSED.has(code) });
  if (shift.date > today) add("future");
  if (shift.start === shift.end) {
    add("same_time");
    return issues;
  }
  if (clock(shift.end) < clock(shift.start) && !shift.ends_next_day) add("next_day");
  const minutes = length(shift);
  if (minutes > MAX_MINUTES) add("too_long");
  else if (minutes > LONG_MINUTES) add("long");
  for (const other of others) {
    if (other.id !== shift.id && other.start !== other.end && overlaps(shift, other)) {
      add("overlap", other);
      break;
    }
  }
  return issues;
}

/** Shift id -> issue for shifts the wage check leaves out entirely. `asOf` is ISO. */
export function impossibleShifts(shifts, asOf) {
  const out = new Map();
  for (const shift of shifts) {
    if (shift.start === shift.end) out.set(shift.id, { code: "same_time" });
    else if (length(shift) > MAX_MINUTES) out.set(shift.id, { code: "too_long" });
    else if (shift.date > asOf) out.set(shift.id, { code: "future" });
  }
  return out;
}

function minus(piece, covered) {
  let left = [piece];
  for (const [c0, c1] of covered) {
    const next = [];
    for (const [a, b] of left) {
      if (c1 <= a || b <= c0) { next.push([a, b]); continue; }
      if (a < c0) next.push([a, c0]);
      if (c1 < b) next.push([c1, b]);
    }
    left = next;
  }
  return left;
}

/** "2026-11-03" -> "3 de noviembre de 2026" / "November 3, 2026" (else as it is), as messages.py
 * date_words (tests/wage_text_vectors.json); here so shift findings need not load wages.js. */
export const isoDateWords = (iso, lang) => {
  // A day the calendar does not have (2026-02-31 would roll over to March 3) stays as written.
  const d = /^(?!0000)\d{4}-\d\d-\d\d$/.test(iso) ? new Date(`${iso}T00:00Z`) : null;
  return d && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso
    ? d.toLocaleDateString(lang === "en" ? "en-US" : "es", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }) : iso;
};

function finding(code, values) {
  // Dates in words, as every wage-check sentence says them (server/shifts.py does the same).
  const fill = (lang) => MESSAGES[code][lang === "es" ? 0 : 1].replace(/\{(\w+)\}/g, (_, k) => isoDateWords(values[k], lang));
  return { code, amount_cents: null, explanation: { es: fill("es"), en: fill("en") }, source: null };
}

/**
 * For the wage check (pwa/js/wages.js): {skip: Set of ids left out, trimmed: Map id -> [[day
 * number, minutes]] for overlapping shifts (only the minutes no earlier shift counted), findings}.
 * Same algorithm as for_wage_check in server/shifts.py.
 */
export function forWageCheck(shifts, jobId, asOf) {
  const out = { skip: new Set(), trimmed: new Map(), findings: [] };
  const problems = impossibleShifts(shifts, asOf);
  const covered = [];
  const counted = [];
  for (const shift of shifts) {
    if (shift.job_id !== jobId) continue;
    const values = { date: shift.date, start: shift.start, end: shift.end };
    const issue = problems.get(shift.id);
    if (issue) {
      if (!out.skip.has(shift.id)) {
        out.skip.add(shift.id);
        out.findings.push(finding(`shift_${issue.code}`, { ...values, as_of: asOf }));
      }
      continue;
    }
    const [start, end] = span(shift);
    const worked = [start + (shift.break_minutes || 0), end];
    if (worked[0] >= worked[1]) continue;
    const other = counted.find((c) => overlaps(shift, c));
    if (other) {
      out.findings.push(finding("shift_overlap", { ...values, other_date: other.date, other_start: other.start, other_end: other.end }));
      const midnight = start - (start % 1440) + 1440;
      const left = minus(worked, covered);
      let first = 0;
      let second = 0;
      for (const [a, b] of left) {
        first += Math.max(0, Math.min(b, midnight) - a);
        second += Math.max(0, b - Math.max(a, midnight));
      }
      const day = dayNumber(shift.date);
      const parts = [[day, first]];
      if (end > midnight) parts.push([day + 1, second]);
      out.trimmed.set(shift.id, parts);
    }
    covered.push(worked);
    counted.push(shift);
  }
  return out;
}
