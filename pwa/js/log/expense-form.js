/** The expense form (#/log/expense and #/log/expense/:id): what the worker paid (a recruitment
 * fee, visa, travel…) and what was paid back. Loaded when it opens (./screen.js). */
import { formScreen, jobOptions, opts, clean, formatMoney, todayIso } from "./forms.js";

const EXPENSES = ["recruitment_fee", "visa", "travel", "subsistence", "tools", "housing", "transport", "other"];

export function render(container, ctx, id) {
  return formScreen(container, ctx, {
    type: "expense", id, titleKey: "log.expense.title", icon: "🧾", draftName: "form:expense",
    fields: (state) => [
      { name: "kind", label: "log.expense.kind", type: "select", required: true, options: opts(EXPENSES, "log.kinds.expense") },
      { name: "amount", label: "log.expense.amount", type: "money", required: true },
      { name: "date", label: "log.expense.date", type: "date", required: true },
      { name: "job_id", label: "log.shift.job", type: "select", options: jobOptions(state) },
      { name: "paid_to", label: "log.expense.paid_to", type: "text" },
      { name: "reimbursed", label: "log.expense.reimbursed", type: "money" },
      { name: "notes", label: "log.shift.notes", type: "textarea" },
      { name: "from_memory", label: "log.shift.fromMemory", type: "check" },
      { name: "photo_ids", label: "log.form.photo", type: "photos" },
    ],
    values: (r, state) => (r ? { ...r, amount: formatMoney(r.amount_cents), reimbursed: formatMoney(r.reimbursed_cents || null) }
      : { date: todayIso(), job_id: [...state.job.keys()][0] }),
    build: (v) => clean({ kind: v.kind, amount_cents: v.amount, date: v.date, job_id: v.job_id, paid_to: v.paid_to,
      reimbursed_cents: v.reimbursed || 0, notes: v.notes, from_memory: Boolean(v.from_memory), photo_ids: v.photo_ids || [] }),
  });
}
