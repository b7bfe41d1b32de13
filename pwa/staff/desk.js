/** The staff desk (/staff/): open or drop a bundle, verify it here, read the case, export.
 *
 * Nothing is uploaded to check a bundle. Only the PDF export sends the bundle to this
 * server, which answers a PDF and keeps nothing. Everything the case shows (employer, dates,
 * counts, totals, hours per day, the worker's words, which record each photo belongs to) is
 * derived from the verified journal by facts.js, never read from summary.json; where the
 * summary says something else, a flag says what. The wage check is recomputed here from the
 * journal with the pack's rules (pwa/js/wages.js, the phone's own check) when the desk has
 * them, and compared with the phone's figures.
 *
 * One language at a time (a switch at the top, remembered on this computer); messages come
 * from pwa/i18n/<lang>/staff.json, the words for the log's codes from labels.json (shared
 * with the PDF), and the desk's own labels from UI below. Exports sit at the top. Each error
 * is shown next to what it blocks: a receipt's next to that receipt, a photo's in its place,
 * the PDF's next to the PDF button.
 */

import { verifyBundle, serverReceiptKeys } from "./verify.js";
import { facts, disagreements, wageDisagreement, claims, CLAIM_KINDS, replayJournal, usd } from "./facts.js";
import { referrals, intakeCategories, missingEvidence, sinceText, deadlineText } from "./referral.js";
import { isoDateWords } from "../js/log/shifts.js";

/** An Entrega envelope by its name or first bytes (binary or armored age); see entrega.js. */
const looksLikeAge = (bytes, name) => /\.age$/i.test(name || "") || /^(age-encryption\.org\/v1|-----BEGIN AGE ENCRYPTED FILE-----)/.test(new TextDecoder().decode(bytes.subarray(0, 34)));

const LANGS = ["es", "en"];
const LANG_KEY = "cartilla-staff-lang";
const M = { es: {}, en: {} };
let LABELS = {};
let lang = (() => { try { return LANGS.includes(localStorage.getItem(LANG_KEY)) ? localStorage.getItem(LANG_KEY) : "es"; } catch (_) { return "es"; } })();
const $ = (s) => document.querySelector(s);

