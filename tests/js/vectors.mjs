// Loading the shared wage vectors the same way tests/test_wages_support.py does.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'wage_vectors');

export function loadVectors() {
  const out = [];
  for (const name of readdirSync(VECTOR_DIR).filter((n) => n.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(join(VECTOR_DIR, name), 'utf8'));
    for (const vector of doc.vectors) {
      out.push({ id: `${name.replace(/\.json$/, '')}:${vector.name}`, rules: doc.rules, vector });
    }
  }
  return out;
}

export function expandLog(input) {
  const log = structuredClone(input);
  log.jobs = log.jobs || [];
  for (const job of log.jobs) {
    job.id ??= 'j1';
    job.employer_id ??= 'e1';
  }
  log.employers ??= [{ id: 'e1', name: 'Test employer' }];
  const firstJob = log.jobs.length ? log.jobs[0].id : 'j1';
  log.shifts = (log.shifts || []).map((s) => {
    if (!Array.isArray(s)) return s;
    const item = { date: s[0], start: s[1], end: s[2], break_minutes: s.length > 3 ? s[3] : 0 };
    if (s.length > 4) item.piece_units = s[4];
    return item;
  });
  for (const [key, prefix] of [['shifts', 's'], ['pay_stubs', 'p'], ['expenses', 'x'], ['incidents', 'i']]) {
    (log[key] || []).forEach((item, i) => {
      item.id ??= `${prefix}${i + 1}`;
      item.job_id ??= firstJob;
      if (key === 'pay_stubs') item.pay_date ??= item.period_end;
    });
  }
  return log;
}

export function reportFindings(report) {
  const found = [];
  for (const job of report.jobs) {
    for (const p of job.periods) for (const f of p.findings) found.push([f.code, f.amount_cents]);
    for (const f of job.findings) found.push([f.code, f.amount_cents]);
  }
  return found;
}

export function reportNotes(report) {
  const codes = new Set(report.notes.map((n) => n.code));
  for (const job of report.jobs) for (const n of job.notes) codes.add(n.code);
  return codes;
}
