/** Encryption on the phone: AES-256-GCM under a key derived from a PIN or passphrase with
 * PBKDF2-SHA256. Used for the log's protection (PIN or passphrase) and for backups.
 *
 * Why 2 000 000 iterations: Chromium's WebCrypto has no memory-hard KDF (no Argon2 or scrypt,
 * and no third-party copies here), so the cost is PBKDF2's iteration count. Measured in
 * Chromium 156 on this project's 2-core machine: about 4 million PBKDF2-SHA256 iterations per
 * second on one core, so one guess costs ~0.5 s (600 000 cost ~0.15 s); a cheap phone is a few
 * times slower, about 1–2 s per unlock, which is what it can afford. No iteration count saves a
 * 4-digit PIN from someone with a copy of the phone's storage (10 000 guesses), which is why
 * the app offers a passphrase and says what a PIN protects against (log/protect.js).
 */

/** Iterations for every new lock and backup. */
export const ITERATIONS = 2000000;
/** Locks and backups made by earlier versions (600 000) still open. */
export const MIN_ITERATIONS = 600000;
/** A hostile backup file must not make the phone work for hours. */
export const MAX_ITERATIONS = 20000000;

/** "pin", "pass", or why `secret` cannot protect the log ("pinBad", "passBad"). Only digits
 * (4 to 12) is a PIN; anything else, 13 digits or more included, is a passphrase of 10 to 200
 * characters. */
export function checkSecret(secret) {
  const text = String(secret);
  if (/^[0-9]{4,12}$/.test(text)) return "pin";
  if (/^[0-9]{0,3}$/.test(text)) return "pinBad";
  const length = [...text].length;
  return length >= 10 && length <= 200 ? "pass" : "passBad";
}

export function toBase64(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** AES-GCM key from a secret; not extractable. */
export async function deriveKey(secret, salt, iterations = ITERATIONS) {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) throw new Error("iterations");
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** {iv, ct} with a fresh 12-byte IV; `value` is any JSON value. */
export async function encryptJson(key, value) {
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(JSON.stringify(value)));
  return { iv, ct: new Uint8Array(ct) };
}

/** Throws when the key is wrong or the bytes were changed (GCM authenticates). */
export async function decryptJson(key, box) {
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.ct);
  return JSON.parse(new TextDecoder().decode(pt));
}
