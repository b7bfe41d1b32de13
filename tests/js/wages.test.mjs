// The shared wage vectors through the phone's check (pwa/js/wages.js). Run: node --test tests/js/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import './wage_texts.mjs';
import { readFileSync } from 'node:fs';
import { checkWages, money, duration, roundCents } from '../../pwa/js/wages.js';
import { isoDateWords } from '../../pwa/js/log/shifts.js';
import { expandLog, loadVectors, reportFindings, reportNotes } from './vectors.mjs';

const VECTORS = loadVectors();
const key = ([code, amount]) => `${code}|${amount === null ? 'null' : amount}`;

for (const { id, rules, vector } of VECTORS) {
  test(id, () => {
    const useRules = vector.rules || rules;
    const report = checkWages(expandLog(vector.log), useRules.jurisdictions, vector.as_of);
    const expect = vector.expect;
    assert.deepEqual(reportFindings(report).map(key).sort(), expect.findings.map(key).sort());
    if (expect.notes) assert.deepEqual([...reportNotes(report)].sort(), [...expect.notes].sort());
    if ('total_owed_cents' in expect) assert.equal(report.total_owed_cents, expect.total_owed_cents);
    if (expect.owed_by_kind) {
      const got = Object.fromEntries(Object.keys(expect.owed_by_kind).map((k) => [k, report.owed_by_kind[k]]));
      assert.deepEqual(got, expect.owed_by_kind);
    }
    const job = report.jobs[0] || { weeks: [], periods: [] };
    for (const part of ['weeks', 'periods']) {
      if (!expect[part]) continue;
      assert.ok(job[part].length >= expect[part].length, `${part}: too few`);
      expect[part].forEach((want, i) => {
        const got = Object.fromEntries(Object.keys(want).map((k) => [k, job[part][i][k]]));
        assert.deepEqual(got, want, `${part}[${i}]`);
      });
    }
  });
}

// The phone shows these figures as they are: each week's three parts make its expected pay,
// and each period's owed-by-kind makes what its unpaid-wages finding claims.
for (const { id, rules, vector } of VECTORS) {
  test(`${id}: the shown figures add up`, () => {
    const report = checkWages(expandLog(vector.log), (vector.rules || rules).jurisdictions, vector.as_of);
    for (const job of report.jobs) {
      for (const w of job.weeks) {
        assert.equal(w.straight_pay_cents + w.overtime_pay_cents + w.double_time_pay_cents, w.expected_cents, w.start);
        assert.ok(w.overtime_pay_cents >= 0 && w.double_time_pay_cents >= 0);
      }
      for (const p of job.periods) {
        const owed = p.findings.filter((f) => f.code === 'underpaid' || f.code === 'no_pay_recorded')
          .reduce((a, f) => a + (f.amount_cents || 0), 0);
        assert.equal(p.owed_overtime_cents + p.owed_straight_cents, owed, p.start);
        assert.ok(p.owed_overtime_cents >= 0 && p.owed_straight_cents >= 0);
      }
      assert.equal(Object.values(job.owed_by_kind).reduce((a, b) => a + b, 0), job.total_owed_cents);
    }
  });
}

test('at least 40 vectors, each with a hand-worked comment', () => {
  assert.ok(VECTORS.length >= 40);
  for (const { id, vector } of VECTORS) assert.ok((vector.comment || '').length > 40, id);
});

test('money and duration print the same way as Python', () => {
  assert.equal(money(0), '$0.00');
  assert.equal(money(123456), '$1,234.56');
  assert.equal(money(100000000), '$1,000,000.00');
  assert.equal(money(99999), '$999.99');
  assert.equal(money(-123456), '-$1,234.56');
  assert.equal(money(-5), '-$0.05');
  assert.equal(duration(2730), '45 h 30 min');
  assert.equal(duration(120), '2 h');
});

test('rounding is half up on exact fractions', () => {
  assert.equal(roundCents(0), 0);
  // 30 minutes at 1001 cents an hour = 500.5 cents -> 501
  const report = checkWages(expandLog({
    jobs: [{ state: 'TX', industry: 'cleaning', promised_rate_cents: 1001, workweek_start: 'monday' }],
    shifts: [['2025-03-03', '08:00', '08:30', 0]],
  }), [], '2025-03-05');
  assert.equal(report.jobs[0].weeks[0].expected_cents, 501);
});

// How the wage check's sentences say a date, on the same vectors as messages.py date_words.
const DATES = JSON.parse(readFileSync(new URL('../wage_text_vectors.json', import.meta.url), 'utf8')).dates;
test('dates are said in words as in Python', () => {
  for (const c of DATES) {
    assert.equal(isoDateWords(c.iso, 'es'), c.es, c.iso);
    assert.equal(isoDateWords(c.iso, 'en'), c.en, c.iso);
  }
});

const textsOf = (node) => (Array.isArray(node) ? node.flatMap(textsOf)
  : node && typeof node === 'object' ? (Object.keys(node).sort().join() === 'en,es' ? [node] : Object.values(node).flatMap(textsOf)) : []);
test('no sentence of the wage check shows an ISO date', () => {
  let seen = 0;
  for (const { id, rules, vector } of VECTORS) {
    const report = checkWages(expandLog(vector.log), (vector.rules || rules).jurisdictions, vector.as_of);
    for (const t of textsOf(report)) {
      assert.ok(!/\d{4}-\d{2}-\d{2}/.test(t.es) && !/\d{4}-\d{2}-\d{2}/.test(t.en), `${id}: ${t.es} / ${t.en}`);
      if (/\d de [a-z]+ de \d{4}/.test(t.es)) seen += 1;
    }
  }
  assert.ok(seen > 20, `only ${seen} dated sentences`);
});
