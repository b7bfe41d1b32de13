// Entrega's envelope on the phone (pwa/js/entrega/envelope.js) against Python's vectors: the
// same padded bytes for the same bundle, the same refusals, the 48 MiB limit; and an age file
// Python (pyrage) encrypted opens here with age-encryption (Python -> JS interop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BUCKETS, EnvelopeError, MAX_PLAINTEXT, bucketFor, makeEnvelope, readEnvelope } from '../../pwa/js/entrega/envelope.js';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';

const V = JSON.parse(readFileSync(new URL('../entrega_vectors.json', import.meta.url)));
const b64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));

/** A vector's bytes: head, then NUL fill, then tail at the very end, `total` long. */
function bytesOf(v) {
  const out = new Uint8Array(v.total);
  const head = b64(v.head);
  out.set(head.subarray(0, Math.min(head.length, v.total)), 0);
  if (v.tail) { const tail = b64(v.tail); out.set(tail, v.total - tail.length); }
  return out;
}

test('buckets are the contract\'s', () => {
  assert.deepEqual(BUCKETS, V.buckets);
  assert.equal(bucketFor(1), 65536);
  assert.equal(bucketFor(65537), 131072);
  assert.equal(bucketFor(MAX_PLAINTEXT), MAX_PLAINTEXT);
  assert.throws(() => bucketFor(MAX_PLAINTEXT + 1), (e) => e instanceof EnvelopeError && e.code === 'too_large');
});

test('the phone makes the same envelope as Python, and reads or refuses each vector the same', () => {
  for (const v of V.envelopes) {
    const data = bytesOf(v);
    if (v.error) {
      assert.throws(() => readEnvelope(data), (e) => e instanceof EnvelopeError && e.code === v.error, v.case);
      continue;
    }
    const bundle = b64(v.bundle);
    assert.deepEqual(makeEnvelope(v.name, bundle), data, v.case);
    const read = readEnvelope(data);
    assert.equal(read.name, v.name);
    assert.deepEqual(read.bundle, bundle);
  }
});

test('a bundle over 48 MiB is refused before anything is encrypted', () => {
  const big = new Uint8Array(MAX_PLAINTEXT - 40);
  big[0] = 1;
  assert.throws(() => makeEnvelope('cartilla-big.zip', big), (e) => e.code === 'too_large');
  assert.throws(() => makeEnvelope('../x.zip', new Uint8Array(3)), (e) => e.code === 'bad_name');
  assert.throws(() => makeEnvelope('x.zip', new Uint8Array(0)), (e) => e.code === 'empty');
});

test('Python -> JS: the age file pyrage made opens with age-encryption, an envelope inside', async () => {
  const dec = new Decrypter();
  dec.addIdentity(V.age.identity);
  const plain = await dec.decrypt(b64(V.age.ciphertext));
  assert.equal(createHash('sha256').update(plain).digest('hex'), V.age.plaintext_sha256);
  assert.equal(readEnvelope(plain).name, 'cartilla-evidence-2026-12-02.zip');
});

test('a tampered age file is refused, and another identity cannot open it', async () => {
  const box = b64(V.age.ciphertext);
  box[box.length - 5] ^= 1;
  const dec = new Decrypter();
  dec.addIdentity(V.age.identity);
  await assert.rejects(dec.decrypt(box));
  const other = new Decrypter();
  other.addIdentity(await generateX25519Identity());
  await assert.rejects(other.decrypt(b64(V.age.ciphertext)));
});

test('JS round trip to several recipients (a key rotation): either identity opens it', async () => {
  const a = await generateX25519Identity();
  const b = await generateX25519Identity();
  const enc = new Encrypter();
  enc.addRecipient(await identityToRecipient(a));
  enc.addRecipient(await identityToRecipient(b));
  const plain = makeEnvelope('cartilla-x.zip', new Uint8Array([80, 75, 5, 6]));
  const box = await enc.encrypt(plain);
  for (const id of [a, b]) {
    const dec = new Decrypter();
    dec.addIdentity(id);
    assert.deepEqual(await dec.decrypt(box), plain);
  }
});
