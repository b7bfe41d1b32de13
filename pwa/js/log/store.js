/** The worker's log on the phone, in IndexedDB. Never sent anywhere.
 *
 * The database is "cartilla-log" until protection (PIN or passphrase) is turned on, changed or
 * off: then everything moves into a fresh database with a new random name ("cartilla-log-…",
 * log/protect.js) and the old one is deleted, so the live databases never hold what was
 * written in the clear; localStorage "cartilla.logdb" names the current one.
 * While the log is unlocked the key is in memory only, and it is forgotten when the app is
 * hidden or after IDLE_MS without a touch (auto-lock; "cartilla:lock" tells app.js).
 *
 * Stores (schema version 2; MIGRATIONS below, each keeps every existing record):
 * - "journal" (keyPath "seq"): {seq, entry} or, with the PIN lock on, {seq, box: {iv, ct}};
 * - "photos" (keyPath "id"): {id, mime, sha256, data: Uint8Array} or {id, box};
 * - "drafts": form name -> value (or {box}): what the worker was typing, saved as they type;
 * - "meta": settings that are not the worker's records: the lock's salt and check value,
 *   lastBackupAt.
 * Writes go one at a time through a queue, so two quick taps never fork the chain; each saved
 * record fires "cartilla:journal-saved" on the page, and every appended entry (time receipts
 * too) and every restore fires "cartilla:journal-changed". Other modules use exportLog() (a
 * LogExport, docs/log-format.md) and appendReceipt().
 */
import { makeEntry, replay, verifyChain, sha256Hex, GENESIS_HASH, RECORD_LISTS } from "./journal.js";
import { deriveKey, encryptJson, decryptJson, randomBytes, toBase64, fromBase64, ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS } from "./crypto.js";
import { profileKey } from "../store.js";

export const DB_NAME = "cartilla-log";
const POINTER = "cartilla.logdb";
/** The current log database's name (see the module docstring). */
export const dbName = () => localStorage.getItem(POINTER) || DB_NAME;

/** The current database's name; when localStorage lost it (cleared apart from IndexedDB), the
 * one moved database there is, so the log never looks empty while it is still on the phone. */
async function findName() {
  const saved = dbName();
  if (saved !== DB_NAME || !indexedDB.databases) return saved;
  const names = (await indexedDB.databases()).map((d) => d.name);
  const moved = names.filter((n) => n && n.startsWith(`${DB_NAME}-`));
  if (names.includes(DB_NAME) || moved.length !== 1) return DB_NAME;
  localStorage.setItem(POINTER, moved[0]);
  return moved[0];
}
/** Forget the key after this long without a touch or a key press. */
export const IDLE_MS = 5 * 60 * 1000;
export const DB_VERSION = 2;
export const APP_VERSION = "0.1.0";

/** Schema upgrades by target version; each runs inside the upgrade transaction. */
const MIGRATIONS = {
  1: (db) => {
    db.createObjectStore("journal", { keyPath: "seq" });
    db.createObjectStore("meta");
  },
  // Version 1 kept drafts inside "meta" as "draft:<form>"; version 2 gives them their own
  // store (and adds photos), moving every draft over.
  2: (db, tx) => {
    db.createObjectStore("photos", { keyPath: "id" });
    const drafts = db.createObjectStore("drafts");
    const meta = tx.objectStore("meta");
    meta.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      if (typeof cursor.key === "string" && cursor.key.startsWith("draft:")) {
        drafts.put(cursor.value, cursor.key.slice(6));
        cursor.delete();
      }
      cursor.continue();
    };
  },
};

let opening = null;
let key = null; // the AES key while unlocked (memory only)

export class LockedError extends Error {
  constructor() { super("log is locked"); this.name = "LockedError"; }
}

const open = () => opening || (opening = findName().then(openNamed).catch((err) => { opening = null; throw err; }));

/** Open (or create, at DB_VERSION) the log database `name`; log/protect.js opens fresh ones. */
export function openNamed(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, DB_VERSION);
    req.onupgradeneeded = (event) => {
      for (let v = event.oldVersion + 1; v <= DB_VERSION; v += 1) MIGRATIONS[v](req.result, req.transaction);
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("IndexedDB blocked"));
  });
}

/** Make `name` the log's database and `newKey` its key (log/protect.js, after it verified
 * the copy). The old connection closes so the old database can be deleted. */
export async function switchTo(name, newKey) {
  if (opening) (await opening).close();
  localStorage.setItem(POINTER, name);
  opening = null;
  keep(newKey);
}

export function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error || new Error("transaction aborted"));
  });
}

