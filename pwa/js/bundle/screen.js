/** "Prepare for the consulate": pick employers and dates, see what goes in, build, share.
 *
 * Reads the log through its store (pwa/js/log/store.js: status(), exportLog(), readJournal();
 * appendReceipt() via ./receipts.js), runs the phone's wage check (checkWages in
 * pwa/js/wages.js) on exactly the records going into the bundle with the offline pack's
 * wage rules, and builds the bundle with ./build.js. All on the phone, offline; only the
 * journal head hash is sent, and only when online, to get a time receipt.
 */

import * as logStore from "../log/store.js";
import { replay as replayJournal, RECORD_LISTS } from "../log/journal.js";
import { todayIso } from "../log/forms.js";
import { checkWages, money } from "../wages.js";
import { buildBundle, select, replay } from "./build.js";
import { anchorNow } from "./receipts.js";
import { ensureKeyBound } from "./keys.js";
import { timelineRows } from "./summary.js";
import { afterView, countsText } from "./after.js";
import { kindWord, plural } from "../log/format.js";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else if (v === true) node.setAttribute(k, ""); else if (v !== false && v != null) node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function b64bytes(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }

/**
 * The wage check over the records that go into the bundle (journal entries in `keep`), with
 * the pack's wage rules, as of `asOf`. null when the phone has no wage rules yet: a check with
 * no minimum wage or overtime data would read as "nothing owed".
 */
export function wageCheckFor(journal, keep, pack, asOf) {
  const rules = (pack && pack.data && pack.data.wage_rules) || [];
  if (!rules.length) return null;
  const { state } = replayJournal(journal.filter((e) => keep.has(e.seq)));
  const records = {};
  for (const [type, list] of Object.entries(RECORD_LISTS)) records[list] = [...state[type].values()];
  return checkWages(records, rules, asOf);
}

/** Which guide versions (and which data) the worker had on the phone. */
export function guidesRead(pack) {
  pack = pack || {};
  const docs = new Map((pack.guides || []).map((g) => [`${g.id}:${g.lang}`, g]));
  const guides = ((pack.manifest && pack.manifest.guides) || []).map((g) => {
    const doc = docs.get(`${g.id}:${g.lang}`) || {};
    return { id: g.id, lang: g.lang, version: g.version, hash: g.hash, title: doc.title || null,
             reviewed: doc.reviewed || null, review_status: doc.review_status || null };
  });
  const profile = pack.profile ? Object.fromEntries(Object.entries(pack.profile).filter(([, v]) => typeof v === "string")) : null;
  return { guides, pack_hash: pack.pack_hash || null, data_hash: (pack.manifest && pack.manifest.data_hash) || null, profile };
}

function recordDates(journal) {
  return journal.map((e) => e.data && (e.data.date || e.data.pay_date)).filter(Boolean).sort();
}

function ensureStyles() {
  if (document.getElementById("bundle-css")) return;
  document.head.append(el("link", { id: "bundle-css", rel: "stylesheet", href: new URL("./bundle.css", import.meta.url).pathname }));
}

