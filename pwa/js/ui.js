/** Small DOM helpers shared by the screens: element builder, dates, phone links, notices. */

/** h("p", {class: "x", onclick: fn}, "text", child...) -> Element. Children may be arrays. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "html") el.innerHTML = value; // only for server-rendered, sanitised guide HTML
    else el.setAttribute(key, value === true ? "" : value);
  }
  const add = (c) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : String(c));
  };
  children.forEach(add);
  return el;
}

/** "2025-03-01" -> localized long date, kept as given if it does not parse. */
export function formatDate(iso, lang) {
  if (!iso) return "";
  const d = new Date(`${iso}T12:00:00`);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return d.toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric" });
  } catch (_) {
    return iso;
  }
}

/** tel: URL for a US phone written like "1-866-487-9243" or "(202) 555 0100". */
export function telHref(phone) {
  return `tel:${String(phone).replace(/[^0-9+]/g, "")}`;
}

/** A call link with a large tap target and a label that says whom it calls. */
export function callLink(phone, name, t) {
  return h("a", { class: "button call", href: telHref(phone), "aria-label": t("call.label", { name, phone }) },
    h("span", { "aria-hidden": "true" }, "☎ "), phone);
}

/** A link that leaves the app (official source); opens outside so the app stays as it was. */
export function externalLink(url, text) {
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "external" }, text || url);
}

/** The draft badge every unreviewed text carries. */
export function draftBadge(t) {
  return h("span", { class: "badge draft" }, t("guide.draft"));
}

/** Sources list: title (link) and the date it was read. */
export function sourcesList(sources, t, lang) {
  if (!sources || !sources.length) return null;
  return h("ul", { class: "sources" }, sources.map((s) => h("li", null,
    externalLink(s.url, s.title),
    s.accessed ? h("span", { class: "muted" }, ` · ${t("source.accessed", { date: formatDate(s.accessed, lang) })}`) : null)));
}

/** The heading every screen starts with (the app focuses it after navigation). */
export function heading(text) {
  return h("h1", { tabindex: "-1" }, text);
}
