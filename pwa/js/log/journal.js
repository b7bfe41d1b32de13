/** The append-only journal: canonical JSON, SHA-256 hash chain, replay and verification.
 *
 * Twin of server/log_format.py; the recipe is in docs/log-format.md:
 *   hash = sha256_hex(prev_hash + "\n" + canonical_json(entry without "hash"))
 * canonical JSON = keys sorted, no whitespace, UTF-8, only whole numbers. Pure functions, no
 * storage: store.js persists what these return.
 */

// One canonical form per language: pwa/js/canonical.js (vectors in tests/canonical_vectors.json).
import { canonicalJson } from "../canonical.js";
export { canonicalJson };

export const GENESIS_HASH = "0".repeat(64);
export const RECORD_TYPES = ["employer", "job", "shift", "pay_stub", "expense", "incident", "photo"];
export const RECORD_LISTS = { employer: "employers", job: "jobs", shift: "shifts", pay_stub: "pay_stubs",
  expense: "expenses", incident: "incidents" };

export async function sha256Hex(bytes) {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The hash of an entry (its own "hash" member is ignored). */
export async function entryHash(entry) {
  const body = { ...entry };
  delete body.hash;
  return sha256Hex(`${body.prev_hash}\n${canonicalJson(body)}`);
}

/** A new entry after `last` (or first). Every member is present, null where it does not apply,
 * except `key`, which only a "key" entry has ({algorithm, fingerprint} of the phone's
 * bundle-signing key, as server/log_format.py PhoneKey). */
export async function makeEntry(last, { kind, data = null, recordType = null, recordId = null, replaces = null, reason = null, receipt = null, key = null, time = null }) {
  const entry = {
    seq: last ? last.seq + 1 : 0,
    time: time || new Date().toISOString(),
    kind,
    record_type: data ? data.type : recordType,
    record_id: data ? data.id : recordId,
    data,
    replaces,
    reason,
    receipt,
    prev_hash: last ? last.hash : GENESIS_HASH,
  };
  if (key) entry.key = { algorithm: key.algorithm, fingerprint: key.fingerprint };
  entry.hash = await entryHash(entry);
  return entry;
}

/** Current records: {type: Map(id -> record)}, plus the hash of each record's latest entry. */
export function replay(journal) {
  const state = Object.fromEntries(RECORD_TYPES.map((t) => [t, new Map()]));
  const latest = new Map();
  for (const e of journal) {
    if ((e.kind === "create" || e.kind === "edit") && e.data) {
      state[e.data.type].set(e.data.id, e.data);
      latest.set(`${e.data.type}:${e.data.id}`, e.hash);
    } else if (e.kind === "delete" && e.record_type) {
      state[e.record_type].delete(e.record_id);
      latest.set(`${e.record_type}:${e.record_id}`, e.hash);
    }
  }
  return { state, latest };
}

/** Check the chain; returns {ok, head, problems: [{code, seq}]} with the Python verifier's codes. */
export async function verifyChain(journal) {
  const problems = [];
  let prev = GENESIS_HASH;
  const earlier = new Map();
  for (let i = 0; i < journal.length; i += 1) {
    const e = journal[i];
    if (e.seq !== i) problems.push({ code: "seq", seq: i });
    if (e.prev_hash !== prev) problems.push({ code: "broken_link", seq: i });
    let computed = "";
    try { computed = await entryHash(e); } catch (_) { problems.push({ code: "not_canonical", seq: i }); }
    if (computed !== e.hash) problems.push({ code: "hash_mismatch", seq: i });
    if ((e.kind === "edit" || e.kind === "delete")) {
      if (!e.reason || !String(e.reason).trim()) problems.push({ code: "no_reason", seq: i });
      const old = earlier.get(e.replaces || "");
      if (!old || old.record_id !== e.record_id) problems.push({ code: "replaces_unknown", seq: i });
    }
    earlier.set(e.hash, e);
    prev = e.hash;
  }
  return { ok: problems.length === 0, head: prev, problems };
}
