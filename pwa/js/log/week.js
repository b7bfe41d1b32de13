/** The week view (#/log/week): each day's shifts and hours, the week's totals (hours, days,
 * pieces) and what is missing ("sin talón de pago" for a week with shifts but no payment
 * that covers it). Every day opens its shift to edit; weeks start on the job's workweek day. */
import { h } from "../ui.js";
import * as store from "./store.js";
import { dayNumber } from "./shifts.js";
import { dateWords, hoursWords, plural } from "./format.js";
import { backLink, shiftMinutes } from "./screen.js";

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const isoOf = (day) => new Date(day * 86400000).toISOString().slice(0, 10);

/** Shifts grouped by workweek, newest week first: [{start, end, shifts}]. */
export function weeksOf(shifts, jobs) {
  const groups = new Map();
  for (const s of shifts) {
    const first = Math.max(0, WEEKDAYS.indexOf(jobs.get(s.job_id)?.workweek_start || "sunday"));
    const day = dayNumber(s.date);
    // 1970-01-01 was a Thursday (weekday 4).
    const start = day - ((((day + 4) % 7) - first + 7) % 7);
    const key = `${s.job_id} ${start}`;
    if (!groups.has(key)) groups.set(key, { job_id: s.job_id, start: isoOf(start), end: isoOf(start + 6), shifts: [] });
    groups.get(key).shifts.push(s);
  }
  const weeks = [...groups.values()].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
  for (const w of weeks) w.shifts.sort((a, b) => (a.date + a.start < b.date + b.start ? -1 : 1));
  return weeks;
}

export async function renderWeek(container, ctx) {
  const { t, lang } = ctx;
  const { state } = await store.currentState();
  container.append(backLink(t), h("h1", { tabindex: "-1" }, h("span", { "aria-hidden": "true" }, "📅 "), t("log.week.title")));
  const weeks = weeksOf([...state.shift.values()], state.job);
  if (!weeks.length) {
    container.append(h("p", null, t("log.week.none")), h("a", { class: "button primary", href: "#/log/shift" }, t("log.quick.shift")));
    return;
  }
  const stubs = [...state.pay_stub.values()];
  const employer = (jobId) => state.employer.get(state.job.get(jobId)?.employer_id)?.name || "";
  const several = state.job.size > 1;
  container.append(h("ul", { class: "cards weeks" }, weeks.slice(0, 26).map((w) => {
    const minutes = w.shifts.reduce((a, s) => a + shiftMinutes(s), 0);
    const pieces = w.shifts.reduce((a, s) => a + (s.piece_units || 0), 0);
    const days = new Set(w.shifts.map((s) => s.date)).size;
    const paid = stubs.some((p) => p.job_id === w.job_id && p.period_start <= w.end && p.period_end >= w.start);
    return h("li", { class: "card week", "data-week": w.start },
      h("h2", { class: "card-title" }, t("log.week.range", { start: dateWords(w.start, lang), end: dateWords(w.end, lang) }),
        several ? ` · ${employer(w.job_id)}` : ""),
      h("ul", { class: "week-days" }, w.shifts.map((s) => h("li", null,
        h("a", { class: "card-link", href: `#/log/shift/${encodeURIComponent(s.id)}`, "data-day": s.date },
          h("strong", null, dateWords(s.date, lang)), ` · ${s.start}–${s.end}${s.ends_next_day ? ` (${t("log.week.nextDay")})` : ""} · `,
          hoursWords(shiftMinutes(s)), s.piece_units ? ` · ${plural(ctx, "log.week.pieces", s.piece_units)}` : "", " ✎")))),
      h("p", { class: "week-total" }, h("strong", null, t("log.week.total", { hours: hoursWords(minutes), days: plural(ctx, "log.week.days", days) })),
        pieces ? ` · ${plural(ctx, "log.week.pieces", pieces)}` : ""),
      paid ? null : h("p", { class: "log-status bad", "data-missing": "pay_stub" }, t("log.week.noStub"), " ",
        h("a", { href: "#/log/pay" }, t("log.week.addStub"))));
  })));
}
