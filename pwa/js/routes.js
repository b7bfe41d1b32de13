/** The hash router's table: every screen of the app, in navigation order.
 *
 * To add a screen, add ONE entry here:
 *
 *   {path: "#/log", load: () => import("./log/screen.js"), nav: {icon: "✎", labelKey: "log.nav"}},
 *
 * - path: "#/name", optionally with parameters ("#/log/:entry"); a query after "?" is parsed
 *   into ctx.query.
 * - load: a dynamic import of a module that exports `render(container, ctx)` (may be async,
 *   may return a cleanup function called when the worker leaves the screen).
 * - nav (optional): shows the screen in the bottom navigation; icon is a short text symbol,
 *   labelKey a message key in your pwa/i18n/<lang>/<capability>.json. Keep the bar to six
 *   items or fewer: at 320 px more do not fit. Search is reached from the guide list and
 *   notifications from the profile screen.
 * - needsProfile (optional, default true): without a chosen profile the app shows the picker.
 *
 * ctx = {t(key, vars), lang, profile, pack, navigate(hash), params, query, notify(text),
 *        reloadPack()}. Write your own headings with an <h1> first: the app focuses it.
 * Add files to pwa/ freely: the service worker precaches everything in /asset-manifest.json
 * (except /staff/), so your screen works offline.
 *
 * The address bar never shows a screen: a "#/..." address (a link, a typed or notification
 * URL) is read once, then the history entry is replaced by the bare page with the screen kept
 * in history.state (survives a reload, never shown). With the one neutral title (app.js), the
 * back button and the browser's history hold only "Cartilla" at "/", never "#/guide/if-detained".
 *
 * Back: moving to another screen pushes an entry (in the tap that moved, so Chrome never
 * treats it as an entry to skip), a change on the same screen (search words) replaces it.
 * Each entry knows its depth, how many of the app's entries are under it, so quick exit
 * (leave) can go back to the first one and replace it: nothing of Cartilla is left behind.
 */
export const routes = [
  { path: "#/guides", load: () => import("./screens/guides.js"), nav: { icon: "☰", labelKey: "nav.guides" } },
  { path: "#/triage", load: () => import("./screens/triage.js"), nav: { icon: "?", labelKey: "nav.triage" } },
  { path: "#/triage/:id", load: () => import("./screens/triage.js") },
  { path: "#/search", load: loadSearch },
  { path: "#/directory", load: () => import("./screens/directory.js"), nav: { icon: "☎", labelKey: "nav.directory" } },
  { path: "#/guide/:id", load: () => import("./screens/guide.js") },
  { path: "#/notifications", load: loadPush },
  { path: "#/log", load: () => import("./log/screen.js"), nav: { icon: "✎", labelKey: "log.nav" } },
  { path: "#/log/:view", load: () => import("./log/screen.js") },
  { path: "#/log/:view/:id", load: () => import("./log/screen.js") },
  { path: "#/bundle", load: () => import("./bundle/screen.js"), nav: { icon: "⇪", labelKey: "bundle.nav" } },
  { path: "#/profile", load: () => import("./screens/profile.js"), needsProfile: false, nav: { icon: "⚙", labelKey: "nav.profile" } },
  { path: "#/erase", load: () => import("./erase.js"), needsProfile: false },
];

/** The alerts screen. push.js is not in the first visit's precache (sw.js LAZY): turning alerts
 * on needs the network anyway, so a phone that never opened this screen has no use for it.
 * Once used, it is kept: asked again through the service worker, which then caches it, so
 * turning alerts off works offline later. Offline before that, the screen says why. */
async function loadPush() {
  let mod;
  try {
    mod = await import("./push.js");
  } catch (_) {
    return {
      render(container, ctx) {
        container.append(Object.assign(document.createElement("p"), {
          className: "notice", textContent: ctx.t("push.needsNetwork"),
        }));
      },
    };
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.ready.then(() => fetch("/js/push.js")).catch(() => {});
  }
  return mod;
}

