/** The guide reader: text, version, review date, draft badge, sources, language notices. */
import { h, heading, draftBadge, formatDate, sourcesList } from "../ui.js";
import { findGuide } from "../pack.js";

/** Other languages of this guide, from the catalog, when online (never needed offline). */
async function otherLanguages(id, lang) {
  try {
    const res = await fetch("/api/v1/catalog");
    if (!res.ok) return [];
    const { guides } = await res.json();
    return guides.filter((g) => g.id === id && g.lang !== lang).map((g) => g.lang);
  } catch (_) {
    return [];
  }
}

/** "en" -> "inglés" (in the interface language), or the code when the browser cannot name it. */
function languageName(code, lang) {
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(code) || code;
  } catch (_) {
    return code;
  }
}

async function fetchGuide(id, lang) {
  try {
    const res = await fetch(`/api/v1/guides/${encodeURIComponent(id)}?lang=${encodeURIComponent(lang)}`);
    return res.ok ? await res.json() : null;
  } catch (_) {
    return null;
  }
}

/** A heading's id, the same ASCII slug as server/content/render.py slugify (accents dropped,
 * anything else than a-z and 0-9 a hyphen): "Horas extra (overtime)" -> "horas-extra-overtime". */
export function slugify(text) {
  const ascii = text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  return ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section";
}

/** Give the guide's h1-h3 the ids the server's renderer gives them (markdown-it anchors: in
 * order, a repeated slug gets -1, -2, ...). Guide documents leave them out to save bytes
 * (server/content/build.py phone_html); a pack stored with ids keeps its own. */
export function addHeadingIds(root) {
  const headings = [...root.querySelectorAll("h1, h2, h3")];
  const used = new Set(headings.filter((el) => el.id).map((el) => el.id));
  for (const el of headings) {
    if (el.id) continue;
    const base = slugify(el.textContent);
    let id = base;
    for (let i = 1; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    el.id = id;
  }
  return root;
}

/** The guide's HTML under the screen's own <h1>: a leading title heading is dropped and other
 * <h1>s become <h2>, so the page keeps one <h1> and a sane outline for screen readers. */
function guideBody(doc) {
  const article = addHeadingIds(h("article", { class: "guide-body", lang: doc.lang, html: doc.html }));
  const first = article.firstElementChild;
  if (first && first.tagName === "H1" && first.textContent.trim() === doc.title.trim()) first.remove();
  for (const h1 of article.querySelectorAll("h1")) {
    const h2 = document.createElement("h2");
    for (const attr of h1.attributes) h2.setAttribute(attr.name, attr.value);
    h2.append(...h1.childNodes);
    h1.replaceWith(h2);
  }
  return article;
}

/** A "read aloud" button under the screen's heading where the phone has a voice of its own
 * (../speak.js, loaded only then); returns the screen's cleanup, which stops reading. */
export function readAloud(root, t, lang) {
  let stop = null;
  let gone = false;
  if ("speechSynthesis" in window) {
    import("../speak.js").then((m) => { if (!gone) stop = m.offerReadAloud(root, t, lang); }).catch(() => {});
  }
  return () => { gone = true; if (stop) stop(); };
}

export function renderDocument(container, doc, ctx) {
  const { t, lang } = ctx;
  // A draft's date is when it was last updated, not a review: "revisada el" next to "not yet
  // reviewed" would contradict itself.
  const draft = doc.review_status === "draft";
  const meta = [t("guide.version", { version: doc.version }),
    t(draft ? "guide.updated" : "guide.reviewed", { date: formatDate(doc.reviewed, lang) })];
  if (doc.effective) meta.push(t("guide.effective", { date: formatDate(doc.effective, lang) }));
  // Element.append() would print a null as the text "null": leave out absent parts.
  const parts = [
    h("p", null, h("a", { href: "#/guides", class: "inline back" }, `← ${t("guides.title")}`)),
    heading(doc.title),
    draft ? h("p", null, draftBadge(t), " ", h("span", { class: "muted" }, t("guide.draftExplain"))) : null,
    h("p", { class: "meta" }, meta.join(" · ")),
    doc.fallback ? h("p", { class: "notice warning" }, t("guide.fallback", { lang: doc.lang })) : null,
    doc.stale ? h("p", { class: "notice warning" }, t("guide.stale")) : null,
    guideBody(doc),
    doc.sources && doc.sources.length ? h("section", { "aria-labelledby": "sources-h" },
      h("h2", { id: "sources-h" }, t("guide.sources")), sourcesList(doc.sources, t, lang)) : null];
  container.append(...parts.filter((part) => part != null));
}

export async function render(container, ctx) {
  const { t, pack, params, query } = ctx;
  let doc = query.lang ? null : findGuide(pack, params.id);
  if (!doc) doc = await fetchGuide(params.id, query.lang || ctx.lang);
  if (!doc) {
    container.append(heading(t("guide.missing")), h("p", null, t("guide.missingExplain")),
      h("a", { href: "#/guides", class: "button" }, t("guides.title")));
    return;
  }
  renderDocument(container, doc, ctx);
  const stop = readAloud(container, t, doc.lang);
  if (navigator.onLine) {
    const langs = await otherLanguages(doc.id, doc.lang);
    if (langs.length && container.isConnected) {
      container.append(h("p", { class: "languages" }, t("guide.otherLanguages"), " ",
        langs.map((l) => [h("a", { href: `#/guide/${encodeURIComponent(doc.id)}?lang=${encodeURIComponent(l)}`, class: "button" }, languageName(l, ctx.lang)), " "])));
    }
  }
  return stop;
}
