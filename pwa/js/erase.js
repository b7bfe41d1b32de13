/** Erase Cartilla from this phone (#/erase, reached from the profile): a warning, a last
 * chance to back up the log, then every IndexedDB database, Cache Storage cache, service
 * worker, the push subscription, localStorage/sessionStorage and the origin private file
 * system go, and a blank page replaces the app.
 *
 * The push unsubscribe (push.js) is best effort: offline, the browser's subscription still
 * goes, so nothing can arrive, and the push service tells the server "gone" on its next send.
 * JavaScript cannot reach the browser's HTTP cache or its list of visited pages (which only
 * ever show "Cartilla" at "/", routes.js): the screen says how to clear those.
 */
import { h, heading } from "./ui.js";

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
const KNOWN_DATABASES = ["cartilla", "cartilla-log", "cartilla-bundle", "cartilla-sweep"];

/** Create and delete an empty database: flushes LevelDB before, and removes replaced files
 * after, the deletes' background compactions (see log/protect.js sweep). */
function sweep() {
  return new Promise((resolve) => {
    const req = indexedDB.open("cartilla-sweep");
    req.onsuccess = () => { req.result.close(); deleteDatabase("cartilla-sweep").then(resolve); };
    req.onerror = () => resolve();
  });
}

async function deleteDatabases() {
  let names = KNOWN_DATABASES;
  // The log may live in a fresh "cartilla-log-…" database (log/store.js dbName, log/protect.js).
  try { names = [...names, localStorage.getItem("cartilla.logdb")].filter(Boolean); } catch (_) { /* no localStorage */ }
  if (indexedDB.databases) {
    const listed = (await indexedDB.databases()).map((d) => d.name).filter(Boolean);
    names = [...new Set([...listed, ...KNOWN_DATABASES])];
  }
  await within(sweep(), 5000);
  await within(Promise.all(names.map(deleteDatabase)), 10000);
  await within(sweep(), 5000);
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

export function render(container, ctx) {
  const { t } = ctx;
  const confirm = h("input", { type: "checkbox", id: "erase-confirm", required: true });
  const msg = h("p", { class: "error", role: "alert", id: "erase-error" });
  const button = h("button", { type: "submit", class: "button danger", id: "erase-now" }, t("erase.button"));
  const form = h("form", { class: "erase-form", novalidate: true },
    h("label", { class: "choice" }, confirm, h("span", null, t("erase.confirm"))), msg, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!confirm.checked) {
      msg.textContent = t("erase.notConfirmed");
      confirm.focus();
      return;
    }
    button.disabled = true;
    msg.textContent = "";
    button.textContent = t("erase.working");
    await eraseEverything();
    leave();
  });
  container.append(
    heading(t("erase.title")),
    h("div", { class: "notice warning" },
      h("p", null, h("strong", null, t("erase.warning"))),
      h("ul", null, ["profile", "log", "keys", "push", "app"].map((k) => h("li", null, t(`erase.what.${k}`))))),
    h("h2", null, t("erase.backupTitle")),
    h("p", null, t("erase.backupText")),
    h("p", null, h("a", { href: "#/log/settings", class: "button", id: "erase-backup" }, `💾 ${t("erase.backupLink")}`)),
    h("h2", null, t("erase.afterTitle")),
    h("p", null, t("erase.after")),
    form,
    h("p", null, h("a", { href: "#/profile", class: "inline" }, `← ${t("erase.cancel")}`)));
}
