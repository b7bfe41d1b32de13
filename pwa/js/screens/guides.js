/** The guide list for the worker's profile, from the offline pack. */
import { h, heading, draftBadge } from "../ui.js";
import { guidesFor } from "../pack.js";
import { packMatches } from "../store.js";

export function profileLine(profile, t) {
  // A pack's request has no status (it is never sent): show only what is there.
  return [t(`state.${profile.state}`), t(`industry.${profile.industry}`), profile.status ? t(`status.${profile.status}`) : null]
    .filter(Boolean).join(" · ");
}

/** Topic (a guide's first topic, or a problem's id) -> symbol in /icons/topics.svg. */
const ICONS = {
  "state-law": "place", agriculture: "plant", cleaning: "clean", construction: "helmet", "domestic-work": "home",
  hospitality: "home", restaurants: "food", landscaping: "tree", meatpacking: "factory", "minimum-wage": "money",
  "wage-theft": "money", "unpaid-wages": "money", overtime: "clock", "pay-statements": "doc", "health-safety": "shield",
  "unsafe-work": "shield", "workers-comp": "cross", injury: "cross", retaliation: "megaphone", organizing: "people",
  "fired-for-organizing": "people", discrimination: "scale", harassment: "scale", "recruitment-fees": "passport",
  h2a: "passport", h2b: "passport", consulate: "building", detention: "alert", trafficking: "chain",
};

/** The icon before a card's title. Decorative (aria-hidden): the title next to it says it all. */
export function topicIcon(key) {
  return h("span", { class: "topic-icon", "aria-hidden": "true", "data-icon": ICONS[key] || "doc",
    html: `<svg viewBox="0 0 24 24" focusable="false"><use href="/icons/topics.svg#${ICONS[key] || "doc"}"/></svg>` });
}

export function guideItem(guide, t) {
  return h("li", { class: "card" },
    h("a", { href: `#/guide/${encodeURIComponent(guide.id)}`, class: "card-link" },
      topicIcon((guide.topics || [])[0]),
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
