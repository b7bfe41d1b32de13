/** The phone's signing key: made once on the phone, kept in IndexedDB, never exported.
 *
 * Ed25519 through WebCrypto where the browser has it, otherwise ECDSA P-256 (SHA-256).
 * The private key is created non-extractable: even the app cannot read it out, it can only
 * sign with it. The public key is exported as SPKI PEM for the bundle.
 */

const DB_NAME = "cartilla-bundle";
const STORE = "keys";

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idb(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req && req.result);
    tx.onerror = () => reject(tx.error);
  });
}

async function generate() {
  try {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    return { algorithm: "Ed25519", privateKey: pair.privateKey, publicKey: pair.publicKey };
  } catch (_) {
    const pair = await crypto.subtle.generateKey(
      { name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    return { algorithm: "ECDSA-P256-SHA256", privateKey: pair.privateKey, publicKey: pair.publicKey };
  }
}

/** The phone's key {algorithm, privateKey, publicKey}, made on first use. */
export async function signingKey() {
  const db = await openDb();
  let key = await idb(db, "readonly", (s) => s.get("signing"));
  if (!key) {
    key = await generate();
    await idb(db, "readwrite", (s) => s.put(key, "signing"));
  }
  db.close();
  return key;
}

/** Sign bytes: raw signature (Ed25519 64 bytes; ECDSA r||s 64 bytes, as WebCrypto gives). */
export async function sign(key, bytes) {
  const params = key.algorithm === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", hash: "SHA-256" };
  return new Uint8Array(await crypto.subtle.sign(params, key.privateKey, bytes));
}

export function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** What the journal's "key" entry records: {algorithm, fingerprint: SHA-256 hex of the DER}. */
export async function keyBinding(key) {
  const { der } = await publicPem(key);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return { algorithm: key.algorithm, fingerprint: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") };
}

/** Make sure the log's chain names this phone's key last (see store.bindKey); `store` is
 * pwa/js/log/store.js, passed in so this module loads the log's code only when asked. */
export async function ensureKeyBound(store) {
  return store.bindKey(await keyBinding(await signingKey()));
}

/** The public key as SPKI PEM, the form OpenSSL and Python read. */
export async function publicPem(key) {
  const der = new Uint8Array(await crypto.subtle.exportKey("spki", key.publicKey));
  const lines = base64(der).match(/.{1,64}/g).join("\n");
  return { pem: `-----BEGIN PUBLIC KEY-----\n${lines}\n-----END PUBLIC KEY-----\n`, der };
}
