/* Cartilla service worker (hand-written, classic script so it can importScripts).
 *
 * Owns: the app shell cache, offline serving, and background updates of the offline pack.
 * - Install: precache every file listed in /asset-manifest.json (except /staff/, the staff desk
 *   at a desk with a connection) into "cartilla-shell-<version>", keyed "<path>?v=<hash16>".
 *   A file is not downloaded twice: the page's HTTP-cached copy (revalidated, usually a 304) or
 *   an older shell cache's copy is reused when its hash matches.
 * - Fetch: shell files from the cache (search part ignored), navigations fall back to the
 *   app page; /api/ goes to the network (the pack lives in IndexedDB, see js/db.js); requests
 *   made with cache: "no-store" (and the page's "no-cache" asset-manifest check) always reach
 *   the server.
 * - Activate: delete other shell caches. IndexedDB (profile, pack, the log) is never touched.
 * - Updates: the page registers "/sw.js?v=<asset-manifest version>", so a changed file installs
 *   a new worker, which waits until the page posts SKIP_WAITING ("Update available").
 *   The pack: on CHECK_UPDATES (page start, back online), periodic sync, or a push
 *   (sw-push.js calls self.cartillaUpdatePack()), fetch /api/v1/packs/manifest and only the
 *   guides whose hash changed, then store the list of changes and tell open pages.
 */
"use strict";

const VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
const SHELL = `cartilla-shell-${VERSION}`;
const NOT_PRECACHED = /^\/(staff\/|sw\.js$|sw-push\.js$)/;
const PRECACHED_TYPES = /\.(html|js|mjs|css|json|webmanifest|png|svg|ico|woff2?)$/;

importScripts("/js/db.js");
try {
  importScripts("/sw-push.js"); // Web Push (owned by the push capability); optional.
} catch (_) {
  /* no push support installed: everything else works */
}

/** The shell: what the worker precaches from the asset manifest's {path: hash16}. */
function shellPaths(files) {
  return Object.keys(files).filter((p) => !NOT_PRECACHED.test(p) && PRECACHED_TYPES.test(p));
}

async function hash16(response) {
  const digest = await crypto.subtle.digest("SHA-256", await response.arrayBuffer());
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function fetchVersioned(path, hash) {
  const key = `${path}?v=${hash}`;
  const older = await caches.match(key);
  if (older) return older;
  try {
    const plain = await fetch(path === "/index.html" ? "/" : path);
    if (plain.ok && (await hash16(plain.clone())) === hash) return plain;
  } catch (_) { /* fall through to the versioned URL */ }
  const res = await fetch(key, { cache: "reload" });
  if (!res.ok) throw new Error(`precache ${key}: HTTP ${res.status}`);
  return res;
}

async function precache() {
  const res = await fetch("/asset-manifest.json", { cache: "no-cache" });
  if (!res.ok) throw new Error(`asset manifest: HTTP ${res.status}`);
  const manifest = await res.json();
  const cache = await caches.open(SHELL);
  await Promise.all(shellPaths(manifest.files).map(async (path) => {
    const hash = manifest.files[path];
    await cache.put(`${path}?v=${hash}`, await fetchVersioned(path, hash));
  }));
  await cache.put("/asset-manifest.json", new Response(JSON.stringify(manifest), {
    headers: { "Content-Type": "application/json" },
  }));
}

self.addEventListener("install", (event) => event.waitUntil(precache()));

self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith("cartilla-shell-") && name !== SHELL) await caches.delete(name);
  }
  await self.clients.claim();
})()));

async function fromShell(request, url) {
  const cache = await caches.open(SHELL);
  const path = url.pathname === "/" ? "/index.html" : url.pathname;
  const hit = await cache.match(path, { ignoreSearch: true });
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (err) {
    if (request.mode === "navigate") {
      const page = await cache.match("/index.html", { ignoreSearch: true });
      if (page) return page;
    }
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.cache === "no-store") return;
  const url = new URL(request.url);
  if (url.pathname === "/asset-manifest.json" && request.cache === "no-cache") return; // update check
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || NOT_PRECACHED.test(url.pathname)) return;
  event.respondWith(fromShell(request, url));
});

