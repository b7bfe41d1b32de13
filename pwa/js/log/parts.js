/** Small pieces every log view uses: big buttons and links, the back link, a status line,
 * the log's records as lists, a shift's minutes, the last shift and a job's name. */
import { h } from "../ui.js";
import { length as shiftLength } from "./shifts.js";

export function bigLink(href, icon, label, cls = "") {
  return h("a", { href, class: `button big ${cls}`.trim() }, h("span", { class: "icon", "aria-hidden": "true" }, icon), h("span", null, label));
}

export function bigButton(icon, label, onclick, cls = "") {
  return h("button", { type: "button", class: `button big ${cls}`.trim(), onclick },
    h("span", { class: "icon", "aria-hidden": "true" }, icon), h("span", null, label));
}

export function backLink(t) {
  return h("p", null, h("a", { href: "#/log", class: "button secondary" }, h("span", { "aria-hidden": "true" }, "← "), t("log.back")));
}

export function status(text, tone = "ok") {
  return h("p", { class: `log-status ${tone}`, role: "status" }, text);
}

export const lists = (state) => ({
  employers: [...state.employer.values()], jobs: [...state.job.values()], shifts: [...state.shift.values()],
  pay_stubs: [...state.pay_stub.values()], expenses: [...state.expense.values()], incidents: [...state.incident.values()],
});

/** Minutes worked; a shift with the same start and end counts nothing (it cannot be true). */
export function shiftMinutes(s) {
  if (s.start === s.end) return 0;
  return Math.max(0, shiftLength({ date: "2000-01-01", ...s }) - (s.break_minutes || 0));
}

export function lastShift(state) {
  const shifts = [...state.shift.values()];
  shifts.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return shifts.length ? shifts[shifts.length - 1] : null;
}

export function jobLabel(state, job) {
  const employer = state.employer.get(job.employer_id);
  return employer ? employer.name : job.id;
}

/** 600 -> "10 h", 630 -> "10 h 30 min" (as ../wages.js, which the log no longer loads). */
export function duration(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
