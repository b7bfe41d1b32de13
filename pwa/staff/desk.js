/** The staff desk (/staff/): open or drop a bundle, verify it here, read the case, export.
 *
 * Nothing is uploaded to check a bundle. Only the PDF export sends the bundle to this
 * server, which answers a PDF and keeps nothing. Messages come from pwa/i18n/<lang>/staff.json and
 * are shown in Spanish and English together, as staff and workers read it side by side.
 */

import { verifyBundle, serverReceiptKeys } from "./verify.js";
import { replay } from "../js/bundle/build.js";
import { timelineRows, money, hours } from "../js/bundle/summary.js";
import { referrals, intakeCategories, missingEvidence } from "./referral.js";

const M = {};
const $ = (s) => document.querySelector(s);

async function loadMessages() {
  for (const lang of ["es", "en"]) {
    try { M[lang] = (await (await fetch(`/i18n/${lang}/staff.json`)).json()).staff; } catch (_) { M[lang] = {}; }
  }
}

function get(obj, key) { return key.split(".").reduce((o, k) => (o ? o[k] : undefined), obj); }
function fill(text, vars) { return String(text || "").replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? "")); }
/** Element with the Spanish text and the English text under it. */
function both(tag, fullKey, vars = {}) {
  const key = fullKey.replace(/^staff\./, "");
  const el = document.createElement(tag);
  el.append(fill(get(M.es, key) || key, vars));
  const en = document.createElement("span");
  en.className = "en";
  en.append(" / " + fill(get(M.en, key) || key, vars));
  el.append(en);
  return el;
}
function h(tag, text, cls) { const el = document.createElement(tag); if (text != null) el.textContent = text; if (cls) el.className = cls; return el; }
function table(head, rows) {
  const t = h("table");
  const tr = h("tr");
  head.forEach((c) => tr.append(h("th", c)));
  t.append(h("thead"), h("tbody"));
  t.tHead.append(tr);
  for (const r of rows) { const row = h("tr"); r.forEach((c) => row.append(h("td", c))); t.tBodies[0].append(row); }
  return t;
}

async function packData(state) {
  const key = `cartilla-staff-data-${state}`;
  try {
    const res = await fetch(`/api/v1/packs/data?state=${encodeURIComponent(state)}`);
    if (res.ok) { const doc = await res.json(); localStorage.setItem(key, JSON.stringify(doc.data)); return doc.data; }
  } catch (_) { /* offline */ }
  try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (_) { return null; }
}

let current = null;

async function open(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  $("#status").textContent = "…";
  const keys = await serverReceiptKeys().catch(() => null);
  const report = await verifyBundle(bytes, keys);
  current = { bytes, report, name: file.name };
  window.__cartillaReport = { ok: report.ok, errorCodes: report.errorCodes, receipts: report.receipts };
  $("#status").textContent = "";
  await render(report);
  document.body.dataset.verified = report.ok ? "yes" : "no";
}

function notesFor(check) {
  return check.notes.map((n) => both("p", `staff.${n.code}`, { n: n.n }));
}

