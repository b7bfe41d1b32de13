/** Forms for the log: built from a field list, saved as a draft on every keystroke, checked
 * before saving with a plain message next to each field. Amounts are typed in dollars and
 * kept in whole cents; whole numbers use the numeric keypad. At the end, what every record
 * form (./job-form.js, ./shift-form.js, ./pay-form.js, ./expense-form.js, ./incident-form.js)
 * shares: the edit controls (a reason for a change, delete with a reason), saving a new record
 * or an edit, and the screen around a form. */
import { h } from "../ui.js";
import * as store from "./store.js";
import { photosControl } from "./photos.js";
import { backLink, jobLabel } from "./parts.js";

/** "12.5" or "12,50" -> 1250; null when empty; NaN when not an amount. */
export function parseMoney(text) {
  const s = String(text ?? "").trim();
  if (!s) return null;
  const m = /^\$?\s*(\d{1,6})(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0"));
}

export function formatMoney(cents) {
  if (cents === null || cents === undefined) return "";
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

export function todayIso(d = new Date()) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function nowHHMM(d = new Date()) {
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

let counter = 0;

/**
 * fields: [{name, label, type, options?: [[value, labelKey]], required?, help?, show?(values), max?()}]
 * types: text, textarea, money, int, date, time, select, check, checks, photos, deductions.
 * Returns {element, read(): {values, ok}, reset()}.
 */
export async function buildForm(ctx, { fields, values = {}, draftName, onSubmit, submitLabel, extra = null }) {
  const { t } = ctx;
  const uid = `f${++counter}`;
  const draft = draftName ? await store.getDraft(draftName) : null;
  const state = { ...values, ...(draft || {}) };
  const inputs = new Map();
  const errors = new Map();
  const form = h("form", { class: "log-form", novalidate: true });
  if (draft) form.append(h("p", { class: "notice-inline", role: "status" }, t("log.draftRestored")));

  // data-draft says when the last keystroke is stored ("saved"), so a test can reload after it.
  let saves = 0;
  const persist = () => {
    if (!draftName) return;
    const n = ++saves;
    form.dataset.draft = "saving";
    store.saveDraft(draftName, collect()).then(() => { if (n === saves) form.dataset.draft = "saved"; }, () => {});
  };

  function collect() {
    const out = { ...state };
    for (const f of fields) {
      const el = inputs.get(f.name);
      if (!el) continue;
      if (f.type === "check") out[f.name] = el.checked;
      else if (f.type === "checks") out[f.name] = [...el.querySelectorAll("input:checked")].map((i) => i.value);
      else if (f.type === "photos" || f.type === "deductions") out[f.name] = state[f.name] || [];
      else out[f.name] = el.value;
    }
    return out;
  }

  function fieldBox(f, control) {
    const err = h("p", { class: "error", id: `${uid}-${f.name}-err`, "aria-live": "polite" });
    errors.set(f.name, err);
    const help = f.help ? h("p", { class: "muted", id: `${uid}-${f.name}-help` }, t(f.help)) : null;
    if (control.setAttribute && f.type !== "checks") {
      control.setAttribute("aria-describedby", [help ? `${uid}-${f.name}-help` : "", `${uid}-${f.name}-err`].join(" ").trim());
    }
    const label = f.type === "check" ? null : h("label", { for: `${uid}-${f.name}` }, t(f.label), f.required ? " *" : "");
    const box = h("div", { class: `field field-${f.type}`, "data-field": f.name }, label, help, control, err);
    if (f.show) box.hidden = !f.show(collect());
    return box;
  }

  for (const f of fields) {
    const id = `${uid}-${f.name}`;
    const v = state[f.name];
    let control;
    if (f.type === "select") {
      control = h("select", { id, name: f.name },
        f.required ? null : h("option", { value: "" }, "—"),
        f.options.map(([value, key]) => h("option", { value, selected: String(v ?? "") === String(value) }, t(key))));
    } else if (f.type === "textarea") {
      control = h("textarea", { id, name: f.name, rows: 3 });
      control.value = v ?? "";
    } else if (f.type === "check") {
      const box = h("input", { type: "checkbox", id, name: f.name, checked: Boolean(v) });
      control = h("label", { class: "check", for: id }, box, " ", t(f.label));
      inputs.set(f.name, box);
    } else if (f.type === "checks") {
      control = h("fieldset", { class: "checks", id }, h("legend", null, t(f.label)),
        f.options.map(([value, key]) => h("label", { class: "check" },
          h("input", { type: "checkbox", value, checked: (v || []).includes(value) }), " ", t(key))));
    } else if (f.type === "photos") {
      // Gallery or camera, thumbnails, remove, several pages: ./photos.js.
      const photos = photosControl(ctx, f, state, persist, id);
      control = photos.control;
      inputs.set(f.name, photos.input);
    } else if (f.type === "deductions") {
      control = deductionsControl(ctx, f, state, persist);
    } else {
      const type = { date: "date", time: "time" }[f.type] || "text";
      const inputmode = { money: "decimal", int: "numeric" }[f.type];
      control = h("input", { id, name: f.name, type, inputmode, autocomplete: "off" });
      // A date picker that offers no day after `max` (a function: today changes at midnight).
      if (f.max) control.max = f.max();
      control.value = v ?? "";
    }
    if (!inputs.has(f.name)) inputs.set(f.name, control);
    form.append(fieldBox(f, control));
  }
  if (extra) form.append(extra);
  const summary = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary big" }, h("span", { "aria-hidden": "true" }, "✔ "), t(submitLabel || "log.save"));
  form.append(summary, submit);

  form.addEventListener("input", () => {
    for (const f of fields) {
      if (!f.show) continue;
      form.querySelector(`[data-field="${f.name}"]`).hidden = !f.show(collect());
    }
    persist();
  });
  form.addEventListener("change", persist);

  function read() {
    const raw = collect();
    const out = {};
    let ok = true;
    for (const f of fields) {
      const box = form.querySelector(`[data-field="${f.name}"]`);
      const err = errors.get(f.name);
      err.textContent = "";
      if (box.hidden) { out[f.name] = null; continue; }
      let value = raw[f.name];
      let problem = null;
      if (f.type === "money") {
        value = parseMoney(value);
        if (Number.isNaN(value)) problem = "log.form.money";
      } else if (f.type === "int") {
        const s = String(value ?? "").trim();
        value = s === "" ? null : (/^\d{1,6}$/.test(s) ? Number(s) : NaN);
        if (Number.isNaN(value)) problem = "log.form.int";
      } else if (f.type === "date") {
        value = value || null;
        if (value && !/^\d{4}-\d{2}-\d{2}$/.test(value)) problem = "log.form.date";
      } else if (f.type === "time") {
        value = value || null;
        if (value && !/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) problem = "log.form.time";
      } else if (typeof value === "string") {
        value = value.trim() || null;
      }
      if (!problem && f.required && (value === null || value === "" || (Array.isArray(value) && !value.length))) problem = "log.form.required";
      if (!problem && f.validate) problem = f.validate(value, raw);
      if (problem) {
        ok = false;
        err.textContent = t(problem);
        inputs.get(f.name)?.setAttribute?.("aria-invalid", "true");
      } else {
        inputs.get(f.name)?.removeAttribute?.("aria-invalid");
      }
      out[f.name] = value;
    }
    summary.textContent = ok ? "" : t("log.form.fix");
    return { values: out, ok };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { values: v, ok } = read();
    if (!ok) {
      form.querySelector("[aria-invalid='true']")?.focus();
      return;
    }
    submit.disabled = true;
    try {
      const result = await onSubmit(v);
      if (result !== false && draftName) await store.clearDraft(draftName);
    } finally {
      submit.disabled = false;
    }
  });
  return { element: form, read };
}

function deductionsControl(ctx, f, state, persist) {
  const { t } = ctx;
  const rows = h("div", { class: "deductions" });
  const list = () => state[f.name] || [];
  const draw = () => {
    rows.replaceChildren(...list().map((d, i) => {
      const kind = h("select", { "aria-label": t("log.pay.deduction_kind") },
        f.options.map(([value, key]) => h("option", { value, selected: d.kind === value }, t(key))));
      const amount = h("input", { type: "text", inputmode: "decimal", "aria-label": t("log.pay.deduction_amount"), value: d.amount ?? "" });
      const update = () => {
        const next = [...list()];
        next[i] = { kind: kind.value, amount: amount.value };
        state[f.name] = next;
        persist();
      };
      kind.addEventListener("change", update);
      amount.addEventListener("input", update);
      return h("div", { class: "deduction-row" }, kind, amount);
    }));
  };
  draw();
  const add = h("button", { type: "button", class: "button secondary" }, h("span", { "aria-hidden": "true" }, "＋ "), t("log.pay.addDeduction"));
  add.addEventListener("click", () => {
    state[f.name] = [...list(), { kind: "income_tax", amount: "" }];
    draw();
    persist();
    rows.querySelector(".deduction-row:last-child input")?.focus();
  });
  return h("div", { id: `${f.name}-box` }, rows, add);
}

// --- the record forms' screen ---------------------------------------------------------------

export const opts = (values, prefix) => values.map((v) => [v, `${prefix}.${v}`]);

export async function editControls(ctx, type, record) {
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

export const clean = (obj) => Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== ""));

export async function formScreen(container, ctx, { type, id, titleKey, icon, fields, values, build, draftName, prepare = null, enhance = null }) {
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

export function jobOptions(state) {
  return [...state.job.values()].map((j) => [j.id, jobLabel(state, j)]);
}
