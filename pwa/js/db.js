/* The app's IndexedDB database ("cartilla"): profile, settings and the offline pack.
 *
 * A classic script on purpose (no import/export): the page loads it as a module side effect
 * (store.js) and the service worker loads it with importScripts, so both read and write the
 * same stores with the same code. The log has its own database (pwa/js/log/).
 * Stores: "settings" (key -> value: profile, changes, notices) and "packs" (key "current").
 * Raise VERSION only with an upgrade that keeps every existing record.
 */
(function (scope) {
  "use strict";
  const NAME = "cartilla";
  const VERSION = 1;
  let opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        for (const store of ["settings", "packs"]) {
          if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
        }
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab or a new worker may need a newer version: let it, reopen next time.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
      req.onblocked = () => { opening = null; reject(new Error("IndexedDB blocked")); };
    });
    return opening;
  }

  async function run(store, mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = action(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result);
      tx.onabort = tx.onerror = () => reject(tx.error);
    });
  }

  scope.CartillaDB = {
    get: (store, key) => run(store, "readonly", (s) => s.get(key)),
    put: (store, key, value) => run(store, "readwrite", (s) => s.put(value, key)),
    del: (store, key) => run(store, "readwrite", (s) => s.delete(key)),
  };
})(self);
