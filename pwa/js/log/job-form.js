/** The job form (#/log/job and #/log/job/:id): the employer, the work (state, industry,
 * status, how it is paid, the H-2A/H-2B contract and rates) and the employer's people, plate
 * and work site, with photos of the job order or contract. Loaded when it opens (./screen.js). */
import { h } from "../ui.js";
import * as store from "./store.js";
import { buildForm, formatMoney, opts, editControls, clean } from "./forms.js";
import { backLink, jobLabel } from "./parts.js";

const STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
  "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
  "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"];
const INDUSTRIES = ["agriculture", "construction", "restaurants", "cleaning", "meatpacking", "landscaping", "domestic", "hospitality", "other"];
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

// Where in the pack's state the work is, when its minimum wage is set by region (NY): the
// regions from the wage rules, "elsewhere in the state", or no answer (the check then names the
// higher rate in a note).
function regionChoices(ctx) {
  const rules = (ctx.pack && ctx.pack.data && ctx.pack.data.wage_rules) || [];
  const state = rules.find((j) => j.id !== "federal" && (j.regional_minimum_wage || []).length);
  if (!state) return { state: null, options: [] };
  const name = (r) => (r.name && (r.name[ctx.lang] || r.name.es || r.name.en)) || r.id;
  return { state: state.id, options: [...state.regional_minimum_wage.map((r) => [r.id, name(r)]), ["rest-of-state", "log.job.region_rest"]] };
}

