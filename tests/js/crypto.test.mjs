// The phone's encryption (pwa/js/log/crypto.js): what a PIN or passphrase may be, the KDF's
// bounds, and that AES-GCM refuses a wrong key or changed bytes. Run: node --test tests/js/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS, checkSecret, decryptJson, deriveKey, encryptJson, randomBytes,
} from '../../pwa/js/log/crypto.js';

test('a PIN is 4 to 12 digits; anything else is a passphrase of 10 to 200 characters', () => {
  const cases = {
    '4821': 'pin', '000000000000': 'pin', '': 'pinBad', '123': 'pinBad',
    '1234567890123': 'pass', // 13 digits: long enough to count as a passphrase
    'corta': 'passBad', '48 21': 'passBad', 'cuatro palabras que recuerdo': 'pass',
    'ñandú árbol': 'pass', ['🌽'.repeat(10)]: 'pass', ['🌽'.repeat(9)]: 'passBad',
    ['a'.repeat(200)]: 'pass', ['a'.repeat(201)]: 'passBad',
  };
  for (const [secret, kind] of Object.entries(cases)) assert.equal(checkSecret(secret), kind, JSON.stringify(secret));
});

test('new locks and backups cost 2 000 000 iterations; older 600 000 ones still open', () => {
  assert.equal(ITERATIONS, 2000000);
  assert.equal(MIN_ITERATIONS, 600000);
  assert.ok(MAX_ITERATIONS >= ITERATIONS);
});

test('the KDF refuses too few, too many (a hostile backup) or non-integer iterations', async () => {
  const salt = randomBytes(16);
  for (const bad of [MIN_ITERATIONS - 1, MAX_ITERATIONS + 1, 1e12, 600000.5, '600000', null]) {
    await assert.rejects(deriveKey('4821', salt, bad), /iterations/, String(bad));
  }
});

test('sealed JSON opens with the same secret and salt only, and not once a byte changed', async () => {
  const salt = randomBytes(16);
  const key = await deriveKey('cuatro palabras que recuerdo', salt, MIN_ITERATIONS);
  const box = await encryptJson(key, { status: 'undocumented', notes: 'huerta norte' });
  assert.ok(!new TextDecoder('latin1').decode(box.ct).includes('undocumented'));
  const again = await deriveKey('cuatro palabras que recuerdo', salt, MIN_ITERATIONS);
  assert.deepEqual(await decryptJson(again, box), { status: 'undocumented', notes: 'huerta norte' });
  const wrong = await deriveKey('cuatro palabras que olvido', salt, MIN_ITERATIONS);
  await assert.rejects(decryptJson(wrong, box));
  const changed = { iv: box.iv, ct: box.ct.slice() };
  changed.ct[0] ^= 1;
  await assert.rejects(decryptJson(again, changed));
  const other = await encryptJson(key, 'cartilla');
  assert.notDeepEqual(other.iv, box.iv); // a fresh IV every time
});