/** The desk's own words (staff.json holds the verifier's messages and the older labels). */
const UI = {
  es: {
    lang_switch: "Idioma", drop: "Arrastre aquí el paquete (.zip, o el .age de Entrega) o elija el archivo. Se revisa en este navegador; no se sube a ningún lado.",
    choose: "Elegir paquete", title: "Escritorio del personal", verified_unchecked: "VERIFICADO: ninguna comprobación falló ({n} recibos no se pudieron comprobar)",
    flags: "El resumen del teléfono no coincide con el registro", flags_note: "Todo lo de abajo se calculó del registro firmado, no del resumen.",
    from_log: "Empleador, según el registro", missing: "no anotado", dates: "Fechas en el registro", counts: "Registros",
    totals: "Totales", hours_worked: "Horas trabajadas", gross: "Pago bruto", net: "Neto", deductions: "Descuentos", expenses: "Gastos",
    reimbursed: "reembolsado", shifts: "Turnos", pay: "Pagos", incidents: "Incidentes", photos_n: "Fotos",
    receipt_ok: "✔ comprobado", receipt_unchecked: "no se pudo comprobar (llave {key} desconocida; no quiere decir que sea falso)",
    receipt_no_key: "no se pudo comprobar (no se conoce la llave del servidor)", receipt_time: "Hora", receipt_entries: "Entradas", receipt_status: "Estado",
    wage_recomputed: "Recalculada aquí del registro, con las reglas del paquete: coincide con el teléfono.",
    wage_differs: "Recalculada aquí del registro, con las reglas del paquete: NO coincide con el teléfono (vea arriba).",
    wage_phone_only: "Es la revisión que hizo el teléfono; este escritorio no tiene las reglas para recalcularla (conéctese una vez).",
    wage_phone_none: "El paquete no trae la revisión del teléfono.", wage_recomputed_only: "Recalculada aquí del registro, con las reglas del paquete. El paquete no trae la revisión del teléfono.", claims: "Lo que se debería, por reclamo",
    claim: "Reclamo", amount: "Monto", total: "Total", per_phone: "Según el teléfono",
    claims_note: "Montos de la revisión de salario, por tipo: lo que faltó de pagar en cada periodo se divide entre horas extra y horas normales (salario mínimo o tarifa prometida) con sus propias cuentas.",
    week: "Semana", hours: "Horas", overtime: "Extra", expected: "Debido", paid: "Pagado", difference: "Diferencia",
    date: "Fecha", kind: "Tipo", day_hours: "Horas del día", detail: "Detalle", words: "En palabras de la persona", record: "Registro",
    wrote: "Lo que escribió", from_memory: "anotado después, de memoria", break: "descanso", units: "unidades", next_day: "+1 día",
    lead_wage: "Primero la agencia de salarios: en el mismo caso hay problemas de pago.",
    lead_safety: "Primero la OSHA: en el mismo caso hay una lesión o trabajo peligroso.",
    changes: "Cambios y borrados", changes_note: "Cada cambio guarda la versión anterior en el registro; la persona dijo por qué.",
    when: "Cuándo (UTC)", change: "Cambio", edited: "corregido", deleted: "borrado", reason: "Por qué (en sus palabras)",
    overlap: "turnos que se enciman (la revisión de salario cuenta esas horas una vez)", referral: "Carta de referencia (texto)", no_record: "Sin registro",
    pdf_blocked: "El PDF se hace solo para paquetes verificados. Lo impide: {why}",
    case_blocked: "No se puede mostrar el caso: {why}", photo_blocked: "Foto no disponible: {why}", gross_word: "bruto", net_word: "neto",
    referral_title: "Referencia de Cartilla", referral_made: "Hecho en el escritorio del personal el {date}. Los datos salen del registro firmado del teléfono.",
    agency: "Agencia", phone: "Teléfono", bring: "Traer",
  },
  en: {
    lang_switch: "Language", drop: "Drop the bundle (.zip, or Entrega's .age) here or choose the file. It is checked in this browser; it is not uploaded anywhere.",
    choose: "Choose bundle", title: "Staff desk", verified_unchecked: "VERIFIED: no check failed ({n} receipts could not be checked)",
    flags: "The phone's summary disagrees with the journal", flags_note: "Everything below is computed from the signed journal, not from the summary.",
    from_log: "Employer, from the log", missing: "not recorded", dates: "Dates in the journal", counts: "Records",
    totals: "Totals", hours_worked: "Hours worked", gross: "Gross pay", net: "Net", deductions: "Deductions", expenses: "Expenses",
    reimbursed: "reimbursed", shifts: "Shifts", pay: "Pay", incidents: "Incidents", photos_n: "Photos",
    receipt_ok: "✔ checked", receipt_unchecked: "could not check (unknown key {key}; this does not mean it is forged)",
    receipt_no_key: "could not check (the server's key is not known here)", receipt_time: "Time", receipt_entries: "Entries", receipt_status: "Status",
    wage_recomputed: "Recomputed here from the journal, with the pack's rules: it matches the phone.",
    wage_differs: "Recomputed here from the journal, with the pack's rules: it does NOT match the phone (see above).",
    wage_phone_only: "This is the phone's own check; this desk does not have the rules to recompute it (go online once).",
    wage_phone_none: "The bundle has no wage check from the phone.", wage_recomputed_only: "Recomputed here from the journal, with the pack's rules. The bundle has no wage check from the phone.", claims: "What is owed, by claim",
    claim: "Claim", amount: "Amount", total: "Total", per_phone: "According to the phone",
    claims_note: "Amounts from the wage check, by kind: what was short in each pay period is split between overtime and straight time (minimum wage or the promised rate) by the check's own arithmetic.",
    week: "Week", hours: "Hours", overtime: "OT", expected: "Expected", paid: "Paid", difference: "Difference",
    date: "Date", kind: "Kind", day_hours: "Day's hours", detail: "Detail", words: "In the worker's own words", record: "Record",
    wrote: "What they wrote", from_memory: "written later, from memory", break: "break", units: "units", next_day: "+1 day",
    lead_wage: "The wage agency first: the same case has pay problems.",
    lead_safety: "OSHA first: the same case has an injury or unsafe work.",
    changes: "Edits and deletions", changes_note: "Each change keeps the earlier version in the journal; the worker said why.",
    when: "When (UTC)", change: "Change", edited: "edited", deleted: "deleted", reason: "Why (in their words)",
    overlap: "overlapping shifts (the wage check counts those hours once)", referral: "Referral letter (text)", no_record: "No record",
    pdf_blocked: "The PDF is made only for verified bundles. Blocked by: {why}",
    case_blocked: "The case cannot be shown: {why}", photo_blocked: "Photo not available: {why}", gross_word: "gross", net_word: "net",
    referral_title: "Cartilla referral", referral_made: "Made on the staff desk on {date}. The facts come from the phone's signed journal.",
    agency: "Agency", phone: "Phone", bring: "Bring",
  },
};

async function loadMessages() {
  for (const l of LANGS) {
    try { M[l] = (await (await fetch(`/i18n/${l}/staff.json`)).json()).staff || {}; } catch (_) { M[l] = {}; }
  }
  try { LABELS = await (await fetch("/staff/labels.json")).json(); } catch (_) { LABELS = {}; }
}

