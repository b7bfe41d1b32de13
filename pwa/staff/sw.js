/** The staff desk's service worker: after one visit the desk opens and verifies offline.
 *
 * Network first (so staff always get the latest desk when online), cache as the fallback.
 * It caches only the desk's own files and the public data it reads; never a bundle.
 */
const CACHE = "cartilla-staff-v6";
const SHELL = ["/staff/", "/staff/index.html", "/staff/desk.js", "/staff/desk.css", "/staff/verify.js", "/staff/unzip.js",
  "/staff/referral.js", "/staff/entrega.js", "/staff/entrega-text.js", "/staff/entrega-keys.js", "/staff/entrega.css", "/staff/referral-map.json", "/staff/facts.js", "/staff/labels.json", "/staff/rules.js", "/js/canonical.js", "/js/log/shifts.js", "/js/wages.js", "/js/bundle/build.js", "/js/bundle/zip.js", "/js/bundle/keys.js",
  "/js/bundle/readme.js", "/js/bundle/summary.js", "/i18n/es/staff.json", "/i18n/en/staff.json",
  "/i18n/es/wages.json", "/i18n/en/wages.json",
  "/.well-known/cartilla-receipt-key"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith("cartilla-staff-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
// The Entrega screen, once opened, asks for its libraries (age, QR, the shared code modules) to
// be kept too, so a desk that has opened it once can open saved .age files offline.
self.addEventListener("message", (event) => {
  const urls = event.data && Array.isArray(event.data.cache) ? event.data.cache : [];
  const ours = urls.filter((u) => typeof u === "string" && /^\/(vendor|js\/entrega|staff)\/[\w./-]+(\?v=[0-9a-f]{16})?$/.test(u));
  if (ours.length) event.waitUntil(caches.open(CACHE).then((c) => Promise.all(ours.map((u) => c.add(u).catch(() => null)))));
});
self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  // Entrega's relay (codes, challenges, ciphertext) is never kept: straight to the network.
  if (url.pathname.startsWith("/api/v1/entrega/")) return;
  event.respondWith(fetch(req).then((res) => {
    if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
    return res;
  }).catch(() => caches.match(req, { ignoreSearch: url.pathname.startsWith("/staff/") }).then((hit) => hit || Response.error())));
});
