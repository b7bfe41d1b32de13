/** "Tell me when my guides change": the opt-in screen (#/notifications).
 * The permission prompt comes only from the worker's tap. Subscribing sends the push
 * subscription, the state and the language, nothing else (never industry or status: the
 * service worker picks the guides that apply from the list every message carries);
 * turning off deletes it on the server. sw-push.js does the rest.
 * IndexedDB settings "push": {enabled, endpoint, sent, pendingDelete?}.
 */
import { h, heading } from "./ui.js";
import { pick } from "./i18n.js";
import { getSetting, setSetting } from "./store.js";

const API = "/api/v1/push/subscriptions";

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** What the push API takes and keeps: the state and the language. */
export function profileBody(profile) {
  return { states: [profile.state], language: profile.lang };
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  if (!buffer) return false;
  const a = new Uint8Array(buffer);
  return a.length === bytes.length && a.every((v, i) => v === bytes[i]);
}

/** A failure with a message key, or the server's own {es, en} message. */
class PushError extends Error {
  constructor(key, serverMessage) {
    super(key);
    this.key = key;
    this.serverMessage = serverMessage;
  }
}

async function call(method, url, body) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
  } catch (_) {
    throw new PushError("push.error.offline");
  }
  let data = null;
  try {
    data = res.status === 204 ? null : await res.json();
  } catch (_) { /* an empty or non-JSON answer */ }
  if (!res.ok) {
    const err = new PushError(res.status === 503 ? "push.error.unavailable" : "push.error.server",
      data && data.error && data.error.message);
    err.status = res.status;
    throw err;
  }
  return data;
}

/** Ask permission, subscribe with the server's key and register the subscription. */
export async function subscribe(profile) {
  if (!pushSupported()) throw new PushError("push.error.unsupported");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new PushError("push.error.denied");
  const { public_key: publicKey } = await call("GET", "/api/v1/push/key");
  const applicationServerKey = keyBytes(publicKey);
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options.applicationServerKey, applicationServerKey)) {
    await subscription.unsubscribe(); // the server's key changed: the old one is useless
    subscription = null;
  }
  if (!subscription) {
    try {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
    } catch (_) {
      throw new PushError("push.error.subscribe");
    }
  }
  const sent = profileBody(profile);
  await call("POST", API, { subscription: subscription.toJSON(), profile: sent });
  await setSetting("push", { enabled: true, endpoint: subscription.endpoint, sent });
  return subscription;
}

/** Delete the subscription on the server and in the browser; if offline, the browser side
 * still goes (no more messages) and sw-push.js deletes the server copy later. */
export async function unsubscribe() {
  const registration = pushSupported() ? await navigator.serviceWorker.ready : null;
  const subscription = registration && (await registration.pushManager.getSubscription());
  const record = (await getSetting("push")) || {};
  const endpoint = (subscription && subscription.endpoint) || record.endpoint;
  let pendingDelete = null;
  if (endpoint) {
    try {
      await call("DELETE", API, { endpoint });
    } catch (err) {
      if (err.status !== 404) pendingDelete = endpoint;
    }
  }
  if (subscription) await subscription.unsubscribe();
  await setSetting("push", pendingDelete ? { enabled: false, pendingDelete } : { enabled: false });
  return { pendingDelete: Boolean(pendingDelete) };
}

export async function isSubscribed() {
  if (!pushSupported()) return false;
  const record = await getSetting("push");
  if (!record || !record.enabled) return false;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = registration && (await registration.pushManager.getSubscription());
  return Boolean(subscription);
}

/** push.json's texts for `lang` as dotted keys ("push.start"), Spanish under them, fetched with
 * this screen: not part of the first visit (sw.js LAZY), kept by the worker once used. The
 * title and the offline notice are in app.json (the profile screen and routes.js show them). */
async function pushTexts(lang) {
  const one = (l) => fetch(`/i18n/${l}/push.json`).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  const flat = (obj, prefix, out) => {
    for (const [k, v] of Object.entries(obj || {})) {
      if (v && typeof v === "object") flat(v, `${prefix}${k}.`, out);
      else out[prefix + k] = v;
    }
    return out;
  };
  const [base, own] = await Promise.all([one("es"), lang && lang !== "es" ? one(lang) : {}]);
  return flat(own, "", flat(base, "", {}));
}

export async function render(container, ctx) {
  const { profile } = ctx;
  const texts = await pushTexts(ctx.t.lang);
  const t = (key, vars) => (typeof texts[key] === "string"
    ? texts[key].replace(/\{(\w+)\}/g, (m, name) => (vars && name in vars ? String(vars[name]) : m))
    : ctx.t(key, vars));
  t.lang = ctx.t.lang;
  const status = h("p", { class: "push-status", role: "status", "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const button = h("button", { type: "button", class: "button primary", id: "push-toggle" });
  let subscribed = await isSubscribed();

  const showError = (err) => {
    error.textContent = err instanceof PushError
      ? (err.serverMessage ? pick(err.serverMessage, t.lang) : t(err.key))
      : t("push.error.subscribe");
    error.hidden = false;
  };

  const show = () => {
    status.textContent = subscribed ? t("push.status.on") : t("push.status.off");
    button.textContent = subscribed ? t("push.stop") : t("push.start");
    button.classList.toggle("primary", !subscribed);
    button.classList.toggle("secondary", subscribed);
    button.disabled = false;
    if (!pushSupported()) {
      status.textContent = t("push.error.unsupported");
      button.hidden = true;
    } else if (!subscribed && Notification.permission === "denied") {
      status.textContent = t("push.error.denied");
    }
  };

  button.addEventListener("click", async () => {
    button.disabled = true;
    error.hidden = true;
    status.textContent = t("push.working");
    try {
      if (subscribed) {
        const { pendingDelete } = await unsubscribe();
        subscribed = false;
        if (pendingDelete) ctx.notify(t("push.stoppedOffline"), { id: "push" });
      } else {
        await subscribe(profile);
        subscribed = true;
      }
    } catch (err) {
      showError(err);
    }
    show();
  });

  container.append(
    heading(t("push.title")),
    h("p", null, t("push.intro")),
    h("h2", null, t("push.whatLeavesTitle")),
    h("ul", { class: "push-sent" },
      h("li", null, t("push.sentProfile", {
        state: t(`state.${profile.state}`),
        language: t("lang.name"),
      })),
      h("li", null, t("push.sentAddress")),
      h("li", null, t("push.sentBookkeeping"))),
    h("p", { class: "muted" }, t("push.notSent")),
    status,
    error,
    button,
  );
  show();
}