function get(obj, key) { return key.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj); }
function fill(text, vars) { return String(text ?? "").replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? "")); }
/** The text for `key` in the chosen language (desk words, then staff.json), else the other language's. */
function t(key, vars = {}) {
  const k = key.replace(/^staff\./, "");
  const other = lang === "es" ? "en" : "es";
  return fill(UI[lang][k] ?? get(M[lang], k) ?? UI[other][k] ?? get(M[other], k) ?? k, vars);
}
const pick = (pair) => (Array.isArray(pair) ? pair[lang === "es" ? 0 : 1] : pair && typeof pair === "object" ? pair[lang] ?? pair.es ?? "" : "");
/** A code's words from labels.json (an unknown code is shown as written, never dropped). */
function word(group, code) {
  if (code == null) return "";
  const pair = (LABELS[group] || {})[code];
  return pair ? pick(pair) : String(code);
}
/** Control and format characters (zero-width, bidi overrides) named, as the PDF does: typed
 * on a phone, they could hide words or make a note read differently from what it says. */
const visible = (text) => String(text).replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === "\n" || c === "\t" ? c : `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`));
function h(tag, text, cls) { const el = document.createElement(tag); if (text != null) el.textContent = visible(text); if (cls) el.className = cls; return el; }
function tr(tag, key, vars) { return h(tag, t(key, vars)); }
/** "Fechas en el registro: 1 de junio de 2026 – 7 de junio de 2026": dates in words in prose
 * (tables keep the compact 2026-06-01 under their "Fecha" heading). */
function journalDates(first, last) {
  return `${t("dates")}: ${first ? isoDateWords(first, lang) : "—"} – ${last ? isoDateWords(last, lang) : "—"}`;
}
/** Today on this computer's calendar (not UTC's, which is tomorrow in a California evening). */
function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
function table(head, rows, id) {
  const tbl = h("table");
  if (id) tbl.id = id;
  const row = h("tr");
  head.forEach((c) => row.append(h("th", c)));
  tbl.append(h("thead"), h("tbody"));
  tbl.tHead.append(row);
  for (const r of rows) {
    const line = h("tr");
    for (const c of r) line.append(c instanceof Node ? td(c) : h("td", c));
    tbl.tBodies[0].append(line);
  }
  return tbl;
}
function td(node) { const cell = document.createElement("td"); cell.append(node); return cell; }
const hoursWords = (m) => { const hh = Math.floor(m / 60); const mm = m % 60; return mm ? `${hh} h ${mm} min` : `${hh} h`; };
const hoursDec = (m) => (m == null ? "—" : (m / 60).toFixed(2));

/** The state's agencies, triage and wage rules, in every language (no `lang`: the desk switches). */
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
  // An Entrega envelope (.age) is decrypted with the office key first, then opened as its ZIP.
  if (looksLikeAge(bytes, file.name)) { const m = await import("./entrega.js"); await m.openAge(bytes); return; }
  await openBytes(bytes, file.name);
}

/** The verify-and-show path for a bundle's bytes (an opened file, or one Entrega decrypted). */
async function openBytes(bytes, name) {
  $("#status").textContent = "…";
  const keys = await serverReceiptKeys().catch(() => null);
  const report = await verifyBundle(bytes, keys);
  current = { bytes, report, name, analysis: null };
  window.__cartillaReport = { ok: report.ok, errorCodes: report.errorCodes, receipts: report.receipts };
  $("#status").textContent = "";
  // Whatever the journal holds, the verdict is shown: a case that cannot be read says why.
  try { current.analysis = await analyse(report); } catch (e) { current.analysis = null; current.failure = String((e && e.name) || e); }
  try { render(); } catch (e) { $("#result").replaceChildren(h("p", report.ok ? t("verified") : t("not_verified"), `verdict ${report.ok ? "ok" : "bad"}`)); }
  document.body.dataset.verified = report.ok ? "yes" : "no";
}

/** Everything derived from the journal, once per bundle (the language switch only re-renders). */
async function analyse(report) {
  const s = report.summary;
  if (!s || !Array.isArray(report.journal)) return null;
  const entries = report.journal.filter((e) => !e.withheld);
  const found = facts(entries);
  const flags = disagreements(found, s);
  const jobs = found.employers.flatMap((e) => e.jobs);
  const state = jobs.length ? jobs[0].state : (s.employers[0] || {}).state || null;
  const data = state ? await packData(state) : null;
  const phone = s.wage_check && typeof s.wage_check === "object" ? s.wage_check : null;
  let wage = null;
  if (data && Array.isArray(data.wage_rules) && jobs.length) {
    try {
      const { checkWages } = await import("../js/wages.js");
      const r = replayJournal(entries);
      const records = { employers: [...r.employer.values()], jobs: [...r.job.values()], shifts: [...r.shift.values()],
        pay_stubs: [...r.pay_stub.values()], expenses: [...r.expense.values()], incidents: [...r.incident.values()] };
      wage = checkWages(records, data.wage_rules, (phone && phone.as_of) || String(s.created).slice(0, 10));
      flags.push(...wageDisagreement(phone, wage));
    } catch (_) { wage = null; /* no rules offline or a rule the desk cannot run: show the phone's */ }
  }
  const refs = data ? referrals(wage || phone, entries, data, state, await referralMap()) : [];
  return { entries, found, flags, state, data, phone, wage, refs, state_records: replayJournal(entries) };
}

