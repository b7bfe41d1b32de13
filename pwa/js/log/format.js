/** How the log writes things for people: dates in words ("lunes 3 de noviembre de 2026"),
 * money with separators ("$1,234.50"), hours ("10 h 0 min"), clock times in words
 * ("4:30 de la tarde", "4:30 in the afternoon") and plurals picked by Intl.PluralRules. */

/** "2026-11-03" -> "martes 3 de noviembre de 2026" / "Tuesday, November 3, 2026". */
export function dateWords(iso, lang) {
  const d = new Date(`${iso}T12:00:00`);
  if (!iso || Number.isNaN(d.getTime())) return iso || "";
  try {
    const s = d.toLocaleDateString(lang === "en" ? "en-US" : lang, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    // Spanish writes the weekday without a comma: "lunes 3 de noviembre de 2026".
    return lang === "es" ? s.replace(",", "") : s;
  } catch (_) { return iso; }
}

/** 123450 -> "$1,234.50"; dollars are written the US way in both languages, as on a pay stub. */
export function moneyWords(cents) {
  if (cents === null || cents === undefined || Number.isNaN(cents)) return "";
  const c = Math.abs(Math.round(cents));
  const dollars = String(Math.floor(c / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${cents < 0 ? "-" : ""}$${dollars}.${String(c % 100).padStart(2, "0")}`;
}

/** 600 -> "10 h 0 min": the minutes are always said, so "10 h" is not read as "10:00". */
export const hoursWords = (minutes) => `${Math.floor(minutes / 60)} h ${minutes % 60} min`;

/** "16:30" -> "4:30 de la tarde" / "4:30 in the afternoon"; "" when not a time. */
export function timeWords(hhmm, lang) {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm || "");
  if (!m) return "";
  const hour = Number(m[1]);
  const clock = `${hour % 12 || 12}:${m[2]}`;
  if (lang === "en") {
    const part = hour < 5 || hour >= 21 ? "at night" : hour < 12 ? "in the morning" : hour < 18 ? "in the afternoon" : "in the evening";
    return `${clock} ${part}`;
  }
  const part = hour < 6 ? (hour === 0 ? "de la noche" : "de la madrugada") : hour < 12 ? "de la mañana"
    : hour === 12 ? "del mediodía" : hour < 20 ? "de la tarde" : "de la noche";
  return `${clock} ${part}`;
}

/** A message with plural forms ({one, other} in log.json), picked by Intl.PluralRules. */
export function plural(ctx, key, count, vars = {}) {
  let form = "other";
  try { form = new Intl.PluralRules(ctx.lang || "es").select(count); } catch (_) { /* "other" */ }
  const full = `${key}.${form}`;
  return ctx.t(ctx.t(full) === full ? `${key}.other` : full, { count, ...vars });
}

/** A code from the log (`recruitment_fee`, `threat`) in the worker's words, never the code. */
export function kindWord(ctx, group, code) {
  const key = `log.kinds.${group}.${code}`;
  const word = ctx.t(key);
  return word === key ? ctx.t("log.kinds.unknown") : word;
}