async function render(report) {
  const out = $("#result");
  out.replaceChildren();
  out.append(both("p", report.ok ? "staff.verified" : "staff.not_verified"));
  out.lastChild.className = `verdict ${report.ok ? "ok" : "bad"}`;
  out.lastChild.id = "verdict";
  out.append(both("p", "staff.proves"));
  const checks = h("ul", null, "checks");
  checks.id = "checks";
  for (const c of Object.values(report.checks)) {
    const li = h("li");
    li.dataset.check = c.id;
    li.dataset.ok = String(c.ok);
    li.append(h("span", c.ok === true ? "✔ OK" : c.ok === false ? "✘ FALLA/FAIL" : "— ", "mark"), both("span", `check.${c.id}`.replace(/^/, "staff.")));
    for (const e of c.errors) {
      const p = both("div", `staff.error.${e.code}`, { name: e.file, detail: e.detail });
      p.dataset.code = e.code;
      li.append(p);
    }
    li.append(...notesFor(c));
    checks.append(li);
  }
  out.append(both("h2", "staff.checks"), checks);
  const s = report.summary;
  if (!s) return;
  const entries = report.journal.filter((e) => !e.withheld);
  const state = replay(entries);
  const who = h("section");
  who.append(both("h2", "staff.employer"));
  for (const e of s.employers) who.append(h("p", `${e.name} — ${[e.state, e.industry, e.status].filter(Boolean).join(" · ")}${e.address ? " — " + e.address : ""}`));
  who.append(h("p", `${s.period.start} – ${s.period.end}`));
  if (s.worker_name) who.append(h("p", s.worker_name));
  who.append(h("p", `Llave / Key: ${report.key.algorithm || ""} ${(report.key.fingerprint || "").slice(0, 16)} · Cadena / Chain: ${report.head || ""}`));
  out.append(who);
  if (report.receipts.length) {
    out.append(both("h2", "staff.receipts"), table(["#", "Hora / Time", "Entradas / Entries", "OK"],
      report.receipts.map((r) => [String(r.seq), r.time, r.anchored_from_seq == null ? "—" : `#${r.anchored_from_seq}–#${r.entry_seq}`, r.ok ? "✔" : r.error])));
  }
  const wage = s.wage_check;
  const weeks = wage && wage.jobs ? wage.jobs.flatMap((j) => j.weeks || []) : [];
  if (wage) {
    out.append(both("h2", "staff.wages"), h("p", `${money(wage.total_owed_cents)}`),
      table(["Semana / Week", "Horas / Hours", "Debido / Expected", "Pagado / Paid", "Diferencia / Difference"],
        weeks.map((w) => [`${w.start} – ${w.end}`, hours(w.minutes_worked), money(w.expected_cents), money(w.paid_cents), money(w.difference_cents)])));
    const list = h("ul");
    for (const j of wage.jobs || []) for (const f of [...(j.findings || []), ...(j.periods || []).flatMap((p) => p.findings || [])]) {
      const li = h("li", f.explanation ? f.explanation.es : f.code);
      li.append(h("span", f.explanation ? ` / ${f.explanation.en}` : "", "en"));
      list.append(li);
    }
    out.append(both("h3", "staff.findings"), list);
  }
  const stateCode = (s.employers[0] || {}).state;
  const data = stateCode ? await packData(stateCode) : null;
  const refs = data ? referrals(s.wage_check, entries, data, stateCode, await referralMap()) : [];
  const sec = h("section");
  sec.id = "referrals";
  sec.append(both("h2", "staff.referrals"));
  for (const cat of intakeCategories(refs)) {
    const p = both("p", `staff.intake.${cat}`);
    p.dataset.intake = cat;
    sec.append(p);
  }
  if (!data) sec.append(both("p", "staff.no_data"));
  for (const r of refs) {
    sec.append(h("h3", `${r.title.es} / ${r.title.en} (${r.first_date})`));
    const ul = h("ul");
    for (const route of r.routes) {
      const li = h("li", `${route.agency_name.es}${route.phone ? " · " + route.phone : ""}`);
      if (route.deadline_date) li.append(h("strong", ` — ${get(M.es, "deadline")} / ${get(M.en, "deadline")}: ${route.deadline_date}`));
      if (route.deadline_text) li.append(h("div", `${route.deadline_text.es} / ${route.deadline_text.en}`, "en"));
      ul.append(li);
    }
    sec.append(ul);
    if (r.bring.length) sec.append(both("h4", "staff.bring"), table(["", ""], r.bring.map((b) => [b.es, b.en])));
  }
  const missing = missingEvidence(s, state);
  if (missing.length) { const ul = h("ul"); missing.forEach((k) => ul.append(both("li", `staff.${k}`))); sec.append(ul); }
  out.append(sec);
  out.append(both("h2", "staff.timeline"), table(["Fecha / Date", "Tipo / Kind", "Detalle / Detail"], timelineRows(state)));
  const photos = h("div", null, "photos");
  for (const p of s.photos || []) {
    const bytes = report.files.get(p.path);
    if (!bytes) continue;
    const img = h("img");
    img.alt = `${p.kind || ""} ${p.sha256.slice(0, 12)}`;
    img.src = URL.createObjectURL(new Blob([bytes], { type: p.path.endsWith(".png") ? "image/png" : p.path.endsWith(".webp") ? "image/webp" : "image/jpeg" }));
    photos.append(img);
  }
  if (photos.childElementCount) out.append(both("h2", "staff.photos"), photos);
  const ex = h("section");
  ex.id = "exports";
  ex.append(both("h2", "staff.exports"));
  const pdf = both("button", "staff.pdf"); pdf.className = "button"; pdf.id = "export-pdf";
  const csv = both("button", "staff.csv"); csv.className = "button"; csv.id = "export-csv";
  const print = both("button", "staff.print"); print.className = "button"; print.id = "export-print";
  pdf.addEventListener("click", exportPdf);
  csv.addEventListener("click", () => download(weeksCsv((wage && wage.jobs) || []), "text/csv", `${report.root}-semanas.csv`));
  print.addEventListener("click", () => window.print());
  ex.append(pdf, csv, print);
  out.append(ex);
}

let mapCache = null;
async function referralMap() {
  if (!mapCache) mapCache = await (await fetch("/staff/referral-map.json")).json();
  return mapCache;
}

/** A spreadsheet cell: quoted when needed, and never read as a formula (names are typed by people). */
function cell(value) {
  let text = value == null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Hours and pay by workweek, one row per job and workweek, for an agency claim. */
export function weeksCsv(jobs) {
  const usd = (c) => (c == null ? "" : (c / 100).toFixed(2));
  const rows = [["employer", "week_start", "week_end", "hours_worked", "overtime_hours", "double_time_hours",
    "expected_usd", "paid_usd", "difference_usd"]];
  for (const j of jobs) {
    for (const w of j.weeks || []) {
      rows.push([j.employer, w.start, w.end, (w.minutes_worked / 60).toFixed(2), ((w.overtime_minutes || 0) / 60).toFixed(2),
        ((w.double_time_minutes || 0) / 60).toFixed(2), usd(w.expected_cents), usd(w.paid_cents), usd(w.difference_cents)]);
    }
  }
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

function download(text, type, name) {
  const a = h("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

async function exportPdf() {
  const res = await fetch("/api/v1/bundles/report", { method: "POST", body: current.bytes, headers: { "content-type": "application/zip" } });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    $("#status").textContent = body && body.error ? `${body.error.message.es} / ${body.error.message.en}` : String(res.status);
    return;
  }
  const a = h("a");
  a.href = URL.createObjectURL(await res.blob());
  a.download = `${current.report.root}-resumen.pdf`;
  document.body.append(a);
  a.click();
  a.remove();
}

async function main() {
  await loadMessages();
  const drop = $("#drop");
  $("#file").addEventListener("change", (e) => e.target.files[0] && open(e.target.files[0]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) open(e.dataTransfer.files[0]); });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/staff/sw.js", { scope: "/staff/" }).catch(() => {});
  serverReceiptKeys().catch(() => null);
  document.body.dataset.ready = "yes";
}

main();
