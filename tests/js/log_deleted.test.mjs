// Deleted records count nowhere: not in the replayed state the log's totals and the wage check
// read (pwa/js/log/journal.js), not in an evidence bundle's counts or date range
// (pwa/js/bundle/build.js). Issue 14.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEntry, replay } from '../../pwa/js/log/journal.js';
import { buildBundle } from '../../pwa/js/bundle/build.js';
import { keyBinding } from '../../pwa/js/bundle/keys.js';

async function journalWithADeletedShift() {
  const journal = [];
  const add = async (spec) => { journal.push(await makeEntry(journal[journal.length - 1] || null, { time: '2025-03-10T12:00:00.000Z', ...spec })); };
  await add({ kind: 'create', data: { type: 'employer', id: 'e1', name: 'Rancho' } });
  await add({ kind: 'create', data: { type: 'job', id: 'j1', employer_id: 'e1', state: 'CA', industry: 'agriculture', pay_type: 'hourly', workweek_start: 'sunday' } });
  // A shift typed with the wrong year, then deleted: it must not stretch the dates back.
  await add({ kind: 'create', data: { type: 'shift', id: 'wrong', job_id: 'j1', date: '2024-03-03', start: '07:00', end: '15:00', break_minutes: 0, from_memory: false, photo_ids: [] } });
  await add({ kind: 'delete', recordType: 'shift', recordId: 'wrong', replaces: journal[2].hash, reason: 'Año equivocado' });
  await add({ kind: 'create', data: { type: 'shift', id: 'ok', job_id: 'j1', date: '2025-03-03', start: '07:00', end: '15:00', break_minutes: 0, from_memory: false, photo_ids: [] } });
  return journal;
}

test('the replayed log has no deleted shift', async () => {
  const { state } = replay(await journalWithADeletedShift());
  assert.deepEqual([...state.shift.keys()], ['ok']);
});

test("a bundle's counts and date range leave the deleted shift out", async () => {
  const journal = await journalWithADeletedShift();
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const key = { algorithm: 'ECDSA-P256-SHA256', privateKey: pair.privateKey, publicKey: pair.publicKey };
  // The phone binds its key into the chain before it builds (bundle version 2).
  journal.push(await makeEntry(journal[journal.length - 1], { kind: 'key', key: await keyBinding(key), time: '2025-03-10T12:00:00.000Z' }));
  const { summary } = await buildBundle({
    log: { journal, photoBytes: async () => null }, selection: { employerIds: ['e1'] }, key, now: new Date('2025-03-10T12:00:00Z'),
  });
  assert.equal(summary.counts.shifts, 1);
  assert.deepEqual(summary.period, { start: '2025-03-03', end: '2025-03-03' });
});
