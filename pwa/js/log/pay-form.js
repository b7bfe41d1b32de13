/** The pay stub form (#/log/pay and #/log/pay/:id): dates, amounts, itemised deductions and
 * what the stub shows. Loaded when it opens (./screen.js). */
import { formScreen, jobOptions, opts, clean, parseMoney, formatMoney, todayIso } from "./forms.js";

const DEDUCTIONS = ["income_tax", "social_security", "medicare", "state_tax", "garnishment", "housing", "meals", "tools",
  "uniform", "transport", "recruitment_fee", "visa", "advance", "insurance", "other"];
const ITEMS = ["employer_name", "employer_address", "employer_fein", "pay_period", "hours_offered", "hours_worked",
  "rate", "piece_units", "gross", "deductions", "net"];

export function render(container, ctx, id) {
  const deductionsValid = (list) => (list || []).some((d) => { const c = parseMoney(d.amount); return c === null || Number.isNaN(c); }) ? "log.form.money" : null;
  return formScreen(container, ctx, {
    type: "pay_stub", id, titleKey: "log.pay.title", icon: "💵", draftName: "form:pay",
    fields: (state) => [
      { name: "job_id", label: "log.shift.job", type: "select", required: true, options: jobOptions(state) },
      { name: "pay_date", label: "log.pay.pay_date", type: "date", required: true },
      { name: "period_start", label: "log.pay.period_start", type: "date", required: true },
      { name: "period_end", label: "log.pay.period_end", type: "date", required: true,
        validate: (v, raw) => (raw.period_start && v && v < raw.period_start ? "log.form.date" : null) },
      { name: "gross", label: "log.pay.gross", type: "money", required: true },
      { name: "net", label: "log.pay.net", type: "money" },
      { name: "hours_paid", label: "log.pay.hours_paid", type: "int" },
      { name: "rate", label: "log.pay.rate", type: "money" },
      { name: "method", label: "log.pay.method", type: "select", required: true, options: opts(["check", "cash", "card", "transfer", "other"], "log.kinds.method") },
      { name: "deductions", label: "log.pay.deductions", type: "deductions", options: opts(DEDUCTIONS, "log.kinds.deduction"), validate: deductionsValid },
      { name: "statement_given", label: "log.pay.statement_given", type: "check" },
      { name: "statement_items", label: "log.pay.statement_items", type: "checks", options: opts(ITEMS, "log.kinds.item"), show: (v) => Boolean(v.statement_given) },
      { name: "from_memory", label: "log.shift.fromMemory", type: "check" },
      { name: "photo_ids", label: "log.form.photo", type: "photos" },
    ],
    values: (r, state) => (r ? {
      ...r, gross: formatMoney(r.gross_cents), net: formatMoney(r.net_cents), rate: formatMoney(r.rates?.[0]?.rate_cents),
      hours_paid: r.minutes_paid != null ? String(Math.round(r.minutes_paid / 60)) : "",
      deductions: (r.deductions || []).map((d) => ({ kind: d.kind, amount: formatMoney(d.amount_cents) })),
      statement_items: r.statement_items || [],
    } : { job_id: [...state.job.keys()][0], pay_date: todayIso(), method: "check", statement_given: true, deductions: [] }),
    build: (v) => clean({
      job_id: v.job_id, pay_date: v.pay_date, period_start: v.period_start, period_end: v.period_end, gross_cents: v.gross,
      net_cents: v.net, minutes_paid: v.hours_paid != null ? v.hours_paid * 60 : null,
      rates: v.rate != null ? [{ rate_cents: v.rate, per: "hour" }] : [],
      deductions: (v.deductions || []).map((d) => ({ kind: d.kind, amount_cents: parseMoney(d.amount) })).filter((d) => d.amount_cents),
      method: v.method, statement_given: Boolean(v.statement_given),
      statement_items: v.statement_given ? v.statement_items || [] : null,
      from_memory: Boolean(v.from_memory), photo_ids: v.photo_ids || [],
    }),
  });
}
