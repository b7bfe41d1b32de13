/** The log's history: every journal entry, newest first, with its reason and an edit link for
 * the current version of a record, and the chain check ("Comprobar que nada cambió"). A time
 * receipt that lands while the screen is open is shown at once. */
import { h, formatDate } from "../ui.js";
import * as store from "./store.js";
import { plural, kindWord, dateWords, moneyWords } from "./format.js";
import { backLink, bigButton, status } from "./parts.js";

function describe(entry, ctx) {
  const d = entry.data;
  // A receipt's time in the worker's words, not the machine's ISO form.
  if (entry.kind === "receipt") return entry.receipt ? new Date(entry.receipt.time).toLocaleString(ctx.lang) : "";
  if (!d) return "";
  if (d.type === "shift") return `${dateWords(d.date, ctx.lang)} ${d.start}–${d.end}`;
  if (d.type === "pay_stub") return `${formatDate(d.pay_date, ctx.lang)} · ${moneyWords(d.gross_cents)}`;
  if (d.type === "expense") return `${dateWords(d.date, ctx.lang)} · ${kindWord(ctx, "expense", d.kind)} · ${moneyWords(d.amount_cents)}`;
  if (d.type === "incident") return `${dateWords(d.date, ctx.lang)} · ${kindWord(ctx, "incident", d.kind)}`;
  if (d.type === "employer") return d.name;
  if (d.type === "job") return `${d.state} · ${ctx.t(`log.kinds.industry.${d.industry}`)}`;
  return "";
}

const EDIT_VIEWS = { shift: "shift", pay_stub: "pay", expense: "expense", incident: "incident", job: "job" };

function historyList(journal, state, latest, ctx) {
  const { t } = ctx;
  if (!journal.length) return h("p", null, t("log.none"));
  return h("ol", { class: "cards history", reversed: true }, [...journal].reverse().slice(0, 300).map((e) => {
    const type = e.record_type;
    const current = type && state[type] && state[type].get(e.record_id);
    const editable = current && e.data && latest.get(`${type}:${e.record_id}`) === e.hash && EDIT_VIEWS[type];
    return h("li", { class: `card entry-${e.kind}`, "data-seq": e.seq },
      h("p", null, h("strong", null, t(`log.kinds.entry.${e.kind}`)), type ? ` · ${t(`log.kinds.type.${type}`)}` : "",
        " · ", describe(e, ctx), e.data && e.data.from_memory ? h("span", { class: "badge" }, ` ${t("log.fromMemory")}`) : null),
      e.reason ? h("p", { class: "muted" }, t("log.history.reason", { reason: e.reason })) : null,
      editable ? h("a", { class: "button secondary", href: `#/log/${EDIT_VIEWS[type]}/${encodeURIComponent(e.record_id)}` }, "✎ ", t("log.history.edit")) : null);
  }));
}

export async function renderHistory(container, ctx) {
  const { t } = ctx;
  const result = h("div", { id: "chain-result", "aria-live": "polite" });
  const list = h("div");
  let checks = 0;
  const check = async () => {
    const id = ++checks;
    const c = await store.verify();
    if (id !== checks) return;
    result.replaceChildren(c.ok ? status(plural(ctx, "log.history.ok", c.count))
      : status(plural(ctx, "log.history.bad", c.problems.length), "bad"));
  };
  // A time receipt (bundle/receipts.js) can land while this screen is open: show it, and
  // re-count if the worker asked for the chain check. The counters drop slower, older answers.
  let shown = 0;
  const refresh = async () => {
    const id = ++shown;
    const journal = await store.readJournal();
    const { state, latest } = await store.currentState();
    if (id !== shown) return;
    list.replaceChildren(historyList(journal, state, latest, ctx));
    if (checks) await check();
  };
  const onChange = () => { if (container.isConnected) refresh().catch(() => {}); else stop(); };
  const stop = () => removeEventListener("cartilla:journal-changed", onChange);
  addEventListener("cartilla:journal-changed", onChange);
  container.append(backLink(t), h("h1", { tabindex: "-1" }, h("span", { "aria-hidden": "true" }, "📜 "), t("log.history.title")),
    h("p", null, t("log.history.intro")), bigButton("🔗", t("log.history.verify"), check), result, list);
  await refresh();
  return stop;
}
