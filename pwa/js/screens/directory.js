/** Directory: agencies (federal and the worker's state), consulates and hotlines, tap to call.
 * The worker's consulate comes first: the one whose jurisdiction names the county they pick
 * (a list per state, in the pack, offline), or the only one serving their state. Only numbers
 * with a source are tappable; numbers only a secondary page gives say "confirme". */
import { h, heading, callLink, externalLink } from "../ui.js";
import { pick } from "../i18n.js";

export function packData(pack) {
  const data = (pack && pack.data) || {};
  return {
    agencies: data.agencies || [], consulates: data.consulates || [],
    hotlines: data.hotlines || [], triage: data.triage || [],
  };
}

function contact(item, name, t) {
  return h("div", { class: "contact" },
    item.phone ? callLink(item.phone, name, t) : h("p", { class: "muted" }, t("directory.noPhone")),
    item.complaint_url ? externalLink(item.complaint_url, t("directory.complain")) : null,
    item.url ? externalLink(item.url, t("directory.website")) : null);
}

export function agencyCard(agency, ctx, headingLevel = "h3") {
  const { t, lang } = ctx;
  const name = pick(agency.name, lang);
  const where = agency.jurisdiction === "federal" ? t("directory.federal") : t(`state.${agency.jurisdiction}`);
  return h("li", { class: "card", id: `agency-${agency.id}` },
    h(headingLevel, { class: "card-title" }, name, agency.short_name ? ` (${agency.short_name})` : ""),
    h("p", { class: "muted" }, where),
    h("p", null, pick(agency.what_it_does, lang)),
    contact(agency, name, t));
}

// The county the worker picked, kept on the phone only (erase clears localStorage).
const COUNTY_KEY = "cartilla.county";

export function savedCounty(state) {
  try {
    const saved = JSON.parse(localStorage.getItem(COUNTY_KEY) || "null");
    return saved && saved.state === state ? saved.county : "";
  } catch { return ""; }
}

/** The counties of `state` some consulate's jurisdiction names, sorted, no repeats. */
export function countiesOf(consulates, state) {
  const names = new Set();
  for (const c of consulates) for (const k of c.counties || []) if (k.state === state) k.names.forEach((n) => names.add(n));
  return [...names].sort((a, b) => a.localeCompare(b, "es"));
}

function servesCounty(consulate, state, county) {
  return Boolean(county) && (consulate.counties || []).some((k) => k.state === state && k.names.includes(county));
}

/** The worker's consulate first: the one naming their county, or the only one serving their state.
 * Then the others that serve the state, and among equals those with a sourced number first. */
export function orderConsulates(consulates, state, county) {
  const serving = consulates.filter((c) => c.serves.includes(state));
  const rank = (c) => servesCounty(c, state, county) ? 0
    : serving.length === 1 && serving[0] === c ? 0
    : c.serves.includes(state) ? 1 : 2;
  const callable = (c) => (c.phones || []).some((p) => p.source) ? 0 : 1;
  return consulates.map((c, i) => [c, i])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || callable(a) - callable(b) || i - j)
    .map(([c]) => c);
}

function sourcedLine(item, lang, t) {
  return item ? h("p", null, pick(item.text, lang), item.confirm ? h("span", { class: "muted" }, ` (${t("directory.confirm")})`) : null) : null;
}

function phoneLines(consulate, name, t) {
  const phones = (consulate.phones || []).filter((p) => p.source);
  if (!phones.length) return [h("p", { class: "muted" }, t("directory.noPhone"))];
  return phones.map((p) => h("p", { class: "phone-line" },
    h("span", null, t(`directory.phone.${p.kind}`), ": "), callLink(p.number, name, t),
    p.confirm ? h("span", { class: "muted" }, ` ${t("directory.confirmNumber")}`) : null));
}

