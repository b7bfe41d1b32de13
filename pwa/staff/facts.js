/** Facts the desk shows, derived from the bundle's journal, and where summary.json disagrees.
 *
 * JS twin of server/evidence/facts.py: employers and jobs, first and last dates, counts,
 * totals, hours per day, the worker's own words and which record each photo belongs to, all
 * from replaying the verified journal (create, edit, delete: a deleted record counts nowhere),
 * never from data/summary.json, which is only the phone's claim. Both run the vectors in
 * tests/facts_vectors.json and must give the same JSON and the same words.
 */

import { length, overlaps, isoDateWords } from "../js/log/shifts.js";

export const EMPLOYER_FIELDS = ["name", "address", "phone", "supervisor", "crew_leader", "contractor", "vehicle", "plate", "work_site", "notes"];
export const JOB_FIELDS = ["title", "state", "industry", "status", "pay_type", "promised_rate_cents", "pay_frequency",
  "contract_start", "contract_end", "job_order_hours_per_week"];
const WORD_ORDER = ["employer", "job", "shift", "pay_stub", "expense", "incident"];
const TYPES = [...WORD_ORDER, "photo"];
const COUNT_LABELS = {
  shifts: ["turnos", "shifts"], pay: ["pagos", "pay records"], expenses: ["gastos", "expenses"],
  incidents: ["incidentes", "incidents"], photos: ["fotos", "photos"],
};
export const PREFIX = ["El resumen del teléfono no coincide con el registro: ", "The phone's summary disagrees with the journal: "];

