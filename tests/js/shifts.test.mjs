// Shift sanity rules on the phone (pwa/js/log/shifts.js) over the vectors Python also runs
// (tests/shift_vectors.json, see tests/test_log_shifts.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkShift, forWageCheck } from '../../pwa/js/log/shifts.js';

const VECTORS = JSON.parse(readFileSync(new URL('../shift_vectors.json', import.meta.url), 'utf8'));
const shift = (raw, i) => ({ type: 'shift', id: `s${i}`, job_id: 'j1', break_minutes: 0, ...raw });
const iso = (n) => new Date(n * 86400000).toISOString().slice(0, 10);

for (const c of VECTORS.check) {
  test(`check: ${c.name}`, () => {
    const others = (c.others || []).map((o, i) => shift(o, 100 + i));
    const got = checkShift(shift(c.shift, 0), others, c.today).map((i) => [i.code, i.other ? i.other.id : null]);
    assert.deepEqual(got, c.issues);
  });
}

for (const c of VECTORS.wage) {
  test(`wage: ${c.name}`, () => {
    const r = forWageCheck(c.shifts.map((s, i) => shift(s, i + 1)), 'j1', c.as_of);
    assert.deepEqual([...r.skip].sort(), c.skip);
    assert.deepEqual(Object.fromEntries([...r.trimmed].map(([k, v]) => [k, v.map(([d, m]) => [iso(d), m])])), c.trimmed);
    assert.deepEqual(r.findings.map((f) => f.code), c.findings.map((f) => f[0]));
    r.findings.forEach((f, i) => {
      assert.equal(f.amount_cents, null);
      if (c.findings[i][1] !== null) assert.deepEqual([f.explanation.es, f.explanation.en], c.findings[i].slice(1));
    });
  });
}

test('refusals and questions are told apart', () => {
  const issues = checkShift(shift({ date: '2025-06-09', start: '06:00', end: '05:00' }, 0), [], '2025-06-10');
  assert.deepEqual(issues.map((i) => i.refused), [false, false]);
  assert.equal(checkShift(shift({ date: '2025-06-11', start: '06:00', end: '07:00' }, 0), [], '2025-06-10')[0].refused, true);
});
