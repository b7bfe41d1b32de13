/** App bootstrap: quick exit, profile, interface language, router, notices, service worker.
 *
 * Moving to another screen adds a history entry, so the phone's Back button goes back a
 * screen; "quick exit" first goes back to the app's first entry, then replaces it
 * (routes.js leave), so Back from the neutral page leaves the site. Every entry is the bare
 * page ("/") titled "Cartilla": neither the address nor the title says which screen or guide
 * was open (a guide title can say "…sin importar su estatus migratorio"). Screens are in
 * routes.js.
 */
import { routes, match, HOME, currentRoute, setRoute, leave, wentBack } from "./routes.js";
import { makeTranslator, keepOffline, DEFAULT_LANG } from "./i18n.js";
import { getProfile, getPack, getSetting, setSetting, needsDownload } from "./store.js";
// Not a static import: without it, app.js's imports fit the browser's first six requests
// with the stylesheet, so on a slow first visit the database and texts are read while ui.js
// and the picker are still on their way (index.html preloads both).
const ui = import("./ui.js");

const NEUTRAL_PAGE = "/neutral.html";
/** The one title of every screen: what the tab switcher and the browser's history show. */
const TITLE = "Cartilla";

/** Leave at once: blank the screen, then replace this history entry with a neutral page. */
function quickExit(event) {
  if (event) event.preventDefault();
  document.body.hidden = true;
  document.title = "";
  leave(NEUTRAL_PAGE);
}
document.getElementById("quick-exit").addEventListener("click", quickExit);

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const notices = document.getElementById("notices");
const state = { profile: undefined, pack: undefined, t: null, cleanup: null, renderId: 0 };

function navigate(hash) {
  setRoute(hash);
  return render();
}

// Same-app links replace the history entry too (see the module docstring).
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href^='#/']");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("hashchange", () => render());
window.addEventListener("popstate", () => { if (wentBack()) render(); }); // Back or Forward

document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

/** Show a dismissible notice in the shared status area. `id` replaces an earlier one. */
async function notify(text, { id, actions = [], onDismiss, tone = "info" } = {}) {
  const { h } = await ui;
  if (id) document.getElementById(`notice-${id}`)?.remove();
  const t = state.t;
  const box = h("div", { class: `notice ${tone}`, id: id ? `notice-${id}` : null },
    h("div", { class: "notice-text" }, text),
    h("div", { class: "notice-actions" },
      actions.map((a) => h("button", { type: "button", class: "button", onclick: () => { a.run(); box.remove(); } }, a.label)),
      h("button", { type: "button", class: "button secondary", onclick: () => { box.remove(); onDismiss?.(); } },
        t ? t("notice.dismiss") : "OK")));
  notices.append(box);
  return box;
}

function applyShellText() {
  const t = state.t;
  document.documentElement.lang = t.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  ui.then(({ h }) => nav.replaceChildren(h("ul", null, routes.filter((r) => r.nav).map((r) =>
    h("li", null, h("a", { href: r.path, "data-path": r.path },
      h("span", { class: "icon", "aria-hidden": "true" }, r.nav.icon),
      h("span", { class: "label" }, t(r.nav.labelKey))))))));
  updateOnline();
}

function updateOnline() {
  const badge = document.getElementById("offline-badge");
  if (badge) badge.hidden = navigator.onLine;
}

async function setLanguage(lang) {
  // The same language again (after "save" on the picker): keep its messages, already loaded.
  if (state.t && state.t.lang === (lang || DEFAULT_LANG)) return;
  const t = await makeTranslator(lang || DEFAULT_LANG);
  state.t = t;
  applyShellText();
  // Other capabilities' messages (nav labels too) arrive a moment later. The first visit's
  // picker shows no nav and needs none of them: they are asked for once a screen needs them,
  // or once the service worker has them (controllerchange below; a language switched later).
  if (state.profile || navigator.serviceWorker?.controller) whenReady(t);
}

/** Other capabilities' messages are in (i18n.js t.ready): label the shell with them once. */
function whenReady(t) {
  return t.ready.then(() => {
    if (state.t === t && !t.labeled) { t.labeled = true; applyShellText(); }
  });
}

