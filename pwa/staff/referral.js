/** Referrals on the desk: the same rules as server/evidence/referral.py.
 *
 * Deadlines count from the date of the event, never from when it was logged (an incident's
 * own date, a short paycheck's pay date, a fee's payment date); retaliation leads with the
 * agency of what the worker complained about (referral-map.json's `retaliation` block).
 */

import { replayJournal } from "./facts.js";
import { isoDateWords } from "../js/log/shifts.js";

/** The referral's sentences, dates in words ("6 de junio de 2026", "June 6, 2026"): the same
 * words as server/evidence/referral.py SENTENCES (tests/referral_vectors.json `sentences`). */
export const SENTENCES = {
  es: { since: "desde el {date}", deadline: "Fecha límite: {date} (contada desde el {first})" },
  en: { since: "since {date}", deadline: "Deadline: {date} (counted from {first})" },
};
const say = (key, lang, values) => SENTENCES[lang === "en" ? "en" : "es"][key]
  .replace(/\{(\w+)\}/g, (_, k) => isoDateWords(values[k], lang === "en" ? "en" : "es"));

/** "desde el 6 de junio de 2026" / "since June 6, 2026": when the referral's problem began. */
export const sinceText = (first, lang) => say("since", lang, { date: first });

/** "Fecha límite: 6 de julio de 2026 (contada desde el 6 de junio de 2026)" / "Deadline: ...". */
export const deadlineText = (date, first, lang) => say("deadline", lang, { date, first });

/** Which expense kinds a fee finding is about: its deadline counts from the payment's date. */
const FEE_EXPENSES = {
  recruitment_fee: ["recruitment_fee"], visa_fee_ask: ["visa"], visa_fees_not_reimbursed: ["visa"],
  travel_not_reimbursed: ["travel", "subsistence"], first_week_reimbursement: ["travel", "subsistence", "visa"],
};

/** "wage" when the case has wage problems, "safety" when only safety ones, else null. */
export function retaliationLead(problemIds, map) {
  const rules = (map && map.retaliation) || null;
  if (!rules || !problemIds.includes("retaliation")) return null;
  if (problemIds.some((p) => (rules.wage_problems || []).includes(p))) return "wage";
  if (problemIds.some((p) => (rules.safety_problems || []).includes(p))) return "safety";
  return null;
}

export function referrals(wageCheck, entries, data, state, map) {
  const found = new Map();
  const add = (problem, date, reason) => {
    if (!problem || !date) return;
    const cur = found.get(problem) || { first: date, reasons: [] };
    if (!cur.reasons.includes(reason)) cur.reasons.push(reason);
    cur.first = date < cur.first ? date : cur.first;
    found.set(problem, cur);
  };
  const records = replayJournal(entries);
  const expenses = [...records.expense.values()];
  for (const job of (wageCheck && wageCheck.jobs) || []) {
    const weeks = job.weeks || [];
    const start = weeks.length ? weeks[0].end : "";
    for (const f of job.findings || []) {
      const kinds = FEE_EXPENSES[f.code] || [];
      const paid = expenses.filter((x) => kinds.includes(x.kind) && x.job_id === job.job_id).map((x) => x.date).sort();
      add(map.findings[f.code], paid.length ? paid[0] : start, f.code);
    }
    for (const p of job.periods || []) for (const f of p.findings || []) add(map.findings[f.code], p.pay_date || p.end, f.code);
  }
  // Current incidents only (one deleted later is not an event), by their own date.
  for (const i of records.incident.values()) add(map.incidents[i.kind], i.date, i.kind);
  const lead = retaliationLead([...found.keys()], map);
  const problems = new Map((data.triage || []).map((p) => [p.id, p]));
  const agencies = data.agencies || [];
  const out = [];
  for (const [id, { first, reasons }] of [...found.entries()].sort((a, b) => (a[1].first < b[1].first ? -1 : 1))) {
    const p = problems.get(id);
    if (!p) continue;
    let routes = [...p.routes];
    const leads = id === "retaliation" && lead ? map.retaliation[`${lead}_agencies`] || [] : null;
    if (leads) {
      const rank = (r) => (leads.includes(r.agency) ? leads.indexOf(r.agency) : leads.length);
      routes = routes.map((r, i) => [r, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([r]) => r);
    }
    out.push({
      problem_id: id, title: p.title, intake_category: p.intake_category, first_date: first, reasons, bring: p.bring || [],
      lead: leads ? lead : null,
      routes: routes.map((r) => {
        const agency = findAgency(r.agency, agencies, state);
        // The job state's own deadline for this route, else the general one.
        const dl = (r.state_deadlines || {})[state] || r.deadline;
        let date = null;
        if (dl && dl.days) {
          const d = new Date(`${first}T00:00:00Z`);
          d.setUTCDate(d.getUTCDate() + dl.days);
          date = d.toISOString().slice(0, 10);
        }
        return { agency_id: agency ? agency.id : r.agency, agency_name: agency ? agency.name : { es: r.agency, en: r.agency },
                 deadline_text: dl ? dl.text : null, deadline_date: date, phone: agency ? agency.phone || null : null };
      }),
    });
  }
  return out;
}

function findAgency(ref, agencies, state) {
  if (ref.startsWith("state:")) {
    const area = ref.slice(6);
    return agencies.find((a) => a.jurisdiction === state && (a.areas || []).includes(area)) || null;
  }
  return agencies.find((a) => a.id === ref) || null;
}

export function intakeCategories(items) {
  const cats = [...new Set(items.map((r) => r.intake_category))].sort();
  return cats.length ? cats : ["general_information"];
}

/** Evidence a claim usually needs that this bundle does not have (message keys). */
export function missingEvidence(summary, state) {
  const out = [];
  if (!summary.counts.pay) out.push("missing_pay");
  if (summary.counts.pay && !summary.counts.photos) out.push("missing_photos");
  if (!summary.counts.shifts) out.push("missing_hours");
  if (summary.employers.some((e) => !e.address)) out.push("missing_address");
  return out;
}