export async function render(container, ctx, id) {
  const { t } = ctx;
  const { state } = await store.currentState();
  const job = id ? state.job.get(id) : null;
  const employer = job ? state.employer.get(job.employer_id) : null;
  if (!id && state.job.size) {
    container.append(h("ul", { class: "cards" }, [...state.job.values()].map((j) => h("li", { class: "card" },
      h("a", { class: "card-link", href: `#/log/job/${encodeURIComponent(j.id)}` }, h("span", { class: "card-title" }, jobLabel(state, j)),
        " · ", j.state, " · ", t(`log.kinds.industry.${j.industry}`))))));
  }
  const isH2 = (v) => v.status === "h2a" || v.status === "h2b";
  const profile = ctx.profile || {};
  const regions = regionChoices(ctx);
  const fields = () => [
    { name: "employer", label: "log.job.employer", type: "text", required: true },
    { name: "state", label: "log.job.state", type: "select", required: true, options: STATES.map((s) => [s, s]) },
    { name: "industry", label: "log.job.industry", type: "select", required: true, options: opts(INDUSTRIES, "log.kinds.industry") },
    { name: "status", label: "log.job.status", type: "select", required: true, options: opts(["h2a", "h2b", "other"], "log.kinds.status") },
    { name: "pay_type", label: "log.job.pay_type", type: "select", required: true, options: opts(["hourly", "piece", "day", "salary"], "log.kinds.pay_type") },
    { name: "promised", label: "log.job.promised", type: "money", help: "log.job.promisedHelp" },
    { name: "pay_frequency", label: "log.job.pay_frequency", type: "select", options: opts(["weekly", "biweekly", "semimonthly", "monthly"], "log.kinds.pay_frequency") },
    { name: "workweek_start", label: "log.job.workweek_start", type: "select", required: true, options: opts(WEEKDAYS, "log.kinds.weekday") },
    { name: "employer_size", label: "log.job.employer_size", type: "int" },
    { name: "contract_start", label: "log.job.contract_start", type: "date", show: isH2 },
    { name: "contract_end", label: "log.job.contract_end", type: "date", show: isH2 },
    { name: "hours", label: "log.job.hours", type: "int", show: isH2 },
    { name: "job_order_rate", label: "log.job.job_order_rate", type: "money", show: (v) => v.status === "h2a" },
    { name: "skill_level", label: "log.job.skill_level", type: "select", show: (v) => v.status === "h2a",
      options: [["1", "log.job.skill_1"], ["2", "log.job.skill_2"]] },
    { name: "region", label: "log.job.region", type: "select", options: regions.options, show: (v) => v.state === regions.state },
    { name: "address", label: "log.job.address", type: "text" },
    { name: "phone", label: "log.job.phone", type: "text" },
    { name: "supervisor", label: "log.job.supervisor", type: "text" },
    { name: "crew_leader", label: "log.job.crew_leader", type: "text" },
    { name: "vehicle", label: "log.job.vehicle", type: "text" },
    { name: "plate", label: "log.job.plate", type: "text" },
    { name: "work_site", label: "log.job.work_site", type: "text" },
    { name: "photo_ids", label: "log.job.photos", type: "photos" },
  ];
  const values = job ? {
    employer: employer?.name, state: job.state, industry: job.industry, status: job.status, pay_type: job.pay_type,
    promised: formatMoney(job.promised_rate_cents), pay_frequency: job.pay_frequency || "", workweek_start: job.workweek_start,
    employer_size: job.employer_size ?? "", contract_start: job.contract_start || "", contract_end: job.contract_end || "",
    hours: job.job_order_hours_per_week ?? "", job_order_rate: formatMoney(job.job_order_rate_cents),
    skill_level: job.skill_level ? String(job.skill_level) : "", region: job.region || "", address: employer?.address, phone: employer?.phone, supervisor: employer?.supervisor,
    crew_leader: employer?.crew_leader, vehicle: employer?.vehicle, plate: employer?.plate, work_site: employer?.work_site,
    photo_ids: job.photo_ids || [],
  } : {
    state: profile.state && STATES.includes(profile.state) ? profile.state : "CA",
    industry: INDUSTRIES.includes(profile.industry) ? profile.industry : "agriculture",
    status: ["h2a", "h2b"].includes(profile.status) ? profile.status : "other",
    pay_type: "hourly", workweek_start: "sunday",
  };
  const { reasonField, extra } = await editControls(ctx, "job", job);
  const form = await buildForm(ctx, {
    fields: [...fields(), ...reasonField],
    values,
    draftName: `form:job:${id || "new"}`,
    extra,
    onSubmit: async (v) => {
      const employerData = clean({ type: "employer", name: v.employer, address: v.address, phone: v.phone, supervisor: v.supervisor,
        crew_leader: v.crew_leader, vehicle: v.vehicle, plate: v.plate, work_site: v.work_site });
      let employerId = employer?.id;
      if (employer) {
        const changed = JSON.stringify({ ...employerData, id: employer.id }) !== JSON.stringify(clean({ ...employer }));
        if (changed) await store.editRecord({ ...employerData, id: employer.id }, v._reason);
      } else {
        employerId = (await store.addRecord(employerData)).data.id;
      }
      const jobData = clean({ type: "job", employer_id: employerId, state: v.state, industry: v.industry, status: v.status,
        pay_type: v.pay_type, promised_rate_cents: v.promised, pay_frequency: v.pay_frequency, workweek_start: v.workweek_start,
        employer_size: v.employer_size || null, contract_start: v.contract_start, contract_end: v.contract_end,
        job_order_hours_per_week: v.hours || null, job_order_rate_cents: v.job_order_rate,
        skill_level: v.skill_level ? Number(v.skill_level) : null, region: v.region, photo_ids: v.photo_ids || [] });
      if (job) await store.editRecord({ ...jobData, id: job.id }, v._reason);
      else await store.addRecord(jobData);
      ctx.notify(t("log.saved"), { id: "log-saved" });
      ctx.navigate("#/log");
    },
  });
  container.append(backLink(t), h("h1", { tabindex: "-1" }, h("span", { "aria-hidden": "true" }, "🏢 "),
    job ? `${t("log.form.editing")}: ${t("log.job.title")}` : t("log.job.title")), form.element);
}
