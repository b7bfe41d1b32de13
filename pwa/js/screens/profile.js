/** Profile picker: language, state, kind of work and status. Also how to change them later. */
import { h, heading } from "../ui.js";
import { availableLanguages } from "../i18n.js";
import { setProfile, setPack, needsDownload, getPack, profileQuery } from "../store.js";

// pack.js is loaded on "save", not before the picker shows (one request less on a slow first
// visit); by then the service worker has it from the shell bundle (server/static.py BUNDLED).
const packModule = () => import("../pack.js");

/** The pack already being fetched for the choices so far: {query, promise}. Kept across this
 * screen's re-renders (a language change draws it again). */
let early = null;

/** Start downloading the pack as soon as state and industry are chosen, before "save": on a
 * slow connection it is in by the time the worker has chosen the rest. The request is the one
 * "save" would make (state, industry and language; never the status, store.js), and nothing
 * is stored until "save". */
function fetchEarly(choice, stored) {
  if (!choice.state || !choice.industry || !choice.lang || !navigator.onLine) return;
  const query = profileQuery(choice);
  if ((early && early.query === query) || !needsDownload(stored, choice)) return;
  // pack.js requestPack's request, made here so that it does not wait for pack.js to load.
  const promise = fetch(`/api/v1/packs?${query}`, { cache: "no-store" });
  promise.catch(() => { /* asked again on "save" */ });
  early = { query, promise };
}

export const STATES = [
  "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
  "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
  "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
  "UT", "VT", "VA", "WA", "WV", "WI", "WY",
];
export const INDUSTRIES = ["agriculture", "construction", "restaurants", "cleaning", "meatpacking",
  "landscaping", "domestic", "hospitality"];
export const STATUSES = ["h2a", "h2b", "undocumented", "any"];

/** The app's own languages named in themselves, as Intl.DisplayNames names them: on a slow
 * phone, loading the browser's language names costs a noticeable moment on the first screen. */
const SELF_NAMES = { es: "Español", en: "English" };

function selfName(code) {
  if (SELF_NAMES[code]) return SELF_NAMES[code];
  try {
    const name = new Intl.DisplayNames([code], { type: "language" }).of(code);
    return name && name !== code ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : null;
  } catch (_) {
    return null;
  }
}

function radios(name, legend, options, checked) {
  return h("fieldset", null, h("legend", null, legend),
    options.map(([value, label], i) => h("label", { class: "choice" },
      h("input", { type: "radio", name, value, checked: value === checked || (!checked && i === 0 && name === "lang"), required: true }),
      h("span", { lang: name === "lang" ? value : null }, label))));
}

export async function render(container, ctx) {
  const { t, profile } = ctx;
  const langs = await availableLanguages();
  // Each language is named in itself ("Español", "English"), others by the browser: no download.
  const langNames = langs.map((l) => selfName(l) || (l === t.lang ? t("lang.name") : l));
  const current = ctx.draft || profile || { lang: t.lang };
  const stateSelect = h("select", { id: "state", name: "state", required: true },
    h("option", { value: "" }, t("profile.chooseState")),
    STATES.map((s) => h("option", { value: s, selected: s === current.state }, t(`state.${s}`))));
  const error = h("p", { class: "error", role: "alert", id: "profile-error", hidden: true });
  const submit = h("button", { type: "submit", class: "button primary" }, t("profile.save"));
  const form = h("form", { class: "profile", novalidate: true, "data-lang": t.lang },
    radios("lang", t("profile.language"), langs.map((l, i) => [l, langNames[i]]), current.lang),
    h("div", { class: "field" }, h("label", { for: "state" }, t("profile.state")), stateSelect),
    radios("industry", t("profile.industry"), INDUSTRIES.map((v) => [v, t(`industry.${v}`)]), current.industry),
    radios("status", t("profile.status"), STATUSES.map((v) => [v, t(`status.${v}`)]), current.status),
    // Still sealed: protection is on and the log is locked (store.js), so the status is unknown.
    profile && profile.box ? h("p", { class: "card warning", id: "profile-sealed" }, t("profile.sealed"), " ", h("a", { href: "#/log" }, t("log.nav"))) : null,
    h("p", { class: "muted" }, t("profile.privacy")),
    error,
    submit);

  const choices = () => ({ lang: t.lang, ...Object.fromEntries(new FormData(form)) });
  // Changing the language re-labels this screen at once, before saving.
  form.addEventListener("change", async (event) => {
    if (event.target.name !== "lang") {
      fetchEarly(choices(), ctx.pack);
      return;
    }
    const lang = event.target.value;
    const draft = { ...current, ...Object.fromEntries(new FormData(form)), lang };
    fetchEarly(draft, ctx.pack);
    const next = await ctx.setLanguage(lang); // the page's language and header too (app.js)
    container.replaceChildren();
    await render(container, { ...ctx, t: next, lang: next.lang, draft });
    container.querySelector(`input[name=lang][value="${lang}"]`)?.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const missing = ["state", "industry", "status"].filter((k) => !data[k]);
    if (missing.length) {
      error.textContent = t("profile.missing", { fields: missing.map((k) => t(`profile.${k}`)).join(", ") });
      error.hidden = false;
      form.querySelector(missing[0] === "state" ? "#state" : `input[name=${missing[0]}]`).focus();
      return;
    }
    const next = { lang: data.lang || t.lang, state: data.state, industry: data.industry, status: data.status };
    submit.disabled = true;
    submit.textContent = t("profile.saving");
    error.hidden = true;
    import("./guides.js").catch(() => {}); // the next screen, loaded while the pack comes in
    let pack = await getPack();
    let fresh = null; // downloaded now: stored together with the profile
    if (needsDownload(pack, next)) {
      const same = early && early.query === profileQuery(next) ? early.promise : null;
      early = null; // used once: a later "save" asks again
      try {
        const m = await packModule();
        fresh = await (same ? m.fetchPack(next, same).catch(() => m.fetchPack(next)) : m.fetchPack(next));
        pack = fresh;
      } catch (err) {
        // Keep the choice: the pack downloads as soon as there is a connection.
        const known = err && typeof err.text === "function"; // a PackError (pack.js)
        error.textContent = known ? err.text(t) : t("pack.broken");
        error.hidden = false;
        submit.disabled = false;
        submit.textContent = t("profile.save");
        if (!known || err.messageKey !== "pack.offline" || !pack) return;
      }
    }
    // Both written at once (the profile may be refused while the log is locked); a pack that
    // could not be stored is downloaded again at the next start (app.js boot).
    const storing = fresh ? setPack(fresh).catch(() => {}) : null;
    try {
      await setProfile(next);
      await storing;
    } catch (_) { // "locked": the log's key is needed to seal the status (store.js)
      error.textContent = t("profile.sealed");
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = t("profile.save");
      return;
    }
    await ctx.profileChanged(pack, next);
  });

  container.append(heading(profile ? t("profile.titleChange") : t("profile.title")),
    h("p", null, t("profile.intro")), form);
  // Notifications are offered here, never on first load: only once a profile exists.
  if (profile) {
    container.append(h("p", null, h("a", { href: "#/notifications", class: "button" }, `🔔 ${t("push.title")}`)),
      h("h2", null, t("erase.title")), h("p", null, t("erase.offer")),
      h("p", null, h("a", { href: "#/erase", class: "button danger", id: "erase-open" }, t("erase.title"))));
  }
}
