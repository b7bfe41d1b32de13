/** Directory: agencies (federal and the worker's state), consulates and hotlines, tap to call.
 * Consulates that serve the worker's state come first and are marked. */
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

function consulateCard(consulate, ctx) {
  const { t, lang, profile } = ctx;
  const serving = consulate.serves.includes(profile.state);
  const name = t("directory.consulateIn", { city: consulate.city, state: consulate.state });
  return h("li", { class: `card${serving ? " highlight" : ""}` },
    h("h3", { class: "card-title" }, name),
    serving ? h("p", null, h("span", { class: "badge serving" }, t("directory.servesYou", { state: t(`state.${profile.state}`) }))) : null,
    consulate.serves_note ? h("p", null, pick(consulate.serves_note, lang)) : null,
    contact(consulate, name, t));
}

export function render(container, ctx) {
  const { t, lang, pack, profile } = ctx;
  const data = packData(pack);
  const federal = data.agencies.filter((a) => a.jurisdiction === "federal");
  const state = data.agencies.filter((a) => a.jurisdiction !== "federal");
  const consulates = [...data.consulates].sort((a, b) =>
    Number(b.serves.includes(profile.state)) - Number(a.serves.includes(profile.state)));
  const section = (id, title, items) => items.length
    ? h("section", { "aria-labelledby": id }, h("h2", { id }, title), h("ul", { class: "cards" }, items))
    : null;
  container.append(heading(t("directory.title")), h("p", null, t("directory.intro")),
    section("dir-consulates", t("directory.consulates"), consulates.map((c) => consulateCard(c, ctx))),
    section("dir-hotlines", t("directory.hotlines"), data.hotlines.map((x) => h("li", { class: "card" },
      h("h3", { class: "card-title" }, pick(x.name, lang)), h("p", null, pick(x.what_it_does, lang)),
      contact(x, pick(x.name, lang), t)))),
    section("dir-state", t("directory.stateAgencies", { state: t(`state.${profile.state}`) }), state.map((a) => agencyCard(a, ctx))),
    section("dir-federal", t("directory.federalAgencies"), federal.map((a) => agencyCard(a, ctx))));
  if (!data.agencies.length && !data.consulates.length) container.append(h("p", { class: "notice warning" }, t("guides.noPack")));
}