/** The verdict staff read: a receipt that could not be checked is not a failure (see the row). */
function unchecked(report) { return (report.receipts || []).filter((r) => r.verdict === "unchecked" && r.error).length; }

function errorText(e) { return t(`error.${e.code}`, { name: e.file, detail: e.detail }); }

function render() {
  if (!current) return;
  const { report, analysis: a } = current;
  const out = $("#result");
  out.replaceChildren();
  out.append(exportsBar(report, a));
  const verdict = report.ok ? (unchecked(report) ? t("verified_unchecked", { n: unchecked(report) }) : t("verified")) : t("not_verified");
  const v = h("p", verdict, `verdict ${report.ok ? "ok" : "bad"}`);
  v.id = "verdict";
  out.append(v, tr("p", "proves"));
  if (a && a.flags.length) {
    const sec = h("section", null, "flags");
    sec.id = "disagreements";
    sec.setAttribute("role", "alert");
    sec.append(tr("h2", "flags"));
    const ul = h("ul");
    for (const f of a.flags) { const li = h("li", pick(f)); li.dataset.code = f.code; ul.append(li); }
    sec.append(ul, tr("p", "flags_note"));
    out.append(sec);
  }
  out.append(checksList(report));
  if (!a) {
    const why = Object.values(report.checks).flatMap((c) => c.errors).map(errorText).join(" · ");
    const p = h("p", t("case_blocked", { why: why || current.failure || "—" }), "blocked");
    p.id = "case-blocked";
    out.append(p);
    return;
  }
  for (const part of [() => employerBlock(report, a), () => receiptsTable(report), () => wages(a), () => referralSection(a),
    () => timeline(a), () => words(a), () => changes(a), () => photos(report, a)]) {
    // One part that cannot be drawn says so in its place; the rest of the case still shows.
    try { out.append(part()); } catch (e) { out.append(h("p", t("case_blocked", { why: (e && e.name) || "?" }), "blocked")); }
  }
}

function exportsBar(report, a) {
  const ex = h("section", null, "exports");
  ex.id = "exports";
  ex.append(tr("h2", "exports"));
  const button = (id, key, onClick) => { const b = tr("button", key); b.className = "button"; b.id = id; b.type = "button"; b.addEventListener("click", onClick); return b; };
  const pdf = button("export-pdf", "pdf", exportPdf);
  const csv = button("export-csv", "csv", () => download(weeksCsv(((a && (a.wage || a.phone)) || {}).jobs || []), "text/csv", `${report.root}-semanas.csv`));
  const ref = button("export-referral", "referral", () => download(referralText(report, a), "text/plain;charset=utf-8", `${report.root}-referencia-${lang}.txt`));
  const print = button("export-print", "print", () => window.print());
  ex.append(pdf, csv, ref, print);
  if (!a) { csv.disabled = true; ref.disabled = true; }
  if (!report.ok) {
    pdf.disabled = true;
    const first = Object.values(report.checks).flatMap((c) => c.errors)[0];
    const why = h("p", t("pdf_blocked", { why: first ? errorText(first) : "—" }), "blocked");
    why.id = "pdf-blocked";
    pdf.setAttribute("aria-describedby", "pdf-blocked");
    ex.append(why);
  }
  const status = h("p", null, "blocked");
  status.id = "export-status";
  status.setAttribute("role", "status");
  ex.append(status);
  return ex;
}

function checksList(report) {
  const sec = h("section");
  const checks = h("ul", null, "checks");
  checks.id = "checks";
  for (const c of Object.values(report.checks)) {
    const li = h("li");
    li.dataset.check = c.id;
    li.dataset.ok = String(c.ok);
    const mark = c.ok === true ? "✔ OK" : c.ok === false ? (lang === "es" ? "✘ FALLA" : "✘ FAIL") : "—";
    li.append(h("span", mark, "mark"), tr("span", `check.${c.id}`));
    for (const e of c.errors) { const p = h("div", errorText(e), "error"); p.dataset.code = e.code; li.append(p); }
    for (const n of c.notes) li.append(h("p", t(n.code, n), "note"));
    checks.append(li);
  }
  sec.append(tr("h2", "checks"), checks);
  return sec;
}

