/** The log's settings: PIN or passphrase (./protect.js, loaded only here), a backup
 * encrypted with a passphrase, and restoring one. */
import { h, formatDate } from "../ui.js";
import * as store from "./store.js";
import { todayIso } from "./forms.js";
import { plural } from "./format.js";
import { backLink } from "./parts.js";

function field(id, labelText, input) {
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, labelText), input);
}

export async function renderSettings(container, ctx) {
  const { t, lang } = ctx;
  container.append(backLink(t), h("h1", { tabindex: "-1" }, h("span", { "aria-hidden": "true" }, "🔒 "), t("log.settings.title")));

  // PIN or passphrase (./protect.js, loaded only here and on the empty log's first screen).
  try {
    container.append(await (await import("./protect.js")).settingsBox(ctx));
  } catch (_) {
    container.append(h("p", { class: "card warning" }, t("log.settings.protectOffline")));
  }

  // Backup
  const last = await store.getMeta("lastBackupAt");
  const pass = h("input", { type: "password", autocomplete: "new-password" });
  const pass2 = h("input", { type: "password", autocomplete: "new-password" });
  const backupMsg = h("p", { role: "status", "aria-live": "polite", id: "backup-status" });
  const backupForm = h("form", { class: "log-form" }, field("backup-pass", t("log.settings.passphrase"), pass),
    field("backup-pass2", t("log.settings.passphrase2"), pass2), backupMsg,
    h("button", { type: "submit", class: "button primary" }, h("span", { "aria-hidden": "true" }, "💾 "), t("log.settings.backup")));
  backupForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (pass.value.length < 8) { backupMsg.textContent = t("log.settings.passphraseBad"); return; }
    if (pass.value !== pass2.value) { backupMsg.textContent = t("log.settings.passphraseMismatch"); return; }
    backupMsg.textContent = t("log.settings.working");
    const text = await store.exportBackup(pass.value);
    const name = `cartilla-backup-${todayIso()}.json`;
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = h("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    backupMsg.textContent = t("log.settings.backupDone", { name });
    pass.value = pass2.value = "";
  });
  container.append(h("section", { class: "card" }, h("h2", null, t("log.settings.backupHeading")), h("p", null, t("log.settings.backupHelp")),
    h("p", { class: "muted" }, last ? t("log.settings.lastBackup", { date: formatDate(last.slice(0, 10), lang) }) : t("log.settings.noBackup")),
    backupForm));

  // Restore
  const file = h("input", { type: "file", accept: "application/json,.json" });
  const rpass = h("input", { type: "password", autocomplete: "off" });
  const restoreMsg = h("p", { role: "status", "aria-live": "polite", id: "restore-status" });
  const restoreForm = h("form", { class: "log-form" }, field("restore-file", t("log.settings.file"), file),
    field("restore-pass", t("log.settings.passphrase"), rpass), restoreMsg,
    h("button", { type: "submit", class: "button" }, h("span", { "aria-hidden": "true" }, "⤓ "), t("log.settings.restore")));
  restoreForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files && file.files[0];
    if (!chosen) { restoreMsg.textContent = t("log.settings.restoreErrors.no_file"); return; }
    restoreMsg.textContent = t("log.settings.working");
    try {
      const result = await store.restoreBackup(await chosen.text(), rpass.value);
      restoreMsg.textContent = plural(ctx, "log.settings.restored", result.entries);
    } catch (err) {
      restoreMsg.textContent = t(`log.settings.restoreErrors.${err.code || "not_backup"}`);
    }
  });
  container.append(h("section", { class: "card" }, h("h2", null, t("log.settings.restoreHeading")), h("p", null, t("log.settings.restoreHelp")), restoreForm));
}
