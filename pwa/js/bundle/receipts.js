/** Time receipts: whenever the phone is online, send ONLY the journal head hash; keep the answer.
 *
 * keepAnchored() (called once by app.js) asks at app start, when the browser fires `online`,
 * and a few seconds after the log saves an entry (store.js fires "cartilla:journal-saved"),
 * so a burst of entries gets one receipt; the log's PIN screen calls anchorNow() on unlock. It
 * never prompts: with the PIN lock on and the log locked it skips, and failures are silent
 * (the next start, `online`, save or unlock tries again).
 * One request at a time. The receipt goes into the journal through the log's store
 * (`appendReceipt`), so every later bundle carries it. Nothing else leaves the phone: no
 * record, name, cookie or device identifier.
 */

const HEX64 = /^[0-9a-f]{64}$/;
const SETTLE_MS = 3000; // after the last save of a burst
const LOG_DB = "cartilla-log"; // pwa/js/log/store.js DB_NAME

/** Ask the server to sign {hash, time}; returns the receipt or null when offline. */
export async function requestReceipt(head) {
  if (!HEX64.test(head) || !navigator.onLine) return null;
  const res = await fetch("/api/v1/receipts", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hash: head }),
    credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
  });
  if (!res.ok) return null;
  const receipt = await res.json();
  // A receipt for another hash would prove nothing about this journal.
  return receipt && receipt.hash === head ? receipt : null;
}

/**
 * Anchor the journal's head: ask for a receipt and append it as a journal entry (anchorNow
 * binds the phone's key into the chain first: see keys.js ensureKeyBound). Nothing is
 * sent when the journal is empty or already ends with a receipt (that head is anchored, and a
 * receipt of a receipt would add entries without proving more). Returns the receipt entry,
 * or null (offline, server unreachable, nothing to anchor).
 */
export async function anchorHead(journal) {
  const last = journal.length ? journal[journal.length - 1] : null;
  if (!last || last.kind === "receipt") return null;
  let receipt = null;
  try {
    receipt = await requestReceipt(last.hash);
  } catch (_) {
    return null; // offline or the server is down: try again next time
  }
  // Loaded here, not at start: most app starts never need the log's code.
  return receipt ? (await import("../log/store.js")).appendReceipt(receipt) : null;
}

let running = null;
let again = false;

/** Anchor the current head now if the phone is online and the log is open; never throws. */
export function anchorNow() {
  if (running) { again = true; return running; } // one request at a time; re-check after it
  if (!navigator.onLine) return Promise.resolve(null);
  running = (async () => {
    try {
      // Never create the log's database just to find it empty.
      if (indexedDB.databases && !(await indexedDB.databases()).some((d) => d.name === LOG_DB || d.name.startsWith(`${LOG_DB}-`))) return null;
      const store = await import("../log/store.js");
      if ((await store.status()).locked) return null; // the PIN is the worker's to type, not ours to ask
      if (!(await store.readJournal()).length) return null; // nothing to anchor, no key to bind
      // The phone's key goes in the chain before any receipt, so the receipt anchors it.
      await (await import("./keys.js")).ensureKeyBound(store);
      return await anchorHead(await store.readJournal());
    } catch (_) {
      return null;
    } finally {
      running = null;
      if (again) { again = false; anchorNow(); }
    }
  })();
  return running;
}

/** Start anchoring whenever the phone is online (see the module docstring). Call once. */
export function keepAnchored() {
  let timer = 0;
  addEventListener("online", () => anchorNow());
  addEventListener("cartilla:journal-saved", () => {
    clearTimeout(timer);
    timer = setTimeout(anchorNow, SETTLE_MS);
  });
  anchorNow();
}