function employerBlock(report, a) {
  const sec = h("section");
  sec.id = "employer";
  sec.append(tr("h2", "from_log"));
  const s = report.summary;
  if (s.worker_name) sec.append(h("p", `${t("worker")}: ${s.worker_name}`));
  const missing = t("missing");
  for (const e of a.found.employers) {
    const rows = [];
    for (const [key, pair] of Object.entries(LABELS.employer_fields || {})) rows.push([pick(pair), e[key] ? String(e[key]) : missing]);
    for (const job of e.jobs) {
      for (const [key, pair] of Object.entries(LABELS.job_fields || {})) {
        const value = job[key];
        let text = value == null || value === "" ? missing : String(value);
        if (value != null && key === "promised_rate_cents") text = `${usd(value)} ${pick((LABELS.rate_per || {})[job.pay_type] || ["", ""])}`;
        else if (value != null && ["pay_type", "pay_frequency", "status", "industry"].includes(key)) text = word(key, value);
        rows.push([pick(pair), text]);
      }
    }
    const tbl = table(["", ""], rows);
    tbl.className = "fields";
    sec.append(tbl);
  }
  if (!a.found.employers.length) sec.append(h("p", `${t("employer")}: ${missing}`));
  const { first, last } = a.found.period;
  const c = a.found.counts;
  const x = a.found.totals;
  sec.append(h("p", journalDates(first, last)));
  sec.append(h("p", `${t("shifts")}: ${c.shifts} · ${t("pay")}: ${c.pay} · ${t("expenses")}: ${c.expenses} · ${t("incidents")}: ${c.incidents} · ${t("photos_n")}: ${c.photos}`));
  sec.append(h("p", `${t("hours_worked")}: ${hoursWords(x.minutes_worked)} · ${t("gross")}: ${usd(x.gross_cents)} · ${t("net")}: ${usd(x.net_cents)} · ${t("deductions")}: ${usd(x.deductions_cents)} · ${t("expenses")}: ${usd(x.expenses_cents)} (${t("reimbursed")} ${usd(x.reimbursed_cents)})`));
  const head = report.journal.length ? report.journal[report.journal.length - 1].hash : "";
  const key = h("p", `${report.key.algorithm || ""} ${(report.key.fingerprint || "").slice(0, 16)} · ${head.slice(0, 16)}`, "mono");
  sec.append(key);
  return sec;
}

function receiptsTable(report) {
  const sec = h("section");
  sec.id = "receipts";
  if (!report.receipts.length) return sec;
  sec.append(tr("h2", "receipts"));
  const rows = report.receipts.map((r) => {
    const status = h("span");
    if (r.ok === true) status.textContent = t("receipt_ok");
    else if (r.verdict === "unchecked" || r.error === "receipt_unknown_key") {
      status.textContent = r.error ? t("receipt_unchecked", { key: r.key_id }) : t("receipt_no_key");
      status.className = "unchecked";
    } else {
      status.textContent = `✘ ${t(`error.${r.error}`, { name: `#${r.seq}` })}`;
      status.className = "error";
    }
    status.dataset.receipt = String(r.seq);
    status.dataset.status = r.ok === true ? "ok" : r.ok === false ? "failed" : "unchecked";
    return [String(r.seq), r.time, r.anchored_from_seq == null ? "—" : `#${r.anchored_from_seq}–#${r.entry_seq}`, status];
  });
  sec.append(table(["#", t("receipt_time"), t("receipt_entries"), t("receipt_status")], rows));
  return sec;
}

// The report's owed_by_kind keys in the claims table's order, with the claim each is
// (CLAIM_KINDS): "straight" is the minimum wage / promised rate claim. As report_pdf.claim_rows.
const OWED_CLAIM = [["overtime", "overtime"], ["straight", "minimum_wage"], ["deductions", "deductions"], ["fees", "fees"],
  ["guarantee", "guarantee"], ["other", "other"]];

/** [claim, [es, en], cents] from the check's own owed_by_kind (each short paycheck split into
 * overtime and straight time by its arithmetic); a phone check from before owed_by_kind falls
 * back to claims()' grouping of findings. "Other" only when it has an amount. */
function claimRows(wage) {
  const owed = wage.owed_by_kind;
  if (owed && typeof owed === "object" && OWED_CLAIM.every(([k]) => Number.isInteger(owed[k]))) {
    return OWED_CLAIM.filter(([k, c]) => c !== "other" || owed[k]).map(([k, c]) => [c, CLAIM_KINDS[c], owed[k]]);
  }
  return claims(wage).map((c) => [c.kind, [c.es, c.en], c.amount_cents]);
}

