/* Cartilla Web Push in the service worker (sw.js importScripts it).
 * push: one notification in the subscriber's language (text from the server, else ours),
 *   and the offline pack updated at once (sw.js cartillaUpdatePack: only changed guides).
 * notificationclick: open the changed guide, or the list when several changed.
 * CHECK_UPDATES / pushsubscriptionchange: resend a changed profile or subscription, finish
 *   an offline unsubscribe. IndexedDB settings "push" (js/push.js) is
 *   {enabled, endpoint, sent: {states, industries, statuses, language}, pendingDelete?}.
 */
"use strict";

(function () {
  const API = "/api/v1/push/subscriptions";
  const TAG = "cartilla-guides";
  const MAX_GUIDES = 20;
  const TEXT = {
    es: ["Cartilla: cambiaron sus guías", "Hay guías nuevas o actualizadas para usted."],
    en: ["Cartilla: your guides changed", "There are new or updated guides for you."],
  };
  const DB = () => self.CartillaDB;

  const clean = (value, max) => (typeof value === "string" ? value.replace(/\s+/g, " ").trim().slice(0, max) : "");

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
      .map((g) => ({ id: g.id, title: clean(g.title, 140) || g.id }));
    return { lang, guides, title: clean(data.title, 100), body: clean(data.body, 240) };
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

  self.addEventListener("push", (event) => {
    const payload = readPayload(event);
    const [title, body] = TEXT[payload.lang];
    const show = self.registration.showNotification(payload.title || title, {
      body: payload.body || (payload.guides.map((g) => g.title).join(", ") || body),
      lang: payload.lang,
      tag: TAG, // a newer message replaces an older one still on screen
      renotify: true,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: targetUrl(payload.guides), guides: payload.guides.map((g) => g.id) },
    });
    event.waitUntil(Promise.all([show, updateOffline().catch(() => null)]));
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

  /** The profile as the push API takes it; the app's profile has one of each. */
  function profileBody(profile) {
    return {
      states: [profile.state],
      industries: [profile.industry],
      statuses: [profile.status],
      language: profile.lang,
    };
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
