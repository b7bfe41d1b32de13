/** Protecting the log with a PIN or a passphrase: the offer on the first log screen, the
 * settings section, and moving the log into a fresh database.
 *
 * Loaded only when the log needs it (an empty log's first screen, the settings, enableLock):
 * never on the first visit, so its bytes stay out of the 100 KB budget (sw.js LAZY caches it
 * the first time it is used). Its words are here for the same reason, in Spanish and English.
 *
 * Why a fresh database: overwriting records in place leaves the old plaintext in the browser's
 * files. So turning protection on, changing the PIN or passphrase, or turning it off copies
 * everything into a new database with a random name, reads the copy back and compares it,
 * switches to it, and deletes the old database. The worker is told that older copies may
 * still remain in the phone's storage: deleting a database does not wipe the flash at once.
 * The profile's choices (state, work, status) are sealed with the same key (../store.js), and
 * the app's own database ("cartilla": profile, settings, pack) is created again with the
 * sealed profile (rewriteFresh below), so its earlier plaintext goes with it.
 */
import { h } from "../ui.js";
import { getProfile, profileKey } from "../store.js";
import * as store from "./store.js";
import { checkSecret, deriveKey, encryptJson, decryptJson, randomBytes, toBase64, ITERATIONS } from "./crypto.js";
import { sha256Hex } from "./journal.js";

const DB = globalThis.CartillaDB;

// Its texts are in pwa/i18n/*/log.json under log.protect: only the worker's language is downloaded.
const words = (ctx) => new Proxy({}, { get: (_, key) => ctx.t(`log.protect.${String(key)}`) });

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const all = (db, name) => store.request(db.transaction(name).objectStore(name).getAll());
const allKeys = (db, name) => store.request(db.transaction(name).objectStore(name).getAllKeys());

/** Delete database `name`; false when it did not go within 15 s (another tab holds it). */
function deleteDb(name) {
  return Promise.race([
    new Promise((ok) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = () => ok(true);
      req.onerror = () => ok(false);
    }),
    new Promise((ok) => setTimeout(() => ok(false), 15000)),
  ]);
}

/** Databases left by an earlier move that could not delete them (not the current one). */
async function leftovers() {
  if (!indexedDB.databases) return [];
  const current = store.dbName();
  return (await indexedDB.databases()).map((d) => d.name)
    .filter((n) => n && n !== current && (n === store.DB_NAME || n.startsWith(`${store.DB_NAME}-`)));
}

/** Move the whole log into a fresh database sealed with `secret` (null: in the clear), read
 * it back and compare, switch to it, delete the old one, and (re)seal the profile. The log
 * must be open. Returns {oldDeleted}. Nothing changes when any step before the switch fails. */
async function move(secret) {
  let newKey = null;
  let lock = null;
  if (secret) {
    const salt = randomBytes(16);
    newKey = await deriveKey(secret, salt, ITERATIONS);
    lock = { salt, iterations: ITERATIONS, check: await encryptJson(newKey, "cartilla"), kind: checkSecret(secret) };
  }
  return store.queued(async () => {
    if ((await store.status()).locked) throw new store.LockedError();
    const oldName = store.dbName();
    const journal = await store.readJournal();
    const photos = await store.readPhotos();
    const src = await store.openNamed(oldName);
    const draftKeys = await allKeys(src, "drafts");
    const drafts = [];
    for (const row of await all(src, "drafts")) drafts.push(row && row.box ? await store.unseal(row) : row);
    const metaKeys = await allKeys(src, "meta");
    const metaValues = await all(src, "meta");
    src.close();
    const profile = await getProfile(); // opened with the old key when it was sealed

    const wrap = async (value) => (newKey ? { box: await encryptJson(newKey, value) } : null);
    const journalRows = [];
    for (const e of journal) journalRows.push({ seq: e.seq, ...((await wrap(e)) || { entry: e }) });
    const photoRows = [];
    for (const p of photos) photoRows.push({ id: p.id, ...((await wrap({ ...p, data: toBase64(p.data) })) || p) });
    const draftRows = [];
    for (const d of drafts) draftRows.push((await wrap(d)) || d);

    const name = `${store.DB_NAME}-${hex(randomBytes(8))}`;
    const dst = await store.openNamed(name);
    try {
      const tx = dst.transaction(["journal", "photos", "drafts", "meta"], "readwrite");
      journalRows.forEach((row) => tx.objectStore("journal").put(row));
      photoRows.forEach((row) => tx.objectStore("photos").put(row));
      draftRows.forEach((row, i) => tx.objectStore("drafts").put(row, draftKeys[i]));
      metaKeys.forEach((k, i) => { if (k !== "lock") tx.objectStore("meta").put(metaValues[i], k); });
      if (lock) tx.objectStore("meta").put(lock, "lock");
      await store.done(tx);
      await verifyCopy(dst, newKey, journal, photos, drafts.length);
    } catch (err) {
      dst.close();
      await deleteDb(name);
      throw err;
    }
    dst.close();
    await store.switchTo(name, newKey);
    // Before any old database is deleted: Chromium's clean-up tasks run in order, so this
    // one's flush puts what is still in LevelDB's memory into its files first, and the
    // deletes' compactions then rewrite those files without the old records (a compaction
    // started while the records are only in memory leaves them in the file it writes).
    await sweep();
    const appDeleted = await freshAppDb(profile, newKey);
    if (profile) dispatchEvent(new CustomEvent("cartilla:lock", { detail: false })); // app.js re-reads it
    let oldDeleted = true;
    for (const old of new Set([oldName, ...(await leftovers())])) oldDeleted = (await deleteDb(old)) && oldDeleted;
    await sweep();
    return { oldDeleted, appDeleted };
  });
}

