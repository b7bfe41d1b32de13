// The wage check on the phone: the JS twin of server/wages/ (check.py, rules.py, messages.py).
//
// Reads the log's records and the pack's `wage_rules` (WageJurisdiction objects), never
// hard-coded wage figures. Must give exactly the same report as the Python check: both run the
// shared vectors in tests/wage_vectors/, and tests/test_wages_parity.py compares whole reports.
// Money is kept as exact fractions of a cent (BigInt) and rounded half up only when reported.

import { forWageCheck, isoDateWords } from './log/shifts.js';

// --- exact fractions ---------------------------------------------------------------------

const big = (v) => (typeof v === 'bigint' ? v : BigInt(v));
const gcd = (a, b) => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};
const floorDiv = (a, b) => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};

class Frac {
  constructor(n, d = 1n) {
    n = big(n);
    d = big(d);
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n, d) || 1n;
    this.n = n / g;
    this.d = d / g;
  }
  static of(v) { return v instanceof Frac ? v : new Frac(v); }
  add(o) { o = Frac.of(o); return new Frac(this.n * o.d + o.n * this.d, this.d * o.d); }
  sub(o) { o = Frac.of(o); return new Frac(this.n * o.d - o.n * this.d, this.d * o.d); }
  mul(o) { o = Frac.of(o); return new Frac(this.n * o.n, this.d * o.d); }
  div(o) { o = Frac.of(o); return new Frac(this.n * o.d, this.d * o.n); }
  cmp(o) { o = Frac.of(o); const l = this.n * o.d; const r = o.n * this.d; return l < r ? -1 : l > r ? 1 : 0; }
}
const ZERO = new Frac(0n);

// Which part of the total owed a finding's amount is (report.py OwedByKind; check.py
// OWED_KIND); any other code is "other". Unpaid wages ("pay") are split by the period into
// overtime and straight time.
const OWED_KIND = {
  underpaid: 'pay', no_pay_recorded: 'pay',
  deduction_not_allowed: 'deductions', deduction_below_minimum: 'deductions', deduction_overtime_week: 'deductions',
  recruitment_fee: 'fees', visa_fees_not_reimbursed: 'fees', travel_not_reimbursed: 'fees', first_week_reimbursement: 'fees',
  three_fourths_shortfall: 'guarantee',
};
export const OWED_KINDS = ['overtime', 'straight', 'deductions', 'fees', 'guarantee', 'other'];

function owedByKindTotal(periods, findings) {
  const totals = Object.fromEntries(OWED_KINDS.map((k) => [k, 0]));
  for (const p of periods) {
    totals.overtime += p.owed_overtime_cents;
    totals.straight += p.owed_straight_cents;
  }
  for (const f of [...findings, ...periods.flatMap((p) => p.findings)]) {
    const kind = Object.hasOwn(OWED_KIND, f.code) ? OWED_KIND[f.code] : 'other';
    if (kind !== 'pay') totals[kind] += f.amount_cents || 0; // counted above, split by kind
  }
  return totals;
}
const fsum = (items) => items.reduce((a, b) => a.add(b), ZERO);
const fmax = (a, b) => (Frac.of(a).cmp(b) >= 0 ? Frac.of(a) : Frac.of(b));
const fmin = (a, b) => (Frac.of(a).cmp(b) <= 0 ? Frac.of(a) : Frac.of(b));

/** Half up, for values >= 0. */
export function roundCents(f) {
  f = Frac.of(f);
  return Number(floorDiv(2n * f.n + f.d, 2n * f.d));
}

// --- dates as day numbers ----------------------------------------------------------------

