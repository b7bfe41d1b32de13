/** Punch mode's open punch-in (the log store's "punch" draft): start, breaks, end, and the
 * forgotten punch-out. savePunch also sets PUNCH_FLAG ("1", no time) so app.js can tell,
 * without loading the log, that it should ask "¿A qué hora salió?" on any screen. */
import { h, formatDate } from "../ui.js";
import * as store from "./store.js";
import { todayIso } from "./forms.js";
import { confirmShift } from "./shiftask.js";
import { shiftMinutes } from "./parts.js";

// erase.js clears all of localStorage.
export const PUNCH_FLAG = "cartilla.punch";

/** A punch-in this many hours old is asked about, not closed at "now". */
const STALE_PUNCH_HOURS = 12;

function punchStart(punch) {
  return punch.started_at ? Date.parse(punch.started_at) : new Date(`${punch.date}T${punch.start}:00`).getTime();
}

export function punchIsStale(punch, now = Date.now()) {
  return now - punchStart(punch) > STALE_PUNCH_HOURS * 3600000;
}

/** Whole minutes of break so far, including one still going. */
export function punchBreakMinutes(punch, now) {
  const running = punch.break_since ? Math.max(0, Math.floor((now.getTime() - Date.parse(punch.break_since)) / 60000)) : 0;
  return (punch.break_minutes || 0) + running;
}

function setFlag(on) {
  try {
    if (on) localStorage.setItem(PUNCH_FLAG, "1");
    else localStorage.removeItem(PUNCH_FLAG);
  } catch (_) { /* no localStorage: only the log's own screen asks */ }
}

/** Save the open punch-in (a new one or a break change) and raise the flag for app.js. */
export async function savePunch(punch) {
  await store.saveDraft("punch", punch);
  setFlag(true);
}

/** The punch-in is over (saved as a shift, or discarded). */
export async function clearPunch() {
  await store.clearDraft("punch");
  setFlag(false);
}

/** A shift checked by the same rules as the form (./shiftask.js), then saved; null if not. */
export async function saveCheckedShift(ctx, where, shift) {
  const { state: now } = await store.currentState();
  const ok = await confirmShift(ctx, where, shift, [...now.shift.values()], todayIso());
  return ok ? store.addRecord(ok) : null;
}

/** The question "¿A qué hora salió?" as a form; `done()` runs after it saved or discarded. */
export function forgottenPunch(ctx, punch, done) {
  const { t, lang } = ctx;
  const end = h("input", { id: "forgot-end", type: "time", required: true });
  const brk = h("input", { id: "forgot-break", type: "text", inputmode: "numeric", autocomplete: "off", value: String(punch.break_minutes || 0) });
  const msg = h("p", { class: "error", role: "alert" });
  const box = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card warning log-form", id: "forgot-punch" },
    h("h2", null, t("log.quick.forgotTitle")),
    h("p", null, t("log.quick.forgotDetail", { date: formatDate(punch.date, lang), time: punch.start })),
    h("div", { class: "field" }, h("label", { for: "forgot-end" }, t("log.quick.forgotTime")), end),
    h("div", { class: "field" }, h("label", { for: "forgot-break" }, t("log.shift.break")), brk),
    msg, box,
    h("button", { type: "submit", class: "button primary big" }, h("span", { "aria-hidden": "true" }, "✔ "), t("log.quick.forgotSave")),
    h("button", { type: "button", class: "button secondary", id: "forgot-discard", onclick: async () => {
      await clearPunch();
      done();
      ctx.notify(t("log.quick.forgotDiscarded"), { id: "log-punch" });
    } }, t("log.quick.forgotDiscard")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    msg.textContent = "";
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(end.value)) { msg.textContent = t("log.form.time"); end.focus(); return; }
    const minutes = /^\d{1,4}$/.test(brk.value.trim()) ? Number(brk.value.trim()) : (brk.value.trim() ? NaN : 0);
    if (Number.isNaN(minutes)) { msg.textContent = t("log.form.int"); brk.focus(); return; }
    const shift = { type: "shift", job_id: punch.job_id, date: punch.date, start: punch.start, end: end.value,
      break_minutes: minutes, from_memory: true, photo_ids: [] };
    if (shiftMinutes(shift) <= 0 && shift.start !== shift.end) { msg.textContent = t("log.form.breakTooLong"); return; }
    if (!(await saveCheckedShift(ctx, box, shift))) return;
    await clearPunch();
    done();
    ctx.notify(t("log.quick.punchDone", { start: shift.start, end: shift.end }), { id: "log-punch" });
  });
  return form;
}

/** app.js, when PUNCH_FLAG is set: a stale punch-in is asked about in `where` (the notices);
 * a locked log is not read (its home asks once opened). `refresh()` redraws after the answer. */
export async function askIfForgotten(ctx, where, refresh) {
  if ((await store.status()).locked) return;
  const punch = await store.getDraft("punch");
  if (!punch) { setFlag(false); return; }
  if (!punchIsStale(punch) || document.getElementById("forgot-punch")) return;
  // The log's styles are not loaded on the other screens.
  if (!document.getElementById("log-css")) {
    document.head.append(h("link", { id: "log-css", rel: "stylesheet", href: new URL("./log.css", import.meta.url).pathname }));
  }
  const holder = h("div", { class: "notice warning", id: "notice-forgot-punch" });
  const form = forgottenPunch(ctx, punch, () => { holder.remove(); refresh(); });
  holder.append(form);
  where.prepend(holder);
}