function wages(a) {
  const sec = h("section");
  sec.id = "wages";
  const wage = a.wage || a.phone;
  sec.append(tr("h2", "claims"));
  const note = a.wage ? (a.phone ? (wageDisagreement(a.phone, a.wage).length ? "wage_differs" : "wage_recomputed") : "wage_recomputed_only")
    : a.phone ? "wage_phone_only" : "wage_phone_none";
  sec.append(h("p", t(note), a.wage && a.phone && wageDisagreement(a.phone, a.wage).length ? "flag-text" : null));
  if (!wage) return sec;
  const rows = claimRows(wage).map(([, labels, cents]) => [labels[lang === "es" ? 0 : 1], usd(cents)]);
  rows.push([t("total"), usd(wage.total_owed_cents)]);
  if (a.wage && a.phone) rows.push([t("per_phone"), usd(a.phone.total_owed_cents)]);
  const tbl = table([t("claim"), t("amount")], rows, "claims");
  claimRows(wage).forEach(([kind], i) => { tbl.tBodies[0].rows[i].dataset.claim = kind; });
  sec.append(tbl, h("p", t("claims_note"), "small"));
  sec.append(tr("h2", "wages"));
  const weeks = (wage.jobs || []).flatMap((j) => j.weeks || []);
  sec.append(table([t("week"), t("hours"), t("overtime"), t("expected"), t("paid"), t("difference")],
    weeks.map((w) => [`${w.start} – ${w.end}`, hoursDec(w.minutes_worked), hoursDec((w.overtime_minutes || 0) + (w.double_time_minutes || 0)),
      usd(w.expected_cents), usd(w.paid_cents), usd(w.difference_cents)]), "weeks"));
  const list = h("ul");
  for (const j of wage.jobs || []) {
    for (const f of [...(j.findings || []), ...(j.periods || []).flatMap((p) => p.findings || [])]) list.append(h("li", f.explanation ? pick(f.explanation) : f.code));
  }
  sec.append(tr("h3", "findings"), list);
  return sec;
}

function referralSection(a) {
  const sec = h("section");
  sec.id = "referrals";
  sec.append(tr("h2", "referrals"));
  for (const cat of intakeCategories(a.refs)) { const p = tr("p", `intake.${cat}`); p.dataset.intake = cat; sec.append(p); }
  if (!a.data) sec.append(tr("p", "no_data"));
  for (const r of a.refs) {
    const block = h("div", null, "referral");
    block.dataset.problem = r.problem_id;
    block.append(h("h3", `${pick(r.title)} (${sinceText(r.first_date, lang)})`));
    if (r.lead) block.append(h("p", t(`lead_${r.lead}`), "lead"));
    const ul = h("ol");
    for (const route of r.routes) {
      const li = h("li", `${pick(route.agency_name)}${route.phone ? " · " + route.phone : ""}`);
      li.dataset.agency = route.agency_id;
      if (route.deadline_date) li.append(h("strong", ` — ${deadlineText(route.deadline_date, r.first_date, lang)}`));
      if (route.deadline_text) li.append(h("div", pick(route.deadline_text), "small"));
      ul.append(li);
    }
    block.append(ul);
    if (r.bring.length) { const b = h("ul"); r.bring.forEach((x) => b.append(h("li", pick(x)))); block.append(tr("h4", "bring"), b); }
    sec.append(block);
  }
  const missing = missingEvidence({ counts: a.found.counts, employers: a.found.employers }, a.state);
  if (missing.length) { const ul = h("ul"); missing.forEach((k) => ul.append(tr("li", k))); sec.append(ul); }
  return sec;
}

/** Errors that name journal entries ("#12", "#3–#5"), by the record those entries are about,
 * so each is shown on that record's timeline row (the record it casts doubt on). */
