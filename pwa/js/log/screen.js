/** The log's router (#/log and #/log/:view(/:id)) and its record forms (job, shift, pay stub,
 * expense, incident). Every other view is its own module, loaded when it opens: the home
 * (./home.js), history (./history.js), settings (./settings.js), the week (./week.js) and the
 * wage check (./arithmetic.js, the only one that needs ../wages.js).
 */
import { h } from "../ui.js";
import * as store from "./store.js";
import { buildForm, parseMoney, formatMoney, todayIso } from "./forms.js";
import { confirmShift } from "./shiftask.js";
import { quickTimes } from "./times.js";
import { backLink, lists, shiftMinutes, lastShift, jobLabel } from "./parts.js";

// The week and the wage check import these from here.
export { backLink, lists, shiftMinutes };

const STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
  "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
  "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"];
const INDUSTRIES = ["agriculture", "construction", "restaurants", "cleaning", "meatpacking", "landscaping", "domestic", "hospitality", "other"];
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const DEDUCTIONS = ["income_tax", "social_security", "medicare", "state_tax", "garnishment", "housing", "meals", "tools",
  "uniform", "transport", "recruitment_fee", "visa", "advance", "insurance", "other"];
const EXPENSES = ["recruitment_fee", "visa", "travel", "subsistence", "tools", "housing", "transport", "other"];
const INCIDENTS = ["no_work", "injury", "threat", "fired", "harassment", "unsafe", "other"];
const ITEMS = ["employer_name", "employer_address", "employer_fein", "pay_period", "hours_offered", "hours_worked",
  "rate", "piece_units", "gross", "deductions", "net"];

const opts = (values, prefix) => values.map((v) => [v, `${prefix}.${v}`]);

function ensureStyles() {
  if (document.getElementById("log-css")) return;
  document.head.append(h("link", { id: "log-css", rel: "stylesheet", href: new URL("./log.css", import.meta.url).pathname }));
}

// --- entry point ------------------------------------------------------------------------------

export async function render(container, ctx) {
  ensureStyles();
  const view = (ctx.params && ctx.params.view) || "home";
  const { locked } = await store.status();
  if (locked) return renderUnlock(container, ctx);
  const home = async (c, x) => (await import("./home.js")).renderHome(c, x);
  const views = { home, job: renderJob, shift: renderShift, pay: renderPay, expense: renderExpense,
    incident: renderIncident,
    // One module per view, loaded when it opens.
    history: async (c, x) => (await import("./history.js")).renderHistory(c, x),
    settings: async (c, x) => (await import("./settings.js")).renderSettings(c, x),
    wages: async (c, x) => (await import("./arithmetic.js")).renderWages(c, x),
    week: async (c, x) => (await import("./week.js")).renderWeek(c, x) };
  return (views[view] || home)(container, ctx, ctx.params && ctx.params.id);
}

async function renderUnlock(container, ctx) {
  const { t } = ctx;
  const lock = await store.lockInfo();
  const pin = h("input", { id: "log-pin", type: "password", inputmode: lock && lock.kind === "pass" ? "text" : "numeric", autocomplete: "off" });
  const msg = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "log-form" },
    h("div", { class: "field" }, h("label", { for: "log-pin" }, t("log.locked.pin")), pin), msg,
    h("button", { type: "submit", class: "button primary big" }, h("span", { "aria-hidden": "true" }, "🔓 "), t("log.locked.open")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    msg.textContent = t("log.settings.working");
    if (await store.unlock(pin.value)) {
      // While locked nothing was anchored: ask for a time receipt now (if online; see receipts.js).
      import("../bundle/receipts.js").then((m) => m.anchorNow()).catch(() => {});
      ctx.navigate(ctx.route || "#/log"); // back to the screen that asked (a form keeps its draft)
    } else { msg.textContent = t("log.locked.wrong"); pin.value = ""; pin.focus(); }
  });
  container.append(h("h1", { tabindex: "-1" }, "🔒 ", t("log.locked.title")), h("p", null, t("log.locked.prompt")), form);
}

// --- forms -------------------------------------------------------------------------------------

async function editControls(ctx, type, record) {
  const { t } = ctx;
  if (!record) return { reasonField: [], extra: null };
  const reason = h("input", { id: "log-delete-reason", type: "text", autocomplete: "off" });
  const msg = h("p", { class: "error", role: "alert" });
  const del = h("details", { class: "card" }, h("summary", null, "🗑 ", t("log.form.delete")),
    h("div", { class: "field" }, h("label", { for: "log-delete-reason" }, t("log.form.deleteReason")), reason), msg,
    h("button", { type: "button", class: "button secondary", onclick: async () => {
      if (!reason.value.trim()) { msg.textContent = t("log.form.required"); return; }
      await store.deleteRecord(type, record.id, reason.value);
      ctx.notify(t("log.form.deleted"), { id: "log-saved" });
      ctx.navigate("#/log/history");
    } }, t("log.form.delete")));
  return {
    reasonField: [{ name: "_reason", label: "log.form.reason", type: "text", required: true, help: "log.form.reasonHelp" }],
    extra: del,
  };
}

/** Save a new record or an edit (with its reason), then go back with a notice. */
async function saveRecord(ctx, type, record, values, build, prepare) {
  let data = build(values);
  if (prepare) {
    data = await prepare(data);
    if (!data) return false; // refused or not confirmed: nothing saved, the draft stays
  }
  if (record) await store.editRecord({ ...data, type, id: record.id }, values._reason);
  else await store.addRecord({ type, ...data });
  ctx.notify(ctx.t("log.saved"), { id: "log-saved" });
  ctx.navigate("#/log");
}

const clean = (obj) => Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== ""));

async function formScreen(container, ctx, { type, id, titleKey, icon, fields, values, build, draftName, prepare = null, enhance = null }) {
  const { t } = ctx;
  const { state } = await store.currentState();
  const record = id ? state[type].get(id) : null;
  const { reasonField, extra } = await editControls(ctx, type, record);
  const form = await buildForm(ctx, {
    fields: [...fields(state), ...reasonField],
    values: record ? values(record, state) : values(null, state),
    draftName: `${draftName}:${id || "new"}`,
    onSubmit: (v) => saveRecord(ctx, type, record, v, (vals) => build(vals, state, record),
      prepare && ((data) => prepare(data, record, box))),
    extra,
  });
  // Questions and refusals (prepare) show just above the save button.
  const box = h("div", { class: "log-check", "aria-live": "polite" });
  form.element.querySelector("button[type=submit]").before(box);
  if (enhance) enhance(form.element, state);
  container.append(backLink(t), h("h1", { tabindex: "-1" }, h("span", { "aria-hidden": "true" }, `${icon} `),
    record ? `${t("log.form.editing")}: ${t(titleKey)}` : t(titleKey)), form.element);
}

function jobOptions(state) {
  return [...state.job.values()].map((j) => [j.id, jobLabel(state, j)]);
}

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

async function renderJob(container, ctx, id) {
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

function renderShift(container, ctx, id) {
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

function renderPay(container, ctx, id) {
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

function renderExpense(container, ctx, id) {
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

function renderIncident(container, ctx, id) {
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
