/** The wage check (#/log/wages), with its arithmetic shown for each week: regular hours ×
 * rate, overtime hours × the overtime rate, what was expected, what was paid and the
 * difference; the total split by kind (unpaid overtime, minimum wage / straight-time pay,
 * deductions, fees, guarantee); and, where the check lacked an AEWR or a rate, what the worker
 * can enter to fix it. It only shows what checkWages (../wages.js) returns: every amount is
 * one of the report's own figures (straight_pay_cents, overtime_pay_cents, …), never
 * multiplied back out here, so the lines add up to the expected pay to the cent. */
import { h, externalLink } from "../ui.js";
import { checkWages, loadWageTexts, MESSAGES } from "../wages.js";
import * as store from "./store.js";
import { todayIso } from "./forms.js";
import { dateWords, hoursWords, moneyWords } from "./format.js";
import { backLink, lists } from "./screen.js";

/** The report's kinds (report.owed_by_kind) in the order shown, with the label each uses
 * (log.arith.kinds.*): unpaid overtime and the straight-time / minimum-wage shortfall first. */
const KINDS = [["overtime", "overtime"], ["straight", "minimum"], ["deductions", "deductions"], ["fees", "fees"],
  ["guarantee", "guarantee"], ["other", "other"]];
// Findings and notes that mean a rate is missing: the job form is where the worker enters it.
const NEEDS_RATE = new Set(["aewr_missing", "aewr_new_method", "no_aewr", "no_piece_rate"]);

function textIn(text, lang) { return (text && (text[lang] || text.es || text.en)) || ""; }

function sourceOf(ctx, s) {
  return s ? h("span", { class: "muted" }, " ", ctx.t("log.wages.source"), ": ", externalLink(s.url, s.title)) : null;
}

function findingItem(f, ctx) {
  return h("li", { class: "finding", "data-code": f.code },
    f.amount_cents != null ? h("strong", null, moneyWords(f.amount_cents), " · ") : null, textIn(f.explanation, ctx.lang), sourceOf(ctx, f.source));
}

/** An hourly rate in dollars, with a tenth of a cent where it has one ("$29.955"). */
function rateWords(cents) {
  const mills = Math.round(cents * 10);
  return mills % 10 ? `${moneyWords(Math.floor(mills / 10))}${mills % 10}` : moneyWords(mills / 10);
}

/** The week's arithmetic as lines of text, each amount the report's own figure for that kind
 * of hour. `exact` is false only when a line's hours × the rate as shown (whole cents) is not
 * that amount to the cent (a rate with a fraction of a cent, piece work made up to a floor). */
export function weekLines(t, w) {
  const rate = w.regular_rate_cents;
  const parts = [["straight", w.straight_minutes, 1, w.straight_pay_cents], ["overtime", w.overtime_minutes, 1.5, w.overtime_pay_cents],
    ["double", w.double_time_minutes, 2, w.double_time_pay_cents]]
    .filter(([, minutes], i) => i === 0 || minutes > 0)
    .map(([kind, minutes, times, amount]) => {
      // 1.5 × $19.97 is $29.955 an hour: written out, so the multiplication can be checked.
      const perHour = times === 1 ? moneyWords(rate) : `${rateWords(rate * times)} (${times} × ${moneyWords(rate)})`;
      // In tenths of a cent, so that 1.5 × an odd rate stays a whole number.
      const exact = minutes * rate * times * 10 === amount * 600;
      return { kind, amount, exact, text: t(`log.arith.${kind}`, { hours: hoursWords(minutes), rate: perHour, amount: moneyWords(amount) }) };
    });
  return { parts, exact: parts.every((p) => p.exact) };
}

function weekCard(ctx, w) {
  const { t, lang } = ctx;
  const { parts, exact } = weekLines(t, w);
  return h("li", { class: "card week", "data-week": w.start },
    h("h4", { class: "card-title" }, t("log.wages.week", { start: dateWords(w.start, lang), end: dateWords(w.end, lang) })),
    h("p", null, t("log.wages.hours", { hours: hoursWords(w.minutes_worked), overtime: hoursWords(w.overtime_minutes + w.double_time_minutes) })),
    h("ul", { class: "arith" }, parts.map((p) => h("li", { "data-part": p.kind }, p.text)),
      h("li", { "data-part": "expected" }, h("strong", null, t("log.wages.expected", { amount: moneyWords(w.expected_cents) })),
        exact ? "" : ` ${t("log.arith.rounded")}`),
      h("li", { "data-part": "paid" }, w.paid_cents != null ? t("log.wages.paid", { amount: moneyWords(w.paid_cents) }) : t("log.arith.paidInPeriod")),
      w.difference_cents != null ? h("li", { "data-part": "difference" }, h("strong", null, t("log.wages.difference", { amount: moneyWords(w.difference_cents) }))) : null),
    h("details", null, h("summary", null, t("log.wages.rules")),
      h("ul", null, w.rules.map((r) => h("li", null, textIn(r.explanation, lang), sourceOf(ctx, r.source))))));
}