function entryErrors(report) {
  const out = new Map();
  for (const c of Object.values(report.checks)) {
    for (const e of c.errors) {
      for (const m of String(e.file || "").matchAll(/#(\d+)(?:–#(\d+))?/g)) {
        const from = Number(m[1]);
        const to = Math.min(m[2] ? Number(m[2]) : from, from + 1000);
        for (let seq = from; seq <= to; seq++) {
          const entry = report.journal[seq];
          if (!entry || !entry.record_type) continue;
          const key = `${entry.record_type}:${entry.record_id}`;
          const list = out.get(key) || [];
          if (!list.includes(e)) list.push(e);
          out.set(key, list);
        }
      }
    }
  }
  return out;
}

function timeline(a) {
  const sec = h("section");
  sec.id = "timeline";
  const flagged = entryErrors(current.report);
  sec.append(tr("h2", "timeline"));
  const r = a.state_records;
  const days = new Map(a.found.days.map((d) => [d.date, d]));
  const noted = (text, notes) => (notes && notes.trim() ? `${text} — «${notes}»` : text);
  const rows = [];
  for (const s of r.shift.values()) {
    let d = `${s.start}–${s.end}${s.ends_next_day ? ` (${t("next_day")})` : ""}, ${t("break")} ${s.break_minutes || 0} min`;
    if (s.piece_units != null) d += `, ${s.piece_units} ${t("units")}`;
    if (s.from_memory) d += ` (${t("from_memory")})`;
    rows.push([s.date, word("record", "shift"), noted(d, s.notes), "shift", `shift:${s.id}`]);
  }
  for (const p of r.pay_stub.values()) rows.push([p.pay_date, word("record", "pay_stub"), noted(`${p.period_start}–${p.period_end}: ${usd(p.gross_cents)} ${t("gross_word")}, ${usd(p.net_cents)} ${t("net_word")} (${word("method", p.method || "check")})`, p.notes), "pay", `pay_stub:${p.id}`]);
  for (const x of r.expense.values()) rows.push([x.date, word("record", "expense"), noted(`${word("expense", x.kind)}: ${usd(x.amount_cents)}${x.paid_to ? ` → ${x.paid_to}` : ""}`, x.notes), "expense", `expense:${x.id}`]);
  for (const i of r.incident.values()) rows.push([i.date, word("record", "incident"), noted(word("incident", i.kind) + (i.from_memory ? ` (${t("from_memory")})` : ""), i.notes), "incident", `incident:${i.id}`]);
  rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[3] === "shift" ? -1 : y[3] === "shift" ? 1 : 0));
  const shown = new Set();
  const body = rows.map(([date, kind, detail, type, key]) => {
    let total = "";
    if (type === "shift" && !shown.has(date) && days.has(date)) {
      shown.add(date);
      total = hoursWords(days.get(date).minutes) + (days.get(date).overlap ? ` ⚠ ${t("overlap")}` : "");
    }
    const errors = flagged.get(key) || [];
    if (!errors.length) return [date, kind, total, detail];
    const cell = h("div", detail);
    for (const e of errors) { const p = h("div", `⚠ ${errorText(e)}`, "error"); p.dataset.code = e.code; cell.append(p); }
    return [date, kind, total, cell];
  });
  sec.append(table([t("date"), t("kind"), t("day_hours"), t("detail")], body, "timeline-table"));
  return sec;
}

function words(a) {
  const sec = h("section");
  sec.id = "words";
  if (!a.found.words.length) return sec;
  sec.append(tr("h2", "words"));
  sec.append(table([t("date"), t("record"), t("wrote")], a.found.words.map((w) => [w.date || "—", word("record", w.record_type), w.text])));
  return sec;
}

function changes(a) {
  const sec = h("section");
  sec.id = "changes";
  if (!a.found.changes.length) return sec;
  sec.append(tr("h2", "changes"), tr("p", "changes_note"));
  sec.append(table(["#", t("when"), t("change"), t("record"), t("reason")], a.found.changes.map((c) => [
    String(c.seq), String(c.time).slice(0, 16).replace("T", " "), t(c.kind === "edit" ? "edited" : "deleted"),
    `${word("record", c.record_type)} (${c.record_id || "—"})`, c.reason || "—"])));
  return sec;
}

function caption(owner) {
  if (!owner.record_type) return t("no_record");
  return `${word("record", owner.record_type)} ${owner.date || ""} (${owner.record_id})`;
}

function photos(report, a) {
  const sec = h("section");
  sec.id = "photos";
  const grid = h("div", null, "photos");
  const records = a.state_records.photo;
  const photoErrors = (report.checks.photos || { errors: [] }).errors;
  const ext = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };
  for (const p of a.found.photos) {
    const rec = records.get(p.photo_id);
    if (!rec) continue;
    const path = `data/photos/${rec.sha256}.${ext[rec.mime] || "jpg"}`;
    const fig = h("figure");
    fig.dataset.photo = p.photo_id;
    const bytes = report.files && report.files.get(path);
    const problem = photoErrors.find((e) => e.file === path);
    if (bytes && !problem) {
      const img = h("img");
      img.alt = caption(p);
      img.src = URL.createObjectURL(new Blob([bytes], { type: rec.mime }));
      fig.append(img);
    } else if (problem || !(report.summary.left_out || []).includes("photos")) {
      fig.append(h("p", t("photo_blocked", { why: problem ? errorText(problem) : path }), "error"));
    } else continue;
    fig.append(h("figcaption", caption(p)));
    grid.append(fig);
  }
  if (grid.childElementCount) sec.append(tr("h2", "photos"), grid);
  else if ((report.summary.left_out || []).includes("photos")) sec.append(tr("p", "photos_left_out"));
  return sec;
}

let mapCache = null;
async function referralMap() {
  if (!mapCache) mapCache = await (await fetch("/staff/referral-map.json")).json();
  return mapCache;
}

