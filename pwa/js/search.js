/** Offline search over the pack's guides that ignores accents and case ("credito" finds "crédito"). */

const MARKS = /[\u0300-\u036f]/g;

/** Lower-case, accents removed: the form both the query and the text are compared in. */
export function fold(text) {
  return String(text).normalize("NFD").replace(MARKS, "").toLowerCase();
}

/** Folded text plus, for each folded character, its index in the original text. */
function foldWithMap(text) {
  let folded = "";
  const map = [];
  let i = 0;
  for (const ch of text) {
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
    i += ch.length;
  }
  return { folded, map };
}

function plainText(html) {
  const doc = new DOMParser().parseFromString(html || "", "text/html");
  return (doc.body.textContent || "").replace(/\s+/g, " ").trim();
}

/** Build the index once per pack: [{guide, title, summary, body}] with folded copies. */
export function buildIndex(guides) {
  return guides.map((guide) => {
    const body = plainText(guide.html);
    return { guide, title: fold(guide.title), summary: fold(guide.summary || ""), body, bodyFolded: foldWithMap(body) };
  });
}

/** Results for `query`: every word must appear; title hits rank first. Each has a snippet
 * {before, match, after} taken from the guide text around the first hit. */
export function search(index, query) {
  const words = fold(query).split(/\s+/).filter((w) => w.length > 0);
  if (!words.length) return [];
  const results = [];
  for (const entry of index) {
    const hay = `${entry.title} ${entry.summary} ${entry.bodyFolded.folded}`;
    if (!words.every((w) => hay.includes(w))) continue;
    const score = words.reduce((s, w) => s + (entry.title.includes(w) ? 10 : 0) + (entry.summary.includes(w) ? 3 : 0), 0);
    const { folded, map } = entry.bodyFolded;
    let snippet = null;
    const at = words.map((w) => [folded.indexOf(w), w]).filter(([p]) => p >= 0).sort((a, b) => a[0] - b[0])[0];
    if (at) {
      const start = map[at[0]];
      const end = at[0] + at[1].length < map.length ? map[at[0] + at[1].length] : entry.body.length;
      const from = Math.max(0, start - 60);
      const to = Math.min(entry.body.length, end + 80);
      snippet = {
        before: (from > 0 ? "…" : "") + entry.body.slice(from, start),
        match: entry.body.slice(start, end),
        after: entry.body.slice(end, to) + (to < entry.body.length ? "…" : ""),
      };
    }
    results.push({ guide: entry.guide, score, snippet });
  }
  return results.sort((a, b) => b.score - a.score);
}
