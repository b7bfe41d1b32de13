/** Quick choices on the shift form, so logging a different day takes few taps: the last seven
 * days as buttons, the worker's usual start and end times (most used first) and ±15 min,
 * each time also in words ("4:30 de la tarde"), and the hours shown before saving
 * ("10 h 0 min — ¿correcto?"). The form itself (./forms.js) still checks and saves. */
import { h } from "../ui.js";
import { length } from "./shifts.js";
import { todayIso } from "./forms.js";
import { hoursWords, timeWords } from "./format.js";

const DEFAULTS = { start: ["06:00", "07:00", "08:00"], end: ["15:00", "16:00", "17:00"] };

/** The worker's most used values of `field` in `shifts` (then round defaults), three at most. */
export function usualTimes(shifts, field) {
  const counts = new Map();
  for (const s of shifts) if (s[field]) counts.set(s[field], (counts.get(s[field]) || 0) + 1);
  const used = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
  return [...new Set([...used, ...DEFAULTS[field]])].slice(0, 3);
}

/** "07:00" moved by `delta` minutes, kept within the day. */
export function shiftTime(hhmm, delta) {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm || "");
  const minutes = m ? ((Number(m[1]) * 60 + Number(m[2]) + delta) % 1440 + 1440) % 1440 : 7 * 60;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

function set(input, value) {
  input.value = value;
  // The form saves its draft and redraws on "input" (./forms.js).
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

const chip = (label, onclick, attrs = {}) => h("button", { type: "button", class: "button secondary chip", onclick, ...attrs }, label);

/** Add the quick choices to the shift form `form` (an element from buildForm). */
export function quickTimes(ctx, form, shifts) {
  const { t, lang } = ctx;
  const input = (name) => form.querySelector(`[data-field=${name}] input`);
  const date = input("date");
  const today = new Date();
  const days = [...Array(7)].map((_, i) => todayIso(new Date(today.getFullYear(), today.getMonth(), today.getDate() - i)));
  date.before(h("div", { class: "chips", role: "group", "aria-label": t("log.times.days") }, days.map((d, i) => {
    const label = i === 0 ? t("log.times.today") : i === 1 ? t("log.times.yesterday")
      : new Date(`${d}T12:00:00`).toLocaleDateString(lang, { weekday: "short", day: "numeric" });
    return chip(label, () => set(date, d), { "data-date": d });
  })));
  for (const name of ["start", "end"]) {
    const el = input(name);
    const words = h("span", { class: "time-words muted", "data-words": name });
    const say = () => { words.textContent = timeWords(el.value, lang); };
    el.addEventListener("input", say);
    say();
    el.after(words, h("div", { class: "chips", role: "group", "aria-label": t(`log.times.${name}`) },
      usualTimes(shifts, name).map((v) => chip(`${v} · ${timeWords(v, lang)}`, () => set(el, v), { "data-time": v })),
      chip(t("log.times.minus15"), () => set(el, shiftTime(el.value, -15)), { "data-step": "-15" }),
      chip(t("log.times.plus15"), () => set(el, shiftTime(el.value, 15)), { "data-step": "15" })));
  }
  const preview = h("p", { class: "log-status", id: "shift-hours", role: "status" });
  const show = () => {
    const [start, end, brk] = [input("start").value, input("end").value, Number(input("break_minutes").value) || 0];
    preview.hidden = !/^\d\d:\d\d$/.test(start) || !/^\d\d:\d\d$/.test(end) || start === end;
    if (preview.hidden) return;
    const minutes = Math.max(0, length({ date: "2000-01-01", start, end }) - brk);
    preview.textContent = t(end < start ? "log.times.previewNextDay" : "log.times.preview", { hours: hoursWords(minutes) });
  };
  form.addEventListener("input", show);
  show();
  form.querySelector("button[type=submit]").before(preview);
}
