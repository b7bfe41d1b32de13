/** "What to do now", once the bundle is made: where the file is, what to bring, whom to call,
 * and a full-screen summary to show at the consulate's window.
 *
 * Whom to call comes only from the offline pack (the same consulates and hotlines as
 * ../screens/directory.js, with its "confirme" marks): the worker's consulate is the one whose
 * county list names their county, or the only one serving their state; when the county
 * decides and is not known yet, the worker picks it here. Nothing here promises an outcome.
 */
import { h, callLink, formatDate } from "../ui.js";
import { pick } from "../i18n.js";
import { currentRoute } from "../routes.js";
import { countiesOf, packData, savedCounty } from "../screens/directory.js";
import { plural } from "../log/format.js";
import { money } from "../wages.js";

const p = (...c) => h("p", null, ...c);

/** "23 turnos, 3 pagos, 1 gasto, …": each count with its plural form (Intl.PluralRules). */
export function countsText(ctx, counts) {
  return ["shifts", "pay", "expenses", "incidents", "photos"].map((k) => plural(ctx, `bundle.n.${k}`, counts[k] || 0)).join(", ");
}

function consulateCard(c, { t, lang }) {
  const name = t("directory.consulateIn", { city: c.city, state: c.state });
  const phones = (c.phones || []).filter((x) => x.source); // only numbers a source gives
  const confirm = (x) => (x.confirm ? ` (${t("directory.confirm")})` : "");
  return h("div", { class: "card", id: "after-consulate" }, h("h3", null, name),
    c.address && p(pick(c.address.text, lang), confirm(c.address)),
    phones.length ? phones.map((x) => p(t(`directory.phone.${x.kind}`), ": ", callLink(x.number, name, t), confirm(x))) : p(t("directory.noPhone")));
}

function whomToCall(ctx) {
  const { t, lang, pack, profile } = ctx;
  const { consulates, hotlines } = packData(pack);
  const state = profile && profile.state;
  const serving = consulates.filter((c) => c.serves.includes(state));
  const counties = countiesOf(consulates, state);
  const card = h("div");
  // The worker's consulate: the only one serving the state, or the one naming their county;
  // where the county decides, they pick (or change) it here.
  const fill = (county) => {
    const mine = serving.length === 1 ? serving[0] : serving.find((c) => (c.counties || []).some((k) => k.state === state && k.names.includes(county)));
    card.replaceChildren(mine ? consulateCard(mine, ctx) : picker ? p(t("bundle.after.county")) : "");
  };
  const county = counties.includes(savedCounty(state)) ? savedCounty(state) : "";
  const picker = serving.length > 1 && counties.length ? h("select", { id: "after-county", "aria-label": t("directory.county", { state: t(`state.${state}`) }),
    onchange: () => {
      // The same place the directory keeps it (on the phone only; erase clears it).
      try { localStorage.setItem("cartilla.county", JSON.stringify({ state, county: picker.value })); } catch { /* private mode */ }
      fill(picker.value);
    } }, h("option", { value: "" }, t("directory.countyNone")), counties.map((n) => h("option", { value: n, selected: n === county }, n))) : null;
  fill(county);
  return h("div", null, picker, card,
    hotlines.filter((x) => x.phone).map((x) => p(pick(x.name, lang), ": ", callLink(x.phone, pick(x.name, lang), t))),
    p(h("a", { href: "#/directory" }, t("bundle.after.all"))));
}

/** The summary to show at the window: large text, one fact a line, closed with one tap. */
function windowSummary(s, ctx) {
  const { t, lang } = ctx;
  const w = s.wage_check;
  const dialog = h("dialog", { id: "bundle-window", "aria-labelledby": "bundle-window-title", onclose: () => dialog.remove() },
    h("h2", { id: "bundle-window-title" }, t("bundle.after.windowTitle")),
    s.worker_name && p(s.worker_name),
    p(s.employers.map((e) => e.name).join(", ")),
    p(t("bundle.after.dates", { start: formatDate(s.period.start, lang), end: formatDate(s.period.end, lang) })),
    p(countsText(ctx, s.counts)),
    h("p", { id: "bundle-window-owed" }, ...(w ? [t("bundle.after.record"), h("br"), w.total_owed_cents > 0
      ? t("log.wages.owed", { amount: money(w.total_owed_cents) }) : t("log.wages.nothingOwed")] : [t("log.wages.noRules")])),
    h("button", { type: "button", class: "button primary", id: "bundle-window-close", onclick: () => dialog.close() }, t("bundle.after.close")));
  return dialog;
}

/** Open `dialog` as a step of its own in the history, so Android's Back closes it and leaves
 * the worker on "what to do now". The step is pushed as the app's own steps are (an address
 * read and hidden by currentRoute, so quick exit knows it and marks it too). Back redraws
 * the bundle screen (app.js draws the screen of the entry it lands on), which would lose the
 * bundle just made: the screen shown is kept and put back in place of the new drawing.
 * Closing with its button or Escape takes the same step back. */
function showAsStep(dialog, opener) {
  const base = history.state || {};
  const screen = opener.closest(".screen");
  const main = screen && screen.parentElement;
  const same = (s) => s && s.route === base.route && s.depth === base.depth;
  let open = Boolean(main && base.route);
  if (open) {
    history.pushState(null, "", location.pathname + location.search + base.route);
    currentRoute();
  }
  const onPop = () => {
    removeEventListener("popstate", onPop);
    if (!open) return;
    open = false;
    dialog.close();
    if (!same(history.state)) return; // further back (a long press): the app shows that screen
    // This runs after app.js's listener, which has started drawing the bundle screen again.
    const keep = new MutationObserver(() => {
      keep.disconnect();
      if (same(history.state)) main.replaceChildren(screen);
      // Focus goes back to the button that opened the summary once the app is done.
      const done = new MutationObserver(() => { if (!main.hasAttribute("aria-busy")) { done.disconnect(); opener.focus(); } });
      done.observe(main, { attributes: true });
    });
    keep.observe(main, { childList: true });
  };
  addEventListener("popstate", onPop);
  dialog.addEventListener("close", () => { if (open) history.back(); });
  document.body.append(dialog);
  dialog.showModal();
}

/** The "what to do now" section for a bundle just made (`out` from ./build.js). */
export function afterView(out, ctx) {
  const { t } = ctx;
  const show = (event) => showAsStep(windowSummary(out.summary, ctx), event.currentTarget);
  return h("section", { id: "bundle-after" },
    h("h2", null, t("bundle.after.title")),
    p(t("bundle.after.where", { file: out.filename })),
    h("button", { type: "button", class: "button primary", id: "bundle-show", onclick: show }, t("bundle.after.show")),
    h("h3", null, t("bundle.after.bringTitle")), h("ul", null, t("bundle.after.bring").split("\n").map((x) => h("li", null, x))),
    h("h3", null, t("bundle.after.callTitle")), whomToCall(ctx),
    p(t("bundle.after.honest")));
}
