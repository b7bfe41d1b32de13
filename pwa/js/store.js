/** The page's view of the app database (see db.js): profile, settings and the offline pack. */
import "./db.js";

const DB = globalThis.CartillaDB;

/** The chosen profile {lang, state, industry, status}, or undefined before the first choice. */
export const getProfile = () => DB.get("settings", "profile");
export const setProfile = (profile) => DB.put("settings", "profile", profile);

/** The offline pack: the server's Pack plus `request` (the profile it was fetched for). */
export const getPack = () => DB.get("packs", "current");
export const setPack = (pack) => DB.put("packs", "current", pack);

export const getSetting = (key) => DB.get("settings", key);
export const setSetting = (key, value) => DB.put("settings", key, value);

/** Query string the API expects for a profile. */
export function profileQuery(profile) {
  const { state, industry, status, lang } = profile;
  return new URLSearchParams({ state, industry, status, lang }).toString();
}

/** True when a stored pack was fetched for this profile. */
export function packMatches(pack, profile) {
  if (!pack || !pack.request || !profile) return false;
  return ["state", "industry", "status", "lang"].every((k) => pack.request[k] === profile[k]);
}