/** Compare strings by code point, as Python does (JS `<` compares UTF-16 code units). */
function cmp(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
const cmpTuple = (a, b) => {
  for (let i = 0; i < a.length; i++) {
    const c = typeof a[i] === "number" ? a[i] - b[i] : cmp(a[i], b[i]);
    if (c) return c;
  }
  return 0;
};

/** Current records after every entry in order (withheld lines skipped): type -> Map(id -> record). */
export function replayJournal(entries) {
  const state = Object.fromEntries(TYPES.map((t) => [t, new Map()]));
  for (const e of entries) {
    if (!e || e.withheld) continue;
    if ((e.kind === "create" || e.kind === "edit") && e.data && state[e.data.type]) state[e.data.type].set(e.data.id, e.data);
    else if (e.kind === "delete" && e.record_type && e.record_id && state[e.record_type]) state[e.record_type].delete(e.record_id);
  }
  return state;
}

function dateOf(record) {
  if (record.type === "shift" || record.type === "expense" || record.type === "incident") return record.date;
  if (record.type === "pay_stub") return record.pay_date;
  return null;
}

/** Minutes worked in a shift: start to end (pwa/js/log/shifts.js) less the break, never < 0. */
export function workedMinutes(shift) {
  return Math.max(0, length(shift) - (shift.break_minutes || 0));
}

const orNull = (v) => (v === undefined ? null : v);
const sum = (xs, f) => xs.reduce((n, x) => n + f(x), 0);

/** Everything staff read about the case, from the journal's replay. */
export function facts(entries) {
  const state = replayJournal(entries);
  const jobs = [...state.job.values()];
  const employers = [...state.employer.values()].map((e) => {
    const block = { id: e.id };
    for (const k of EMPLOYER_FIELDS) block[k] = orNull(e[k]);
    block.jobs = jobs.filter((j) => j.employer_id === e.id).map((j) => {
      const job = { id: j.id };
      for (const k of JOB_FIELDS) job[k] = orNull(j[k]);
      // Defaults of server/log_format.py's Job, so a field the phone left out reads the same.
      if (job.status == null) job.status = "other";
      if (job.pay_type == null) job.pay_type = "hourly";
      return job;
    });
    return block;
  });
  const shifts = [...state.shift.values()];
  const stubs = [...state.pay_stub.values()];
  const expenses = [...state.expense.values()];
  const incidents = [...state.incident.values()];
  const photos = [...state.photo.values()];
  const dates = [...shifts, ...stubs, ...expenses, ...incidents].map(dateOf).filter(Boolean).sort(cmp);
  const days = new Map();
  for (const s of [...shifts].sort((a, b) => cmpTuple([a.date, a.start, a.id], [b.date, b.start, b.id]))) {
    const day = days.get(s.date) || { date: s.date, minutes: 0, shifts: 0, overlap: false };
    day.minutes += workedMinutes(s);
    day.shifts += 1;
    // Overlapping shifts of one job: the day's sum counts some minutes twice (as in Python).
    if (shifts.some((o) => o.id !== s.id && overlaps(s, o))) day.overlap = true;
    days.set(s.date, day);
  }
  const words = [];
  const owners = new Map();
  for (const rtype of WORD_ORDER) {
    for (const r of state[rtype].values()) {
      const date = orNull(dateOf(r));
      if (typeof r.notes === "string" && r.notes.trim()) words.push({ date, record_type: rtype, record_id: r.id, text: r.notes });
      for (const pid of r.photo_ids || []) if (!owners.has(pid)) owners.set(pid, { record_type: rtype, record_id: r.id, date });
    }
  }
  words.sort((a, b) => cmpTuple([a.date || "", WORD_ORDER.indexOf(a.record_type), a.record_id],
    [b.date || "", WORD_ORDER.indexOf(b.record_type), b.record_id]));
  // Every edit and delete, with the worker's reason (edits keep history), as in Python.
  const changes = entries.filter((e) => e && !e.withheld && (e.kind === "edit" || e.kind === "delete"))
    .map((e) => ({ seq: e.seq, time: e.time, kind: e.kind, record_type: orNull(e.record_type), record_id: orNull(e.record_id), reason: orNull(e.reason) }));
  const none = { record_type: null, record_id: null, date: null };
  return {
    employers,
    period: { first: dates.length ? dates[0] : null, last: dates.length ? dates[dates.length - 1] : null },
    counts: { shifts: shifts.length, pay: stubs.length, expenses: expenses.length, incidents: incidents.length, photos: photos.length },
    totals: {
      minutes_worked: sum(shifts, workedMinutes),
      break_minutes: sum(shifts, (s) => s.break_minutes || 0),
      piece_units: sum(shifts, (s) => s.piece_units || 0),
      gross_cents: sum(stubs, (p) => p.gross_cents || 0),
      net_cents: sum(stubs, (p) => p.net_cents || 0),
      deductions_cents: sum(stubs, (p) => sum(p.deductions || [], (d) => d.amount_cents || 0)),
      expenses_cents: sum(expenses, (x) => x.amount_cents || 0),
      reimbursed_cents: sum(expenses, (x) => x.reimbursed_cents || 0),
    },
    days: [...days.values()],
    words,
    changes,
    photos: photos.map((p) => ({ photo_id: p.id, sha256: p.sha256, ...(owners.get(p.id) || none) })),
  };
}

function names(items) {
  return items.length ? items.map(([, n]) => `«${n}»`).join(", ") : null;
}

/** Where summary.json differs from the journal's facts: [{code, es, en}], as in Python. */
export function disagreements(found, summary) {
  const out = [];
  const add = (code, es, en) => out.push({ code, es: PREFIX[0] + es, en: PREFIX[1] + en });
  const said = ((summary && summary.employers) || []).map((e) => [String(e.id), String(e.name)]).sort(cmpTuple);
  const real = found.employers.map((e) => [e.id, e.name]).sort(cmpTuple);
  if (JSON.stringify(said) !== JSON.stringify(real)) {
    add("employers", `empleadores ${names(said) || "ninguno"} en el resumen, ${names(real) || "ninguno"} en el registro.`,
      `employers ${names(said) || "none"} in the summary, ${names(real) || "none"} in the journal.`);
  }
  const period = (summary && summary.period) || {};
  const start = period.start ? String(period.start) : "";
  const end = period.end ? String(period.end) : "";
  const { first, last } = found.period;
  // The summary's period may be the range the worker chose (wider than the records); it
  // disagrees when a record of the journal lies outside it.
  if (first && (!start || !end || first < start || last > end)) {
    // Dates in words, as server/evidence/facts.py says them (tests/facts_vectors.json).
    const [es, en] = ["es", "en"].map((l) => [start, end, first, last].map((d) => (d ? isoDateWords(d, l) : "—")));
    add("period", `periodo ${es[0]} – ${es[1]} en el resumen; el registro tiene fechas del ${es[2]} al ${es[3]}.`,
      `period ${en[0]} – ${en[1]} in the summary; the journal has dates from ${en[2]} to ${en[3]}.`);
  }
  const counts = (summary && summary.counts) || {};
  const leftOut = (summary && summary.left_out) || [];
  for (const [key, [es, en]] of Object.entries(COUNT_LABELS)) {
    if (key === "photos" && leftOut.includes("photos")) continue; // left out on purpose: 0 is right
    const claimed = counts[key] ?? 0;
    const actual = found.counts[key];
    if (claimed !== actual) add(`counts.${key}`, `${es}: ${claimed} en el resumen, ${actual} en el registro.`, `${en}: ${claimed} in the summary, ${actual} in the journal.`);
  }
  return out;
}

// --- the wage check's figures: phone against recomputed, and what each claim is worth -------

/** `$1,234.56`, as server/evidence/facts.py writes money in these messages. */
export function usd(cents) {
  if (typeof cents !== "number" || !Number.isInteger(cents)) return "—";
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${cents < 0 ? "-" : ""}$${whole}.${String(abs % 100).padStart(2, "0")}`;
}

/** Where the phone's wage_check owed figures differ from the recomputed ones (total, each job). */
export function wageDisagreement(phone, recomputed) {
  if (!phone || typeof phone !== "object" || Array.isArray(phone)) return [];
  const out = [];
  const said = phone.total_owed_cents ?? null;
  const real = recomputed.total_owed_cents ?? null;
  if (said !== real) {
    out.push({ code: "wage_check.total_owed",
      es: `${PREFIX[0]}lo que se debería: ${usd(said)} según el teléfono, ${usd(real)} recalculado del registro.`,
      en: `${PREFIX[1]}amount owed: ${usd(said)} according to the phone, ${usd(real)} recomputed from the journal.` });
  }
  const phoneJobs = new Map((phone.jobs || []).filter((j) => j && typeof j === "object").map((j) => [String(j.job_id), j.total_owed_cents ?? null]));
  for (const job of recomputed.jobs || []) {
    const claimed = phoneJobs.has(job.job_id) ? phoneJobs.get(job.job_id) : null;
    if (claimed !== job.total_owed_cents) {
      out.push({ code: `wage_check.job.${job.job_id}`,
        es: `${PREFIX[0]}lo que se debería en el trabajo ${job.job_id}: ${usd(claimed)} según el teléfono, ${usd(job.total_owed_cents)} recalculado del registro.`,
        en: `${PREFIX[1]}amount owed for job ${job.job_id}: ${usd(claimed)} according to the phone, ${usd(job.total_owed_cents)} recomputed from the journal.` });
    }
  }
  return out;
}

export const CLAIM_KINDS = {
  overtime: ["Horas extra no pagadas", "Unpaid overtime"],
  minimum_wage: ["Salario mínimo o tarifa prometida", "Minimum wage or promised rate"],
  deductions: ["Descuentos", "Deductions"],
  fees: ["Cobros y gastos no reembolsados", "Fees and unreimbursed costs"],
  guarantee: ["Garantía de tres cuartas partes", "Three-fourths guarantee"],
  other: ["Otros", "Other"],
};
const FINDING_CLAIM = {
  deduction_below_minimum: "deductions", deduction_not_allowed: "deductions", deduction_overtime_week: "deductions",
  recruitment_fee: "fees", visa_fee_ask: "fees", visa_fees_not_reimbursed: "fees", travel_not_reimbursed: "fees", first_week_reimbursement: "fees",
  three_fourths_shortfall: "guarantee",
};

function hasOvertime(job, start, end) {
  return (job.weeks || []).some((w) => ((w.overtime_minutes || 0) + (w.double_time_minutes || 0)) > 0
    && String(w.start) <= end && String(w.end) >= start);
}

/** What the wage check found owed, by claim (rows add up to its total owed), as in Python. */
export function claims(wageCheck) {
  const totals = Object.fromEntries(Object.keys(CLAIM_KINDS).map((k) => [k, 0]));
  const counted = { ...totals };
  const add = (kind, amount) => {
    if (typeof amount === "number" && Number.isInteger(amount) && amount > 0) { totals[kind] += amount; counted[kind] += 1; }
  };
  for (const job of (wageCheck && wageCheck.jobs) || []) {
    if (!job || typeof job !== "object") continue;
    for (const period of job.periods || []) {
      for (const f of period.findings || []) {
        const code = String(f.code);
        let kind = FINDING_CLAIM[code];
        if (!kind && (code === "underpaid" || code === "no_pay_recorded")) kind = hasOvertime(job, String(period.start), String(period.end)) ? "overtime" : "minimum_wage";
        add(kind || "other", f.amount_cents);
      }
    }
    for (const f of job.findings || []) add(FINDING_CLAIM[String(f.code)] || "other", f.amount_cents);
  }
  return Object.entries(CLAIM_KINDS).filter(([k]) => k !== "other" || totals[k])
    .map(([kind, [es, en]]) => ({ kind, es, en, amount_cents: totals[kind], items: counted[kind] }));
}
