// The staff desk's referral deadlines (pwa/staff/referral.js) on the vectors that
// tests/test_evidence_referral.py runs through server/evidence/referral.py. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { referrals } from '../../pwa/staff/referral.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = JSON.parse(readFileSync(join(ROOT, 'tests', 'referral_vectors.json'), 'utf8'));
const MAP = JSON.parse(readFileSync(join(ROOT, 'pwa', 'staff', 'referral-map.json'), 'utf8'));

const entries = (incidents) => incidents.map((item, i) => ({
  seq: i, kind: 'create', record_type: 'incident',
  data: { type: 'incident', id: `i${i}`, date: item.date, kind: item.kind },
}));

for (const c of VECTORS.cases) {
  test(c.name, () => {
    const got = referrals(null, entries(c.incidents), VECTORS.data, c.state, MAP).map((r) => ({
      problem_id: r.problem_id,
      routes: r.routes.map((route) => [route.agency_id, route.deadline_date]),
    }));
    assert.deepEqual(got, c.expect);
  });
}

test('California gives 300 days and Georgia 180 for an EEOC charge', () => {
  const eeoc = (state) => referrals(null, entries([{ kind: 'harassment', date: '2026-01-10' }]), VECTORS.data, state, MAP)[0]
    .routes.find((r) => r.agency_id === 'eeoc').deadline_date;
  assert.equal(eeoc('CA'), '2026-11-06');
  assert.equal(eeoc('GA'), '2026-07-09');
});
