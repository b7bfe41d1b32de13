/** Offline search over the pack's guides and problems, with the server's rules
 * (server/search_terms.py, data in /js/search-words.json): accents and case ignored, word
 * forms ("pagan" finds "pago"), phrasings ("me corrieron" finds "despido"), one-letter typos
 * in words of 5 letters or more, and English words in Spanish mode. A guide is found when
 * every group of the query matches one of its words; tests/search_vectors.json holds both to it. */

const MARKS = /[\u0300-\u036f]/g;
const WORD = /[\p{L}\p{N}]+/gu;
const MAX_GROUPS = 12;

/** Lower-case, accents removed: the form both the query and the text are compared in. */
export function fold(text) {
  return String(text).normalize("NFD").replace(MARKS, "").toLowerCase();
}

/** The folded words of `text`, split as the server's full-text index splits them. */
export function tokens(text) {
  return fold(text).match(WORD) || [];
}

/** The data file's rules with suffixes longest first (as the server sorts them). */
export function prepareWords(raw) {
  const suffixes = {};
  for (const [lang, list] of Object.entries(raw.rules.suffixes)) suffixes[lang] = [...list].sort((a, b) => b.length - a.length);
  return { ...raw.rules, suffixes, stop: raw.stop, say: raw.say };
}

export function stem(word, lang, words) {
  for (const suffix of words.suffixes[lang] || []) {
    if (word.endsWith(suffix) && word.length - suffix.length >= words.stem_min) return word.slice(0, -suffix.length);
  }
  return word;
}

/** One letter changed, added or removed, or two neighbours swapped. */
export function oneApart(a, b) {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
    return diff.length === 1 || (diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]);
  }
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === l[i]) i++;
  return s.slice(i) === l.slice(i + 1);
}

function termMatches(token, term, lang, words) {
  const w = term.word;
  if (w.length >= words.prefix_min ? token.startsWith(w) : token === w) return true;
  const s = stem(w, lang, words);
  if (s.length >= words.stem_min && stem(token, lang, words) === s) return true;
  return term.typo && w.length >= words.typo_min && oneApart(token, w);
}

/** The query's groups: [{said, terms: [{word, typo}], english}] (as server/search_terms.plan). */
export function plan(query, lang, words) {
  let text = ` ${tokens(query).join(" ")} `;
  const groups = [];
  const phrases = [];
  for (const entry of words.say) {
    if (entry.lang !== lang) continue;
    for (const said of entry.when) phrases.push([tokens(said).join(" "), entry]);
  }
  // Longest first, a stable sort like Python's.
  phrases.sort((a, b) => b[0].length - a[0].length);
  for (const [said, entry] of phrases) {
    while (text.includes(` ${said} `)) {
      text = text.replace(` ${said} `, " | ");
      const english = entry.from === "en";
      const terms = entry.find.map((f) => ({ word: fold(f), typo: false }));
      if (!said.includes(" ") && !english) terms.push({ word: said, typo: true });
      groups.push({ said, terms, english, shown: entry.find[0] });
    }
  }
  const stop = new Set(words.stop[lang] || []);
  const rest = text.split(" ").filter((w) => w && w !== "|");
  // Filler words ("me", "trabajo") are left out, unless the query is nothing else.
  let kept = rest.filter((w) => !stop.has(w));
  if (!kept.length && !groups.length) kept = rest;
  for (const word of kept) groups.push({ said: word, terms: [{ word, typo: true }], english: false });
  return groups.slice(0, MAX_GROUPS);
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

/** Index entries for `items` [{id, title, summary, html | text, ...}]. */
export function buildIndex(items) {
  return items.map((item) => {
    const body = item.text !== undefined ? item.text : plainText(item.html);
    const title = new Set(tokens(item.title));
    const summary = new Set(tokens(item.summary || ""));
    const all = new Set([...title, ...summary, ...tokens(body)]);
    return { item, title, summary, all, body };
  });
}

/** Results for `query` in `lang` items: [{item, score, snippet}] and the English words used.
 * A snippet {before, match, after} is the body around the first matched word. */
export function search(index, query, lang, words) {
  const groups = plan(query, lang, words);
  const english = groups.filter((g) => g.english);
  if (!groups.length) return { results: [], english };
  // Which words match each group, decided once per distinct word.
  const memo = groups.map(() => new Map());
  const hit = (gi, token) => {
    let v = memo[gi].get(token);
    if (v === undefined) {
      v = groups[gi].terms.some((t) => termMatches(token, t, lang, words));
      memo[gi].set(token, v);
    }
    return v;
  };
  const results = [];
  for (const entry of index) {
    let score = 0;
    let ok = true;
    for (let gi = 0; gi < groups.length && ok; gi++) {
      ok = [...entry.all].some((tk) => hit(gi, tk));
      score += ([...entry.title].some((tk) => hit(gi, tk)) ? 10 : 0) + ([...entry.summary].some((tk) => hit(gi, tk)) ? 3 : 0);
    }
    if (ok) results.push({ item: entry.item, score, snippet: snippet(entry, groups, hit) });
  }
  // Stable: equal scores keep the pack's order.
  return { results: results.sort((a, b) => b.score - a.score), english };
}

function snippet(entry, groups, hit) {
  if (!entry.body) return null;
  if (!entry.folded) entry.folded = foldWithMap(entry.body);
  const { folded, map } = entry.folded;
  for (const m of folded.matchAll(WORD)) {
    if (!groups.some((_, gi) => hit(gi, m[0]))) continue;
    const start = map[m.index];
    const stop = m.index + m[0].length;
    const end = stop < map.length ? map[stop] : entry.body.length;
    const from = Math.max(0, start - 60);
    const to = Math.min(entry.body.length, end + 80);
    return {
      before: (from > 0 ? "…" : "") + entry.body.slice(from, start),
      match: entry.body.slice(start, end),
      after: entry.body.slice(end, to) + (to < entry.body.length ? "…" : ""),
    };
  }
  return null;
}
