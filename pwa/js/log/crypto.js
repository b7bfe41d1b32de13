/** Encryption on the phone: AES-256-GCM under a key derived from a PIN or passphrase with
 * PBKDF2-SHA256 (600 000 iterations or more). Used for the PIN lock and for backups. */

export const ITERATIONS = 600000;

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
  if (iterations < ITERATIONS) throw new Error("too few iterations");
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
