/** The page's view of the app database (see db.js): profile, settings and the offline pack.
 *
 * The worker's immigration status never leaves the phone: packs are asked for by state,
 * industry and language only (the server then sends the guides for every status), and the
 * phone picks the ones for the worker's status (pack.js guidesFor). So no URL, HTTP cache or
 * proxy log ever carries it.
 */
// The server serves db.js in place of this line (server/static.py INLINED): one request less
// before the first screen.
import "./db.js";

const DB = globalThis.CartillaDB;

/** What a pack is fetched for: never the status (see the module docstring). */
export const PACK_KEYS = ["state", "industry", "lang"];

/** With the log's protection on, the stored profile is {lang, state, industry, status: "any",
 * box}: the real choices are sealed with the log's key (the state and industry stay readable
 * because the saved guides are for them, and the service worker needs them to update). While
 * the log is unlocked, log/store.js puts the key's open(profile) and seal(profile) here. */
export const profileKey = { open: null, seal: null };

/** The chosen profile {lang, state, industry, status}, or undefined before the first choice.
 * With protection on and the log locked, the status reads as "any" (guides for every status). */
export async function getProfile() {
  const p = await DB.get("settings", "profile");
  return p && p.box && profileKey.open ? profileKey.open(p).catch(() => p) : p;
}

/** Save the profile; sealed when protection is on. Throws "locked" then, while locked. */
export async function setProfile(profile) {
  const old = await DB.get("settings", "profile");
  if (old && old.box) {
    if (!profileKey.seal) throw new Error("locked");
    profile = await profileKey.seal(profile);
  }
  return DB.put("settings", "profile", profile);
}

/** The offline pack: the server's Pack plus `request` (the PACK_KEYS it was fetched for). */
export const getPack = () => DB.get("packs", "current");
export const setPack = (pack) => DB.put("packs", "current", pack);

export const getSetting = (key) => DB.get("settings", key);
export const setSetting = (key, value) => DB.put("settings", key, value);

/** The part of a profile a pack is fetched for: {state, industry, lang}. */
export function packRequest(profile) {
  return Object.fromEntries(PACK_KEYS.map((k) => [k, profile[k]]));
}

/** Query string the API gets for a profile: state, industry and language, no status. */
export function profileQuery(profile) {
  return new URLSearchParams(packRequest(profile)).toString();
}

/** A pack stored by an older version, fetched with the status in its URL: it holds only that
 * status's guides, so it is replaced by a status-free one at the next chance. */
export const isLegacyPack = (pack) => Boolean(pack && pack.request && pack.request.status && pack.request.status !== "any");

/** True when a stored pack has the guides for this profile (an older status-bearing pack
 * still does for the status it was fetched for). */
export function packMatches(pack, profile) {
  if (!pack || !pack.request || !profile) return false;
  if (!PACK_KEYS.every((k) => pack.request[k] === profile[k])) return false;
  return !isLegacyPack(pack) || pack.request.status === profile.status;
}

/** True when the pack should be downloaded again (other profile, or an older status-bearing pack). */
export const needsDownload = (pack, profile) => !packMatches(pack, profile) || isLegacyPack(pack);
