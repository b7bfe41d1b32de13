/* Cartilla Web Push in the service worker (sw.js importScripts it).
 * push: the server knows only the state and language, so the message lists every changed
 *   guide of the state with its audience (industries, statuses); this worker keeps the ones
 *   that apply to the profile on this phone, shows one notification, and updates the offline
 *   pack at once (sw.js cartillaUpdatePack: only changed guides). The notification's text is
 *   always the same neutral sentence (NEUTRAL): a lock screen is read by whoever holds the
 *   phone, and a guide title ("... sin importar su estatus migratorio") would tell them what
 *   the worker reads. Which guides changed is shown only inside the app.
 * notificationclick: open the changed guide, or the list when several changed.
 * CHECK_UPDATES / pushsubscriptionchange: resend a changed profile or subscription, finish
 *   an offline unsubscribe. IndexedDB settings "push" (js/push.js) is
 *   {enabled, endpoint, sent: {states, language}, pendingDelete?}.
 */
(function () {
  "use strict";
  const API = "/api/v1/push/subscriptions";
  const TAG = "cartilla-guides";
  const MAX_GUIDES = 20;
  // Never built from the message: the server's title and body (which name guides) are
  // ignored, so no guide title or topic can reach the lock screen.
  const NEUTRAL = {
    es: { title: "Cartilla: hay información nueva", body: "Abra Cartilla para ver los detalles." },
    en: { title: "Cartilla: new information", body: "Open Cartilla to see the details." },
  };
  /** The only text a Cartilla notification ever shows, by language (es when unknown). */
  function notificationText(lang) {
    return NEUTRAL[lang === "en" ? "en" : "es"];
  }
  self.cartillaNotificationText = notificationText;
  const DB = () => self.CartillaDB;

  /** The message, checked: it only says what changed; sw.js fetches the guides itself. */
  function readPayload(event) {
    let data = null;
    try {
      data = event.data ? event.data.json() : null;
    } catch (_) {
      data = null;
    }
    if (!data || typeof data !== "object") data = {};
    const lang = data.lang === "en" ? "en" : "es";
    const guides = (Array.isArray(data.guides) ? data.guides : [])
      .filter((g) => g && typeof g.id === "string" && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(g.id))
      .slice(0, MAX_GUIDES)
      .map((g) => ({ id: g.id, industries: audience(g.industries), statuses: audience(g.statuses) }));
    return { lang, guides };
  }

  /** A guide's audience from the message: "all" or a list of names (anything else: all). */
  function audience(value) {
    return Array.isArray(value) ? value.filter((v) => typeof v === "string") : "all";
  }

  /** Whether a guide applies to this phone's profile: the rule the pack uses (catalog.py). */
  function applies(guide, profile) {
    const fits = (values, mine) => values === "all" || !mine || mine === "any" || values.includes("any") || values.includes(mine);
    return fits(guide.industries, profile.industry) && fits(guide.statuses, profile.status);
  }
  self.cartillaGuideApplies = applies;

  /** The guides that matter to this phone; all of them if the profile cannot be read. */
  async function forThisPhone(guides) {
    let profile = null;
    try {
      profile = DB() ? await DB().get("settings", "profile") : null;
    } catch (_) {
      profile = null;
    }
    if (!profile || typeof profile !== "object") return { guides, filtered: false };
    const kept = guides.filter((g) => applies(g, profile));
    return { guides: kept, filtered: kept.length !== guides.length };
  }

  /** Where tapping goes: the one changed guide, or the list that shows all the changes. */
  function targetUrl(guides) {
    if (guides.length === 1) return `/#/guide/${encodeURIComponent(guides[0].id)}`;
    return "/#/guides";
  }

  async function updateOffline() {
    // Without it (an older sw.js) the page updates the pack when next opened.
    if (typeof self.cartillaUpdatePack === "function") await self.cartillaUpdatePack();
  }

  async function showFor(payload) {
    const { title, body } = notificationText(payload.lang);
    const { guides } = await forThisPhone(payload.guides);
    // Shown even when no listed guide applies here (a push must show something), and
    // always with the same words: tapping opens the changed guide, or the list.
    await self.registration.showNotification(title, {
      body,
      lang: payload.lang,
      tag: TAG, // a newer message replaces an older one still on screen
      renotify: true,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: targetUrl(guides), guides: guides.map((g) => g.id) },
    });
  }

  self.addEventListener("push", (event) => {
    const payload = readPayload(event);
    event.waitUntil(Promise.all([showFor(payload), updateOffline().catch(() => null)]));
  });

  /** Only this app's own pages: never open a URL a message could have put there. */
  function safeUrl(url) {
    try {
      const parsed = new URL(url, self.location.origin);
      if (parsed.origin === self.location.origin && parsed.pathname === "/" && parsed.hash.startsWith("#/")) {
        return parsed.href;
      }
    } catch (_) { /* fall through */ }
    return new URL("/#/guides", self.location.origin).href;
  }

  /** Tapping: show the page in an open Cartilla window, else open one. */
  async function openFromNotification(notification) {
    notification.close();
    const url = safeUrl(notification.data && notification.data.url);
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).origin !== self.location.origin) continue;
      let shown = null;
      try {
        shown = client.url === url ? client : (await client.navigate(url)) || client;
      } catch (_) {
        continue; // not navigable (not controlled by this worker)
      }
      await shown.focus().catch(() => null); // allowed only during a real tap
      return;
    }
    await self.clients.openWindow(url);
  }
  self.cartillaOpenFromNotification = openFromNotification;

  self.addEventListener("notificationclick", (event) => {
    event.waitUntil(openFromNotification(event.notification));
  });

  // --- keeping the server's copy of the subscription right ------------------------------

  /** What the push API keeps: the state and the language, never industry or status. */
  function profileBody(profile) {
    return { states: [profile.state], language: profile.lang };
  }

  const sameBody = (a, b) => JSON.stringify(a || null) === JSON.stringify(b || null);

  async function post(subscription, profile) {
    const res = await fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ subscription: subscription.toJSON(), profile }),
      cache: "no-store",
    });
    return res.ok;
  }

  async function remove(endpoint) {
    const res = await fetch(API, {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ endpoint }),
      cache: "no-store",
    });
    return res.ok || res.status === 404; // 404: already gone, which is what we wanted
  }

  async function syncSubscription() {
    const db = DB();
    if (!db) return;
    const push = await db.get("settings", "push");
    if (!push) return;
    if (push.pendingDelete && (await remove(push.pendingDelete))) {
      delete push.pendingDelete;
      await db.put("settings", "push", push);
    }
    if (!push.enabled) return;
    const [profile, subscription] = await Promise.all([
      db.get("settings", "profile"),
      self.registration.pushManager.getSubscription(),
    ]);
    if (!profile || !subscription) return;
    const wanted = profileBody(profile);
    if (sameBody(wanted, push.sent) && subscription.endpoint === push.endpoint) return;
    if (await post(subscription, wanted)) {
      const stale = push.endpoint && push.endpoint !== subscription.endpoint ? push.endpoint : null;
      await db.put("settings", "push", { ...push, endpoint: subscription.endpoint, sent: wanted });
      if (stale) await remove(stale).catch(() => false);
    }
  }

  self.cartillaSyncPush = () => syncSubscription().catch(() => null);

  self.addEventListener("message", (event) => {
    if (event.data && event.data.type === "CHECK_UPDATES") event.waitUntil(self.cartillaSyncPush());
  });

  self.addEventListener("pushsubscriptionchange", (event) => {
    event.waitUntil((async () => {
      let subscription = event.newSubscription;
      if (!subscription && event.oldSubscription) {
        subscription = await self.registration.pushManager.subscribe(event.oldSubscription.options);
      }
      if (subscription) await self.cartillaSyncPush();
    })().catch(() => null));
  });
})();
