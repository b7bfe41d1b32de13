/** The desk's office keys in IndexedDB ('cartilla-staff-entrega', store 'keys').
 *
 * Each record holds the office id, the recipient (`age1…`), its fingerprint, validity dates and
 * the private key as a non-extractable X25519 CryptoKey: IndexedDB stores the CryptoKey object
 * itself (structured clone), so the private bytes can be used here but never read out, not even
 * by this page. Keys loaded from a file are never stored (entrega.js keeps them in memory).
 */

const DB = "cartilla-staff-entrega";

function db() {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore("keys", { keyPath: "id" });
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

async function run(mode, work) {
  const d = await db();
  try {
    return await new Promise((ok, fail) => {
      const tx = d.transaction("keys", mode);
      const req = work(tx.objectStore("keys"));
      tx.oncomplete = () => ok(req.result);
      tx.onerror = () => fail(tx.error);
      tx.onabort = () => fail(tx.error);
    });
  } finally { d.close(); }
}

export const keyStore = {
  /** Every stored key, oldest first. */
  all: () => run("readonly", (s) => s.getAll()).then((keys) => keys.sort((a, b) => (a.created < b.created ? -1 : 1))),
  put: (record) => run("readwrite", (s) => s.put(record)),
  remove: (id) => run("readwrite", (s) => s.delete(id)),
};
