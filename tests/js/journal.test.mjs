// The phone's hash chain agrees byte for byte with server/log_format.py. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { canonicalJson, entryHash, makeEntry, verifyChain } from '../../pwa/js/log/journal.js';

const fixture = JSON.parse(readFileSync(new URL('./journal_fixture.json', import.meta.url), 'utf8'));

test('every fixture hash computed by Python is recomputed by JS', async () => {
  for (const entry of fixture.journal) assert.equal(await entryHash(entry), entry.hash);
  const result = await verifyChain(fixture.journal);
  assert.equal(result.ok, true);
  assert.equal(result.head, fixture.journal.at(-1).hash);
});

test('canonical JSON sorts keys, drops spaces, escapes like Python, refuses floats', () => {
  assert.equal(canonicalJson({ b: 1, a: 'ñ', c: [true, null] }), '{"a":"ñ","b":1,"c":[true,null]}');
  assert.equal(canonicalJson({ t: 'a\nb\u0001"\\' }), '{"t":"a\\nb\\u0001\\"\\\\"}');
  assert.throws(() => canonicalJson({ rate: 12.5 }));
});

test('a changed entry breaks the chain where it was changed', async () => {
  const journal = structuredClone(fixture.journal);
  journal[1].data.end = '07:00';
  const result = await verifyChain(journal);
  assert.deepEqual(result.problems.map((p) => [p.code, p.seq]), [['hash_mismatch', 1]]);
  journal[1].hash = await entryHash(journal[1]);
  const relinked = await verifyChain(journal);
  // The next entry no longer links, and its "replaces" names a hash that is gone.
  assert.deepEqual(relinked.problems.map((p) => [p.code, p.seq]), [['broken_link', 2], ['replaces_unknown', 2]]);
});

test('new entries link to the last one and an edit without reason is flagged', async () => {
  const last = fixture.journal.at(-1);
  const next = await makeEntry(last, { kind: 'edit', data: { type: 'employer', id: 'e1', name: 'X' }, replaces: fixture.journal[0].hash, reason: ' ' });
  assert.equal(next.seq, last.seq + 1);
  assert.equal(next.prev_hash, last.hash);
  const result = await verifyChain([...fixture.journal, next]);
  assert.deepEqual(result.problems.map((p) => p.code), ['no_reason']);
});
