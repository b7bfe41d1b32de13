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
import { countiesOf, packData, savedCounty } from "../screens/directory.js";
import { plural } from "../log/format.js";
import { money } from "../wages.js";

/** "23 turnos, 3 pagos, 1 gasto, …": each count with its plural form (Intl.PluralRules). */
export function countsText(ctx, counts) {
  return ["shifts", "pay", "expenses", "incidents", "photos"].map((k) => plural(ctx, `bundle.n.${k}`, counts[k] || 0)).join(", ");
}

/** The worker's consulate, or null while the county decides it and is not known. */
export function consulateFor(consulates, state, county) {
  const serving = consulates.filter((c) => c.serves.includes(state));
  if (serving.length === 1) return serving[0];
  return serving.find((c) => (c.counties || []).some((k) => k.state === state && k.names.includes(county))) || null;
}

function consulateCard(c, { t, lang }) {
  const name = t("directory.consulateIn", { city: c.city, state: c.state });
  const phones = (c.phones || []).filter((p) => p.source); // only numbers a source gives
  const confirm = (x) => (x.confirm ? ` (${t("directory.confirm")})` : "");
  return h("div", { class: "card", id: "after-consulate" }, h("h3", null, name),
    c.address ? h("p", null, pick(c.address.text, lang), confirm(c.address)) : null,
    phones.length ? phones.map((p) => h("p", null, t(`directory.phone.${p.kind}`), ": ", callLink(p.number, name, t), confirm(p)))
      : h("p", null, t("directory.noPhone")));
}

function whomToCall(ctx) {
  const { t, lang, pack, profile } = ctx;
  const data = packData(pack);
  const state = profile && profile.state;
  const card = h("div");
  const fill = (county) => {
    const mine = consulateFor(data.consulates, state, county);
    card.replaceChildren(mine ? consulateCard(mine, ctx) : picker ? h("p", null, t("bundle.after.county")) : "");
  };
  const counties = countiesOf(data.consulates, state);
  const county = counties.includes(savedCounty(state)) ? savedCounty(state) : "";
  // Where the county decides the consulate, the worker can pick it (or change it) here.
  const picker = data.consulates.filter((c) => c.serves.includes(state)).length > 1 && counties.length
    ? h("select", { id: "after-county", "aria-label": t("directory.county", { state: t(`state.${state}`) }) },
      h("option", { value: "" }, t("directory.countyNone")), counties.map((n) => h("option", { value: n, selected: n === county }, n)))
    : null;
  if (picker) {
    picker.addEventListener("change", () => {
      // The same place the directory keeps it (on the phone only; erase clears it).
      try { localStorage.setItem("cartilla.county", JSON.stringify({ state, county: picker.value })); } catch { /* private mode */ }
      fill(picker.value);
    });
  }
  fill(county);
  return h("div", null, picker, card,
    data.hotlines.filter((x) => x.phone).map((x) => h("p", null, pick(x.name, lang), ": ", callLink(x.phone, pick(x.name, lang), t))),
    h("p", null, h("a", { href: "#/directory" }, t("bundle.after.all"))));
}

/** The summary to show at the window: large text, one fact a line, closed with one tap. */
function windowSummary(s, ctx) {
  const { t, lang } = ctx;
  const w = s.wage_check;
  const owed = !w ? t("log.wages.noRules") : w.total_owed_cents > 0
    ? t("bundle.after.owed", { amount: money(w.total_owed_cents) }) : t("bundle.after.notOwed");
  const close = h("button", { type: "button", class: "button primary", id: "bundle-window-close" }, t("bundle.after.close"));
  const dialog = h("dialog", { id: "bundle-window", "aria-labelledby": "bundle-window-title" },
    h("h2", { id: "bundle-window-title" }, t("bundle.after.windowTitle")),
    s.worker_name ? h("p", null, s.worker_name) : null,
    h("p", null, s.employers.map((e) => e.name).join(", ")),
    h("p", null, t("bundle.after.dates", { start: formatDate(s.period.start, lang), end: formatDate(s.period.end, lang) })),
    h("p", null, countsText(ctx, s.counts)),
    h("p", { id: "bundle-window-owed" }, owed), close);
  close.addEventListener("click", () => { dialog.close(); dialog.remove(); });
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

/** The "what to do now" section for a bundle just made (`out` from ./build.js). */
export function afterView(out, ctx) {
  const { t } = ctx;
  const show = h("button", { type: "button", class: "button primary", id: "bundle-show" }, t("bundle.after.show"));
  show.addEventListener("click", () => {
    const dialog = windowSummary(out.summary, ctx);
    document.body.append(dialog);
    dialog.showModal();
  });
  const list = (key) => h("ul", null, t(key).split("\n").map((line) => h("li", null, line)));
  return h("section", { id: "bundle-after", "aria-labelledby": "bundle-after-title" },
    h("h2", { id: "bundle-after-title" }, t("bundle.after.title")),
    h("p", null, t("bundle.after.where", { file: out.filename })),
    show,
    h("h3", null, t("bundle.after.bringTitle")), list("bundle.after.bring"),
    h("h3", null, t("bundle.after.callTitle")), whomToCall(ctx),
    h("p", null, t("bundle.after.honest")));
}