/** The search screen, its rules and phrasings come in the shell bundle when the service worker
 * installs (server/static.py BUNDLED). Offline before that install finished, the screen says
 * why instead of failing. */
async function loadSearch() {
  try {
    return await import("./screens/search.js");
  } catch (_) {
    return {
      render(container, ctx) {
        container.append(Object.assign(document.createElement("p"), {
          className: "notice", textContent: ctx.t("search.needsNetwork"),
        }));
      },
    };
  }
}

/** The home screen when a profile exists. */
export const HOME = "#/guides";

/** Find the route for a hash: {route, params, query} or null. */
export function match(hash) {
  const [path, search = ""] = (hash || "").split("?");
  const parts = path.split("/");
  for (const route of routes) {
    const want = route.path.split("/");
    if (want.length !== parts.length) continue;
    const params = {};
    const ok = want.every((w, i) => {
      if (w.startsWith(":")) {
        params[w.slice(1)] = decodeURIComponent(parts[i]);
        return parts[i] !== "";
      }
      return w === parts[i];
    });
    if (ok) return { route, params, query: Object.fromEntries(new URLSearchParams(search)) };
  }
  return null;
}

// An entry quick exit passed on its way out (Forward from the neutral page reopens it, or
// the phone restores it from its page cache): leave again at once.
if (history.state && history.state.left) {
  document.documentElement.hidden = true;
  location.replace(history.state.left);
}
addEventListener("pageshow", (event) => {
  if (event.persisted && history.state && history.state.left) location.replace(history.state.left);
});

/** How many of this page's entries are under the current one (0: the first). */
let depth = (history.state && history.state.depth) || 0;
/** The deepest entry of this page still reachable with Forward (pushing drops those above). */
let top = depth;
let started = false;
let leaving = null;
const pathOf = (hash) => String(hash || "").split("?")[0];

/** The screen to show: a "#/..." just navigated to (then hidden from the address bar), else
 * the one kept in this history entry, else "". */
export function currentRoute() {
  const first = !started;
  started = true;
  if (location.hash.startsWith("#/")) {
    const hash = location.hash;
    // A "#/..." typed or followed while the app is open is an entry of its own (the browser
    // added it); on opening the app it is the first.
    if (!first) top = depth += 1;
    history.replaceState({ route: hash, depth }, "", location.pathname + location.search);
    return hash;
  }
  return (history.state && typeof history.state.route === "string" && history.state.route) || "";
}

/** Remember `hash` as the screen, never in the URL: a new entry for another screen (Back
 * returns), the same entry for the same screen with other details (a search's words). */
export function setRoute(hash) {
  const state = history.state || {};
  const url = location.pathname + location.search;
  started = true;
  if (typeof state.route === "string" && state.route && pathOf(state.route) !== pathOf(hash)) {
    top = depth = (state.depth || 0) + 1;
    history.pushState({ route: hash, depth }, "", url);
  } else {
    history.replaceState({ ...state, route: hash, depth: "depth" in state ? state.depth : depth }, "", url);
  }
}

/** After popstate: whether it moved between the app's screens (then show this entry's). A
 * "#/..." address is shown by hashchange instead; while leaving, finish leaving. */
export function wentBack() {
  if (leaving) {
    stepOut();
    return false;
  }
  if (location.hash.startsWith("#/")) return false;
  depth = (history.state && history.state.depth) || 0;
  return true;
}

/** Quick exit: back to the app's first entry, then replace it with `url`, so Back from there
 * leaves the site instead of opening one of the app's screens. Every entry of the page
 * forgets its screen and is marked to leave again if Forward ever reaches it. The screen is
 * blank from the tap on (app.js), the steps back take milliseconds. */
export function leave(url) {
  leaving = url;
  const here = (history.state && history.state.depth) || 0;
  // Screens Back left behind are marked too: first up to the last of them, then down.
  if (top > here) history.go(top - here);
  else stepOut();
}

function stepOut() {
  const below = (history.state && history.state.depth) || 0;
  history.replaceState({ left: leaving, depth: below }, "", location.pathname + location.search);
  if (below > 0) history.back();
  else location.replace(leaving);
}