/** A plain-text referral letter in the chosen language: the case from the journal, where to go, by when. */
export function referralText(report, a) {
  if (!a) return "";
  const lines = [t("referral_title"), t("referral_made", { date: isoDateWords(localToday(), lang) }), ""];
  lines.push(`${report.ok ? t("verified") : t("not_verified")}`, "");
  if (report.summary.worker_name) lines.push(`${t("worker")}: ${report.summary.worker_name}`);
  for (const e of a.found.employers) {
    lines.push(`${t("employer")}: ${e.name}`);
    for (const key of ["address", "crew_leader", "contractor", "supervisor", "plate", "work_site"]) {
      if (e[key]) lines.push(`  ${pick((LABELS.employer_fields || {})[key]) || key}: ${e[key]}`);
    }
  }
  lines.push(journalDates(a.found.period.first, a.found.period.last), "");
  for (const f of a.flags) lines.push(`! ${pick(f)}`);
  const wage = a.wage || a.phone;
  if (wage) {
    lines.push("", `${t("claims")}:`);
    for (const c of claims(wage)) if (c.amount_cents) lines.push(`  ${lang === "es" ? c.es : c.en}: ${usd(c.amount_cents)}`);
    lines.push(`  ${t("total")}: ${usd(wage.total_owed_cents)}`);
  }
  for (const cat of intakeCategories(a.refs)) lines.push("", `${t("category")}: ${t(`intake.${cat}`)}`);
  for (const r of a.refs) {
    lines.push("", `${pick(r.title)} (${sinceText(r.first_date, lang)})`);
    if (r.lead) lines.push(`  ${t(`lead_${r.lead}`)}`);
    for (const route of r.routes) {
      lines.push(`  → ${pick(route.agency_name)}${route.phone ? ` · ${route.phone}` : ""}`);
      if (route.deadline_date) lines.push(`     ${deadlineText(route.deadline_date, r.first_date, lang)}`);
      if (route.deadline_text) lines.push(`     ${pick(route.deadline_text)}`);
    }
    if (r.bring.length) lines.push(`  ${t("bring")}: ${r.bring.map(pick).join("; ")}`);
  }
  return lines.join("\r\n") + "\r\n";
}

/** A spreadsheet cell: quoted when needed, and never read as a formula (names are typed by people). */
function cell(value) {
  let text = value == null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Hours and pay by workweek, one row per job and workweek, for an agency claim. */
export function weeksCsv(jobs) {
  const dollars = (c) => (c == null ? "" : (c / 100).toFixed(2));
  const rows = [["employer", "week_start", "week_end", "hours_worked", "overtime_hours", "double_time_hours",
    "expected_usd", "paid_usd", "difference_usd"]];
  for (const j of jobs) {
    for (const w of j.weeks || []) {
      rows.push([j.employer, w.start, w.end, (w.minutes_worked / 60).toFixed(2), ((w.overtime_minutes || 0) / 60).toFixed(2),
        ((w.double_time_minutes || 0) / 60).toFixed(2), dollars(w.expected_cents), dollars(w.paid_cents), dollars(w.difference_cents)]);
    }
  }
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

function download(text, type, name) {
  const link = h("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

async function exportPdf() {
  const status = $("#export-status");
  const res = await fetch("/api/v1/bundles/report", { method: "POST", body: current.bytes, headers: { "content-type": "application/zip" } }).catch(() => null);
  if (!res || !res.ok) {
    const body = res ? await res.json().catch(() => null) : null;
    // Next to the PDF button, in the chosen language (the server answers both).
    status.textContent = body && body.error && body.error.message ? pick(body.error.message) : res ? String(res.status) : t("no_data");
    return;
  }
  const link = h("a");
  link.href = URL.createObjectURL(await res.blob());
  link.download = `${current.report.root}-resumen.pdf`;
  document.body.append(link);
  link.click();
  link.remove();
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  document.title = `Cartilla — ${t("title")}`;
}

function setLanguage(next) {
  if (!LANGS.includes(next)) return;
  lang = next;
  try { localStorage.setItem(LANG_KEY, lang); } catch (_) { /* private mode: this page only */ }
  applyLanguage();
  render();
}

async function main() {
  await loadMessages();
  applyLanguage();
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  const drop = $("#drop");
  // Emptied once read, so choosing the same file again (say, after loading its key) opens it again.
  $("#file").addEventListener("change", (e) => { const file = e.target.files[0]; if (file) open(file).finally(() => { e.target.value = ""; }); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) open(e.dataTransfer.files[0]); });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/staff/sw.js", { scope: "/staff/" }).catch(() => {});
  serverReceiptKeys().catch(() => null);
  // Entrega's screen (office keys, pickup by code, the window) loads only its own small module;
  // the age library follows only when it is used.
  const entrega = $("#entrega-mount");
  if (entrega) await import("./entrega.js").then((m) => m.mountEntrega(entrega, openBytes)).catch(() => null);
  document.body.dataset.ready = "yes";
}

main();