export async function render(container, ctx) {
  const { t } = ctx;
  ensureStyles();
  container.replaceChildren(el("h1", { text: t("bundle.title"), tabindex: "-1" }));
  if ((await logStore.status()).locked) {
    // The records are encrypted until the PIN is typed on the log's screen.
    container.append(el("p", { text: t("log.locked.prompt") }),
      el("p", {}, el("a", { class: "button primary", href: "#/log", text: t("log.locked.open") })));
    return;
  }
  let log = await logStore.exportLog();
  if (!log.journal.length) {
    container.append(el("p", { text: t("bundle.empty") }));
    return;
  }
  const dates = recordDates(log.journal);
  const form = el("form", { id: "bundle-form" });
  const empBox = el("fieldset", {}, el("legend", { text: t("bundle.employers") }));
  for (const e of log.employers) {
    empBox.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "employer", value: e.id, checked: true }), ` ${e.name}`));
  }
  // The browser refuses an end before the start, in the worker's language.
  const start = el("input", { type: "date", name: "start", required: true, value: dates[0] || "" });
  const end = el("input", { type: "date", name: "end", required: true, value: dates[dates.length - 1] || "" });
  const leave = el("fieldset", {}, el("legend", { text: t("bundle.leaveOut") }));
  for (const key of ["photos", "notes", "name"]) {
    leave.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: `leave-${key}` }), ` ${t(`bundle.leave.${key}`)}`));
  }
  const name = el("input", { type: "text", name: "worker", autocomplete: "name" });
  form.append(empBox, el("label", {}, t("bundle.from"), " ", start), el("label", {}, t("bundle.to"), " ", end),
    el("label", {}, t("bundle.yourName"), " ", name), leave);
  const preview = el("div", { id: "bundle-preview", role: "status", "aria-live": "polite" });
  // Only the list inside is redrawn: a summary replaced between press and release (a name
  // field's change event fires on that press) would swallow the tap.
  const includedList = el("ul");
  const included = el("details", { id: "bundle-included" }, el("summary", { text: t("bundle.summary") }), includedList);
  const build = el("button", { type: "submit", class: "button primary", id: "bundle-build", text: t("bundle.build") });
  form.append(preview, included, el("p", { text: t("bundle.never") }), build);
  const result = el("div", { id: "bundle-result" });
  const earlier = el("div", { id: "entrega-earlier-host" });
  container.append(el("p", { text: t("bundle.intro") }), earlier, form, result);
  // Uploads sent earlier (Entrega): their state, checked once now, and "Borrar del servidor".
  import("../entrega/screen.js").then((m) => m.pendingList(earlier, ctx)).catch(() => {});

  const selection = () => {
    const data = new FormData(form);
    return {
      employerIds: data.getAll("employer"), start: start.value || null, end: end.value || null,
      leaveOut: { photos: data.has("leave-photos"), notes: data.has("leave-notes"), name: data.has("leave-name") },
    };
  };
  const update = () => {
    start.max = end.value;
    end.min = start.value;
    const sel = selection();
    name.disabled = sel.leaveOut.name;
    const { keep } = select(log.journal, sel);
    const state = replay(log.journal.filter((e) => keep.has(e.seq)));
    const n = (k) => (state[k] ? state[k].size : 0);
    const records = n("shift") + n("pay_stub") + n("expense") + n("incident");
    build.disabled = records === 0;
    preview.replaceChildren(...previewLines(ctx, { shifts: n("shift"), pay: n("pay_stub"), expenses: n("expense"),
      incidents: n("incident"), photos: sel.leaveOut.photos ? 0 : n("photo") }, log.journal.length - keep.size));
    // Every record that goes in, one line each, as staff will see it (kinds in words, not codes).
    includedList.replaceChildren(...timelineRows(state, sel.leaveOut, (g, c) => kindWord(ctx, g, c))
      .map((r) => el("li", { text: `${r[0]} · ${r[1]} · ${r[2]}` })));
  };
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
  // Online: anchor the head now (or join the request already on its way; see ./receipts.js),
  // so this bundle and every later one carries the receipt.
  anchorNow().then(async (entry) => {
    if (!entry || !container.isConnected) return;
    log = await logStore.exportLog();
    container.dataset.anchored = entry.hash;
    update();
  }).catch(() => {});
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    build.disabled = true;
    result.replaceChildren(el("p", { role: "status", text: "…" }));
    try {
      // The phone's key must be the one the chain names last (a bundle signed by a key the
      // chain does not name is refused everywhere); then a receipt may have come in since
      // the screen opened (the phone went online): take it.
      await ensureKeyBound(logStore);
      log.journal = await logStore.readJournal();
      const sel = selection();
      const { keep } = select(log.journal, sel);
      let wageCheck = null;
      try {
        wageCheck = wageCheckFor(log.journal, keep, ctx.pack, todayIso());
      } catch (err) {
        console.error("wage check failed; the bundle is made without it", err); // the records still matter most
      }
      const photos = new Map(log.photos.map((p) => [p.sha256, p.data_base64]));
      const out = await buildBundle({
        log: { journal: log.journal, photoBytes: async (p) => (photos.has(p.sha256) ? b64bytes(photos.get(p.sha256)) : null) },
        selection: sel, wageCheck, workerName: sel.leaveOut.name ? null : name.value.trim() || null,
        guides: guidesRead(ctx.pack), appVersion: log.app_version || logStore.APP_VERSION,
      });
      showResult(result, out, ctx);
    } catch (err) {
      console.error(err);
      result.replaceChildren(el("p", { class: "error", role: "alert", text: t("bundle.failed") }));
    } finally {
      build.disabled = false;
    }
  });
}

/** "Se incluye: 23 turnos, 1 gasto…" and, when some are left out, how many and what that means. */
function previewLines(ctx, counts, withheld) {
  const lines = [el("p", { text: ctx.t("bundle.preview", { list: countsText(ctx, counts) }) })];
  if (withheld > 0) lines.push(el("p", { text: plural(ctx, "bundle.withheld", withheld) }));
  return lines;
}

function showResult(result, out, ctx) {
  const { t } = ctx;
  const file = new File([out.blob], out.filename, { type: "application/zip" });
  const save = el("a", { class: "button", id: "bundle-save", href: URL.createObjectURL(out.blob), download: out.filename, text: t("bundle.save") });
  const ready = el("p", { tabindex: "-1", text: t("bundle.ready", { size: Math.ceil(out.blob.size / 1024) }) });
  const items = [ready, save];
  if (navigator.canShare && navigator.canShare({ files: [file] })) {
    const share = el("button", { type: "button", class: "button", text: t("bundle.share") });
    share.addEventListener("click", () => navigator.share({ files: [file], title: out.filename }).catch(() => {}));
    items.push(share);
  }
  // Entrega, loaded only when tapped (../entrega/screen.js): sent encrypted to one office.
  const send = el("button", { type: "button", class: "button primary", id: "bundle-send", text: t("bundle.entrega") });
  send.onclick = () => import("../entrega/screen.js").then(async (m) => send.replaceWith(await m.sendPanel(out, ctx)),
    () => send.after(el("p", { class: "error", role: "alert", text: t("bundle.entregaUnavailable") })));
  items.push(send);
  const s = out.summary;
  // Who, when and how many are in the full-screen summary (./after.js); here what was checked.
  const summary = el("section", { id: "bundle-summary" }, el("h2", { text: t("bundle.summary") }));
  if (s.wage_check) {
    const owed = s.wage_check.total_owed_cents;
    summary.append(el("p", { id: "bundle-owed", text: owed > 0 ? t("log.wages.owed", { amount: money(owed) }) : t("log.wages.nothingOwed") }));
  } else {
    summary.append(el("p", { class: "warning", text: t("log.wages.noRules") }));
  }
  summary.append(el("p", {}, t("bundle.head"), " ", el("code", { text: s.chain.head.slice(0, 16) })));
  result.replaceChildren(...items, afterView(out, ctx), summary);
  // The file and the next steps are below the form: take the worker (and a screen reader) there.
  ready.focus();
}
