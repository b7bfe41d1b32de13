/** The log's home: today's quick actions ("Same as the last day", punch in/out with breaks),
 * links to every form and view, the old-backup reminder and this week at a glance.
 *
 * A typical day takes at most three taps from anywhere: "My log" in the menu, then
 * "Same as the last day" (or "I started work" / "I finished work").
 */
import { h } from "../ui.js";
import * as store from "./store.js";
import { todayIso, nowHHMM } from "./forms.js";
import { plural, dateWords } from "./format.js";
import { bigButton, bigLink, status, shiftMinutes, lastShift, duration } from "./parts.js";
import { punchIsStale, punchBreakMinutes, savePunch, clearPunch, saveCheckedShift, forgottenPunch } from "./punch.js";

const BACKUP_REMINDER_DAYS = 14;

export async function renderHome(container, ctx) {
  const { t, lang } = ctx;
  const { state } = await store.currentState();
  const jobs = [...state.job.values()];
  const out = h("div", { id: "log-message", "aria-live": "polite" });
  container.append(h("h1", { tabindex: "-1" }, t("log.title")), h("p", { class: "muted" }, t("log.privacy")), out);

  // Old-backup reminder.
  const total = jobs.length + state.shift.size + state.pay_stub.size;
  if (total > 0) {
    const last = await store.getMeta("lastBackupAt");
    const days = last ? Math.floor((Date.now() - Date.parse(last)) / 86400000) : null;
    if (days === null || days > BACKUP_REMINDER_DAYS) {
      container.append(h("div", { class: "card warning", id: "backup-reminder" },
        h("p", null, last ? t("log.backupOld", { days: BACKUP_REMINDER_DAYS }) : t("log.backupNever")),
        h("a", { href: "#/log/settings", class: "button" }, h("span", { "aria-hidden": "true" }, "💾 "), t("log.backupNow"))));
    }
  }

  if (!jobs.length) {
    // Before the first record: offer a PIN or passphrase (./protect.js, loaded only now).
    await import("./protect.js").then((m) => m.offer(container, ctx), () => {});
    container.append(h("div", { class: "log-actions" }, bigLink("#/log/job", "🏢", t("log.quick.addJob"), "primary")));
    return;
  }

  const actions = h("div", { class: "log-actions" });
  container.append(h("h2", null, t("log.quick.heading")), actions);
  const say = (text) => { out.replaceChildren(status(text)); };

  // Questions and refusals show at the top, next to the message, where a 360 px screen sees them.
  const ask = h("div", { id: "log-question" });
  out.after(ask);
  // Every quick save goes through the same checks as the form (./shiftask.js).
  const saveChecked = (shift, where = ask) => saveCheckedShift(ctx, where, shift);

  actions.append(bigButton("↻", t("log.quick.sameAsYesterday"), async () => {
    const { state: now } = await store.currentState();
    const prev = lastShift(now);
    if (!prev) { say(t("log.quick.nothingToCopy")); return; }
    const copy = { type: "shift", job_id: prev.job_id, date: todayIso(), start: prev.start, end: prev.end,
      break_minutes: prev.break_minutes || 0, from_memory: false, photo_ids: [] };
    if (prev.ends_next_day) copy.ends_next_day = true;
    if (prev.place) copy.place = prev.place;
    // A second shift on the same date is asked about, never added by a repeated tap.
    const already = [...now.shift.values()].find((s) => s.job_id === copy.job_id && s.date === copy.date);
    if (already) {
      out.replaceChildren();
      ask.replaceChildren(h("div", { class: "card warning log-question", role: "alertdialog", "aria-labelledby": "same-day-q", "data-question": "same-day" },
        h("p", { id: "same-day-q" }, h("strong", null, t("log.quick.alreadyToday", { start: already.start, end: already.end }))),
        h("p", { class: "log-answers" },
          h("a", { class: "button primary", href: "#/log/shift", "data-answer": "yes" }, t("log.quick.anotherYes")), " ",
          h("button", { type: "button", class: "button secondary", "data-answer": "no", onclick: () => ask.replaceChildren() }, t("log.quick.anotherNo")))));
      ask.querySelector("a").focus();
      return;
    }
    const entry = await saveChecked(copy);
    if (!entry) return;
    out.replaceChildren(status(t("log.quick.sameDone", { date: dateWords(copy.date, lang), start: copy.start, end: copy.end })),
      h("button", { type: "button", class: "button secondary", onclick: async () => {
        await store.deleteRecord("shift", entry.data.id, t("log.undo"));
        say(t("log.undone"));
      } }, t("log.undo")));
  }, "primary"));

  const punch = await store.getDraft("punch");
  if (punch && punchIsStale(punch)) {
    // Forgotten punch-out: ask when it ended instead of saving a shift that runs until now
    // (unless app.js already asks in the notice area, on whichever screen opened first).
    if (!document.getElementById("forgot-punch")) ask.after(forgottenPunch(ctx, punch, () => ctx.navigate("#/log")));
  } else if (punch) {
    actions.append(bigButton("⏹", t("log.quick.punchOut"), async () => {
      const nowDate = new Date();
      const end = nowHHMM(nowDate);
      const breakMinutes = punchBreakMinutes(punch, nowDate);
      const shift = { type: "shift", job_id: punch.job_id, date: punch.date, start: punch.start,
        end: end === punch.start ? nowHHMM(new Date(Date.now() + 60000)) : end, break_minutes: breakMinutes, from_memory: false, photo_ids: [] };
      // The clock says whether it is the next day: no need to ask.
      if (todayIso(nowDate) > punch.date) shift.ends_next_day = true;
      if (!(await saveChecked(shift))) return;
      await clearPunch();
      ctx.navigate("#/log");
      ctx.notify(breakMinutes ? t("log.quick.punchDoneBreak", { start: shift.start, end: shift.end, minutes: breakMinutes })
        : t("log.quick.punchDone", { start: shift.start, end: shift.end }), { id: "log-punch" });
    }, "primary"));
    if (punch.break_since) {
      actions.append(bigButton("▶", t("log.quick.breakEnd"), async () => {
        await savePunch({ ...punch, break_minutes: punchBreakMinutes(punch, new Date()), break_since: null });
        ctx.navigate("#/log");
      }));
      out.append(status(t("log.quick.onBreak", { time: nowHHMM(new Date(punch.break_since)) })));
    } else {
      actions.append(bigButton("⏸", t("log.quick.breakStart"), async () => {
        await savePunch({ ...punch, break_since: new Date().toISOString() });
        ctx.navigate("#/log");
      }));
      out.append(status(t("log.quick.punchedIn", { time: punch.start })),
        punch.break_minutes ? status(t("log.quick.breakSoFar", { minutes: punch.break_minutes })) : "");
    }
  } else {
    actions.append(bigButton("▶", t("log.quick.punchIn"), async () => {
      const prev = lastShift(state);
      await savePunch({ job_id: prev ? prev.job_id : jobs[0].id, date: todayIso(), start: nowHHMM(),
        started_at: new Date().toISOString(), break_minutes: 0, break_since: null });
      ctx.navigate("#/log");
    }));
  }
  actions.append(
    bigLink("#/log/shift", "🕒", t("log.quick.shift")),
    bigLink("#/log/pay", "💵", t("log.quick.pay")),
    bigLink("#/log/expense", "🧾", t("log.quick.expense")),
    bigLink("#/log/incident", "⚠", t("log.quick.incident")),
    bigLink("#/log/week", "📅", t("log.quick.weekView")),
    bigLink("#/log/wages", "⚖", t("log.quick.wages")),
    bigLink("#/log/history", "📜", t("log.quick.history")),
    bigLink("#/log/job", "🏢", t("log.quick.jobs")),
    bigLink("#/log/settings", "🔒", t("log.quick.settings")),
  );

  // This week at a glance.
  const weekAgo = todayIso(new Date(Date.now() - 6 * 86400000));
  const recent = [...state.shift.values()].filter((s) => s.date >= weekAgo);
  if (recent.length) {
    const minutes = recent.reduce((a, s) => a + shiftMinutes(s), 0);
    container.append(h("p", { class: "card" }, plural(ctx, "log.quick.week", new Set(recent.map((s) => s.date)).size, { hours: duration(minutes), days: new Set(recent.map((s) => s.date)).size })));
  }
}