const DAY_MS = 86400000;
const dayNum = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
const isoOf = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const weekdayOf = (n) => (new Date(n * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
const yearOf = (n) => new Date(n * DAY_MS).getUTCFullYear();

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

// --- program rules (mirror of server/wages/rules.py) -------------------------------------

const ECFR = 'https://www.ecfr.gov/current';
const SRC_H2A_CONTRACT = ['20 CFR 655.122 (H-2A contents of job offers)', `${ECFR}/title-20/section-655.122`];
const SRC_H2A_ASSURANCES = ['20 CFR 655.135 (H-2A assurances: no recruitment fees)', `${ECFR}/title-20/section-655.135`];
const SRC_H2A_WAGE = ['20 CFR 655.120 (H-2A offered wage rate: the highest of the AEWR and the other rates)', `${ECFR}/title-20/section-655.120`];
const SRC_H2B = ['20 CFR 655.20 (H-2B employer obligations)', `${ECFR}/title-20/section-655.20`];
const SRC_ONE_EMPLOYER_WEEK = ["29 CFR 778.103 (one employer's hours in a workweek count together)", `${ECFR}/title-29/section-778.103`];
const SRC_FIRST_WEEK_H2A = ['29 CFR 531.35; Arriaga v. Florida Pacific Farms (11th Cir. 2002): first-week travel and visa', `${ECFR}/title-29/section-531.35`];
const SRC_FIRST_WEEK_H2B = ['WHD FAB 2009-2; 20 CFR 655.20(j): H-2B first-week travel', 'https://www.dol.gov/agencies/whd/field-assistance-bulletins/2009-2'];
const SRC_OT_DEDUCTIONS = ['29 CFR 531.37 (deductions in overtime workweeks: judged against 40 straight-time hours)', `${ECFR}/title-29/section-531.37`];
const SRC_FREE_AND_CLEAR = ['29 CFR 531.35 (wages paid free and clear)', `${ECFR}/title-29/section-531.35`];
const AEWR_VALID_DAYS = 365;
const THREE_FOURTHS = new Frac(3n, 4n);
const H2B_GUARANTEE_WEEKS = 12;
const H2B_GUARANTEE_SHORT_WEEKS = 6;
const H2B_SHORT_JOB_DAYS = 120;
const PROGRAM_PAY_DAYS = { h2a: [16, SRC_H2A_CONTRACT], h2b: [14, SRC_H2B] };
const FREQUENCY_DAYS = { weekly: 7, biweekly: 14, semimonthly: 16, monthly: 31 };
const FORBIDDEN_DEDUCTIONS = {
  h2a: { housing: SRC_H2A_CONTRACT, tools: SRC_H2A_CONTRACT, recruitment_fee: SRC_H2A_ASSURANCES },
  h2b: { tools: SRC_H2B, recruitment_fee: SRC_H2B, visa: SRC_H2B },
};
const EMPLOYER_BENEFIT_DEDUCTIONS = ['tools', 'uniform', 'recruitment_fee', 'visa'];
const STATEMENT_ITEMS = ['employer_name', 'employer_address', 'employer_fein', 'pay_period',
  'hours_offered', 'hours_worked', 'rate', 'gross', 'deductions'];

export const dollarsToCents = (v) => Math.floor(v * 100 + 0.5);
const hoursToMinutes = (v) => Math.floor(v * 60 + 0.5);

function rateInForce(rates, day) {
  let best = null;
  for (const rate of rates || []) {
    const eff = dayNum(rate.effective);
    if (eff <= day && (best === null || eff >= dayNum(best.effective))) best = rate;
  }
  return best;
}

function overtimeSteps(j, industry) {
  const ot = j.overtime || {};
  if (industry === 'agriculture' && ot.agriculture && ot.agriculture.length) return ot.agriculture;
  if (industry === 'domestic' && ot.domestic && ot.domestic.length) return ot.domestic;
  return ot.general || [];
}

function stepsInForce(steps, day, size) {
  const latest = new Map();
  let sizeMattered = false;
  for (const step of steps) {
    if (dayNum(step.effective) > day) continue;
    const track = step.employer_size_min || 0;
    if (track && (size == null || size < track)) {
      sizeMattered = sizeMattered || size == null;
      continue;
    }
    if (!latest.has(track) || dayNum(step.effective) >= dayNum(latest.get(track).effective)) {
      latest.set(track, step);
    }
  }
  return [[...latest.keys()].sort((a, b) => a - b).map((k) => latest.get(k)), sizeMattered];
}

// --- messages: generated from server/wages/messages.py ------------------------------------
//
// The texts live in pwa/i18n/<lang>/wages.json, generated from server/wages/messages.py (one
// source; tests/test_wage_texts.py keeps the files current). A phone loads only its own
// language, so a report's texts carry the languages loaded (es always, on the phone): the
// desk loads both. Node tests call setWageTexts with both files.

export const MESSAGES = {};
export const LABELS = {};
const LANG_INDEX = { es: 0, en: 1 };

/** Use `table` ({messages, labels}, a pwa/i18n/<lang>/wages.json) for `lang`'s texts. */
export function setWageTexts(lang, table) {
  const i = LANG_INDEX[lang];
  if (i === undefined || !table) return;
  for (const [target, source] of [[MESSAGES, table.messages], [LABELS, table.labels]]) {
    for (const [key, value] of Object.entries(source || {})) (target[key] ||= [undefined, undefined])[i] = value;
  }
}

/** Fetch and use the texts of `langs` (one that cannot be fetched is left out). */
export async function loadWageTexts(langs) {
  await Promise.all(langs.filter((l) => l in LANG_INDEX).map(async (lang) => {
    try {
      const res = await fetch(`/i18n/${lang}/wages.json`);
      if (res.ok) setWageTexts(lang, await res.json());
    } catch (_) { /* offline and not cached: that language's texts are left out */ }
  }));
}

if (typeof document !== "undefined") {
  const langs = new Set(["es", document.documentElement.lang || "es"]);
  if (location.pathname.startsWith("/staff/")) langs.add("en");
  await loadWageTexts([...langs]);
}

// A value that is an ISO date is said in words in each language: a worker reads these (issue 14).
const fill = (template, values, lang) => template.replace(/\{(\w+)\}/g, (_, k) => {
  if (!(k in values)) throw new Error(`missing ${k}`);
  return isoDateWords(values[k], lang);
});
function text(code, es, en = null) {
  const pair = MESSAGES[code];
  if (!pair) throw new Error(`wage check text ${code} not loaded (setWageTexts)`);
  const out = {};
  if (pair[0] !== undefined) out.es = fill(pair[0], es, "es");
  if (pair[1] !== undefined) out.en = fill(pair[1], en === null ? es : en, "en");
  return out;
}

export function money(cents) {
  const sign = cents < 0 ? '-' : '';
  const c = Math.abs(cents);
  // $1,234.56, written out by hand so Node, every browser and Python agree (no locale).
  const dollars = String(Math.floor(c / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${dollars}.${String(c % 100).padStart(2, '0')}`;
}

export function duration(minutes) {
  const h = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

const src = (s) => (s ? { title: s[0], url: s[1] } : null);
const dataSrc = (r) => ({ title: r.source.title, url: r.source.url });
const program = (status) => (status === 'h2a' ? 'H-2A' : 'H-2B');

function otRuleText(step) {
  const es = [];
  const en = [];
  if (step.daily_after != null) {
    const h = duration(hoursToMinutes(step.daily_after));
    es.push(`tiempo y medio después de ${h} por día`);
    en.push(`time and a half after ${h} a day`);
  }
  if (step.daily_double_after != null) {
    const h = duration(hoursToMinutes(step.daily_double_after));
    es.push(`doble después de ${h} por día`);
    en.push(`double time after ${h} a day`);
  }
  if (step.weekly_after != null) {
    const h = duration(hoursToMinutes(step.weekly_after));
    es.push(`tiempo y medio después de ${h} por semana`);
    en.push(`time and a half after ${h} a week`);
  }
  if (step.seventh_day) {
    es.push('pago extra el séptimo día seguido de la semana');
    en.push('extra pay on the seventh day in a row of the workweek');
  }
  return [es.join('; '), en.join('; ')];
}

class Notes {
  constructor() { this.items = []; this.seen = new Set(); }
  add(code, key, values = {}, en = null) {
    const k = `${code}|${key}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.items.push({ code, explanation: text(code, values, en) });
  }
}

function splitShift(shift) {
  const [sh, sm] = shift.start.split(':').map(Number);
  const [eh, em] = shift.end.split(':').map(Number);
  const start = sh * 60 + sm;
  let end = eh * 60 + em;
  if (end <= start) end += 1440;
  let first = Math.min(end, 1440) - start;
  let second = end > 1440 ? end - 1440 : 0;
  const brk = shift.break_minutes || 0;
  const take = Math.min(brk, first);
  first -= take;
  second -= brk - take;
  const day = dayNum(shift.date);
  const parts = [[day, first]];
  if (end > 1440) parts.push([day + 1, second]);
  return parts;
}

const weekStartOf = (day, startIndex) => day - (((weekdayOf(day) - startIndex) % 7) + 7) % 7;

function otMinutes(step, days, seventh) {
  const n = days.length;
  const ot = new Array(n).fill(0);
  const dbl = new Array(n).fill(0);
  if (step === null) return [ot, dbl];
  const da = step.daily_after != null ? hoursToMinutes(step.daily_after) : null;
  const dd = step.daily_double_after != null ? hoursToMinutes(step.daily_double_after) : null;
  const wa = step.weekly_after != null ? hoursToMinutes(step.weekly_after) : null;
  const reg = new Array(n).fill(0);
  days.forEach(([, m], i) => {
    if (seventh && step.seventh_day && i === n - 1) {
      // The 7th day: time and a half up to `seventh_day_after` (default: the daily threshold),
      // double after it (CA Labor Code 510, for farm work also 862(b)).
      const sda = step.seventh_day_after ? hoursToMinutes(step.seventh_day_after) : da;
      ot[i] = sda === null ? m : Math.min(m, sda);
      dbl[i] = m - ot[i];
    } else {
      dbl[i] = dd !== null ? Math.max(0, m - dd) : 0;
      ot[i] = da !== null ? Math.max(0, Math.min(m, dd !== null ? dd : m) - da) : 0;
    }
    reg[i] = m - ot[i] - dbl[i];
  });
  if (wa !== null) {
    let extra = Math.max(0, reg.reduce((a, b) => a + b, 0) - wa);
    for (let i = n - 1; i >= 0; i -= 1) {
      if (extra <= 0) break;
      const move = Math.min(extra, reg[i]);
      reg[i] -= move;
      ot[i] += move;
      extra -= move;
    }
  }
  return [ot, dbl];
}

const sumInts = (a) => a.reduce((x, y) => x + y, 0);
const tupleCmp = (a, b) => {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
};

// job.region for work outside every region a state lists (its general minimum wage applies).
export const REST_OF_STATE = 'rest-of-state';

const roman = (level) => (level === 1 ? 'I' : 'II');

// A 2025-method AEWR entry as a floor: the rate less the housing adjustment, if the data has it.
function skillFigure(entry) {
  const rate = dollarsToCents(entry.rate);
  const housing = entry.housing_adjustment != null ? dollarsToCents(entry.housing_adjustment) : null;
  return { cents: Math.max(0, rate - (housing || 0)), source: { title: entry.source.title, url: entry.source.url },
    level: entry.level, rateCents: rate, housingCents: housing };
}

// Regular rate per minute (with the promise, and the law's alone) for the week: this job's, or
// with the employer's other jobs that week, the weighted average of all.
function regularRates(straight, legal, minutes, peerPay) {
  const allMinutes = minutes + sumInts(peerPay.map((p) => p[2]));
  return [fsum([straight, ...peerPay.map((p) => p[0])]).div(allMinutes),
    fsum([legal, ...peerPay.map((p) => p[1])]).div(allMinutes)];
}

// This job's overtime and double-time minutes per day, from the employer's combined day. A
// day's overtime is its last hours; with several jobs that day, the job listed later in the log
// is taken to be the later work: double time first, then overtime, from the last job back.
function ownShare(days, combined, perJob, me, otAll, dblAll) {
  const mine = new Map();
  combined.forEach(([day], k) => {
    let dblLeft = dblAll[k];
    let otLeft = otAll[k];
    for (let q = perJob[k].length - 1; q >= 0; q -= 1) {
      const minutes = perJob[k][q];
      const takeDbl = Math.min(minutes, dblLeft);
      const takeOt = Math.min(minutes - takeDbl, otLeft);
      dblLeft -= takeDbl;
      otLeft -= takeOt;
      if (q === me) mine.set(day, [takeOt, takeDbl]);
    }
  });
  return [days.map(([d]) => (mine.get(d) || [0, 0])[0]), days.map(([d]) => (mine.get(d) || [0, 0])[1])];
}

function newDay() {
  return { minutes: 0, units: 0, starts: 0, floor: 0, minimum: 0, minWage: 0, floorSrc: null,
    otWeight: 0, regMinutes: 0, otPay: ZERO, piecePay: ZERO, otSrc: null, straight: ZERO, legalStraight: ZERO, expected: ZERO, legal: ZERO };
}

class JobCheck {
  constructor(job, employer, records, juris, asOf, reportNotes) {
    this.job = {
      status: 'other', pay_type: 'hourly', workweek_start: 'sunday', promised_rate_cents: null,
      employer_size: null, pay_frequency: null, contract_start: null, contract_end: null,
      job_order_hours_per_week: null, job_order_rate_cents: null, skill_level: null, region: null, ...job,
    };
    this.employer = employer;
    this.records = records;
    this.fed = juris.get('federal') || null;
    this.state = juris.get(this.job.state) || null;
    this.asOf = asOf;
    this.notes = new Notes();
    this.reportNotes = reportNotes;
    this.days = new Map();
    this.aewrMissing = new Set();
    this.aewrNewMethod = new Map();
    this.federalMinimumUsed = false;
    this.stateMinOut = this.stateMinimumLeftOut();
    this.position = 0; // place in the log's job list
    this.peers = []; // the employer's other jobs with the same workweek
    this.collected = false;
    this.weekResults = [];
    // Each week's [straight-time pay, legal straight-time pay, minutes], for the peers' weighted
    // regular rate (29 CFR 778.115).
    this.weekPay = new Map();
  }

  // Why the state minimum wage does not cover this job, if it does not (W5: NE).
  stateMinimumLeftOut() {
    const cov = this.state !== null ? this.state.minimum_wage_coverage || null : null;
    if (cov === null) return null;
    if ((cov.excludes_industries || []).includes(this.job.industry)) return 'industry';
    if (cov.employer_size_min != null) {
      if (this.job.employer_size == null) return 'size_unknown';
      if (this.job.employer_size < cov.employer_size_min) return 'size';
    }
    return null;
  }

  aewrMethodChange(day) {
    let best = null;
    for (const j of [this.fed, this.state]) {
      if (j === null) continue;
      for (const change of j.aewr_method_changes || []) {
        if (dayNum(change.effective) <= day && (best === null || dayNum(change.effective) > dayNum(best.effective))) best = change;
      }
    }
    return best;
  }

  noteStateMinimumLeftOut(cents) {
    const cov = this.state.minimum_wage_coverage;
    const values = { state: this.job.state, rate: money(cents) };
    if (this.stateMinOut === 'industry') {
      const [esInd, enInd] = LABELS[`industry_${this.job.industry}`];
      this.notes.add('state_minimum_excludes_industry', '', { ...values, industry: esInd }, { ...values, industry: enInd });
      return;
    }
    const code = this.stateMinOut === 'size' ? 'state_minimum_small_employer' : 'state_minimum_size_unknown';
    this.notes.add(code, '', { ...values, size: String(cov.employer_size_min) });
  }

  day(d) {
    if (!this.days.has(d)) this.days.set(d, newDay());
    return this.days.get(d);
  }

  minimum(day) {
    let best = [0, null, ''];
    for (const [where, j] of [['federal', this.fed], [this.job.state, this.state]]) {
      if (j === null) continue;
      const rate = rateInForce(j.minimum_wage, day);
      if (rate === null) continue;
      const cents = dollarsToCents(rate.rate);
      if (j === this.state && this.stateMinOut !== null) {
        // The state's minimum does not cover this job: say so only when it mattered.
        if (cents > best[0]) this.noteStateMinimumLeftOut(cents);
        continue;
      }
      if (cents > best[0]) best = [cents, rate, where];
    }
    if (this.state !== null && this.stateMinOut === null) {
      const region = this.region();
      for (const other of this.state.regional_minimum_wage || []) {
        const rate = rateInForce(other.rates, day);
        if (rate === null || dollarsToCents(rate.rate) <= best[0]) continue;
        if (other === region) {
          // The job says the work is in this region: its higher rate is the minimum.
          best = [dollarsToCents(rate.rate), rate, this.job.state];
        } else if (region === null && this.job.region !== REST_OF_STATE) {
          // Where in the state the work is, the log does not say: name the higher rate.
          const values = { state: this.job.state, rate: money(dollarsToCents(rate.rate)) };
          this.notes.add('regional_minimum', other.id, { ...values, region: other.name.es || '' },
            { ...values, region: other.name.en || '' });
        }
      }
    }
    if (best[1] === null) this.notes.add('no_minimum_wage', isoOf(day), { date: isoOf(day) });
    return best;
  }

  // The state's region the job says the work is in (job.region), if it names one.
  region() {
    if (this.state === null || this.job.region == null) return null;
    return (this.state.regional_minimum_wage || []).find((r) => r.id === this.job.region) || null;
  }

  aewr(day) {
    if (this.job.status !== 'h2a') return null;
    const change = this.aewrMethodChange(day);
    const start = this.job.contract_start;
    // A job order filed from the change uses the new method; the contract start is the
    // only date the log has, so an unknown start may be either.
    const newMethod = change !== null && (start == null || dayNum(start) >= dayNum(change.effective));
    if (newMethod) {
      const skill = this.skillAewr(day);
      if (skill !== null) return skill;
    }
    for (const j of [this.state, this.fed]) {
      if (j === null) continue;
      const rate = rateInForce(j.aewr, day);
      // An AEWR is set for a year: an older one is not guessed forward.
      if (rate !== null && day - dayNum(rate.effective) <= AEWR_VALID_DAYS) {
        if (change !== null && newMethod && dayNum(rate.effective) < dayNum(change.effective)) {
          // The job order may use the new method: the old figure is no floor.
          if (!this.aewrNewMethod.has(day)) this.aewrNewMethod.set(day, [rate, change]);
          return null;
        }
        const cents = dollarsToCents(rate.rate);
        return { cents, source: dataSrc(rate), level: null, rateCents: cents, housingCents: null };
      }
    }
    // Never a silent fall-back to the minimum wage: jobFindings() says so plainly.
    this.aewrMissing.add(day);
    return null;
  }

  // The 2025-method AEWR for the job order's skill level, less the housing adjustment (H-2A
  // workers only, which this job is). With no level entered, the lower level: that much is
  // owed either way, and a note asks for the level.
  skillAewr(day) {
    if (this.state === null) return null;
    const latest = new Map();
    for (const entry of this.state.aewr_skill || []) {
      const eff = dayNum(entry.effective);
      if (eff > day || day - eff > AEWR_VALID_DAYS) continue;
      if (!latest.has(entry.level) || eff >= dayNum(latest.get(entry.level).effective)) latest.set(entry.level, entry);
    }
    let options = [latest.get(1), latest.get(2)].filter(Boolean).map(skillFigure);
    if (this.job.skill_level != null) options = options.filter((o) => o.level === this.job.skill_level);
    if (!options.length) return null;
    let pick = options[0];
    for (const o of options.slice(1)) if (o.cents < pick.cents || (o.cents === pick.cents && o.level < pick.level)) pick = o;
    if (this.job.skill_level == null) this.notes.add('skill_level_unknown', '', { level: roman(pick.level) });
    if (pick.housingCents === null) this.notes.add('housing_adjustment_unknown', '');
    return pick;
  }

  floors(day) {
    const [minWage, minRate, where] = this.minimum(day);
    if (where === 'federal') this.federalMinimumUsed = true;
    const aewr = this.aewr(day);
    const aewrCents = aewr ? aewr.cents : 0;
    let legal = Math.max(minWage, aewrCents);
    let source = aewr !== null && aewrCents > minWage ? aewr.source : (minRate !== null ? dataSrc(minRate) : null);
    const orderRate = this.job.status === 'h2a' ? this.job.job_order_rate_cents : null;
    if (orderRate != null && orderRate > legal) {
      // 20 CFR 655.120(a), 655.122(l): the rate the job order offers is owed, if higher.
      legal = orderRate;
      source = src(SRC_H2A_WAGE);
    }
    let floor = legal;
    if (this.job.pay_type === 'hourly' && this.job.promised_rate_cents != null) {
      floor = Math.max(floor, this.job.promised_rate_cents);
    }
    return [floor, legal, minWage, source];
  }

  steps(day) {
    const out = [];
    for (const [where, j] of [[this.job.state, this.state], ['federal', this.fed]]) {
      if (j === null) continue;
      const [steps, sizeMattered] = stepsInForce(overtimeSteps(j, this.job.industry), day, this.job.employer_size);
      if (sizeMattered) this.notes.add('employer_size_unknown', '');
      if (!steps.length) out.push([where, null]);
      for (const s of steps) out.push([where, s]);
    }
    return out;
  }

  collect() {
    if (this.collected) return;
    this.collected = true;
    // Impossible shifts (same start and end, over 24 h, future) are left out and shared
    // minutes of overlapping ones count once, with findings (log/shifts.js).
    const sane = forWageCheck(this.records.shifts || [], this.job.id, isoOf(this.asOf));
    this.findings = sane.findings;
    for (const shift of this.records.shifts || []) {
      if (shift.job_id !== this.job.id || sane.skip.has(shift.id)) continue;
      const parts = splitShift(shift);
      if (parts.some(([, m]) => m < 0) || sumInts(parts.map(([, m]) => m)) <= 0) {
        this.notes.add('shift_invalid', shift.id, { date: shift.date });
        continue;
      }
      for (const [d, m] of sane.trimmed.get(shift.id) || parts) this.day(d).minutes += m;
      const first = this.day(parts[0][0]);
      first.units += shift.piece_units || 0;
      first.starts += 1;
    }
    for (const [d, info] of this.days) {
      [info.floor, info.minimum, info.minWage, info.floorSrc] = this.floors(d);
    }
  }

  sortedDays() { return [...this.days.keys()].sort((a, b) => a - b); }

  weeks() {
    const startIndex = WEEKDAYS.indexOf(this.job.workweek_start);
    const byWeek = new Map();
    for (const d of this.sortedDays()) {
      const ws = weekStartOf(d, startIndex);
      if (!byWeek.has(ws)) byWeek.set(ws, []);
      byWeek.get(ws).push(d);
    }
    const out = [];
    for (const ws of [...byWeek.keys()].sort((a, b) => a - b)) {
      const r = this.week(ws, byWeek.get(ws));
      if (r !== null) out.push(r);
    }
    return out;
  }

  week(weekStart, dates) {
    const job = this.job;
    const days = dates.map((d) => [d, this.days.get(d).minutes]);
    const total = sumInts(days.map(([, m]) => m));
    if (total <= 0) return null;
    const rules = [];
    const firstDay = days.find(([, m]) => m > 0)[0];
    const [minCents, minRate, where] = this.minimum(firstDay);
    const region = this.region();
    if (region !== null && minRate !== null && region.rates.includes(minRate)) {
      const values = { rate: money(minCents) };
      rules.push({ code: 'regional_minimum_wage',
        explanation: text('regional_minimum_wage', { ...values, region: region.name.es || '' }, { ...values, region: region.name.en || '' }),
        source: dataSrc(minRate) });
    } else if (minRate !== null) {
      rules.push({ code: 'minimum_wage',
        explanation: text('minimum_wage', { date: isoOf(firstDay), rate: money(minCents), where }),
        source: dataSrc(minRate) });
    }
    const aewr = this.aewr(firstDay);
    if (aewr !== null) {
      let values = { state: job.state, date: isoOf(firstDay), rate: money(aewr.cents) };
      let code = 'aewr';
      if (aewr.level !== null) {
        code = aewr.housingCents === null ? 'aewr_skill' : 'aewr_skill_housing';
        values = { ...values, level: roman(aewr.level), full: money(aewr.rateCents), housing: money(aewr.housingCents || 0) };
      }
      rules.push({ code, explanation: text(code, values), source: aewr.source });
    }
    if (job.status === 'h2a' && job.job_order_rate_cents != null) {
      rules.push({ code: 'job_order_rate',
        explanation: text('job_order_rate', { rate: money(job.job_order_rate_cents) }),
        source: src(SRC_H2A_WAGE) });
    }
    const info0 = this.days.get(firstDay);
    if (job.pay_type === 'hourly' && info0.floor > info0.minimum) {
      rules.push({ code: 'promised_rate', explanation: text('promised_rate', { rate: money(info0.floor) }), source: null });
    }
    let legalTotal = ZERO;
    for (const [d, m] of days) {
      const info = this.days.get(d);
      info.legalStraight = new Frac(m * info.minimum, 60);
      legalTotal = legalTotal.add(info.legalStraight);
    }
    const salaryRule = job.pay_type === 'salary' && this.state !== null ? this.state.salary_regular_rate || null : null;
    if (job.pay_type === 'hourly') {
      for (const [d, m] of days) this.days.get(d).straight = new Frac(m * this.days.get(d).floor, 60);
    } else if (salaryRule !== null) {
      // A salary under a state rule like CA Labor Code 515(d): worked out below, once the
      // overtime hours are known (the salary pays only the non-overtime hours).
      if (job.promised_rate_cents == null) this.notes.add('no_piece_rate', '');
    } else {
      let rate = job.promised_rate_cents;
      if (rate == null) {
        this.notes.add('no_piece_rate', '');
        rate = 0;
      }
      const pay = new Map();
      for (const [d, m] of days) {
        const info = this.days.get(d);
        if (job.pay_type === 'piece') pay.set(d, new Frac(big(info.units) * big(rate)));
        else if (job.pay_type === 'day') pay.set(d, new Frac(info.starts > 0 ? rate : 0));
        else pay.set(d, new Frac(big(rate) * big(m), total));
      }
      const earned = fsum([...pay.values()]);
      // H-2A: the AEWR is made up per pay period, not per week (20 CFR 655.122(l); see
      // periods()). The week itself is made up only to the minimum wage (FLSA workweek).
      const perPeriod = job.status === 'h2a';
      const weekFloor = new Map(days.map(([d, m]) => [d, perPeriod
        ? new Frac(m * this.days.get(d).minWage, 60) : this.days.get(d).legalStraight]));
      const floorTotal = fsum([...weekFloor.values()]);
      for (const [d] of days) this.days.get(d).piecePay = pay.get(d);
      if (earned.cmp(floorTotal) >= 0) {
        for (const [d] of days) this.days.get(d).straight = pay.get(d);
      } else {
        for (const [d] of days) this.days.get(d).straight = weekFloor.get(d);
        rules.push({ code: 'piece_makeup',
          explanation: text('piece_makeup', { piece: money(roundCents(earned)), floor: money(roundCents(floorTotal)) }),
          source: minRate ? dataSrc(minRate) : null });
      }
    }
    let straightTotal = fsum(days.map(([d]) => this.days.get(d).straight));
    // Overtime counts every hour worked for the employer that week (29 CFR 778.103): the days
    // of its other logged jobs with the same workweek are added in, and this job keeps its
    // share of the overtime (see employerDays).
    const [combined, perJob, me] = this.employerDays(weekStart, days);
    const others = sumInts(combined.map(([, m]) => m)) - total;
    const peerPay = this.peers.filter((c) => c.weekPay.has(weekStart)).map((c) => c.weekPay.get(weekStart));
    // The premium is half the regular rate per overtime minute; with the employer's other jobs
    // in the week, that rate is the weighted average of all of them (29 CFR 778.115).
    const [regRate, legalRate] = regularRates(straightTotal, legalTotal, total, peerPay);
    if (others > 0) {
      rules.push({ code: 'employer_hours_combined',
        explanation: text('employer_hours_combined', { hours: duration(others) }),
        source: src(SRC_ONE_EMPLOYER_WEEK) });
    }
    // The rule (state or federal) giving more weighted overtime minutes wins.
    const fullWeek = combined.length === 7;
    let best = null;
    let bestKey = [-1, -1];
    for (const [whereOt, step] of this.steps(weekStart)) {
      const [otAll, dblAll] = otMinutes(step, combined, fullWeek);
      const [ot, dbl] = ownShare(days, combined, perJob, me, otAll, dblAll);
      const key = [sumInts(ot) + 2 * sumInts(dbl), step === null ? 0 : 1];
      if (tupleCmp(key, bestKey) > 0) {
        bestKey = key;
        best = [whereOt, step, ot, dbl];
      }
    }
    let ot;
    let dbl;
    let otSrc = null;
    if (best === null) {
      this.reportNotes.add('no_overtime_rules', '');
      ot = new Array(days.length).fill(0);
      dbl = new Array(days.length).fill(0);
    } else {
      const [whereOt, step] = best;
      [, , ot, dbl] = best;
      otSrc = step !== null ? dataSrc(step) : null;
      if (step !== null && (step.weekly_after != null || step.daily_after != null
          || step.daily_double_after != null || step.seventh_day)) {
        const [esRule, enRule] = otRuleText(step);
        rules.push({ code: 'overtime',
          explanation: text('overtime', { where: whereOt, rule: esRule }, { where: whereOt, rule: enRule }),
          source: dataSrc(step) });
      } else {
        rules.push({ code: 'overtime_none', explanation: text('overtime_none', { where: whereOt }),
          source: step !== null ? dataSrc(step) : null });
      }
    }
    if (salaryRule === null && job.pay_type !== 'hourly' && sumInts(ot) + sumInts(dbl) > 0) {
      rules.push({ code: 'regular_rate',
        explanation: text('regular_rate', { rate: money(roundCents(regRate.mul(60))) }),
        source: null });
      // Half-time overtime on a salary is the fluctuating-workweek method, which needs an
      // agreement the log does not record (29 CFR 778.114).
      if (job.pay_type === 'salary') this.notes.add('salary_half_time', '');
    }
    let expected = ZERO;
    let legal = ZERO;
    let regularPerHour = regRate.mul(60);
    if (salaryRule !== null) {
      regularPerHour = this.salaryWeek(days, ot, dbl, salaryRule, rules);
      straightTotal = fsum(days.map(([d]) => this.days.get(d).straight));
    }
    this.weekPay.set(weekStart, [straightTotal, legalTotal, total]);
    // Full pay for the overtime and double-time hours (hours at the regular pay plus the
    // premium), so the week's expected pay splits into three figures the phone shows as is.
    let otFull = ZERO;
    let dblFull = ZERO;
    days.forEach(([d], i) => {
      const info = this.days.get(d);
      const weight = ot[i] + 2 * dbl[i];
      if (salaryRule !== null) {
        otFull = otFull.add(regularPerHour.div(60).mul(new Frac(3n, 2n)).mul(ot[i]));
        dblFull = dblFull.add(regularPerHour.div(60).mul(2).mul(dbl[i]));
        info.otWeight = weight;
        info.otSrc = weight > 0 ? otSrc : null;
        info.legal = info.legalStraight.add(legalRate.mul(weight).div(2));
        expected = expected.add(info.expected);
        legal = legal.add(info.legal);
        return;
      }
      info.otWeight = weight;
      info.otSrc = weight > 0 ? otSrc : null;
      info.regMinutes = days[i][1] - ot[i] - dbl[i];
      // Overtime hours at the regular rate plus the premium: what deductions may not cut.
      info.otPay = straightTotal.mul(ot[i] + dbl[i]).div(total).add(regRate.mul(weight).div(2));
      info.expected = info.straight.add(regRate.mul(weight).div(2));
      otFull = otFull.add(straightTotal.mul(ot[i]).div(total).add(regRate.mul(ot[i]).div(2)));
      dblFull = dblFull.add(straightTotal.mul(dbl[i]).div(total).add(regRate.mul(dbl[i])));
      info.legal = info.legalStraight.add(legalRate.mul(weight).div(2));
      expected = expected.add(info.expected);
      legal = legal.add(info.legal);
    });
    const weekEnd = weekStart + 6;
    const paid = this.weekPaid(weekStart, weekEnd, days.filter(([, m]) => m > 0).map(([d]) => d));
    const expectedCents = roundCents(expected);
    const overtimePayCents = roundCents(otFull);
    const doubleTimePayCents = roundCents(dblFull);
    return {
      job_id: job.id,
      start: isoOf(weekStart),
      end: isoOf(weekEnd),
      days_worked: days.filter(([, m]) => m > 0).length,
      minutes_worked: total,
      straight_minutes: total - sumInts(ot) - sumInts(dbl),
      overtime_minutes: sumInts(ot),
      double_time_minutes: sumInts(dbl),
      floor_rate_cents: Math.max(...days.map(([d]) => this.days.get(d).floor)),
      regular_rate_cents: roundCents(regularPerHour),
      // The rest of the expected pay: the three add up to it exactly (a rounding cent falls here).
      straight_pay_cents: expectedCents - overtimePayCents - doubleTimePayCents,
      overtime_pay_cents: overtimePayCents,
      double_time_pay_cents: doubleTimePayCents,
      expected_cents: expectedCents,
      legal_expected_cents: roundCents(legal),
      paid_cents: paid,
      difference_cents: paid === null ? null : expectedCents - paid,
      rules,
    };
  }

  // Expected pay for a salary where the state fixes the regular rate (CA: salary / 40). The
  // salary pays the non-overtime hours (made up to the minimum wage for them if it is less);
  // each overtime hour is paid on top at 1.5 x the regular rate, each double-time hour at 2 x.
  // The week's worked dates for the employer (this job and its peers), in date order:
  // [date, minutes of all those jobs], each job's minutes on it (in log order), and this job's
  // place in that order. Alone, it is this job's own worked days.
  employerDays(weekStart, days) {
    const group = [...this.peers, this].sort((a, b) => a.position - b.position);
    const me = group.indexOf(this);
    const own = new Map(days);
    const combined = [];
    const perJob = [];
    for (let i = 0; i < 7; i += 1) {
      const day = weekStart + i;
      const minutes = group.map((c) => (c === this ? (own.get(day) || 0) : (c.days.has(day) ? c.days.get(day).minutes : 0)));
      const sum = sumInts(minutes);
      if (sum > 0) {
        combined.push([day, sum]);
        perJob.push(minutes);
      }
    }
    return [combined, perJob, me];
  }

  salaryWeek(days, ot, dbl, rule, rules) {
    const salary = new Frac(this.job.promised_rate_cents || 0);
    const minimumPerMinute = days.map(([d]) => new Frac(this.days.get(d).minimum, 60)).reduce((a, b) => fmax(a, b));
    const perMinute = fmax(salary.div(hoursToMinutes(rule.hours)), minimumPerMinute);
    const reg = days.map(([, m], i) => m - ot[i] - dbl[i]);
    const regTotal = sumInts(reg);
    const straightTotal = fmax(salary, fsum(days.map(([d], i) => new Frac(reg[i] * this.days.get(d).minimum, 60))));
    const total = sumInts(days.map(([, m]) => m));
    days.forEach(([d, m], i) => {
      const info = this.days.get(d);
      const share = regTotal ? new Frac(reg[i], regTotal) : new Frac(m, total);
      info.straight = straightTotal.mul(share);
      info.regMinutes = reg[i];
      info.otPay = perMinute.mul(new Frac(3n * big(ot[i]), 2n).add(2 * dbl[i]));
      info.expected = info.straight.add(info.otPay);
    });
    rules.push({ code: 'salary_regular_rate',
      explanation: text('salary_regular_rate', { where: this.job.state, salary: money(roundCents(salary)),
        hours: duration(hoursToMinutes(rule.hours)), rate: money(roundCents(perMinute.mul(60))) }),
      source: { title: rule.source.title, url: rule.source.url } });
    return perMinute.mul(60);
  }

  stubs() {
    return (this.records.pay_stubs || []).filter((s) => s.job_id === this.job.id)
      .sort((a, b) => tupleCmp([a.period_start, a.pay_date, a.id], [b.period_start, b.pay_date, b.id]));
  }

  weekPaid(start, end, worked) {
    const inside = this.stubs().filter((s) => dayNum(s.period_start) >= start && dayNum(s.period_end) <= end);
    if (!inside.length) return null;
    for (const d of worked) {
      if (!inside.some((s) => dayNum(s.period_start) <= d && d <= dayNum(s.period_end))) return null;
    }
    return sumInts(inside.map((s) => s.gross_cents));
  }

  payInterval() {
    const options = [];
    if (PROGRAM_PAY_DAYS[this.job.status]) {
      const [days, s] = PROGRAM_PAY_DAYS[this.job.status];
      options.push([days, 0, src(s)]);
    }
    if (this.state !== null && this.state.pay_frequency_days_max != null) {
      const f = this.state.pay_frequency_source;
      options.push([this.state.pay_frequency_days_max, 1, f ? { title: f.title, url: f.url } : null]);
    }
    if (this.job.pay_frequency != null) options.push([FREQUENCY_DAYS[this.job.pay_frequency], 2, null]);
    if (!options.length) return [null, null];
    options.sort((a, b) => tupleCmp([a[0], a[1]], [b[0], b[1]]));
    return [options[0][0], options[0][2]];
  }

  // H-2A pay that is not hourly: what brings the pay period up to the AEWR for its hours
  // (20 CFR 655.122(l)); the weeks were already made up to the minimum wage.
  periodTopup(days) {
    if (this.job.status !== 'h2a' || this.job.pay_type === 'hourly') return ZERO;
    const floor = fsum(days.map((d) => new Frac(this.days.get(d).minutes * this.days.get(d).minimum, 60)));
    const paid = fsum(days.map((d) => this.days.get(d).straight));
    const topup = fmax(ZERO, floor.sub(paid));
    if (topup.cmp(0) > 0) this.notes.add('h2a_period_topup', '');
    return topup;
  }

  periods() {
    const job = this.job;
    const results = [];
    const covered = new Set();
    for (const stub of this.stubs()) {
      const start = dayNum(stub.period_start);
      const end = dayNum(stub.period_end);
      const days = [];
      for (let d = start; d <= end; d += 1) {
        if (this.days.has(d) && !covered.has(d)) days.push(d);
      }
      days.forEach((d) => covered.add(d));
      const expected = fsum(days.map((d) => this.days.get(d).expected)).add(this.periodTopup(days));
      const legal = fsum(days.map((d) => this.days.get(d).legal));
      // What employer-benefit deductions must leave: the minimum wage for straight-time hours
      // plus full overtime pay (29 CFR 531.35, and 531.37 in overtime weeks).
      const minimumPay = fsum(days.map((d) => {
        const info = this.days.get(d);
        return new Frac(info.regMinutes * info.minWage, 60).add(info.otPay);
      }));
      const expectedCents = roundCents(expected);
      const legalCents = roundCents(legal);
      const findings = this.periodFindings(stub, expectedCents, legalCents, minimumPay, days);
      results.push({
        job_id: job.id,
        pay_stub_id: stub.id,
        start: stub.period_start,
        end: stub.period_end,
        pay_date: stub.pay_date,
        minutes_worked: sumInts(days.map((d) => this.days.get(d).minutes)),
        minutes_paid: stub.minutes_paid ?? null,
        expected_cents: expectedCents,
        legal_expected_cents: legalCents,
        paid_cents: stub.gross_cents,
        deductions_cents: sumInts((stub.deductions || []).map((x) => x.amount_cents)),
        net_cents: stub.net_cents ?? null,
        difference_cents: expectedCents - stub.gross_cents,
        ...this.owedByKind(Math.max(0, expectedCents - stub.gross_cents), days),
        findings,
      });
    }
    const [interval] = this.payInterval();
    const startIndex = WEEKDAYS.indexOf(job.workweek_start);
    const loose = new Map();
    for (const d of this.sortedDays()) {
      if (!covered.has(d) && this.days.get(d).minutes > 0) {
        const ws = weekStartOf(d, startIndex);
        if (!loose.has(ws)) loose.set(ws, []);
        loose.get(ws).push(d);
      }
    }
    for (const ws of [...loose.keys()].sort((a, b) => a - b)) {
      const days = loose.get(ws);
      const weekEnd = ws + 6;
      const expectedCents = roundCents(fsum(days.map((d) => this.days.get(d).expected)).add(this.periodTopup(days)));
      const legal = fsum(days.map((d) => this.days.get(d).legal));
      const findings = [];
      if (this.asOf > weekEnd + (interval || 0) && expectedCents > 0) {
        const minRate = this.minimum(days[0])[1];
        findings.push({ code: 'no_pay_recorded', amount_cents: expectedCents,
          explanation: text('no_pay_recorded', { start: isoOf(days[0]), end: isoOf(days[days.length - 1]), amount: money(expectedCents) }),
          source: minRate ? dataSrc(minRate) : null });
      }
      results.push({
        job_id: job.id, pay_stub_id: null, start: isoOf(days[0]), end: isoOf(days[days.length - 1]),
        pay_date: null, minutes_worked: sumInts(days.map((d) => this.days.get(d).minutes)), minutes_paid: null,
        expected_cents: expectedCents, legal_expected_cents: roundCents(legal), paid_cents: 0,
        deductions_cents: 0, net_cents: null, difference_cents: expectedCents,
        ...this.owedByKind(findings.length ? expectedCents : 0, days), findings,
      });
    }
    results.sort((a, b) => tupleCmp([a.start, a.end, a.pay_stub_id || '~'], [b.start, b.end, b.pay_stub_id || '~']));
    return results;
  }

  // A period's unpaid wages split by kind: what was paid counts first toward the straight-time
  // hours, so the shortfall is unpaid overtime up to the period's full overtime pay, and only
  // the rest is straight-time (minimum wage) shortfall. Same rule as check.py _owed_by_kind.
  owedByKind(owed, days) {
    const overtime = Math.min(owed, roundCents(fsum(days.map((d) => this.days.get(d).otPay))));
    return { owed_overtime_cents: overtime, owed_straight_cents: owed - overtime };
  }

  periodFindings(stub, expected, legal, minimumPay, days) {
    const job = this.job;
    const out = [];
    const gross = stub.gross_cents;
    const owed = Math.max(0, expected - gross);
    if (owed > 0) {
      const withOt = days.map((d) => this.days.get(d).otSrc).filter((s) => s !== null);
      let source;
      if (withOt.length) source = withOt[0];
      else if (gross < legal && days.length) source = this.days.get(days[0]).floorSrc;
      else source = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : job.status === 'h2b' ? SRC_H2B : null);
      out.push({ code: 'underpaid', amount_cents: owed,
        explanation: text('underpaid', { expected: money(expected), paid: money(gross), amount: money(owed), legal: money(legal) }),
        source });
    }
    const forbidden = FORBIDDEN_DEDUCTIONS[job.status] || {};
    let benefit = 0;
    const benefitKinds = [];
    for (const ded of stub.deductions || []) {
      if (ded.kind in forbidden && ded.amount_cents > 0) {
        const [esKind, enKind] = LABELS[ded.kind];
        const prog = program(job.status);
        out.push({ code: 'deduction_not_allowed', amount_cents: ded.amount_cents,
          explanation: text('deduction_not_allowed',
            { amount: money(ded.amount_cents), kind: esKind, program: prog },
            { amount: money(ded.amount_cents), kind: enKind, program: prog }),
          source: src(forbidden[ded.kind]) });
      } else if (EMPLOYER_BENEFIT_DEDUCTIONS.includes(ded.kind) && ded.amount_cents > 0) {
        benefit += ded.amount_cents;
        if (!benefitKinds.includes(ded.kind)) benefitKinds.push(ded.kind);
      }
    }
    if (benefit > 0) {
      const cut = fmin(new Frac(benefit), fmax(ZERO, minimumPay.sub(gross - benefit)));
      const cutCents = roundCents(cut);
      const overtime = days.some((d) => this.days.get(d).otWeight > 0);
      if (cutCents > 0) {
        const code = overtime ? 'deduction_overtime_week' : 'deduction_below_minimum';
        const common = { deducted: money(benefit), minimum: money(roundCents(minimumPay)), amount: money(cutCents) };
        out.push({ code, amount_cents: cutCents,
          explanation: text(code,
            { kinds: benefitKinds.map((k) => LABELS[k][0]).join(', '), ...common },
            { kinds: benefitKinds.map((k) => LABELS[k][1]).join(', '), ...common }),
          source: src(overtime ? SRC_OT_DEDUCTIONS : SRC_FREE_AND_CLEAR) });
      }
    }
    if (job.status === 'h2a' || job.status === 'h2b') {
      const s = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : SRC_H2B);
      if (stub.statement_given === false) {
        out.push({ code: 'no_pay_statement', amount_cents: null,
          explanation: text('no_pay_statement', { program: program(job.status) }), source: s });
      } else if (stub.statement_items != null) {
        const required = [...STATEMENT_ITEMS];
        if (job.pay_type === 'piece') required.push('piece_units');
        const missing = required.filter((item) => !stub.statement_items.includes(item));
        if (missing.length) {
          out.push({ code: 'statement_missing_items', amount_cents: null,
            explanation: text('statement_missing_items',
              { items: missing.map((i) => LABELS[i][0]).join(', ') },
              { items: missing.map((i) => LABELS[i][1]).join(', ') }),
            source: s });
        }
      }
    } else {
      this.reportNotes.add('statement_rules_state', '');
    }
    return out;
  }

  jobFindings() {
    const out = [];
    if (this.job.status === 'h2a' || this.job.status === 'h2b') {
      out.push(...this.threeFourths());
      out.push(...this.reimbursements());
    }
    out.push(...this.payFrequency());
    // Last, because the checks above look up the AEWR too; shown first.
    if (this.job.status === 'h2a') out.unshift(...this.aewrMissingFindings());
    return out;
  }

  // No AEWR in the data for some H-2A work: a note if the job-order rate was entered, else a
  // finding that asks for it (the minimum wage is not the H-2A floor).
  aewrMissingFindings() {
    const job = this.job;
    const out = this.aewrNewMethodFindings();
    if (!this.aewrMissing.size) return out;
    const worked = [...this.aewrMissing].filter((d) => this.days.has(d) && this.days.get(d).minutes)
      .sort((a, b) => a - b);
    if (this.rateEntered() || !worked.length) {
      const years = [...new Set([...this.aewrMissing].map(yearOf))].sort((a, b) => a - b);
      for (const year of years) this.notes.add('no_aewr', `${year}`, { state: job.state, year: String(year) });
      return out;
    }
    const minimum = Math.max(...worked.map((d) => this.days.get(d).minimum));
    return [...out, { code: 'aewr_missing', amount_cents: null,
      explanation: text('aewr_missing', { state: job.state, start: isoOf(worked[0]),
        end: isoOf(worked[worked.length - 1]), rate: money(minimum) }),
      source: src(SRC_H2A_WAGE) }];
  }

  // The worker entered an hourly rate from the job order (or an hourly promise).
  rateEntered() {
    const job = this.job;
    return job.job_order_rate_cents != null || (job.pay_type === 'hourly' && job.promised_rate_cents != null);
  }

  // Work a new-method job order may cover: the older AEWR was not used (see aewr()).
  aewrNewMethodFindings() {
    const job = this.job;
    const worked = [...this.aewrNewMethod.keys()].filter((d) => this.days.has(d) && this.days.get(d).minutes)
      .sort((a, b) => a - b);
    if (!worked.length) return [];
    const [rate, change] = this.aewrNewMethod.get(worked[0]);
    const values = { date: change.effective, rate: money(dollarsToCents(rate.rate)),
      start: isoOf(worked[0]), end: isoOf(worked[worked.length - 1]) };
    if (this.rateEntered()) {
      this.notes.add('aewr_new_method', '', values);
      return [];
    }
    return [{ code: 'aewr_new_method', amount_cents: null, explanation: text('aewr_new_method', values),
      source: { title: change.source.title, url: change.source.url } }];
  }

  // Domestic work: the log does not say whether the worker lives in; name that rule.
  liveInNote() {
    if (this.job.industry !== 'domestic') return;
    const day = this.days.size ? Math.min(...this.days.keys()) : this.asOf;
    let es = [];
    let en = [];
    for (const [where, j] of [['federal', this.fed], [this.job.state, this.state]]) {
      if (j === null) continue;
      const [steps] = stepsInForce((j.overtime || {}).domestic_live_in || [], day, this.job.employer_size);
      for (const step of steps.slice(-1)) {
        const [ruleEs, ruleEn] = otRuleText(step);
        es.push(`${where}: ${ruleEs || 'sin horas extra'}`);
        en.push(`${where}: ${ruleEn || 'no overtime'}`);
      }
    }
    if (!es.length) { es = ['no está en los datos']; en = ['not in the data']; }
    this.notes.add('live_in_domestic', '', { rules: es.join('; ') }, { rules: en.join('; ') });
  }

  threeFourths() {
    const job = this.job;
    if (!(job.contract_start && job.contract_end && job.job_order_hours_per_week)) {
      this.notes.add('three_fourths_unknown', '');
      return [];
    }
    const cs = dayNum(job.contract_start);
    const ce = dayNum(job.contract_end);
    if (ce < cs) {
      this.notes.add('three_fourths_unknown', '');
      return [];
    }
    const spans = [];
    if (job.status === 'h2a') spans.push([cs, ce]);
    else {
      const length = ce - cs + 1;
      const weeks = length < H2B_SHORT_JOB_DAYS ? H2B_GUARANTEE_SHORT_WEEKS : H2B_GUARANTEE_WEEKS;
      let start = cs;
      while (start <= ce) {
        const end = Math.min(ce, start + 7 * weeks - 1);
        spans.push([start, end]);
        start = end + 1;
      }
    }
    const s = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : SRC_H2B);
    const out = [];
    for (const [start, end] of spans) {
      if (end >= this.asOf) continue;
      const length = end - start + 1;
      const guaranteed = THREE_FOURTHS.mul(job.job_order_hours_per_week * 60 * length).div(7);
      let worked = 0;
      for (const [d, info] of this.days) if (start <= d && d <= end) worked += info.minutes;
      const short = guaranteed.sub(worked);
      if (short.cmp(0) <= 0) continue;
      let perMinute = new Frac(this.floors(end)[0], 60);
      if (job.pay_type === 'piece' && worked > 0) {
        // 655.122(i): the higher of average hourly piece earnings and the hourly rate.
        let piece = ZERO;
        for (const [d, info] of this.days) if (start <= d && d <= end) piece = piece.add(info.piecePay);
        perMinute = fmax(perMinute, piece.div(worked));
      }
      const amount = roundCents(short.mul(perMinute));
      if (amount <= 0) continue;
      out.push({ code: 'three_fourths_shortfall', amount_cents: amount,
        explanation: text('three_fourths_shortfall', { start: isoOf(start), end: isoOf(end),
          guaranteed: duration(roundCents(guaranteed)), worked: duration(worked), amount: money(amount) }),
        source: s });
    }
    return out;
  }

  expenses(kinds) {
    return (this.records.expenses || []).filter((e) => e.job_id === this.job.id && kinds.includes(e.kind));
  }

  static unpaid(expenses) {
    return Math.max(0, sumInts(expenses.map((e) => e.amount_cents - (e.reimbursed_cents || 0))));
  }

  // FLSA, first workweek: inbound travel and visa costs the worker paid are the employer's, and
  // the amount by which they bring that week's pay below the federal minimum wage is owed in
  // that week (29 CFR 531.35; Arriaga v. Florida Pacific Farms; H-2B: WHD FAB 2009-2, 20 CFR
  // 655.20(j)). H-2B visa fees are owed in full that week anyway, so for H-2B only travel
  // counts here. Returns [finding or null, {visa, travel}: the part of it from each cost].
  // An empty object means the first week could not be worked out.
  firstWeekReimbursement() {
    const job = this.job;
    const worked = this.sortedDays().filter((d) => this.days.get(d).minutes > 0);
    if (!worked.length || this.fed === null) return [null, {}];
    const start = weekStartOf(worked[0], WEEKDAYS.indexOf(job.workweek_start));
    const end = start + 6;
    const week = this.weekResults.find((w) => w.start === isoOf(start)) || null;
    const fedMin = rateInForce(this.fed.minimum_wage, worked[0]);
    if (this.asOf <= end || week === null || fedMin === null) return [null, {}];
    const kinds = [...(job.status === 'h2a' ? ['visa'] : []), 'travel'];
    const costs = {};
    for (const kind of kinds) {
      const names = kind === 'travel' ? ['travel', 'subsistence'] : ['visa'];
      costs[kind] = JobCheck.unpaid(this.expenses(names).filter((e) => dayNum(e.date) <= end));
    }
    const totalCosts = sumInts(kinds.map((k) => costs[k]));
    const pay = Math.max(week.expected_cents, week.paid_cents || 0);
    const minimum = roundCents(new Frac(week.minutes_worked * dollarsToCents(fedMin.rate), 60));
    const amount = Math.max(0, Math.min(totalCosts, minimum - (pay - totalCosts)));
    const owed = {};
    let left = amount;
    for (const kind of kinds) {
      owed[kind] = Math.min(left, costs[kind]);
      left -= owed[kind];
    }
    if (amount <= 0) return [null, owed];
    const values = { start: isoOf(start), end: isoOf(end), costs: money(totalCosts), pay: money(pay),
      minimum: money(minimum), amount: money(amount) };
    return [{ code: 'first_week_reimbursement', amount_cents: amount,
      explanation: text('first_week_reimbursement', values),
      source: src(job.status === 'h2a' ? SRC_FIRST_WEEK_H2A : SRC_FIRST_WEEK_H2B) }, owed];
  }

  reimbursements() {
    const job = this.job;
    const prog = program(job.status);
    const s = src(job.status === 'h2a' ? SRC_H2A_CONTRACT : SRC_H2B);
    const out = [];
    const [firstWeek, owedFirst] = this.firstWeekReimbursement();
    if (firstWeek !== null) out.push(firstWeek);
    // Inbound travel and subsistence: due once half the contract period has passed (less what
    // the first workweek already owed).
    if (job.contract_start && job.contract_end) {
      const cs = dayNum(job.contract_start);
      const ce = dayNum(job.contract_end);
      const half = cs + Math.floor((ce - cs + 1) / 2);
      const unpaid = JobCheck.unpaid(this.expenses(['travel', 'subsistence'])) - (owedFirst.travel || 0);
      if (this.asOf >= half && unpaid > 0) {
        out.push({ code: 'travel_not_reimbursed', amount_cents: unpaid,
          explanation: text('travel_not_reimbursed', { date: isoOf(half), amount: money(unpaid) }), source: s });
      }
    }
    const unpaidVisa = JobCheck.unpaid(this.expenses(['visa']));
    if (unpaidVisa > 0 && job.status === 'h2b') {
      const first = this.days.size ? Math.min(...this.days.keys())
        : (job.contract_start ? dayNum(job.contract_start) : null);
      if (first !== null) {
        const firstWeekEnd = weekStartOf(first, WEEKDAYS.indexOf(job.workweek_start)) + 6;
        if (this.asOf > firstWeekEnd) {
          out.push({ code: 'visa_fees_not_reimbursed', amount_cents: unpaidVisa,
            explanation: text('visa_fees_not_reimbursed', { date: isoOf(firstWeekEnd), amount: money(unpaidVisa) }),
            source: s });
        }
      }
    } else if (unpaidVisa > 0 && !('visa' in owedFirst)) {
      // The first workweek could not be worked out (no week logged or not over yet).
      out.push({ code: 'visa_fee_ask', amount_cents: null,
        explanation: text('visa_fee_ask', { amount: money(unpaidVisa) }), source: src(SRC_FREE_AND_CLEAR) });
    }
    const fees = JobCheck.unpaid(this.expenses(['recruitment_fee']));
    if (fees > 0) {
      out.push({ code: 'recruitment_fee', amount_cents: fees,
        explanation: text('recruitment_fee', { amount: money(fees), program: prog }),
        source: src(job.status === 'h2a' ? SRC_H2A_ASSURANCES : SRC_H2B) });
    }
    return out;
  }

  payFrequency() {
    const [interval, s] = this.payInterval();
    if (interval === null) return [];
    const out = [];
    const stubs = this.stubs();
    const payDates = [...new Set(stubs.map((x) => dayNum(x.pay_date)))].sort((a, b) => a - b);
    for (let i = 0; i + 1 < payDates.length; i += 1) {
      const gap = payDates[i + 1] - payDates[i];
      if (gap > interval) {
        out.push({ code: 'pay_late', amount_cents: null,
          explanation: text('pay_late', { days: String(gap), start: isoOf(payDates[i]), end: isoOf(payDates[i + 1]), max: String(interval) }),
          source: s });
      }
    }
    if (payDates.length) {
      const last = payDates[payDates.length - 1];
      const lastEnd = Math.max(...stubs.map((x) => dayNum(x.period_end)));
      const workedAfter = [...this.days].some(([d, info]) => d > lastEnd && info.minutes > 0);
      const gap = this.asOf - last;
      if (workedAfter && gap > interval) {
        out.push({ code: 'pay_overdue', amount_cents: null,
          explanation: text('pay_overdue', { start: isoOf(last), days: String(gap), max: String(interval) }),
          source: s });
      }
    }
    return out;
  }

  run() {
    if (this.state === null) this.notes.add('no_state_rules', '', { state: this.job.state });
    this.collect();
    this.liveInNote();
    // 29 U.S.C. 213(a)(6): small farms and local hand-harvest piece workers are outside the
    // federal minimum wage; the log cannot tell, so the check says it assumed not.
    if (this.federalMinimumUsed && this.job.industry === 'agriculture' && this.job.status !== 'h2a') {
      this.notes.add('farm_minimum_exemptions', '');
    }
    const weeks = this.weeks();
    this.weekResults = weeks;
    const periods = this.periods();
    const findings = [...this.findings, ...this.jobFindings()];
    const owed = sumInts(periods.flatMap((p) => p.findings.map((f) => f.amount_cents || 0)))
      + sumInts(findings.map((f) => f.amount_cents || 0));
    return {
      job_id: this.job.id,
      employer: this.employer ? this.employer.name : null,
      state: this.job.state,
      status: this.job.status,
      pay_type: this.job.pay_type,
      weeks,
      periods,
      findings,
      notes: this.notes.items,
      total_owed_cents: owed,
      owed_by_kind: owedByKindTotal(periods, findings),
    };
  }
}

