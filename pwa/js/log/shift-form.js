/** The shift form (#/log/shift and #/log/shift/:id): starts from the last shift's times, with
 * quick time choices (./times.js) and the shift rules' questions and refusals before saving
 * (./shiftask.js). Loaded when it opens (./screen.js). */
import * as store from "./store.js";
import { confirmShift } from "./shiftask.js";
import { quickTimes } from "./times.js";
import { shiftMinutes, lastShift } from "./parts.js";
import { formScreen, jobOptions, clean, todayIso } from "./forms.js";

export function render(container, ctx, id) {
  return formScreen(container, ctx, {
    type: "shift", id, titleKey: "log.shift.title", icon: "🕒", draftName: "form:shift",
    fields: (state) => [
      { name: "job_id", label: "log.shift.job", type: "select", required: true, options: jobOptions(state) },
      { name: "date", label: "log.shift.date", type: "date", required: true, max: todayIso,
        validate: (v) => (v && v > todayIso() ? "log.check.future" : null) },
      { name: "start", label: "log.shift.start", type: "time", required: true },
      { name: "end", label: "log.shift.end", type: "time", required: true, help: "log.shift.endHelp" },
      { name: "break_minutes", label: "log.shift.break", type: "int", validate: (v, raw) => {
        if (!raw.start || !raw.end || v === null || raw.start === raw.end) return null; // same time: refused on save
        return shiftMinutes({ start: raw.start, end: raw.end, break_minutes: v }) <= 0 ? "log.form.breakTooLong" : null;
      } },
      { name: "piece_units", label: "log.shift.units", type: "int" },
      { name: "place", label: "log.shift.place", type: "text" },
      { name: "notes", label: "log.shift.notes", type: "textarea" },
      { name: "from_memory", label: "log.shift.fromMemory", type: "check" },
      { name: "photo_ids", label: "log.form.photo", type: "photos" },
    ],
    // A new shift starts from the last one's times: a different day is then the day, and save.
    values: (r, state) => {
      if (r) return { ...r };
      const last = lastShift(state);
      return { job_id: last?.job_id || [...state.job.keys()][0], date: todayIso(), start: last?.start, end: last?.end,
        break_minutes: String(last?.break_minutes || 0) };
    },
    enhance: (form, state) => quickTimes(ctx, form, [...state.shift.values()]),
    build: (v) => clean({ job_id: v.job_id, date: v.date, start: v.start, end: v.end, break_minutes: v.break_minutes || 0,
      piece_units: v.piece_units, place: v.place, notes: v.notes, from_memory: Boolean(v.from_memory), photo_ids: v.photo_ids || [] }),
    // The rules of ./shifts.js; an edit keeps an overnight answer while the end stays before the start.
    prepare: async (data, record, box) => {
      const shift = { type: "shift", ...data, id: record ? record.id : "new" };
      if (record && record.ends_next_day && shift.end < shift.start) shift.ends_next_day = true;
      const { state: now } = await store.currentState();
      const ok = await confirmShift(ctx, box, shift, [...now.shift.values()], todayIso());
      if (!ok) return null;
      const { id: _id, type: _type, ...rest } = ok;
      return rest;
    },
  });
}
