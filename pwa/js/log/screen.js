/** The log's router (#/log and #/log/:view(/:id)) and its unlock screen. Every view is its own
 * module, loaded when it opens: the home (./home.js), the record forms (./job-form.js,
 * ./shift-form.js, ./pay-form.js, ./expense-form.js, ./incident-form.js, sharing the
 * screen of ./forms.js), history (./history.js), settings (./settings.js), the week (./week.js)
 * and the wage check (./arithmetic.js, the only one that needs ../wages.js).
 */
import { h } from "../ui.js";
import * as store from "./store.js";
import { backLink, lists, shiftMinutes } from "./parts.js";

// The week and the wage check import these from here.
export { backLink, lists, shiftMinutes };

const FORMS = new Set(["job", "shift", "pay", "expense", "incident"]);
const VIEWS = { home: ["./home.js", "renderHome"], history: ["./history.js", "renderHistory"],
  settings: ["./settings.js", "renderSettings"], wages: ["./arithmetic.js", "renderWages"], week: ["./week.js", "renderWeek"] };

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
  // One module per view, loaded when it opens: a record form is ./<view>-form.js.
  if (FORMS.has(view)) return (await import(`./${view}-form.js`)).render(container, ctx, ctx.params.id);
  const [file, name] = Object.hasOwn(VIEWS, view) ? VIEWS[view] : VIEWS.home;
  return (await import(file))[name](container, ctx);
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
