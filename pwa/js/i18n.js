/** Interface text: message files pwa/i18n/<lang>/<capability>.json, merged per language.
 *
 * The file list comes from /asset-manifest.json (every file under pwa/), so adding a language
 * is adding a folder, and each capability (app, log, bundle, push...) ships its own file with
 * its own key prefix ("log.title"). Nested objects flatten to dotted keys. A missing key falls
 * back to Spanish, then to the key itself. `{name}` in a message is replaced by t(key, {name}).
 */

export const DEFAULT_LANG = "es";

/** Message files the worker's app does not use (the staff desk loads its own). */
// staff.json is the desk's; wages.json is the wage check's own texts (pwa/js/wages.js loads it);
// entrega.json is Entrega's (js/entrega/screen.js loads it when the worker sends a bundle);
// push.json is the alerts screen's (js/push.js loads it with the screen; its title is here).
const SKIPPED = /\/(staff|wages|entrega|push)\.json$/;

let assetFiles = null;

/** What index.html carries for the first screen (server/static.py BOOT_MARK): {langs, messages}
 * (the language folders, and Spanish app.json), so the picker asks the network for neither. */
const BOOT = (() => {
  try {
    const block = typeof document !== "undefined" && document.getElementById("boot-data");
    return (block && block.textContent && JSON.parse(block.textContent)) || {};
  } catch (_) {
    return {};
  }
})();

/** The asset manifest's files {path: hash16}; cached by the service worker for offline use. */
export async function assetManifest() {
  if (assetFiles) return assetFiles;
  try {
    const res = await fetch("/asset-manifest.json");
    if (res.ok) assetFiles = (await res.json()).files || {};
  } catch (_) { /* offline and not cached yet */ }
  return assetFiles || { "/i18n/es/app.json": "", "/i18n/en/app.json": "" };
}

/** Language folders under pwa/i18n/ that have an app.json. */
export async function availableLanguages() {
  const langs = Array.isArray(BOOT.langs) ? BOOT.langs : Object.keys(await assetManifest())
    .map((p) => /^\/i18n\/([^/]+)\/app\.json$/.exec(p))
    .filter(Boolean)
    .map((m) => m[1]);
  return [DEFAULT_LANG, ...langs.filter((l) => l !== DEFAULT_LANG).sort()];
}

function flatten(obj, prefix, out) {
  for (const [key, value] of Object.entries(obj)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === "object" && !Array.isArray(value)) flatten(value, full, out);
    else out[full] = value;
  }
  return out;
}

async function loadFile(path) {
  try {
    // The plain path: the worker's cache ignores "?v=".
    const res = await fetch(path);
    return res.ok ? await res.json() : {};
  } catch (_) {
    return {};
  }
}

/** `lang`'s messages: app.json only (core) or every other capability's file. */
async function loadLanguage(lang, core) {
  if (core && lang === DEFAULT_LANG && BOOT.messages) return flatten(BOOT.messages, "", {});
  if (core) return flatten(await loadFile(`/i18n/${lang}/app.json`), "", {});
  const files = await assetManifest();
  const paths = Object.keys(files).filter((p) => p.startsWith(`/i18n/${lang}/`) && p.endsWith(".json")
    && !p.endsWith("/app.json") && !SKIPPED.test(p));
  const parts = await Promise.all(paths.map(loadFile));
  return parts.reduce((all, part) => flatten(part, "", all), {});
}

/** Ask again for `lang`'s files once the service worker controls the page, so it keeps them
 * for offline use (it precaches only Spanish). Cheap: the browser revalidates its copies. */
export async function keepOffline(lang) {
  if (lang && lang !== DEFAULT_LANG) await Promise.all([loadLanguage(lang, true), loadLanguage(lang, false)]);
}

/** A translator for `lang`: t(key, vars) -> string, with t.lang and t.ready.
 * The app's own messages are loaded first (the shell and the picker need nothing else);
 * other capabilities' files are loaded when t.ready is first asked for, and it resolves when
 * they are merged in. So the first visit's picker does not download them: the service worker
 * brings them in the shell bundle meanwhile (server/static.py BUNDLED), and the screens after
 * it read them from there. */
export async function makeTranslator(lang) {
  const other = lang && lang !== DEFAULT_LANG;
  const [base, own] = await Promise.all([
    loadLanguage(DEFAULT_LANG, true),
    other ? loadLanguage(lang, true) : Promise.resolve({}),
  ]);
  const messages = { ...base, ...own };
  const t = (key, vars) => {
    let text = messages[key];
    if (typeof text !== "string") return key;
    if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    return text;
  };
  t.lang = other && Object.keys(own).length ? lang : DEFAULT_LANG;
  t.messages = messages;
  let ready = null;
  Object.defineProperty(t, "ready", {
    get: () => (ready ||= Promise.all([
      loadLanguage(DEFAULT_LANG, false),
      other ? loadLanguage(lang, false) : Promise.resolve({}),
    ]).then(([baseRest, ownRest]) => { Object.assign(messages, baseRest, ownRest); })),
  });
  return t;
}

/** Pick the text for `lang` from a localized object {es, en, ...}. */
export function pick(localized, lang) {
  if (!localized) return "";
  if (typeof localized === "string") return localized;
  return localized[lang] || localized[DEFAULT_LANG] || localized.en || Object.values(localized)[0] || "";
}
