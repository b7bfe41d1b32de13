/** Erase Cartilla from this phone: every IndexedDB database (profile, pack, log, keys), every
 * Cache Storage cache, every service worker of this site, the push subscription, and the
 * small stores (localStorage, sessionStorage, the origin private file system).
 *
 * For a worker who fears the phone will be seized, or hands it on. Nothing here asks the
 * server for anything except the push unsubscribe (push.js), which is best effort: offline,
 * the browser's subscription still goes, so no message can arrive, and the push service
 * answers the server "gone" next time it sends. What JavaScript cannot reach stays: the
 * browser's own HTTP cache and its list of visited pages (which only ever show "Cartilla"
 * at "/", routes.js); the screen tells the worker how to clear those in the browser.
 */

/** Resolve `promise`, or `fallback` after `ms`: one stuck step must not keep the data. */
function within(promise, ms, fallback = null) {
  return Promise.race([promise, new Promise((ok) => setTimeout(() => ok(fallback), ms))]);
}

async function unsubscribePush() {
  if (!("serviceWorker" in navigator)) return;
  const registrations = await navigator.serviceWorker.getRegistrations();
  if (!registrations.some((r) => r.active)) return; // push.js waits for an active worker
  try {
    // Tells the server to forget the address, then unsubscribes the browser (push.js).
    const push = await import("./push.js");
    await within(push.unsubscribe(), 8000);
  } catch (_) { /* the browser side below still goes */ }
  for (const reg of registrations) {
    try {
      const sub = reg.pushManager && (await reg.pushManager.getSubscription());
      if (sub) await sub.unsubscribe();
    } catch (_) { /* no push support */ }
  }
}

function deleteDatabase(name) {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    // Open connections are asked to close (db.js and log/store.js do on "versionchange");
    // "blocked" then turns into success once they have.
    req.onsuccess = req.onerror = () => resolve();
  });
}

// Used when the browser cannot list databases (indexedDB.databases is missing in old ones).
const KNOWN_DATABASES = ["cartilla", "cartilla-log", "cartilla-bundle"];

async function deleteDatabases() {
  let names = KNOWN_DATABASES;
  if (indexedDB.databases) {
    const listed = (await indexedDB.databases()).map((d) => d.name).filter(Boolean);
    names = [...new Set([...listed, ...KNOWN_DATABASES])];
  }
  await within(Promise.all(names.map(deleteDatabase)), 10000);
}

async function deleteCaches() {
  if (!("caches" in self)) return;
  for (const name of await caches.keys()) await caches.delete(name);
}

async function unregisterWorkers() {
  if (!("serviceWorker" in navigator)) return;
  for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
}

async function deleteFiles() {
  try {
    const root = await navigator.storage.getDirectory();
    for await (const name of root.keys()) await root.removeEntry(name, { recursive: true });
  } catch (_) { /* no origin private file system */ }
}

/** Erase everything, in an order where each step still has what it needs (push needs the
 * service worker; the worker is unregistered before its caches and database go, so it
 * cannot put them back). Every step runs even when an earlier one failed. */
export async function eraseEverything() {
  const steps = [unsubscribePush, unregisterWorkers, deleteCaches, deleteDatabases, deleteFiles,
    async () => { localStorage.clear(); sessionStorage.clear(); }];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      console.error(err);
    }
  }
}

/** After erasing: a blank page that replaces this history entry (nothing to go back to). */
export function leave() {
  document.body.hidden = true;
  document.title = "";
  location.replace("about:blank");
}