// Two jobs with one employer in overlapping weeks, over 40 h together: the FLSA counts a
// workweek's hours for one employer together (29 CFR 778.103); each job here is checked alone,
// so the report says overtime may be missing.
function sameEmployerWeeks(records, jobs, notes) {
  for (let a = 0; a < jobs.length; a += 1) {
    for (let b = a + 1; b < jobs.length; b += 1) {
      const ea = records[a].employer_id;
      if (ea !== records[b].employer_id) continue;
      if ((records[a].workweek_start || 'sunday') === (records[b].workweek_start || 'sunday')) continue;
      for (const wa of jobs[a].weeks) {
        for (const wb of jobs[b].weeks) {
          const overlap = wa.start <= wb.end && wb.start <= wa.end;
          if (overlap && wa.minutes_worked + wb.minutes_worked > 40 * 60) notes.add('same_employer_weeks', ea);
        }
      }
    }
  }
}

/**
 * Run the wage check over every job in `records` ({employers, jobs, shifts, pay_stubs,
 * expenses, incidents}) with `jurisdictions` (the pack's `wage_rules`), as of `asOf`
 * ("YYYY-MM-DD", usually today). Returns the same report as server/wages/check.py.
 */
export function checkWages(records, jurisdictions, asOf) {
  const juris = new Map((jurisdictions || []).map((j) => [j.id, j]));
  const employers = new Map((records.employers || []).map((e) => [e.id, e]));
  const notes = new Notes();
  const asOfDay = dayNum(asOf);
  const checks = (records.jobs || []).map((job) => new JobCheck(
    job, employers.get(job.employer_id) || null, records, juris, asOfDay, notes,
  ));
  checks.forEach((one, i) => {
    one.position = i;
    one.collect();
  });
  for (const one of checks) {
    one.peers = checks.filter((other) => other !== one && other.job.employer_id === one.job.employer_id
      && other.job.workweek_start === one.job.workweek_start);
  }
  for (const one of checks) if (one.peers.length) one.weeks(); // a first pass: each week's pay, for the peers' regular rate
  const jobs = checks.map((one) => one.run());
  sameEmployerWeeks(records.jobs || [], jobs, notes);
  return {
    format: 'cartilla-wage-check',
    format_version: 1,
    as_of: asOf,
    jobs,
    notes: notes.items,
    total_owed_cents: sumInts(jobs.map((j) => j.total_owed_cents)),
    owed_by_kind: Object.fromEntries(OWED_KINDS.map((k) => [k, sumInts(jobs.map((j) => j.owed_by_kind[k]))])),
  };
}