/** The total split by kind: [[label kind, cents]] with only the kinds that have an amount,
 * straight from the report's owed_by_kind (which adds up to its total_owed_cents). */
export function byKind(report) {
  const owed = report.owed_by_kind || {};
  return KINDS.filter(([k]) => owed[k] > 0).map(([k, label]) => [label, owed[k]]);
}

export async function renderWages(container, ctx) {
  const { t, lang } = ctx;
  container.append(backLink(t), h("h1", { tabindex: "-1" }, h("span", { "aria-hidden": "true" }, "⚖ "), t("log.wages.title")),
    h("p", null, t("log.wages.intro")));
  const rules = (ctx.pack && ctx.pack.data && ctx.pack.data.wage_rules) || [];
  if (!rules.length) container.append(h("p", { class: "card warning" }, t("log.wages.noRules")));
  const { state } = await store.currentState();
  if (!state.job.size) {
    container.append(h("p", null, t("log.wages.noJobs")));
    return;
  }
  const today = todayIso();
  // The worker may have changed language since the check's texts were loaded.
  const langIndex = { es: 0, en: 1 }[lang];
  if (langIndex !== undefined && !(MESSAGES.minimum_wage || [])[langIndex]) await loadWageTexts([lang]);
  const report = checkWages(lists(state), rules, today);
  const kinds = byKind(report);
  container.append(h("div", { class: `card ${report.total_owed_cents > 0 ? "warning" : ""}`, id: "wages-total" },
    h("p", null, h("strong", null, report.total_owed_cents > 0 ? t("log.wages.owed", { amount: moneyWords(report.total_owed_cents) }) : t("log.wages.nothingOwed"))),
    kinds.length ? h("ul", { id: "wages-kinds" }, kinds.map(([k, cents]) => h("li", { "data-kind": k }, t(`log.arith.kinds.${k}`), ": ", moneyWords(cents)))) : null),
    h("p", { class: "muted" }, t("log.wages.asOf", { date: dateWords(today, lang) })));
  for (const job of report.jobs) {
    const section = h("section", { class: "wage-job", "data-job": job.job_id });
    section.append(h("h2", null, job.employer || t("log.wages.noEmployer"), ` · ${job.state}`));
    const needs = [...job.findings, ...job.notes].some((f) => NEEDS_RATE.has(f.code));
    if (needs) {
      section.append(h("div", { class: "card warning", "data-fix": "rate" }, h("p", null, t("log.arith.fixRate")),
        h("a", { class: "button", href: `#/log/job/${encodeURIComponent(job.job_id)}` }, "✎ ", t("log.arith.fixRateLink"))));
    }
    if (job.findings.length) section.append(h("h3", null, t("log.wages.findings")), h("ul", null, job.findings.map((f) => findingItem(f, ctx))));
    section.append(h("h3", null, t("log.wages.weeks")), h("ul", { class: "cards" }, job.weeks.map((w) => weekCard(ctx, w))));
    section.append(h("h3", null, t("log.wages.periods")));
    section.append(h("ul", { class: "cards" }, job.periods.map((p) => h("li", { class: "card period" },
      h("p", { class: "card-title" }, t(p.pay_stub_id ? "log.wages.period" : p.start === p.end ? "log.arith.unpaidDay" : "log.wages.unpaid",
        { start: dateWords(p.start, lang), end: dateWords(p.end, lang) })),
      h("p", null, t("log.wages.expected", { amount: moneyWords(p.expected_cents) }), " · ", t("log.wages.paid", { amount: moneyWords(p.paid_cents) }),
        " · ", h("strong", null, t("log.wages.difference", { amount: moneyWords(p.difference_cents) }))),
      p.findings.length ? h("ul", null, p.findings.map((f) => findingItem(f, ctx))) : null))));
    if (job.notes.length) section.append(h("h3", null, t("log.wages.notes")), h("ul", null, job.notes.map((n) => h("li", null, textIn(n.explanation, lang)))));
    container.append(section);
  }
  if (report.notes.length) container.append(h("h2", null, t("log.wages.notes")), h("ul", null, report.notes.map((n) => h("li", null, textIn(n.explanation, lang)))));
}