function context(m) {
  return {
    t: state.t,
    lang: state.t.lang,
    profile: state.profile,
    pack: state.pack,
    params: m.params,
    query: m.query,
    /** This screen's route ("#/log/shift"): location.hash is always empty (routes.js). */
    route: m.hash,
    navigate,
    notify,
    /** The picker's language choice, before saving: the whole shell speaks it from now on
     * (so a later relabel, when the worker takes control, does not turn it back). */
    setLanguage: async (lang) => { await setLanguage(lang); return state.t; },
    reloadPack: async () => { state.pack = await getPack(); return state.pack; },
    /** Called by the profile screen after saving (with the pack and profile it just saved, so
     * they are not read back): reload language and pack, go home. */
    profileChanged: async (pack, profile) => { await boot(pack, profile); await navigate(HOME); checkPersistence(); },
  };
}

async function render() {
  const id = ++state.renderId;
  const { h } = await ui;
  let hash = currentRoute();
  if (!match(hash)) hash = state.profile ? HOME : "#/profile";
  if (!state.profile && match(hash).route.needsProfile !== false) hash = "#/profile";
  const m = { ...match(hash), hash };
  if (state.cleanup) { try { state.cleanup(); } catch (_) { /* screen already gone */ } state.cleanup = null; }
  main.setAttribute("aria-busy", "true");
  let mod;
  try {
    // Only the picker can show before every capability's messages are in.
    if (m.route.needsProfile !== false) await whenReady(state.t);
    mod = await m.route.load();
  } catch (_) {
    if (id !== state.renderId) return;
    main.replaceChildren(h("h1", { tabindex: "-1" }, state.t("error.screen")));
    main.removeAttribute("aria-busy");
    return;
  }
  if (id !== state.renderId) return;
  const container = h("div", { class: "screen" });
  main.replaceChildren(container);
  try {
    const cleanup = await mod.render(container, context(m));
    if (id === state.renderId && typeof cleanup === "function") state.cleanup = cleanup;
  } catch (err) {
    console.error(err);
    container.replaceChildren(h("h1", { tabindex: "-1" }, state.t("error.screen")));
  }
  if (id !== state.renderId) return;
  main.removeAttribute("aria-busy");
  main.dataset.screen = hash; // lets tests (and styles) know which screen is shown
  performance.mark(`cartilla:${m.route.path}`); // read by scripts/bench-phone
  nav.hidden = !state.profile;
  const base = m.route.path.split("/").slice(0, 2).join("/");
  for (const a of nav.querySelectorAll("a")) {
    if (a.dataset.path === base) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = TITLE; // never the screen's heading (see the module docstring)
  const title = main.querySelector("h1");
  if (title) title.focus({ preventScroll: false });
}

/** Tell the worker plainly when the phone may delete saved guides. */
async function checkPersistence() {
  if (!navigator.storage || !navigator.storage.persisted) return;
  let persisted = await navigator.storage.persisted();
  if (!persisted && state.profile && navigator.storage.persist) persisted = await navigator.storage.persist();
  if (persisted || !state.profile || (await getSetting("persistNoticeDismissed"))) return;
  notify(state.t("storage.notPersistent"), {
    id: "storage",
    tone: "warning",
    onDismiss: () => setSetting("persistNoticeDismissed", true),
  });
}

async function showChanges() {
  const changes = await getSetting("changes");
  if (!changes || !changes.guides || !changes.guides.length) return;
  const titles = changes.guides.map((g) => g.title).join(" · ");
  notify(`${state.t("update.guides", { count: changes.guides.length })} ${titles}`, {
    id: "changes",
    actions: changes.guides.length === 1
      ? [{ label: state.t("update.read"), run: () => { setSetting("changes", null); navigate(`#/guide/${encodeURIComponent(changes.guides[0].id)}`); } }]
      : [],
    onDismiss: () => setSetting("changes", null),
  });
}

let hadController = false;
let reloading = false;

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController && !reloading) { reloading = true; location.reload(); }
    hadController = true;
    keepOffline(state.t.lang);
    // The other capabilities' messages, now from the worker's cache (the first visit's picker
    // did not ask for them): the screen after "save" does not wait for them.
    if (state.t) whenReady(state.t);
  });
  navigator.serviceWorker.addEventListener("message", async (event) => {
    const msg = event.data || {};
    if (msg.type === "PACK_UPDATED") {
      state.pack = await getPack();
      await showChanges();
      if (/^#\/(guides|guide\/)/.test(currentRoute() || HOME)) render();
    }
  });
  // The worker's URL carries the app version, so any changed file installs a new worker.
  // "no-cache" revalidates (a 304 when nothing changed); the worker lets it through.
  let version = null;
  try {
    const res = await fetch("/asset-manifest.json", { cache: "no-cache" });
    if (res.ok) version = (await res.json()).version;
  } catch (_) { /* offline: keep the installed worker */ }
  let reg;
  try {
    reg = version
      ? await navigator.serviceWorker.register(`/sw.js?v=${encodeURIComponent(version)}`)
      : await navigator.serviceWorker.getRegistration();
  } catch (err) {
    console.error(err);
    return;
  }
  if (!reg) return;
  const offerUpdate = () => {
    if (!reg.waiting || !navigator.serviceWorker.controller) return;
    const waiting = reg.waiting;
    notify(state.t("update.app"), {
      id: "app-update",
      actions: [{ label: state.t("update.install"), run: () => waiting.postMessage({ type: "SKIP_WAITING" }) }],
    });
  };
  // The new worker may still be installing when register() resolves, or install later.
  const track = (worker) => worker && worker.addEventListener("statechange", () => {
    if (worker.state === "installed") offerUpdate();
  });
  track(reg.installing);
  reg.addEventListener("updatefound", () => track(reg.installing));
  offerUpdate();
  askForPackUpdates();
}

