/** data/summary.html: a bilingual, printable page that opens on any phone or computer. Dates in
 * its sentences are in words ("30 de junio de 2026" / "June 30, 2026"); its tables keep the
 * compact 2026-06-30 under their "Fecha / Date" and "Semana / Week" headings. */

import { isoDateWords } from "../log/shifts.js";

const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) =>
  ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
export const money = (c) => (c == null ? "—" : `${c < 0 ? "-" : ""}$${(Math.abs(c) / 100).toFixed(2)}`);
export const hours = (m) => (m == null ? "—" : (m / 60).toFixed(2));

/** Rows of the timeline from replayed records: [date, kind es/en, detail]. `word(group, code)`
 * turns a code ("recruitment_fee", "threat", "check") into words: the worker's screen passes
 * its own (log.kinds.*); the printable page keeps the codes, which staff look up. */
export function timelineRows(state, leaveOut = {}, word = (g, c) => c) {
  const rows = [];
  const note = (r) => (!leaveOut.notes && r.notes ? ` — ${r.notes}` : "");
  for (const s of (state.shift || new Map()).values()) {
    rows.push([s.date, "Turno / Shift", `${s.start}–${s.end}, descanso / break ${s.break_minutes || 0} min${s.from_memory ? " (de memoria / from memory)" : ""}${note(s)}`]);
  }
  for (const p of (state.pay_stub || new Map()).values()) {
    rows.push([p.pay_date, "Pago / Pay", `${p.period_start}–${p.period_end}: ${money(p.gross_cents)} bruto / gross, ${money(p.net_cents)} neto / net (${p.method ? word("method", p.method) : ""})${note(p)}`]);
  }
  for (const x of (state.expense || new Map()).values()) {
    rows.push([x.date, "Gasto / Expense", `${word("expense", x.kind)}: ${money(x.amount_cents)}${note(x)}`]);
  }
  for (const i of (state.incident || new Map()).values()) {
    rows.push([i.date, "Incidente / Incident", `${word("incident", i.kind)}${note(i)}`]);
  }
  return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** "2026-06-30T17:00:00Z" -> "30 de junio de 2026 (17:00 UTC)" / "June 30, 2026 (17:00 UTC)". */
function madeOn(created, lang) {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(String(created || ""));
  return m ? `${isoDateWords(m[1], lang)} (${m[2]} UTC)` : String(created || "");
}
const span = (start, end, lang) => `${start ? isoDateWords(String(start), lang) : ""} – ${end ? isoDateWords(String(end), lang) : ""}`;

export function summaryHtml(summary, state, leaveOut = {}) {
  const wage = summary.wage_check;
  const weeks = wage && wage.jobs ? wage.jobs.flatMap((j) => j.weeks || []) : [];
  const findings = wage && wage.jobs ? wage.jobs.flatMap((j) => [...(j.findings || []), ...(j.periods || []).flatMap((p) => p.findings || [])]) : [];
  const employers = summary.employers.map((e) => `<li><strong>${esc(e.name)}</strong> ${esc([e.state, e.industry, e.status].filter(Boolean).join(" · "))}${e.address ? `<br>${esc(e.address)}` : ""}</li>`).join("");
  return `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Resumen de evidencia / Evidence summary</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #bbb;padding:3px 5px;text-align:left}
code{word-break:break-all}.en{color:#444}@media print{body{margin:0}}</style></head><body>
<h1>Resumen de evidencia <span class="en">/ Evidence summary</span></h1>
<p>Hecho con Cartilla el ${esc(madeOn(summary.created, "es"))} / Made with Cartilla on ${esc(madeOn(summary.created, "en"))}.
Estos son los registros de la persona, guardados en su teléfono. El paquete prueba que no cambiaron después de hacerse y firmarse; no prueba que sean verdad.
<span class="en">These are the person's own records, kept on their phone. The bundle proves they did not change after they were made and signed; it does not prove they are true.</span></p>
${summary.worker_name ? `<p>Trabajador(a) / Worker: <strong>${esc(summary.worker_name)}</strong></p>` : ""}
<h2>Empleador <span class="en">/ Employer</span></h2><ul>${employers}</ul>
<p>Periodo: <strong>${esc(span(summary.period.start, summary.period.end, "es"))}</strong> <span class="en">/ Period: <strong>${esc(span(summary.period.start, summary.period.end, "en"))}</strong></span></p>
<p>Turnos / Shifts: ${summary.counts.shifts} · Pagos / Pay: ${summary.counts.pay} · Gastos / Expenses: ${summary.counts.expenses} · Incidentes / Incidents: ${summary.counts.incidents} · Fotos / Photos: ${summary.counts.photos}</p>
${wage ? `<h2>Revisión de salario <span class="en">/ Wage check</span></h2>
<p>Total que se debería / Total owed: <strong>${money(wage.total_owed_cents)}</strong></p>
<table><thead><tr><th>Semana / Week</th><th>Horas / Hours</th><th>Debido / Expected</th><th>Pagado / Paid</th><th>Diferencia / Difference</th></tr></thead><tbody>
${weeks.map((w) => `<tr><td>${esc(w.start)} – ${esc(w.end)}</td><td>${hours(w.minutes_worked)}</td><td>${money(w.expected_cents)}</td><td>${money(w.paid_cents)}</td><td>${money(w.difference_cents)}</td></tr>`).join("")}
</tbody></table><ul>${findings.map((f) => `<li>${esc(f.explanation && f.explanation.es)}<br><span class="en">${esc(f.explanation && f.explanation.en)}</span></li>`).join("")}</ul>` : ""}
<h2>Línea de tiempo <span class="en">/ Timeline</span></h2>
<table><thead><tr><th>Fecha / Date</th><th>Tipo / Kind</th><th>Detalle / Detail</th></tr></thead><tbody>
${timelineRows(state, leaveOut).map((r) => `<tr><td>${esc(r[0])}</td><td>${esc(r[1])}</td><td>${esc(r[2])}</td></tr>`).join("")}
</tbody></table>
<h2>Cómo comprobarlo <span class="en">/ How to check it</span></h2>
<p>Código de control (cambia si algo se modifica) / Check code (changes if anything is edited): <code>${esc(summary.chain.head)}</code></p>
<p>Vea LEEME-README.txt. / See LEEME-README.txt. <code>sha256sum -c manifest-sha256.txt</code></p>
</body></html>
`;
}