function consulateCard(consulate, ctx, mine) {
  const { t, lang, profile } = ctx;
  const serving = consulate.serves.includes(profile.state);
  const name = t("directory.consulateIn", { city: consulate.city, state: consulate.state });
  const counties = (consulate.counties || []).filter((k) => k.state === profile.state);
  return h("li", { class: `card${serving ? " highlight" : ""}`, id: `consulate-${consulate.id}` },
    h("h3", { class: "card-title" }, name),
    mine ? h("p", null, h("span", { class: "badge serving" }, t("directory.yourConsulate"))) : null,
    serving && !mine ? h("p", null, h("span", { class: "badge serving" }, t("directory.servesYou", { state: t(`state.${profile.state}`) }))) : null,
    consulate.serves_note && !counties.length ? h("p", null, pick(consulate.serves_note, lang)) : null,
    counties.map((k) => h("p", { class: "muted" }, t(k.complete ? "directory.counties" : "directory.countiesSome", { list: k.names.join(", ") }),
      k.confirm ? ` (${t("directory.confirm")})` : "")),
    sourcedLine(consulate.address, lang, t),
    sourcedLine(consulate.hours, lang, t),
    h("div", { class: "contact" }, ...phoneLines(consulate, name, t),
      consulate.url ? externalLink(consulate.url, t("directory.website")) : null));
}

function countyPicker(ctx, counties, county, onChange) {
  const { t, profile } = ctx;
  const select = h("select", { id: "dir-county" },
    h("option", { value: "" }, t("directory.countyNone")),
    ...counties.map((n) => h("option", { value: n, selected: n === county ? "" : null }, n)));
  select.value = county;
  select.addEventListener("change", () => {
    try { localStorage.setItem(COUNTY_KEY, JSON.stringify({ state: profile.state, county: select.value })); } catch { /* private mode: keep it for this view */ }
    onChange(select.value);
  });
  return h("p", null, h("label", { for: "dir-county" }, t("directory.county", { state: t(`state.${profile.state}`) }), " "), select);
}

export function render(container, ctx) {
  const { t, lang, pack, profile } = ctx;
  const data = packData(pack);
  const federal = data.agencies.filter((a) => a.jurisdiction === "federal");
  const state = data.agencies.filter((a) => a.jurisdiction !== "federal");
  const counties = countiesOf(data.consulates, profile.state);
  let county = counties.includes(savedCounty(profile.state)) ? savedCounty(profile.state) : "";
  const list = h("ul", { class: "cards" });
  const fill = () => {
    const ordered = orderConsulates(data.consulates, profile.state, county);
    const serving = data.consulates.filter((c) => c.serves.includes(profile.state));
    const mine = (c) => servesCounty(c, profile.state, county) || (serving.length === 1 && serving[0] === c);
    list.replaceChildren(...ordered.map((c) => consulateCard(c, ctx, mine(c))));
  };
  fill();
  const consulateSection = data.consulates.length
    ? h("section", { "aria-labelledby": "dir-consulates" }, h("h2", { id: "dir-consulates" }, t("directory.consulates")),
      counties.length ? countyPicker(ctx, counties, county, (value) => { county = value; fill(); }) : null, list)
    : null;
  const section = (id, title, items) => items.length
    ? h("section", { "aria-labelledby": id }, h("h2", { id }, title), h("ul", { class: "cards" }, items))
    : null;
  container.append(heading(t("directory.title")), h("p", null, t("directory.intro")),
    consulateSection,
    section("dir-hotlines", t("directory.hotlines"), data.hotlines.map((x) => h("li", { class: "card" },
      h("h3", { class: "card-title" }, pick(x.name, lang)), h("p", null, pick(x.what_it_does, lang)),
      contact(x, pick(x.name, lang), t)))),
    section("dir-state", t("directory.stateAgencies", { state: t(`state.${profile.state}`) }), state.map((a) => agencyCard(a, ctx))),
    section("dir-federal", t("directory.federalAgencies"), federal.map((a) => agencyCard(a, ctx))));
  if (!data.agencies.length && !data.consulates.length) container.append(h("p", { class: "notice warning" }, t("guides.noPack")));
}
