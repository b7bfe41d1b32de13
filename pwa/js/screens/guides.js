/** The guide list for the worker's profile, from the offline pack. */
import { h, heading, draftBadge } from "../ui.js";
import { guidesFor } from "../pack.js";
import { packMatches } from "../store.js";

export function profileLine(profile, t) {
  // A pack's request has no status (it is never sent): show only what is there.
  return [t(`state.${profile.state}`), t(`industry.${profile.industry}`), profile.status ? t(`status.${profile.status}`) : null]
    .filter(Boolean).join(" · ");
}

export function guideItem(guide, t) {
  return h("li", { class: "card" },
    h("a", { href: `#/guide/${encodeURIComponent(guide.id)}`, class: "card-link" },
      h("span", { class: "card-title" }, guide.title),
      guide.review_status === "draft" ? draftBadge(t) : null,
      guide.fallback ? h("span", { class: "badge" }, t("guide.otherLanguage", { lang: guide.lang })) : null),
    h("p", null, guide.summary));
}

export function render(container, ctx) {
  const { t, profile, pack } = ctx;
  container.append(heading(t("guides.title")),
    h("p", { class: "profile-line" }, profileLine(profile, t), " ",
      h("a", { href: "#/profile", class: "inline" }, t("guides.changeProfile"))),
    h("p", null, h("a", { href: "#/search", class: "button" }, `⌕ ${t("nav.search")}`)));
  if (!pack) {
    container.append(h("p", { class: "notice warning" }, t("guides.noPack")));
    return;
  }
  if (!packMatches(pack, profile)) {
    container.append(h("p", { class: "notice warning" }, t("guides.otherProfile", { profile: profileLine(pack.request, t) })));
  }
  const guides = guidesFor(pack, profile);
  if (!guides.length) {
    container.append(h("p", null, t("guides.none")));
  } else {
    container.append(h("ul", { class: "cards", "aria-label": t("guides.title") }, guides.map((g) => guideItem(g, t))));
  }
  container.append(h("div", { class: "shortcuts" },
    h("a", { href: "#/triage", class: "button primary" }, t("triage.title")),
    h("a", { href: "#/directory", class: "button" }, t("directory.title"))));
}
