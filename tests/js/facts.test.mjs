// The desk's journal facts (pwa/staff/facts.js) on the vectors tests/test_evidence_facts.py runs
// through server/evidence/facts.py: the same facts and the same words. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { claims, disagreements, facts, wageDisagreement } from '../../pwa/staff/facts.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = JSON.parse(readFileSync(join(ROOT, 'tests', 'facts_vectors.json'), 'utf8'));

test('the vectors cover edits, deletes, withheld lines and every disagreement kind', () => {
  assert.ok(VECTORS.cases.length >= 7);
  const codes = new Set(VECTORS.cases.flatMap((c) => c.expect.disagreements.map((d) => d.code)));
  for (const code of ['employers', 'period', 'counts.shifts', 'counts.pay', 'counts.photos']) assert.ok(codes.has(code), code);
});

for (const c of VECTORS.cases) {
  test(c.name, () => {
    const got = facts(c.journal);
    assert.deepEqual(got, c.expect.facts);
    assert.deepEqual(disagreements(got, c.summary), c.expect.disagreements);
  });
}

for (const c of VECTORS.claims) test(`claims: ${c.name}`, () => assert.deepEqual(claims(c.wage_check), c.expect));
for (const c of VECTORS.wage) test(`wage check: ${c.name}`, () => assert.deepEqual(wageDisagreement(c.phone, c.recomputed), c.expect));
