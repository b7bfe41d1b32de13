/** Search screen: type words, see matching guides and problems from the offline pack (no
 * network, the words never leave the phone). Rules and phrasings: ../search.js. */
import { h, heading, draftBadge } from "../ui.js";
import { guidesFor } from "../pack.js";
import { pick } from "../i18n.js";
import { setRoute } from "../routes.js";
import { buildIndex, search, prepareWords } from "../search.js";
import { packData } from "./directory.js";
import { topicIcon } from "./guides.js";

let cached = { pack: null, status: null, lang: null, guides: null, problems: null };
let wordsPromise = null;

/** The shared phrasings file (precached like the rest of the shell); without it, plain words. */
function loadWords() {
  wordsPromise = wordsPromise || fetch("/js/search-words.json").then((r) => r.json())
    .catch(() => ({ rules: { prefix_min: 3, stem_min: 3, typo_min: 5, suffixes: {} }, stop: {}, say: [] }))
    .then(prepareWords);
  return wordsPromise;
}

/** "1 guía encontrada" / "3 guías encontradas": the message for `count`'s plural category. */
export function plural(t, key, count, lang) {
  let form = "other";
  try { form = new Intl.PluralRules(lang).select(count); } catch (_) { /* unknown language */ }
  const text = t(`${key}.${form}`, { count });
  return text === `${key}.${form}` ? t(`${key}.other`, { count }) : text;
}

function resultItem(href, icon, title, badge, text, snip) {
  return h("li", { class: "card" },
    h("a", { href, class: "card-link" }, topicIcon(icon), h("span", { class: "card-title" }, title), badge),
    snip ? h("p", null, snip.before, h("mark", null, snip.match), snip.after) : h("p", null, text));
}

export async function render(container, ctx) {
  const { t, pack, query, profile, lang } = ctx;
  const status = profile && profile.status;
  const words = await loadWords();
  if (cached.pack !== pack || cached.status !== status || cached.lang !== lang) {
    // A problem is found by its title, its question and what to bring.
    const problems = packData(pack).triage.map((p) => ({ id: p.id, title: pick(p.title, lang), summary: pick(p.question, lang),
      text: (p.bring || []).map((b) => pick(b, lang)).join(" ") }));
    cached = { pack, status, lang, guides: buildIndex(guidesFor(pack, profile)), problems: buildIndex(problems) };
  }
  const input = h("input", { type: "search", id: "q", name: "q", value: query.q || "", autocomplete: "off",
    "aria-describedby": "search-help" });
  const found = h("p", { role: "status", class: "muted", id: "search-status" });
  const english = h("p", { class: "muted", id: "search-english", hidden: true });
  const list = h("ul", { class: "cards", "aria-label": t("search.results") });
  const problemsBox = h("section", { "aria-labelledby": "search-problems", hidden: true });
  let timer = null;

  let shown = null; // the words the list shows: typing then "Buscar" draws it once, not twice
  const run = () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === shown) return;
    shown = q;
    // Kept for a reload, but never in the address bar or the browser's history (routes.js).
    setRoute(q ? `#/search?q=${encodeURIComponent(q)}` : "#/search");
    list.replaceChildren();
    problemsBox.replaceChildren();
    problemsBox.hidden = english.hidden = true;
    if (!q) { found.textContent = ""; return; }
    const guides = search(cached.guides, q, lang, words);
    const problems = search(cached.problems, q, lang, words).results;
    const count = guides.results.length;
    found.textContent = count || problems.length ? plural(t, "search.found", count, lang) : t("search.none", { q });
    if (guides.english.length) {
      english.hidden = false;
      english.textContent = t("search.english", { words: guides.english.map((g) => `«${g.said}» → ${g.shown}`).join("; ") });
    }
    for (const r of guides.results) {
      const g = r.item;
      list.append(resultItem(`#/guide/${encodeURIComponent(g.id)}`, (g.topics || [])[0], g.title, g.review_status === "draft" ? draftBadge(t) : null, g.summary, r.snippet));
    }
    // Problems link to their own answer (#/triage/<id>), never to the list of problems.
    if (problems.length) {
      problemsBox.hidden = false;
      problemsBox.append(h("h2", { id: "search-problems" }, t("search.problems")),
        h("ul", { class: "cards problems" }, problems.map((r) => resultItem(`#/triage/${encodeURIComponent(r.item.id)}`, r.item.id, r.item.title, null, r.item.summary, null))));
    }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  const form = h("form", { role: "search", class: "search-form", onsubmit: (e) => { e.preventDefault(); run(); } },
    h("label", { for: "q" }, t("search.label")), input,
    h("button", { type: "submit", class: "button primary" }, t("search.button")));
  container.append(heading(t("search.title")), form,
    h("p", { id: "search-help", class: "muted" }, t("search.help")), found, english, list, problemsBox);
  if (input.value) run();
  return () => clearTimeout(timer);
}
