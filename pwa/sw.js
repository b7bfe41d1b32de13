/* Cartilla service worker (hand-written; classic script so it can importScripts).
 * Install: precache the shell listed in /asset-manifest.json as "<path>?v=<hash16>" into
 * "cartilla-shell-<version>". Fetch: shell from cache (search ignored), /api/ to the network
 * (the pack lives in IndexedDB, js/db.js). Activate: drop other shell caches, never IndexedDB.
 * The page registers "/sw.js?v=<version>", so a changed file installs a new worker that
 * waits for SKIP_WAITING. Pack updates (CHECK_UPDATES, periodic sync, or sw-push.js calling
 * self.cartillaUpdatePack()) fetch only guides whose hash changed and tell open pages.
 * The worker's status is in no URL and no cache key: the manifest is asked for by state,
 * industry and language, and the status only picks which changes to announce (js/store.js).
 */
"use strict";

const VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
const SHELL = `cartilla-shell-${VERSION}`;
// Not for the worker's phone: the staff desk, the workers themselves, large install icons
// (the browser fetches those itself).
const NOT_PRECACHED = /^\/(staff\/|sw\.js$|sw-push\.js$|i18n\/[^/]+\/staff\.json$|icons\/.*-512\.png$)/;
const PRECACHED_TYPES = /\.(html|js|mjs|css|json|webmanifest|png|svg|ico|woff2?)$/;
// Spanish app.json is in index.html itself (server/static.py BOOT_MARK): kept only if asked.
// Interface text of other languages is cached when first used (the page asks for it once the
// worker controls it), so a Spanish phone does not download every language; so is push.js,
// which only a worker who turns alerts on needs (that needs the network anyway; routes.js),
// with its texts (push.json; the screen's title and offline notice are in app.json), and
// speak.js, which only a phone with speech synthesis loads (read aloud; screens/guide.js).
// Everything else a worker can open offline after one visit (the log, the evidence bundle,
// search, "¿Qué me pasó?", the consulates) comes at install in the shell bundle.
// Entrega (js/entrega/, its texts, and /vendor/: fromVendor) is cached when the consulate
// screen first loads it: with it the first visit would be over the 100 KB budget.
const LAZY = /^\/i18n\/(?!es\/)|^\/i18n\/es\/app\.json$|^\/js\/(push|speak)\.js$|^\/js\/entrega\/|^\/i18n\/[^/]+\/(entrega|push)\.json$/;

// The server serves both files in place of these lines (server/static.py INLINED).
importScripts("/js/db.js");
try {
  importScripts("/sw-push.js"); // Web Push (owned by the push capability); optional.
} catch (_) {
  /* no push support installed: everything else works */
}

/** The shell: what the worker precaches from the asset manifest's {path: hash16}. */
function shellPaths(files) {
  return Object.keys(files).filter((p) => !NOT_PRECACHED.test(p) && !LAZY.test(p) && PRECACHED_TYPES.test(p));
}

async function hash16(response) {
  return hash16Of(await response.arrayBuffer());
}

