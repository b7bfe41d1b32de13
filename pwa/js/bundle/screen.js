/** "Prepare for the consulate": pick employers and dates, see what goes in, build, share.
 *
 * Reads the log as a LogExport object (docs/log-format.md) from the log developer's module
 * (`exportLog()` in pwa/js/log/store.js); runs the wage check with pwa/js/wages.js on the
 * chosen records when it is there; builds the bundle with ./build.js, all on the phone.
 */

import { buildBundle, select, replay } from "./build.js";
import { anchorHead } from "./receipts.js";

async function loadLog() {
  try {
    const store = await import("../log/store.js");
    if (typeof store.exportLog === "function") return await store.exportLog();
  } catch (_) { /* the log module is not there yet */ }
  return null;
}

async function wageCheck(log, keep, ctx) {
  try {
    const wages = await import("../wages.js");
    const fn = wages.checkWages || wages.check || wages.runWageCheck;
    if (typeof fn !== "function") return null;
    const state = replay(log.journal.filter((e) => keep.has(e.seq)));
    const list = (t) => [...(state[t] || new Map()).values()];
    const records = { employers: list("employer"), jobs: list("job"), shifts: list("shift"), pay_stubs: list("pay_stub"),
                      expenses: list("expense"), incidents: list("incident") };
    const rules = (ctx.pack && ctx.pack.data && ctx.pack.data.wage_rules) || [];
    return await fn(records, rules, new Date().toISOString().slice(0, 10));
  } catch (_) { return null; }
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else if (v === true) node.setAttribute(k, ""); else if (v !== false && v != null) node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function b64bytes(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }

export async function render(container, ctx) {
  const { t } = ctx;
  container.replaceChildren(el("h1", { text: t("bundle.title"), tabindex: "-1" }));
  const log = await loadLog();
  if (!log || !log.journal || !log.journal.length) {
    container.append(el("p", { text: t("bundle.empty") }));
    return;
  }
  anchorHead(log.chain_head || log.journal[log.journal.length - 1].hash).catch(() => {});
  const dates = log.journal.map((e) => e.data && (e.data.date || e.data.pay_date)).filter(Boolean).sort();
  const form = el("form", { id: "bundle-form" });
  const empBox = el("fieldset", {}, el("legend", { text: t("bundle.employers") }));
  for (const e of log.employers || []) {
    empBox.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "employer", value: e.id, checked: true }), ` ${e.name}`));
  }
  const start = el("input", { type: "date", name: "start", value: dates[0] || "" });
  const end = el("input", { type: "date", name: "end", value: dates[dates.length - 1] || "" });
  const leave = el("fieldset", {}, el("legend", { text: t("bundle.leaveOut") }));
  for (const key of ["photos", "notes", "name"]) {
    leave.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: `leave-${key}` }), ` ${t(`bundle.leave.${key}`)}`));
  }
  const name = el("input", { type: "text", name: "worker", autocomplete: "name" });
  form.append(empBox, el("label", {}, t("bundle.from"), " ", start), el("label", {}, t("bundle.to"), " ", end),
    el("label", {}, t("bundle.yourName"), " ", name), leave);
  const preview = el("div", { id: "bundle-preview", role: "status", "aria-live": "polite" });
  const build = el("button", { type: "submit", class: "button primary", id: "bundle-build", text: t("bundle.build") });
  form.append(preview, build);
  const result = el("div", { id: "bundle-result" });
  container.append(el("p", { text: t("bundle.intro") }), form, result);

  const selection = () => {
    const data = new FormData(form);
    return {
      employerIds: data.getAll("employer"), start: start.value || null, end: end.value || null,
      leaveOut: { photos: data.has("leave-photos"), notes: data.has("leave-notes"), name: data.has("leave-name") },
    };
  };
  const update = () => {
    const sel = selection();
    const { keep } = select(log.journal, sel);
    const state = replay(log.journal.filter((e) => keep.has(e.seq)));
    const n = (k) => (state[k] ? state[k].size : 0);
    preview.replaceChildren(el("p", { text: t("bundle.preview", { shifts: n("shift"), pay: n("pay_stub"), expenses: n("expense"),
      incidents: n("incident"), photos: sel.leaveOut.photos ? 0 : n("photo"), withheld: log.journal.length - keep.size }) }),
      el("p", { text: t("bundle.never") }));
  };
  form.addEventListener("change", update);
  update();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    build.disabled = true;
    try {
      const sel = selection();
      const { keep } = select(log.journal, sel);
      const photos = new Map((log.photos || []).map((p) => [p.sha256, p.data_base64]));
      const out = await buildBundle({
        log: { journal: log.journal, photoBytes: async (p) => (photos.has(p.sha256) ? b64bytes(photos.get(p.sha256)) : null) },
        selection: sel, wageCheck: await wageCheck(log, keep, ctx), workerName: sel.leaveOut.name ? null : name.value.trim() || null,
        guides: guidesRead(ctx), appVersion: log.app_version || "0.1.0",
      });
      showResult(result, out, t);
    } catch (err) {
      result.replaceChildren(el("p", { class: "error", text: t("bundle.failed") }));
    } finally {
      build.disabled = false;
    }
  });
}

function guidesRead(ctx) {
  const pack = ctx.pack || {};
  const guides = ((pack.manifest && pack.manifest.guides) || []).map((g) => ({ id: g.id, lang: g.lang, version: g.version, hash: g.hash }));
  return { guides, pack_hash: pack.pack_hash || null, data_hash: (pack.manifest && pack.manifest.data_hash) || null, profile: pack.profile || null };
}

function showResult(result, out, t) {
  const file = new File([out.blob], out.filename, { type: "application/zip" });
  const save = el("a", { class: "button", id: "bundle-save", href: URL.createObjectURL(out.blob), download: out.filename, text: t("bundle.save") });
  const items = [el("p", { text: t("bundle.ready", { size: Math.ceil(out.blob.size / 1024) }) }), save];
  if (navigator.canShare && navigator.canShare({ files: [file] })) {
    const share = el("button", { type: "button", class: "button", text: t("bundle.share") });
    share.addEventListener("click", () => navigator.share({ files: [file], title: out.filename }).catch(() => {}));
    items.push(share);
  }
  const s = out.summary;
  const summary = el("section", { id: "bundle-summary" }, el("h2", { text: t("bundle.summary") }),
    el("p", { text: `${s.employers.map((e) => e.name).join(", ")} · ${s.period.start || ""} – ${s.period.end || ""}` }),
    el("p", { text: t("bundle.preview", { shifts: s.counts.shifts, pay: s.counts.pay, expenses: s.counts.expenses,
      incidents: s.counts.incidents, photos: s.counts.photos, withheld: s.chain.withheld }) }),
    el("p", {}, t("bundle.head"), " ", el("code", { text: s.chain.head.slice(0, 16) })));
  result.replaceChildren(...items, summary);
}