export function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function getAll(store) {
  const db = await open();
  return request(db.transaction(store).objectStore(store).getAll());
}

export async function getMeta(name) {
  const db = await open();
  return request(db.transaction("meta").objectStore("meta").get(name));
}

export async function setMeta(name, value) {
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  tx.objectStore("meta").put(value, name);
  return done(tx);
}

// --- the lock -----------------------------------------------------------------------------

export async function lockInfo() { return (await getMeta("lock")) || null; }

/** {lockEnabled, locked}: locked means the PIN must be typed before anything can be read. */
export async function status() {
  const lock = await lockInfo();
  return { lockEnabled: Boolean(lock), locked: Boolean(lock) && !key };
}

/** Refused when protection is on and the key is not in memory: never write in the clear then. */
async function seal(value) {
  if (key) return { box: await encryptJson(key, value) };
  if (await lockInfo()) throw new LockedError();
  return null;
}
export async function unseal(row, field) {
  if (row.box) {
    if (!key) throw new LockedError();
    return decryptJson(key, row.box);
  }
  return row[field];
}

let idle = 0;
let picking = false; // a file chooser or the camera hides the page: not a reason to lock
/** Restart the idle clock (any touch or key press while unlocked). */
function arm() {
  clearTimeout(idle);
  if (key) idle = setTimeout(lockNow, IDLE_MS);
}
/** Hold `k` as the key (null: forget it) and tell app.js, which re-reads the profile. */
function keep(k) {
  key = k;
  arm();
  // The profile's sealed choices (../store.js) open only with the key.
  profileKey.open = k && ((p) => decryptJson(k, p.box));
  profileKey.seal = k && (async (p) => ({ lang: p.lang, state: p.state, industry: p.industry, status: "any", box: await encryptJson(k, p) }));
  dispatchEvent(new CustomEvent("cartilla:lock", { detail: !k }));
}
addEventListener("click", (e) => { if (e.target.type === "file") picking = true; }, true);
addEventListener("focus", () => { picking = false; });
for (const type of ["pointerdown", "keydown"]) addEventListener(type, arm, true);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "hidden") picking = false;
  else if (key && !picking) lockNow();
});

/** Try a PIN or passphrase; true when it opens the log. A lock made with fewer iterations
 * than today's (600 000, earlier versions) is moved to today's cost right away, while the
 * secret is at hand (`upgrade` false: the caller moves the log itself). */
export async function unlock(pin, upgrade = true) {
  const lock = await lockInfo();
  if (!lock) return true;
  let candidate;
  try {
    candidate = await deriveKey(String(pin), lock.salt, lock.iterations);
    if ((await decryptJson(candidate, lock.check)) !== "cartilla") return false;
  } catch (_) {
    return false;
  }
  keep(candidate);
  if (upgrade && lock.iterations < ITERATIONS) await enableLock(String(pin)).catch(() => {}); // still open with the old key
  return true;
}

/** Forget the key: the log (and the profile's status) need the PIN again. */
export function lockNow() { if (key) keep(null); }

/** Turn protection on, or change the PIN/passphrase (log/protect.js: a fresh database). */
export const enableLock = async (secret) => (await import("./protect.js")).protect(secret);
/** Turn protection off (needs the PIN); false when it is wrong. */
export const disableLock = async (secret) => (await import("./protect.js")).unprotect(secret);

// --- the journal --------------------------------------------------------------------------

export async function readJournal() {
  const rows = await getAll("journal");
  const entries = [];
  for (const row of rows) entries.push(await unseal(row, "entry"));
  return entries.sort((a, b) => a.seq - b.seq);
}

let queue = Promise.resolve();
/** Run writes one after the other (log/protect.js moves the whole log inside one). */
export function queued(fn) {
  const next = queue.then(fn, fn);
  queue = next.catch(() => {});
  return next;
}

async function lastEntry() {
  const db = await open();
  const cursor = await request(db.transaction("journal").objectStore("journal").openCursor(null, "prev"));
  return cursor ? unseal(cursor.value, "entry") : null;
}

async function writeEntry(entry, extra) {
  const db = await open();
  const stores = extra ? ["journal", extra.store] : ["journal"];
  const row = { seq: entry.seq, ...((await seal(entry)) || { entry }) }; // before the transaction: it must not wait
  const tx = db.transaction(stores, "readwrite");
  tx.objectStore("journal").add(row);
  if (extra) extra.write(tx.objectStore(extra.store));
  await done(tx);
  return entry;
}

