// Entrega's codes on the phone (pwa/js/entrega/codes.js) against the vectors Python makes
// (tests/entrega_vectors.json, server/entrega/vectors.py): pickup and window codes with their
// Luhn mod 32 check, reading typed codes, fingerprints, the two words and the window QR text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ALPHABET, CodeError, fingerprint, group, luhn32Check, normalize, parseWindowQr, twoWords,
} from '../../pwa/js/entrega/codes.js';

const V = JSON.parse(readFileSync(new URL('../entrega_vectors.json', import.meta.url)));
const WORDS = JSON.parse(readFileSync(new URL('../../pwa/js/entrega/words.json', import.meta.url)));
const LENGTH = { pickup: 10, window: 6 };

test('the alphabet is the contract\'s', () => {
  assert.equal(ALPHABET, V.alphabet);
});

test('check symbols and grouping match Python', () => {
  for (const c of V.codes) {
    assert.equal(luhn32Check(c.random), c.check, c.random);
    assert.equal(group(c.random + c.check), c.shown);
  }
});

test('typed codes are read as Python reads them, typos caught before any request', () => {
  for (const t of V.typed) {
    if (t.ok) assert.equal(normalize(t.typed, LENGTH[t.kind]), t.ok, JSON.stringify(t.typed));
    else {
      assert.throws(() => normalize(t.typed, LENGTH[t.kind]),
        (err) => err instanceof CodeError && err.code === t.error, JSON.stringify(t.typed));
    }
  }
});

test('every single-symbol change and neighbour swap of a pickup code is a typo', () => {
  const code = V.codes[0].random + V.codes[0].check;
  for (let i = 0; i < code.length; i++) {
    for (const c of ALPHABET) {
      if (c === code[i]) continue;
      const typo = code.slice(0, i) + c + code.slice(i + 1);
      assert.throws(() => normalize(typo, 10), (e) => e.code === 'code_typo', typo);
    }
  }
  for (let i = 0; i + 1 < code.length; i++) {
    if (code[i] === code[i + 1]) continue;
    const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
    assert.throws(() => normalize(swapped, 10), (e) => e.code === 'code_typo', swapped);
  }
});

test('fingerprints match Python', async () => {
  for (const f of V.fingerprints) assert.equal(await fingerprint(f.recipient), f.fingerprint);
});

test('the two words match Python', async () => {
  assert.equal(WORDS.length, 256);
  for (const w of V.two_words) assert.deepEqual(await twoWords(w.recipient, WORDS), w.words);
});

test('the desk\'s window QR text is read; anything else is not', () => {
  const q = V.window_qr;
  assert.deepEqual(parseWindowQr(q.text), { code: q.code.replace('-', ''), recipient: q.recipient });
  const [, code, recipient] = q.text.split(':');
  assert.equal(parseWindowQr(`CARTILLA-W1:${code.slice(0, 3)}-${code.slice(3)}:${recipient}`).code, code);
  for (const bad of ['', 'hello', `CARTILLA-W2:${code}:${recipient}`, `CARTILLA-W1:${code}:${recipient.slice(0, -1)}`,
    `CARTILLA-W1:${code.slice(0, 5)}X:${recipient}`, `CARTILLA-W1:${code}:${recipient}:extra`, `https://example.com/?${q.text}`]) {
    assert.equal(parseWindowQr(bad), null, bad);
  }
});
