// The phone's bundle builder (pwa/js/bundle/build.js) makes version-2 bundles: the signing key
// must be bound in the journal (a "key" entry) and the signature is over the tag manifest.
// The desk's verifier (pwa/staff/verify.js) checks what the phone made. Issue 11.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEntry } from '../../pwa/js/log/journal.js';
import { buildBundle, select } from '../../pwa/js/bundle/build.js';
import { keyBinding } from '../../pwa/js/bundle/keys.js';
import { verifyBundle } from '../../pwa/staff/verify.js';

const TIME = '2025-03-10T12:00:00.000Z';

async function newKey() {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  return { algorithm: 'Ed25519', privateKey: pair.privateKey, publicKey: pair.publicKey };
}

async function journalFor(key) {
  const journal = [];
  const add = async (spec) => { journal.push(await makeEntry(journal[journal.length - 1] || null, { time: TIME, ...spec })); };
  if (key) await add({ kind: 'key', key: await keyBinding(key) });
  await add({ kind: 'create', data: { type: 'employer', id: 'e1', name: 'Rancho' } });
  await add({ kind: 'create', data: { type: 'employer', id: 'e2', name: 'Otro' } });
  await add({ kind: 'create', data: { type: 'job', id: 'j1', employer_id: 'e1', state: 'CA', industry: 'agriculture', pay_type: 'hourly', workweek_start: 'sunday' } });
  await add({ kind: 'create', data: { type: 'shift', id: 's1', job_id: 'j1', date: '2025-03-03', start: '07:00', end: '15:00', break_minutes: 0, from_memory: false, photo_ids: [] } });
  return journal;
}

const build = (journal, key) => buildBundle({
  log: { journal, photoBytes: async () => null }, selection: { employerIds: ['e1'] }, key, now: new Date('2025-03-10T12:05:00Z'),
});

test('a bundle from a journal that binds its key is version 2, signed over the tag manifest, and verifies', async () => {
  const key = await newKey();
  const journal = await journalFor(key);
  const out = await build(journal, key);
  const text = (name) => new TextDecoder().decode(out.files.get(name));
  assert.match(text('bag-info.txt'), /^Cartilla-Bundle-Version: 2$/m);
  assert.ok(out.files.has('tagmanifest-sha256.txt.sig'));
  assert.ok(!out.files.has('manifest-sha256.txt.sig'));
  const listed = text('tagmanifest-sha256.txt').trim().split('\n').map((l) => l.split('  ')[1]).sort();
  assert.deepEqual(listed, ['LEEME-README.txt', 'bag-info.txt', 'bagit.txt', 'manifest-sha256.txt', 'public-key.pem']);
  const report = await verifyBundle(new Uint8Array(await out.blob.arrayBuffer()));
  assert.deepEqual(report.errorCodes, {});
  assert.equal(report.ok, true);
  // No receipts: no entry is covered, and the report says which (all of them).
  assert.deepEqual(report.uncovered, { from: 0, to: journal.length - 1 });
  assert.ok(report.checks.receipts.notes.some((n) => n.code === 'no_receipts'));
});

test('the key entry is never withheld, whatever the worker leaves out', async () => {
  const key = await newKey();
  const journal = await journalFor(key);
  const { keep } = select(journal, { employerIds: ['e1'], start: '2025-03-04' });
  assert.ok(keep.has(0) && !keep.has(2));
});

test('the phone refuses to build with a key the journal does not name last', async () => {
  const key = await newKey();
  await assert.rejects(build(await journalFor(null), key), /key_not_bound/);
  await assert.rejects(build(await journalFor(await newKey()), key), /key_not_bound/);
});