// --- the offline pack ----------------------------------------------------------------------

const DB = self.CartillaDB;
const PROFILE_KEYS = ["state", "industry", "status", "lang"];
const sameProfile = (a, b) => Boolean(a && b) && PROFILE_KEYS.every((k) => a[k] === b[k]);
const guideKey = (g) => `${g.id}|${g.lang}`;

async function getJSON(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** Bring the stored pack up to date, downloading only what changed. Returns the changes
 * ({guides: [{id, title, version, added}], removed, data}) or null when nothing changed. */
async function updatePack() {
  const profile = await DB.get("settings", "profile");
  const pack = await DB.get("packs", "current");
  if (!profile || !pack || !sameProfile(pack.request, profile)) return null;
  const query = new URLSearchParams(PROFILE_KEYS.map((k) => [k, profile[k]])).toString();
  const fresh = await getJSON(`/api/v1/packs/manifest?${query}`, { cache: "no-cache" });
  if (fresh.pack_hash === pack.pack_hash) return null;

  const have = new Map(pack.guides.map((g) => [guideKey(g), g]));
  const guides = [];
  const changed = [];
  for (const entry of fresh.manifest.guides) {
    const old = have.get(guideKey(entry));
    if (old && old.hash === entry.hash) {
      guides.push(old);
      continue;
    }
    // Content-addressed and immutable: safe to cache anywhere, never stale.
    const doc = { ...(await getJSON(entry.url)), hash: entry.hash, fallback: Boolean(entry.fallback) };
    guides.push(doc);
    changed.push({ id: doc.id, lang: doc.lang, title: doc.title, version: doc.version, added: !old });
  }
  const kept = new Set(fresh.manifest.guides.map(guideKey));
  const removed = pack.guides.filter((g) => !kept.has(guideKey(g))).map((g) => ({ id: g.id, title: g.title }));
  let data = pack.data;
  const dataChanged = fresh.manifest.data_hash !== (pack.manifest && pack.manifest.data_hash);
  if (dataChanged) {
    data = (await getJSON(`/api/v1/packs/data?state=${encodeURIComponent(profile.state)}`, { cache: "no-cache" })).data;
  }
  // The worker may have picked another profile while this ran: never overwrite that.
  if (!sameProfile(await DB.get("settings", "profile"), profile)) return null;
  await DB.put("packs", "current", {
    ...pack, profile: fresh.profile, pack_hash: fresh.pack_hash, manifest: fresh.manifest,
    guides, data, saved_at: new Date().toISOString(),
  });
  // Changes pile up until the worker has seen them (the page clears "changes").
  const earlier = (await DB.get("settings", "changes")) || { guides: [] };
  const merged = new Map(earlier.guides.map((g) => [guideKey(g), g]));
  for (const g of changed) merged.set(guideKey(g), g);
  const changes = { at: new Date().toISOString(), guides: [...merged.values()], removed, data: dataChanged };
  await DB.put("settings", "changes", changes);
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "window" })) {
    client.postMessage({ type: "PACK_UPDATED", changes });
  }
  return changes;
}

let updating = null;
/** One update at a time; errors (offline, server gone) leave the stored pack as it was. */
self.cartillaUpdatePack = () => {
  if (!updating) {
    updating = updatePack().catch(() => null).finally(() => { updating = null; });
  }
  return updating;
};

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "SKIP_WAITING") self.skipWaiting();
  else if (type === "CHECK_UPDATES") event.waitUntil(self.cartillaUpdatePack());
});

self.addEventListener("periodicsync", (event) => {
  if (event.tag === "cartilla-pack") event.waitUntil(self.cartillaUpdatePack());
});
