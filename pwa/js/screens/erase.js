/** "Erase Cartilla from this phone": what goes, a last chance to back up the log, then
 * erase.js wipes everything and the app leaves for a blank page. Reached from the profile. */
import { h, heading } from "../ui.js";
import { eraseEverything, leave } from "../erase.js";

export function render(container, ctx) {
  const { t } = ctx;
  const confirm = h("input", { type: "checkbox", id: "erase-confirm", required: true });
  const msg = h("p", { class: "error", role: "alert", id: "erase-error" });
  const button = h("button", { type: "submit", class: "button danger", id: "erase-now" }, t("erase.button"));
  const form = h("form", { class: "erase-form", novalidate: true },
    h("label", { class: "choice" }, confirm, h("span", null, t("erase.confirm"))), msg, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!confirm.checked) {
      msg.textContent = t("erase.notConfirmed");
      confirm.focus();
      return;
    }
    button.disabled = true;
    msg.textContent = "";
    button.textContent = t("erase.working");
    await eraseEverything();
    leave();
  });
  container.append(
    heading(t("erase.title")),
    h("div", { class: "notice warning" },
      h("p", null, h("strong", null, t("erase.warning"))),
      h("ul", null, ["what.profile", "what.log", "what.keys", "what.push", "what.app"].map((k) => h("li", null, t(`erase.${k}`))))),
    h("h2", null, t("erase.backupTitle")),
    h("p", null, t("erase.backupText")),
    h("p", null, h("a", { href: "#/log/settings", class: "button", id: "erase-backup" }, `💾 ${t("erase.backupLink")}`)),
    h("h2", null, t("erase.afterTitle")),
    h("p", null, t("erase.after")),
    form,
    h("p", null, h("a", { href: "#/profile", class: "inline" }, `← ${t("erase.cancel")}`)));
}