/** Chromium keeps all of a site's databases in one LevelDB. Deleting a database answers
 * at once and leaves the work to a background task, run in order with the others: delete
 * the records, flush, compact their range. A file that compaction replaced stays on disk
 * while a read still holds it (as during the move, or while the screen is drawn again).
 * Deleting one more, empty database queues one more such task, which flushes LevelDB's
 * memory to its files and removes the replaced files once nothing holds them. */
async function sweep() {
  const name = "cartilla-sweep"; // not "cartilla-log-…": never taken for a moved log (store.js findName)
  await new Promise((ok) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => { req.result.close(); ok(); };
    req.onerror = () => ok();
  });
  await deleteDb(name);
}

// How long one deleteDatabase of the app's database waits for other connections to close.
const DELETE_WAIT_MS = 5000;

/** Every store's records as {store: [[key, value], ...]}, read in one transaction. */
async function snapshot(db) {
  const tx = db.transaction(DB.STORES, "readonly");
  const reads = DB.STORES.map((s) => [s, tx.objectStore(s).getAllKeys(), tx.objectStore(s).getAll()]);
  await store.done(tx);
  return Object.fromEntries(reads.map(([s, keys, values]) => [s, keys.result.map((k, i) => [k, values.result[i]])]));
}

/** One deleteDatabase of the app's database: "deleted", "blocked" (another connection, such
 * as a tab with an older version, did not close within DELETE_WAIT_MS; the browser keeps the
 * request and runs it when that one closes, before any later open) or "failed". */
function deleteAppDb() {
  return new Promise((resolve) => {
    let blocked = false;
    const timer = setTimeout(() => resolve(blocked ? "blocked" : "failed"), DELETE_WAIT_MS);
    const req = indexedDB.deleteDatabase(DB.NAME);
    req.onsuccess = () => { clearTimeout(timer); resolve("deleted"); };
    req.onerror = () => { clearTimeout(timer); resolve("failed"); };
    req.onblocked = () => { blocked = true; };
  });
}

/** Write `records` into the (new) database, then read the keys back and compare. After a
 * blocked delete the open waits behind it: give up waiting after DELETE_WAIT_MS. */
async function writeBack(records, blocked) {
  const opened = DB.openNew();
  const db = await (blocked
    ? Promise.race([opened, new Promise((_, no) => setTimeout(() => no(new Error("rewrite: blocked")), DELETE_WAIT_MS))])
    : opened);
  try {
    const tx = db.transaction(DB.STORES, "readwrite");
    for (const s of DB.STORES) for (const [k, v] of records[s]) tx.objectStore(s).put(v, k);
    await store.done(tx);
    const back = await snapshot(db);
    for (const s of DB.STORES) {
      const have = new Set(back[s].map(([k]) => JSON.stringify(k)));
      if (records[s].some(([k]) => !have.has(JSON.stringify(k)))) throw new Error(`rewrite: ${s} incomplete`);
    }
  } finally {
    db.close();
  }
}

/** Read the whole app database into memory, delete it, create it again and write every
 * record back, with `replace` ({store: {key: value}}) in place of the records read. The page's
 * own reads and writes wait meanwhile (db.js exclusive); other connections (the service
 * worker, other tabs) close when the delete asks them to (db.js onversionchange). A delete
 * that does not go is tried once more. Returns {deleted}: false when the old database could
 * not be deleted (the records are then written back into it, nothing is lost). Throws only
 * when they could not be written back, three tries; they are then in `err.records`. */
