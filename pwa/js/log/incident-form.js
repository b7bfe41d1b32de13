/** The incident form (#/log/incident and #/log/incident/:id): what happened (an injury, a
 * threat, a firing…), in the worker's words. Loaded when it opens (./screen.js). */
import { formScreen, jobOptions, opts, clean, todayIso } from "./forms.js";

const INCIDENTS = ["no_work", "injury", "threat", "fired", "harassment", "unsafe", "other"];

export function render(container, ctx, id) {
  return formScreen(container, ctx, {
    type: "incident", id, titleKey: "log.incident.title", icon: "⚠", draftName: "form:incident",
    fields: (state) => [
      { name: "kind", label: "log.incident.kind", type: "select", required: true, options: opts(INCIDENTS, "log.kinds.incident") },
      { name: "date", label: "log.incident.date", type: "date", required: true },
      { name: "job_id", label: "log.shift.job", type: "select", options: jobOptions(state) },
      { name: "notes", label: "log.incident.notes", type: "textarea" },
      { name: "from_memory", label: "log.shift.fromMemory", type: "check" },
      { name: "photo_ids", label: "log.form.photo", type: "photos" },
    ],
    values: (r, state) => (r ? { ...r } : { date: todayIso(), job_id: [...state.job.keys()][0] }),
    build: (v) => clean({ kind: v.kind, date: v.date, job_id: v.job_id, notes: v.notes, from_memory: Boolean(v.from_memory), photo_ids: v.photo_ids || [] }),
  });
}