async function hash16Of(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

const BUNDLE_TYPES = { ".js": "text/javascript", ".json": "application/json", ".css": "text/css",
  ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml" };

/** Put the shell bundle's files (server/static.py BUNDLED: the log, the evidence bundle and the
 * screens opened later, one response because they compress far better together) into the
 * cache under the same keys as one-by-one fetches, and return their {path: hash16}. The asset
 * manifest does not list them: the bundle's hash, checked here, covers their bytes. A bundle
 * that does not check fails the install, which the browser tries again at the next visit. */
async function unpackBundle(bundle, cache) {
  const res = await fetch(`${bundle.url}?v=${bundle.hash}`);
  if (!res.ok) throw new Error(`shell bundle: HTTP ${res.status}`);
  const all = new Uint8Array(await res.arrayBuffer());
  if ((await hash16Of(all)) !== bundle.hash) throw new Error("shell bundle: not the version listed");
  // One JSON line [[path, length], ...], then the files' bytes in that order.
  const newline = all.indexOf(10);
  const parts = [];
  let at = newline + 1;
  for (const [path, length] of JSON.parse(new TextDecoder().decode(all.subarray(0, newline)))) {
    parts.push([path, all.slice(at, at + length)]);
    at += length;
  }
  const files = {};
  await Promise.all(parts.map(async ([path, bytes]) => {
    const hash = await hash16Of(bytes);
    await cache.put(`${path}?v=${hash}`, new Response(bytes, {
      headers: { "Content-Type": BUNDLE_TYPES[path.slice(path.lastIndexOf("."))] || "text/plain" },
    }));
    files[path] = hash;
  }));
  return files;
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
  const paths = new Set(shellPaths(manifest.files));
  // Keep the languages this phone already uses (in the new version).
  for (const name of await caches.keys()) {
    if (!name.startsWith("cartilla-shell-") || name === SHELL) continue;
    for (const req of await (await caches.open(name)).keys()) {
      const path = new URL(req.url).pathname;
      if (LAZY.test(path) && manifest.files[path]) paths.add(path);
    }
  }
  const [bundled] = await Promise.all([
    manifest.bundle ? unpackBundle(manifest.bundle, cache) : {},
    ...[...paths].map(async (path) => {
      const hash = manifest.files[path];
      await cache.put(`${path}?v=${hash}`, await fetchVersioned(path, hash));
    }),
  ]);
  // The kept copy lists every file, bundled or not (cacheLazy and js/i18n.js read it).
  const files = { ...manifest.files, ...bundled };
  await cache.put("/asset-manifest.json", new Response(JSON.stringify({ ...manifest, files }), {
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
    const res = await fetch(request);
    if (res.ok && LAZY.test(path)) await cacheLazy(cache, path, res.clone());
    return res;
  } catch (err) {
    if (request.mode === "navigate") {
      const page = await cache.match("/index.html", { ignoreSearch: true });
      if (page) return page;
    }
    throw err;
  }
}

/** Keep a lazily used shell file when it is the version this worker's shell lists. */
async function cacheLazy(cache, path, response) {
  const listing = await cache.match("/asset-manifest.json");
  const hash = listing && (await listing.json()).files[path];
  if (hash && (await hash16(response.clone())) === hash) await cache.put(`${path}?v=${hash}`, response);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.cache === "no-store") return;
  const url = new URL(request.url);
  if (url.pathname === "/asset-manifest.json" && request.cache === "no-cache") return; // update check
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/vendor/")) return event.respondWith(fromVendor(request, url));
  if (url.pathname.startsWith("/api/") || NOT_PRECACHED.test(url.pathname)) return;
  event.respondWith(fromShell(request, url));
});

// Entrega's libraries (/vendor/, server/vendor.py) are in no shell: they are kept in their own
// cache, across shell versions, the first time a screen that needs them loads them (never on
// the first visit: the 100 KB budget). Each file is asked for by its hash (immutable); the
// listing is asked for from the network first. Erase (js/erase.js) deletes this cache too.
const VENDOR = "cartilla-vendor";
async function fromVendor(request, url) {
  const cache = await caches.open(VENDOR);
  const listing = url.pathname === "/vendor/manifest.json";
  const hit = !listing && (await cache.match(request));
  if (hit) return hit;
  try {
    const res = await fetch(request);
    if (res.ok && (listing || url.search)) await cache.put(request, res.clone());
    return res;
  } catch (err) {
    const kept = listing && (await cache.match(request));
    if (kept) return kept;
    throw err;
  }
}

// --- the offline pack ----------------------------------------------------------------------

const DB = self.CartillaDB;
// What a pack is fetched for (js/store.js PACK_KEYS): never the status.
const PACK_KEYS = ["state", "industry", "lang"];
const sameProfile = (a, b) => Boolean(a && b) && PACK_KEYS.every((k) => a[k] === b[k]);
/** The server's GuideEntry.applies rule for status (js/pack.js forStatus). */
const forStatus = (guide, status) => {
  const statuses = guide && guide.applies_to && guide.applies_to.statuses;
  return !status || status === "any" || !Array.isArray(statuses) || statuses.includes("any") || statuses.includes(status);
};
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
  const query = new URLSearchParams(PACK_KEYS.map((k) => [k, profile[k]])).toString();
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
    // Guides for other statuses come along (the server is not told the status) but are news
    // only when they are the worker's. A pack stored with its status in the URL (older app)
    // lacks the other statuses' guides: those are not news either.
    const legacy = Boolean(pack.request.status && pack.request.status !== "any");
    if (forStatus(doc, profile.status) && (old || !legacy)) {
      changed.push({ id: doc.id, lang: doc.lang, title: doc.title, version: doc.version, added: !old });
    }
  }
  const kept = new Set(fresh.manifest.guides.map(guideKey));
  const removed = pack.guides.filter((g) => !kept.has(guideKey(g)) && forStatus(g, profile.status))
    .map((g) => ({ id: g.id, title: g.title }));
  let data = pack.data;
  const dataChanged = fresh.manifest.data_hash !== (pack.manifest && pack.manifest.data_hash);
  if (dataChanged) {
    // The same texts as the pack: in the phone's language only.
    const query = new URLSearchParams({ state: profile.state, lang: profile.lang });
    data = (await getJSON(`/api/v1/packs/data?${query}`, { cache: "no-cache" })).data;
  }
  // The worker may have picked another profile while this ran: never overwrite that.
  if (!sameProfile(await DB.get("settings", "profile"), profile)) return null;
  await DB.put("packs", "current", {
    ...pack, profile: fresh.profile, pack_hash: fresh.pack_hash, manifest: fresh.manifest,
    guides, data, saved_at: new Date().toISOString(),
    // Now a status-free pack (also when an older app stored one with its status).
    request: Object.fromEntries(PACK_KEYS.map((k) => [k, profile[k]])),
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
