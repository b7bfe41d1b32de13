/** Search screen: type words, see matching guides from the offline pack (no network). */
import { h, heading, draftBadge } from "../ui.js";
import { guidesFor } from "../pack.js";
import { setRoute } from "../routes.js";
import { buildIndex, search } from "../search.js";

let cached = { pack: null, status: null, index: null };

export function render(container, ctx) {
  const { t, pack, query, profile } = ctx;
  const status = profile && profile.status;
  if (cached.pack !== pack || cached.status !== status) cached = { pack, status, index: buildIndex(guidesFor(pack, profile)) };
  const input = h("input", { type: "search", id: "q", name: "q", value: query.q || "", autocomplete: "off",
    "aria-describedby": "search-help" });
  const found = h("p", { role: "status", class: "muted", id: "search-status" });
  const list = h("ul", { class: "cards", "aria-label": t("search.results") });

  const run = () => {
    const q = input.value.trim();
    // Kept for a reload, but never in the address bar or the browser's history (routes.js).
    setRoute(q ? `#/search?q=${encodeURIComponent(q)}` : "#/search");
    list.replaceChildren();
    if (!q) { found.textContent = ""; return; }
    const results = search(cached.index, q);
    found.textContent = results.length ? t("search.count", { count: results.length }) : t("search.none", { q });
    for (const r of results) {
      list.append(h("li", { class: "card" },
        h("a", { href: `#/guide/${encodeURIComponent(r.guide.id)}`, class: "card-link" },
          h("span", { class: "card-title" }, r.guide.title),
          r.guide.review_status === "draft" ? draftBadge(t) : null),
        r.snippet ? h("p", null, r.snippet.before, h("mark", null, r.snippet.match), r.snippet.after) : h("p", null, r.guide.summary)));
    }
  };
  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  const form = h("form", { role: "search", class: "search-form", onsubmit: (e) => { e.preventDefault(); run(); } },
    h("label", { for: "q" }, t("search.label")), input,
    h("button", { type: "submit", class: "button primary" }, t("search.button")));
  container.append(heading(t("search.title")), form,
    h("p", { id: "search-help", class: "muted" }, t("search.help")), found, list);
  if (input.value) run();
  return () => clearTimeout(timer);
}