/** Ask the service worker to fetch what changed in the pack (it answers with PACK_UPDATED). */
function askForPackUpdates() {
  if (!navigator.onLine || !state.profile) return;
  const controller = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (controller) controller.postMessage({ type: "CHECK_UPDATES" });
}

async function boot(pack, profile) {
  state.profile = profile || (await getProfile());
  const stored = pack ? null : getPack(); // read while the language loads
  await setLanguage(state.profile && state.profile.lang);
  state.pack = pack || (await stored);
  if (state.profile && needsDownload(state.pack, state.profile) && navigator.onLine) {
    try {
      // pack.js only when needed: the first screen does not wait for it.
      state.pack = await (await import("./pack.js")).downloadPack(state.profile);
    } catch (_) { /* keep the older pack; the guide list explains */ }
  }
}

/** A punch-in left open (log/punch.js raises a one-word flag in localStorage): ask "¿A qué hora
 * salió?" on whatever screen opened. Only then is anything of the log loaded. */
async function askForgottenPunch() {
  let open = false;
  try { open = localStorage.getItem("cartilla.punch") === "1"; } catch (_) { /* no storage */ }
  if (!open || !state.profile) return;
  await state.t.ready;
  const m = await import("./log/punch.js");
  const hash = currentRoute() || HOME;
  await m.askIfForgotten(context({ ...(match(hash) || { params: {}, query: {} }), hash }), notices,
    () => { if (/^#\/log/.test(currentRoute() || HOME)) render(); });
}

window.addEventListener("online", () => { updateOnline(); askForPackUpdates(); });
// The log locked (auto-lock) or opened (log/store.js): the profile's status is sealed with the
// log's key, so read it again; on lock, draw the screen again so nothing stays on it.
window.addEventListener("cartilla:lock", async (event) => { state.profile = await getProfile(); if (event.detail) render(); });
window.addEventListener("offline", updateOnline);

(async () => {
  try {
    await boot();
  } catch (err) {
    console.error(err);
    state.t = state.t || (await makeTranslator(DEFAULT_LANG));
  }
  await render();
  askForgottenPunch().catch(() => {});
  showChanges();
  checkPersistence();
  registerWorker();
  // Time receipts for the log whenever online (bundle/receipts.js). Loaded after the first
  // screen so it never delays it on a slow connection; on a first visit (no log yet), once
  // the service worker controls the page: it comes in the shell bundle, so not downloaded twice.
  const workerReady = "serviceWorker" in navigator && !state.profile && !navigator.serviceWorker.controller
    ? new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }))
    : Promise.resolve();
  workerReady.then(() => import("./bundle/receipts.js")).then((m) => m.keepAnchored()).catch(() => {});
})();
