/* The app's IndexedDB database ("cartilla"): profile, settings and the offline pack.
 *
 * A classic script on purpose (no import/export): the page loads it as a module side effect
 * (store.js) and the service worker loads it with importScripts, so both read and write the
 * same stores with the same code. The log has its own database (pwa/js/log/).
 * Stores: "settings" (key -> value: profile, changes, notices) and "packs" (key "current").
 * Raise VERSION only with an upgrade that keeps every existing record.
 * exclusive() lets log/protect.js delete the database and create it again (so old plaintext
 * goes with it) while this page's reads and writes wait; the code for that lives there, so
 * its bytes stay off the first visit.
 */
(function (scope) {
  "use strict";
  const NAME = "cartilla";
  const VERSION = 1;
  const STORES = ["settings", "packs"];
  let opening = null;
  let held = null; // while exclusive() runs, every read and write waits for it

  /** A new connection (creating the stores if needed); not shared. */
  function openNew() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        for (const store of STORES) {
          if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("IndexedDB blocked"));
    });
  }

  function connect() {
    if (opening) return opening;
    const pending = openNew().then((db) => {
      // Another tab, a new worker or a rewrite may need it: let go, reopen next time.
      db.onversionchange = () => { db.close(); if (opening === pending) opening = null; };
      return db;
    }, (err) => { if (opening === pending) opening = null; throw err; });
    opening = pending;
    return pending;
  }

  const open = () => (held ? held.then(connect, connect) : connect());

  async function run(store, mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = action(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result);
      tx.onabort = tx.onerror = () => reject(tx.error);
    });
  }

  /** Run `job()` with this page's connection closed and every get/put/del waiting until it
   * settles; returns what it returns. */
  async function exclusive(job) {
    while (held) await held.catch(() => {});
    const mine = (async () => {
      const db = opening && (await opening.catch(() => null));
      if (db) db.close();
      opening = null;
      return job();
    })();
    held = mine;
    try {
      return await mine;
    } finally {
      if (held === mine) held = null;
    }
  }

  scope.CartillaDB = {
    NAME,
    STORES,
    get: (store, key) => run(store, "readonly", (s) => s.get(key)),
    put: (store, key, value) => run(store, "readwrite", (s) => s.put(value, key)),
    del: (store, key) => run(store, "readwrite", (s) => s.delete(key)),
    exclusive,
    openNew,
  };
})(self);
