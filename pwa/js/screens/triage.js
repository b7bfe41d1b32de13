/** "¿Qué me pasó?": pick a problem, then where to go, the deadline and what to bring.
 * Built only from the pack's triage data; "state:<area>" routes resolve to the worker's
 * state agency for that area, and a route's deadline is the state's own when it has one. */
import { h, heading, sourcesList } from "../ui.js";
import { pick } from "../i18n.js";
import { guidesFor } from "../pack.js";
import { packData, agencyCard } from "./directory.js";
import { readAloud } from "./guide.js";
import { topicIcon } from "./guides.js";

/** The agency a route points to, or null when the pack has none (e.g. no state agency). */
export function resolveAgency(route, agencies, state) {
  if (route.agency.startsWith("state:")) {
    const area = route.agency.slice(6);
    return agencies.find((a) => a.jurisdiction === state && a.areas.includes(area)) || null;
  }
  return agencies.find((a) => a.id === route.agency) || null;
}

function problemList(container, ctx, problems) {
  const { t, lang } = ctx;
  container.append(heading(t("triage.title")), h("p", null, t("triage.intro")),
    problems.length
      ? h("ul", { class: "cards" }, problems.map((p) => h("li", { class: "card" },
        h("a", { href: `#/triage/${encodeURIComponent(p.id)}`, class: "card-link" },
          topicIcon(p.id), h("span", { class: "card-title" }, pick(p.title, lang))),
        h("p", null, pick(p.question, lang)))))
      : h("p", { class: "notice warning" }, t("triage.none")));
}

function problemScreen(container, ctx, problem, data) {
  const { t, lang, profile, pack } = ctx;
  const steps = problem.routes.map((route, i) => {
    const agency = resolveAgency(route, data.agencies, profile.state);
    const deadline = (route.state_deadlines || {})[profile.state] || route.deadline;
    const missing = route.agency.startsWith("state:")
      ? t("triage.noStateAgency", { state: t(`state.${profile.state}`), area: t(`area.${route.agency.slice(6)}`) })
      : t("triage.noAgency");
    return h("li", { class: "route" },
      agency ? h("ul", { class: "cards" }, agencyCard(agency, ctx, "h3")) : h("p", { class: "notice warning" }, missing),
      route.note ? h("p", null, pick(route.note, lang)) : null,
      h("div", { class: "deadline" },
        h("h3", null, t("triage.deadline")),
        deadline
          ? [h("p", null, pick(deadline.text, lang)), sourcesList([deadline.source], t, lang)]
          : h("p", { class: "muted" }, t("triage.noDeadline"))),
      i < problem.routes.length - 1 ? h("p", { class: "muted" }, t("triage.orAlso")) : null);
  });
  const mine = guidesFor(pack, profile); // only the guides for the worker's status
  const guides = (problem.guides || []).map((id) => mine.find((g) => g.id === id)).filter(Boolean);
  container.append(
    h("p", null, h("a", { href: "#/triage", class: "inline back" }, `← ${t("triage.title")}`)),
    heading(pick(problem.title, lang)),
    h("p", { class: "lead" }, pick(problem.question, lang)),
    h("section", { "aria-labelledby": "t-where" }, h("h2", { id: "t-where" }, `1. ${t("triage.where")}`),
      h("ol", { class: "routes" }, steps)),
    h("section", { "aria-labelledby": "t-bring" }, h("h2", { id: "t-bring" }, `2. ${t("triage.bring")}`),
      problem.bring && problem.bring.length
        ? h("ul", { class: "checklist" }, problem.bring.map((b) => h("li", null, pick(b, lang))))
        : h("p", { class: "muted" }, t("triage.noBring"))),
    guides.length ? h("section", { "aria-labelledby": "t-guides" }, h("h2", { id: "t-guides" }, `3. ${t("triage.read")}`),
      h("ul", null, guides.map((g) => h("li", null, h("a", { href: `#/guide/${encodeURIComponent(g.id)}`, class: "inline" }, g.title))))) : null,
    h("section", { "aria-labelledby": "t-sources" }, h("h2", { id: "t-sources" }, t("guide.sources")),
      sourcesList(problem.sources, t, lang)),
    h("p", { class: "muted" }, t("triage.disclaimer")));
}

export function render(container, ctx) {
  const data = packData(ctx.pack);
  const problem = ctx.params.id && data.triage.find((p) => p.id === ctx.params.id);
  if (problem) problemScreen(container, ctx, problem, data);
  else problemList(container, ctx, data.triage);
  return readAloud(container, ctx.t, ctx.lang);
}