function rewriteFresh(replace) {
  return DB.exclusive(async () => {
    const src = await DB.openNew();
    let records;
    try {
      records = await snapshot(src);
    } finally {
      src.close();
    }
    for (const [s, entries] of Object.entries(replace)) {
      for (const [k, v] of Object.entries(entries)) records[s] = records[s].filter(([key]) => key !== k).concat([[k, v]]);
    }
    let outcome = await deleteAppDb();
    if (outcome !== "deleted") outcome = await deleteAppDb();
    let last = null;
    for (let attempt = 0; attempt < (outcome === "blocked" ? 1 : 3); attempt += 1) {
      try {
        await writeBack(records, outcome === "blocked");
        return { deleted: outcome === "deleted" };
      } catch (err) {
        last = err;
      }
    }
    const err = new Error(`rewrite: records not written back (${last && last.message})`);
    err.records = records;
    throw err;
  });
}

/** The app's database ("cartilla": profile, settings, pack) created again with the profile
 * sealed with `newKey` (null: in the clear), so the profile's earlier bytes (the status in the
 * clear) go with the deleted database (rewriteFresh). True when the old one was
 * deleted. Should writing the records back fail, they are put back one by one, the way they
 * were, so the app never loses its pack or the worker's choices. */
async function freshAppDb(profile, newKey) {
  const replace = {};
  if (profile) {
    const { box: _box, ...plain } = profile;
    replace.settings = { profile: newKey ? await profileKey.seal(plain) : plain };
  }
  try {
    return (await rewriteFresh(replace)).deleted;
  } catch (err) {
    console.error(err);
    // Not awaited: after a blocked delete these wait (in the browser's queue, after the
    // delete) until the other connection closes, and then put everything back.
    for (const [storeName, entries] of Object.entries(err.records || {})) {
      for (const [k, v] of entries) DB.put(storeName, k, v).catch(() => {});
    }
    if (replace.settings) DB.put("settings", "profile", replace.settings.profile).catch(() => {});
    return false;
  }
}

/** Read the new database back with the new key and compare it with what was read from the old
 * one: every entry identical, every photo's bytes with their hash, every draft there. */
async function verifyCopy(db, newKey, journal, photos, draftCount) {
  const open = async (row, field) => (row.box ? decryptJson(newKey, row.box) : row[field]);
  const rows = await all(db, "journal");
  const back = [];
  for (const row of rows) back.push(await open(row, "entry"));
  back.sort((a, b) => a.seq - b.seq);
  if (JSON.stringify(back) !== JSON.stringify(journal)) throw new Error("verify: journal");
  const photoRows = await all(db, "photos");
  if (photoRows.length !== photos.length) throw new Error("verify: photos");
  const wanted = new Map(photos.map((p) => [p.id, p.sha256]));
  for (const row of photoRows) {
    const p = row.box ? await decryptJson(newKey, row.box) : row;
    const bytes = typeof p.data === "string" ? Uint8Array.from(atob(p.data), (c) => c.charCodeAt(0)) : p.data;
    if (wanted.get(row.id) !== (await sha256Hex(bytes))) throw new Error("verify: photo");
  }
  if ((await allKeys(db, "drafts")).length !== draftCount) throw new Error("verify: drafts");
  const lock = await store.request(db.transaction("meta").objectStore("meta").get("lock"));
  if (newKey && (await decryptJson(newKey, lock.check)) !== "cartilla") throw new Error("verify: lock");
}

/** Turn protection on, or change the PIN/passphrase (the log must be open). */
export async function protect(secret) {
  const kind = checkSecret(secret);
  if (kind !== "pin" && kind !== "pass") throw new Error(kind);
  return move(String(secret));
}

/** Turn protection off; false (nothing changes) when `secret` is wrong. */
export async function unprotect(secret) {
  if (!(await store.status()).lockEnabled) return { oldDeleted: true };
  if (!(await store.unlock(secret, false))) return false;
  return move(null);
}

// --- screens -------------------------------------------------------------------------------

function field(input, label) {
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
}

const secretInput = (id, mode = "numeric") => h("input", { id, type: "password", inputmode: mode, autocomplete: "off", maxlength: "200" });

/** Tell the worker what happened (in the shared notice area, so it stays after the screen
 * is drawn again), draw the screen again, and sweep once more (see sweep). */
async function finish(ctx, text, result) {
  const w = words(ctx);
  const kept = result && result.appDeleted === false ? ` ${w.appKept}` : "";
  ctx.notify(`${text} ${result && result.oldDeleted === false ? w.oldKept : w.moved}${kept}`, { id: "protect" });
  await ctx.navigate(ctx.route || "#/log");
  // Once more now that the screen is drawn: its reads may have held a replaced file when
  // the move's last sweep ran.
  await sweep().catch(() => {});
}

