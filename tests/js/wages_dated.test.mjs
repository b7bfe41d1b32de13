// Rules dated ahead take effect on their date on the phone, offline: the pack already holds the
// next figure, and the phone's check (pwa/js/wages.js) switches to it on that date, whatever
// day the pack was downloaded. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import './wage_texts.mjs';
import { checkWages } from '../../pwa/js/wages.js';
import { expandLog } from './vectors.mjs';

const src = (t) => ({ title: t, url: 'https://example.test/' + t.replace(/\W+/g, '-') });
// A pack downloaded in December 2026: CA's 2027 figure is already in it, dated 1 January 2027.
const PACK = [
  { id: 'federal', minimum_wage: [{ effective: '2009-07-24', rate: 7.25, source: src('federal minimum') }],
    overtime: { general: [{ effective: '2009-07-24', weekly_after: 40, source: src('federal overtime') }] } },
  { id: 'CA', minimum_wage: [
    { effective: '2026-01-01', rate: 16.9, source: src('CA 2026') },
    { effective: '2027-01-01', rate: 17.5, source: src('CA 2027') },
  ] },
];
const LOG = {
  jobs: [{ state: 'CA', industry: 'cleaning', workweek_start: 'monday' }],
  shifts: [['2026-12-31', '08:00', '16:00', 0], ['2027-01-01', '08:00', '16:00', 0]],
};

test('the 2027 figure applies from 1 January 2027, the day before keeps 2026', () => {
  const report = checkWages(expandLog(LOG), PACK, '2027-01-05');
  const week = report.jobs[0].weeks[0];
  // Thursday 31 December: 8 h x $16.90 = $135.20; Friday 1 January: 8 h x $17.50 = $140.00.
  assert.equal(week.expected_cents, 13520 + 14000);
  assert.equal(week.floor_rate_cents, 1750);
});

test('as of 31 December 2026 the new year has not come: the 1 January shift is in the future', () => {
  const report = checkWages(expandLog(LOG), PACK, '2026-12-31');
  const job = report.jobs[0];
  assert.deepEqual(job.findings.map((f) => f.code), ['shift_future']);
  assert.equal(job.weeks[0].expected_cents, 13520);
  assert.equal(job.weeks[0].floor_rate_cents, 1690);
});
