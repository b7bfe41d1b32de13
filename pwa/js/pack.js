/** Getting the profile's offline pack from the server and keeping it in the app database.
 *
 * The first download is the whole pack (/api/v1/packs); later updates are done by the service
 * worker from /api/v1/packs/manifest, fetching only guides whose hash changed (sw.js).
 * Both are asked for without the worker's status: the pack holds every status's guides and
 * guidesFor() picks the worker's on the phone (store.js).
 */
import { profileQuery, packRequest, setPack } from "./store.js";
import { pick } from "./i18n.js";

/** An error a worker can read: the server's {error: {message: {es, en}}} or our own key. */
export class PackError extends Error {
  constructor(messageKey, serverMessage) {
    super(messageKey);
    this.messageKey = messageKey;
    this.serverMessage = serverMessage;
  }
  text(t) {
    return this.serverMessage ? pick(this.serverMessage, t.lang) : t(this.messageKey);
  }
}

/** The pack's request for `profile` (a fetch() promise). The picker starts it as soon as state
 * and industry are chosen, before "save" (screens/profile.js), and hands it to downloadPack. */
export const requestPack = (profile) => fetch(`/api/v1/packs?${profileQuery(profile)}`, { cache: "no-store" });

/** Download the pack for `profile` (or read `request`, a requestPack(profile) already under
 * way) without storing it. Throws PackError (offline, rejected, broken). */
export async function fetchPack(profile, request) {
  let res;
  try {
    res = await (request || requestPack(profile));
  } catch (_) {
    throw new PackError("pack.offline");
  }
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    throw new PackError("pack.broken");
  }
  if (!res.ok) throw new PackError("pack.rejected", body && body.error && body.error.message);
  if (!body || !Array.isArray(body.guides) || !body.manifest) throw new PackError("pack.broken");
  // Content-addressed documents do not carry their own hash: take it (and whether the guide is
  // in another language) from the manifest, which the update check compares against.
  const entries = new Map(body.manifest.guides.map((e) => [`${e.id}|${e.lang}`, e]));
  const guides = body.guides.map((doc) => {
    const entry = entries.get(`${doc.id}|${doc.lang}`) || {};
    return { ...doc, hash: entry.hash || doc.hash, fallback: Boolean(entry.fallback ?? doc.fallback) };
  });
  return { ...body, guides, request: packRequest(profile), saved_at: new Date().toISOString() };
}

/** Download and store the pack for `profile`; `early` is a requestPack(profile) already under
 * way (asked again once if it failed). Throws PackError (offline, rejected, broken). */
export async function downloadPack(profile, early) {
  const pack = early ? await fetchPack(profile, early).catch(() => fetchPack(profile)) : await fetchPack(profile);
  await setPack(pack);
  return pack;
}

/** The guide documents of a pack, in the order of its manifest (for every status). */
export function packGuides(pack) {
  return pack && Array.isArray(pack.guides) ? pack.guides : [];
}

/** Whether a guide is for a status: the same rule as the server's GuideEntry.applies
 * ("any" on either side matches everything). A guide without applies_to is kept. */
export function forStatus(guide, status) {
  const statuses = guide && guide.applies_to && guide.applies_to.statuses;
  if (!status || status === "any" || !Array.isArray(statuses)) return true;
  return statuses.includes("any") || statuses.includes(status);
}

/** The pack's guides for the worker's profile: filtered by status here, on the phone. */
export function guidesFor(pack, profile) {
  return packGuides(pack).filter((g) => forStatus(g, profile && profile.status));
}

/** One guide document from the pack by id, or undefined. */
export function findGuide(pack, id) {
  return packGuides(pack).find((g) => g.id === id);
}
