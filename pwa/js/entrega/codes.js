/** Entrega's short codes and fingerprints (docs/entrega.md "Keys and fingerprints", "Pickup
 * codes"), exactly as server/entrega/codes.py makes and reads them; tests/entrega_vectors.json
 * holds both to the same answers.
 *
 * Crockford base32 (no I, L, O, U). A pickup code is 9 random symbols and a check symbol (Luhn
 * mod 32), shown XXXXX-XXXXX; a window code 5 + 1, shown XXX-XXX. A typed code is read leniently
 * (case, spaces, dashes, O for 0, I and L for 1) and a wrong check symbol is caught here, before
 * any request: "this code has a typo". */

export const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));
const ALIASES = { O: "0", I: "1", L: "1" };
export const PICKUP_LENGTH = 10;
export const WINDOW_LENGTH = 6;

/** A typed code that cannot be right: code "bad_code" (wrong length or symbols) or
 * "code_typo" (the check symbol does not fit). */
export class CodeError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

export function luhn32Check(symbols) {
  let factor = 2;
  let total = 0;
  for (let i = symbols.length - 1; i >= 0; i--) {
    const addend = factor * VALUE.get(symbols[i]);
    factor = factor === 2 ? 1 : 2;
    total += Math.floor(addend / 32) + (addend % 32);
  }
  return ALPHABET[(32 - (total % 32)) % 32];
}

/** "8XSFT6EXT8" -> "8XSFT-6EXT8"; "88DJ0W" -> "88D-J0W". */
export function group(code) {
  const half = Math.floor(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** A typed code as its symbols without the dash, or a CodeError. */
export function normalize(typed, length) {
  const text = [...String(typed).trim().toUpperCase().replace(/[ -]/g, "")].map((c) => ALIASES[c] || c).join("");
  if (text.length !== length || [...text].some((c) => !VALUE.has(c))) throw new CodeError("bad_code");
  if (luhn32Check(text.slice(0, -1)) !== text[text.length - 1]) throw new CodeError("code_typo");
  return text;
}

export const normalizePickup = (typed) => normalize(typed, PICKUP_LENGTH);
export const normalizeWindow = (typed) => normalize(typed, WINDOW_LENGTH);

async function sha256(text) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** "K7QX2-M9D4P": the first 50 bits of SHA-256 over the recipient string, in base32. */
export async function fingerprint(recipient) {
  const d = await sha256(recipient);
  let bits = 0n;
  for (let i = 0; i < 7; i++) bits = (bits << 8n) | BigInt(d[i]);
  bits >>= 6n;
  let out = "";
  for (let i = 9; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)];
  return group(out);
}

let wordList = null;
/** The 256 words (./words.json), fetched once. */
export async function loadWords() {
  if (!wordList) {
    wordList = fetch(new URL("./words.json", import.meta.url)).then((r) => {
      if (!r.ok) throw new Error(`words.json: HTTP ${r.status}`);
      return r.json();
    });
    wordList.catch(() => { wordList = null; });
  }
  return wordList;
}

/** The two words both screens show in the window flow: SHA-256 over the recipient, first two
 * bytes. `words` defaults to ./words.json. */
export async function twoWords(recipient, words) {
  const table = words || (await loadWords());
  const d = await sha256(recipient);
  return [table[d[0]], table[d[1]]];
}

const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
/** The desk's window QR text "CARTILLA-W1:<code>:<recipient>" -> {code, recipient}, or null for
 * anything else (another QR code, a typo'd one). The code comes back normalised (no dash). */
export function parseWindowQr(text) {
  const m = /^CARTILLA-W1:([0-9A-Za-z-]{6,7}):(age1[0-9a-z]+)$/.exec(String(text).trim());
  if (!m || !RECIPIENT.test(m[2])) return null;
  try {
    return { code: normalizeWindow(m[1]), recipient: m[2] };
  } catch (_) {
    return null;
  }
}