/** Append one entry (create/edit/delete/receipt) to the chain and store it. */
export function append(spec, extra = null) {
  return queued(async () => {
    if ((await status()).locked) throw new LockedError();
    const entry = await writeEntry(await makeEntry(await lastEntry(), spec), extra);
    // pwa/js/bundle/receipts.js listens, to anchor the new head while online.
    if (entry.kind !== "receipt") dispatchEvent(new Event("cartilla:journal-saved"));
    dispatchEvent(new Event("cartilla:journal-changed")); // open screens show it (history)
    return entry;
  });
}

/** A new random record id. */
export function newId() {
  return toBase64(randomBytes(12)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Current records as {type: Map(id -> record)} and the hash of each record's latest entry. */
export async function currentState() {
  return replay(await readJournal());
}

export async function addRecord(data) {
  const record = { id: newId(), ...data };
  return append({ kind: "create", data: record });
}

/** An edit keeps the old value in the earlier entry and needs a reason. */
export async function editRecord(data, reason) {
  if (!reason || !reason.trim()) throw new Error("reason");
  const { latest } = await currentState();
  return append({ kind: "edit", data, replaces: latest.get(`${data.type}:${data.id}`) || null, reason: reason.trim() });
}

export async function deleteRecord(type, id, reason) {
  if (!reason || !reason.trim()) throw new Error("reason");
  const { latest } = await currentState();
  return append({ kind: "delete", recordType: type, recordId: id, replaces: latest.get(`${type}:${id}`) || null, reason: reason.trim() });
}

/**
 * Bind the phone's bundle-signing key into the chain: append a "key" entry {algorithm,
 * fingerprint} unless the last key entry already names this key (pwa/js/bundle/keys.js
 * ensureKeyBound() calls it before any receipt is asked for and before a bundle is built, so
 * receipts anchor the key and a bundle re-signed with another key fails). Returns the new
 * entry or null. Checked inside the write queue, so two callers never bind twice.
 */
export function bindKey(binding) {
  return queued(async () => {
    if ((await status()).locked) throw new LockedError();
    const journal = await readJournal();
    let bound = null;
    for (const e of journal) if (e.kind === "key" && e.key) bound = e.key;
    if (bound && bound.fingerprint === binding.fingerprint && bound.algorithm === binding.algorithm) return null;
    const last = journal.length ? journal[journal.length - 1] : null;
    const entry = await writeEntry(await makeEntry(last, { kind: "key", key: binding }));
    dispatchEvent(new Event("cartilla:journal-changed"));
    return entry;
  });
}

/** A server time receipt for the current head (called by pwa/js/bundle/receipts.js). */
export async function appendReceipt(receipt) {
  const clean = { hash: receipt.hash, time: receipt.time, key_id: receipt.key_id, signature: receipt.signature };
  return append({ kind: "receipt", receipt: clean });
}

/** The chain check, with `count`: how many entries it checked. */
export async function verify() {
  const journal = await readJournal();
  return { ...(await verifyChain(journal)), count: journal.length };
}

// --- photos -------------------------------------------------------------------------------

export async function readPhotos() {
  const rows = await getAll("photos");
  const out = [];
  for (const row of rows) {
    if (row.box) {
      const p = await unseal(row);
      out.push({ ...p, data: fromBase64(p.data) });
    } else out.push(row);
  }
  return out;
}

/** Store a shrunk photo and journal it; returns the photo record (its id goes in photo_ids). */
export async function addPhoto({ mime, data, width, height }) {
  const sha256 = await sha256Hex(data);
  const record = { type: "photo", id: newId(), mime, sha256, size_bytes: data.byteLength, width, height };
  const row = { id: record.id, mime, sha256, data };
  const box = await seal({ ...row, data: toBase64(data) });
  const sealed = box ? { id: record.id, ...box } : row;
  await append({ kind: "create", data: record }, { store: "photos", write: (s) => s.put(sealed) });
  return record;
}

export async function photoBlob(id) {
  const photo = (await readPhotos()).find((p) => p.id === id);
  return photo ? new Blob([photo.data], { type: photo.mime }) : null;
}

// --- drafts ------------------------------------------------------------------------------

export async function getDraft(name) {
  const db = await open();
  const row = await request(db.transaction("drafts").objectStore("drafts").get(name));
  if (row === undefined) return null;
  try {
    return row && row.box ? await unseal(row) : row;
  } catch (_) {
    return null;
  }
}

/** Saved as the worker types, so it must be quick: the check that protection is off (a draft
 * is never written in the clear while it is on and locked) runs in the same transaction. */
export async function saveDraft(name, value) {
  const box = key ? { box: await encryptJson(key, value) } : null;
  const db = await open();
  const tx = db.transaction(["drafts", "meta"], "readwrite");
  if (box) tx.objectStore("drafts").put(box, name);
  else {
    tx.objectStore("meta").get("lock").onsuccess = (event) => {
      if (event.target.result) tx.abort();
      else tx.objectStore("drafts").put(value, name);
    };
  }
  return done(tx);
}

export async function clearDraft(name) {
  const db = await open();
  const tx = db.transaction("drafts", "readwrite");
  tx.objectStore("drafts").delete(name);
  return done(tx);
}

// --- export, backup, restore --------------------------------------------------------------

/** The whole log as a LogExport object (docs/log-format.md). */
export async function exportLog() {
  const journal = await readJournal();
  const { state } = replay(journal);
  const photos = await readPhotos();
  const doc = {
    format: "cartilla-log",
    format_version: 1,
    exported_at: new Date().toISOString(),
    app_version: APP_VERSION,
    lang: document.documentElement.lang || "es",
    chain_head: journal.length ? journal[journal.length - 1].hash : GENESIS_HASH,
  };
  for (const [type, list] of Object.entries(RECORD_LISTS)) doc[list] = [...state[type].values()];
  doc.photos = photos.filter((p) => state.photo.has(p.id))
    .map((p) => ({ id: p.id, mime: p.mime, sha256: p.sha256, data_base64: toBase64(p.data) }));
  doc.journal = journal;
  return doc;
}

/** The log encrypted with a passphrase, as the text of a backup file. */
export async function exportBackup(passphrase) {
  if (!passphrase || passphrase.length < 8) throw new Error("passphrase");
  const salt = randomBytes(16);
  const backupKey = await deriveKey(passphrase, salt, ITERATIONS);
  const box = await encryptJson(backupKey, await exportLog());
  const created = new Date().toISOString();
  await setMeta("lastBackupAt", created);
  return JSON.stringify({
    format: "cartilla-backup", version: 1, kdf: "PBKDF2-SHA256", iterations: ITERATIONS,
    salt: toBase64(salt), iv: toBase64(box.iv), ciphertext: toBase64(box.ct), created_at: created,
  });
}

/** Why a restore failed: "not_backup", "passphrase", "broken_chain". */
export class RestoreError extends Error {
  constructor(code) { super(code); this.code = code; }
}

/** Read a backup file; on success replace the log on this phone with it. Nothing changes on error. */
export async function restoreBackup(text, passphrase) {
  if ((await status()).locked) throw new LockedError();
  let file;
  try {
    file = JSON.parse(text);
  } catch (_) {
    throw new RestoreError("not_backup");
  }
  if (!file || file.format !== "cartilla-backup" || !file.salt || !file.iv || !file.ciphertext
      || !Number.isInteger(file.iterations) || file.iterations < MIN_ITERATIONS || file.iterations > MAX_ITERATIONS) {
    throw new RestoreError("not_backup");
  }
  let log;
  try {
    const backupKey = await deriveKey(passphrase, fromBase64(file.salt), file.iterations);
    log = await decryptJson(backupKey, { iv: fromBase64(file.iv), ct: fromBase64(file.ciphertext) });
  } catch (_) {
    throw new RestoreError("passphrase");
  }
  if (!log || log.format !== "cartilla-log" || !Array.isArray(log.journal)) throw new RestoreError("not_backup");
  const check = await verifyChain(log.journal);
  if (!check.ok) throw new RestoreError("broken_chain");
  const photos = [];
  for (const p of log.photos || []) {
    const data = fromBase64(p.data_base64);
    if ((await sha256Hex(data)) !== p.sha256) throw new RestoreError("broken_chain");
    photos.push({ id: p.id, mime: p.mime, sha256: p.sha256, data });
  }
  const journalRows = [];
  for (const e of log.journal) journalRows.push({ seq: e.seq, ...((await seal(e)) || { entry: e }) });
  const photoRows = [];
  for (const p of photos) photoRows.push({ id: p.id, ...((await seal({ ...p, data: toBase64(p.data) })) || p) });
  await queued(async () => {
    const db = await open();
    const tx = db.transaction(["journal", "photos", "meta"], "readwrite");
    tx.objectStore("journal").clear();
    tx.objectStore("photos").clear();
    journalRows.forEach((row) => tx.objectStore("journal").put(row));
    photoRows.forEach((row) => tx.objectStore("photos").put(row));
    tx.objectStore("meta").put(new Date().toISOString(), "restoredAt");
    await done(tx);
  });
  dispatchEvent(new Event("cartilla:journal-changed"));
  return { entries: log.journal.length, head: check.head };
}
