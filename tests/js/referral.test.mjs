// The staff desk's referral deadlines (pwa/staff/referral.js) on the vectors that
// tests/test_evidence_referral.py runs through server/evidence/referral.py. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { referrals, sinceText, deadlineText } from '../../pwa/staff/referral.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = JSON.parse(readFileSync(join(ROOT, 'tests', 'referral_vectors.json'), 'utf8'));
const MAP = JSON.parse(readFileSync(join(ROOT, 'pwa', 'staff', 'referral-map.json'), 'utf8'));

// The case's expenses and incidents as journal entries: an incident is logged at its own
// `logged` time (else noon of its date) and deleted afterwards when `deleted` is set.
function caseEntries(c) {
  const out = [];
  (c.expenses || []).forEach((x, i) => out.push({ seq: out.length, kind: 'create', time: `${x.date}T12:00:00Z`, record_type: 'expense', record_id: `x${i}`,
    data: { type: 'expense', id: `x${i}`, job_id: 'job1', date: x.date, kind: x.kind, amount_cents: 50000 } }));
  c.incidents.forEach((item, i) => {
    const time = item.logged || `${item.date}T12:00:00Z`;
    out.push({ seq: out.length, kind: 'create', time, record_type: 'incident', record_id: `i${i}`,
      data: { type: 'incident', id: `i${i}`, date: item.date, kind: item.kind } });
    if (item.deleted) out.push({ seq: out.length, kind: 'delete', time, record_type: 'incident', record_id: `i${i}`, data: null });
  });
  return out;
}
const entries = (incidents) => caseEntries({ incidents });

for (const c of VECTORS.cases) {
  test(c.name, () => {
    const got = referrals(c.wage_check || null, caseEntries(c), VECTORS.data, c.state, MAP).map((r) => ({
      problem_id: r.problem_id, first_date: r.first_date, lead: r.lead,
      routes: r.routes.map((route) => [route.agency_id, route.deadline_date]),
    }));
    const expect = c.expect.map((e) => ({ problem_id: e.problem_id, first_date: e.first_date, lead: e.lead, routes: e.routes }));
    assert.deepEqual(got, expect);
  });
}

test('California gives 300 days and Georgia 180 for an EEOC charge', () => {
  const eeoc = (state) => referrals(null, entries([{ kind: 'harassment', date: '2026-01-10' }]), VECTORS.data, state, MAP)[0]
    .routes.find((r) => r.agency_id === 'eeoc').deadline_date;
  assert.equal(eeoc('CA'), '2026-11-06');
  assert.equal(eeoc('GA'), '2026-07-09');
});

// What staff read, dates in words: the same sentences as server/evidence/referral.py.
for (const v of VECTORS.sentences) {
  test(`referral sentences in words for ${v.first} → ${v.deadline}`, () => {
    for (const lang of ['es', 'en']) {
      assert.equal(sinceText(v.first, lang), v[lang].since);
      assert.equal(deadlineText(v.deadline, v.first, lang), v[lang].deadline);
    }
  });
}

test('no referral sentence of any case shows an ISO date', () => {
  for (const c of VECTORS.cases) {
    for (const r of referrals(c.wage_check || null, caseEntries(c), VECTORS.data, c.state, MAP)) {
      for (const lang of ['es', 'en']) {
        const said = [sinceText(r.first_date, lang), ...r.routes.filter((x) => x.deadline_date).map((x) => deadlineText(x.deadline_date, r.first_date, lang))];
        for (const s of said) assert.doesNotMatch(s, /\d{4}-\d\d-\d\d/, `${c.name}: ${s}`);
      }
    }
  }
});