/** PIN or passphrase: choose, read what it protects against, type it twice, confirm. */
function enableForm(ctx, change = false) {
  const w = words(ctx);
  const secret = secretInput("pin-new");
  const again = secretInput("pin-repeat");
  const understand = h("input", { type: "checkbox", id: "pin-understand" });
  const msg = h("p", { role: "status", "aria-live": "polite", id: "protect-msg" });
  const button = h("button", { type: "submit", class: "button primary" }, change ? w.change : w.enable);
  const kind = (value, label, checked) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "protect-kind", value, checked }), " ", label);
  const form = h("form", { class: "protect-form", novalidate: true, id: change ? "protect-change" : "protect-new" },
    h("fieldset", null, h("legend", null, w.kind), kind("pin", w.kindPin, true), kind("pass", w.kindPass, false)),
    h("p", { id: "protect-strength" }, w.strength),
    h("p", { class: "card warning", id: "pin-warning" }, "⚠ ", w.warning),
    field(secret, w.secret), field(again, w.secret2),
    h("label", { class: "check", for: "pin-understand" }, understand, " ", w.understand), msg, button);
  // A PIN gets the number keypad; a passphrase the whole keyboard.
  form.addEventListener("change", (event) => {
    if (event.target.name !== "protect-kind") return;
    for (const input of [secret, again]) input.setAttribute("inputmode", event.target.value === "pin" ? "numeric" : "text");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = checkSecret(secret.value);
    if (chosen !== "pin" && chosen !== "pass") { msg.textContent = w[chosen]; secret.focus(); return; }
    if (secret.value !== again.value) { msg.textContent = w.mismatch; again.focus(); return; }
    if (!understand.checked) { msg.textContent = w.mustUnderstand; understand.focus(); return; }
    button.disabled = true;
    msg.textContent = w.working;
    let result;
    try {
      result = await protect(secret.value);
    } catch (err) {
      console.error(err);
      msg.textContent = w.failed;
      button.disabled = false;
      return;
    }
    secret.value = again.value = "";
    await finish(ctx, chosen === "pin" ? w.enabledPin : w.enabledPass, result);
  });
  return form;
}

function disableForm(ctx) {
  const w = words(ctx);
  const current = secretInput("pin-current", "text");
  const msg = h("p", { role: "status", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button" }, w.disable);
  const form = h("form", { class: "protect-form", novalidate: true, id: "protect-off" }, field(current, w.current), msg, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    msg.textContent = w.working;
    let result;
    try {
      result = await unprotect(current.value);
    } catch (err) {
      console.error(err);
      result = null;
    }
    button.disabled = false;
    if (!result) { msg.textContent = result === false ? w.wrong : w.failed; current.value = ""; current.focus(); return; }
    await finish(ctx, w.disabled, result);
  });
  return form;
}

/** The settings section: turn protection on, or (when on) lock now, change it, remove it. */
export async function settingsBox(ctx) {
  const w = words(ctx);
  const lock = await store.lockInfo();
  const box = h("section", { class: "card", id: "protect-settings" }, h("h2", null, w.heading));
  if (!lock) {
    box.append(enableForm(ctx));
    return box;
  }
  box.append(h("p", null, lock.kind === "pass" ? w.isOnPass : w.isOnPin), h("p", null, w.autolock),
    h("button", { type: "button", class: "button secondary", onclick: () => { store.lockNow(); ctx.navigate("#/log"); } },
      h("span", { "aria-hidden": "true" }, "🔒 "), w.lockNow),
    h("h3", null, w.change), enableForm(ctx, true),
    h("h3", null, w.offHeading), disableForm(ctx));
  return box;
}

/** On the log's first screen, before the first record: offer protection, or "not now" (and
 * say what that means). Shown until the worker answers or writes the first record. */
export async function offer(container, ctx) {
  if ((await store.status()).lockEnabled || (await store.getMeta("protectOffer"))) return;
  if ((await store.readJournal()).length) return;
  const w = words(ctx);
  const box = h("section", { class: "card protect-offer", id: "protect-offer", "aria-labelledby": "protect-offer-title" },
    h("h2", { id: "protect-offer-title" }, w.offerTitle), h("p", null, w.offerText), enableForm(ctx),
    h("p", { id: "protect-skip-means" }, h("strong", null, w.skipMeans)));
  box.append(h("button", { type: "button", class: "button secondary", id: "protect-skip", onclick: async () => {
    await store.setMeta("protectOffer", "skipped");
    box.remove();
  } }, w.notNow));
  container.append(box);
}
