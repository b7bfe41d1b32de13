/** Building the evidence bundle on the phone, offline: pick, hash, sign, zip.
 *
 * Owns the phone side of docs/evidence-bundle.md: which journal entries are included or
 * withheld for the worker's choice (employers, dates, photos, notes, name), the BagIt files,
 * the signature over manifest-sha256.txt with the phone's key, LEEME-README.txt, the printable
 * bilingual summary.html and summary.json. No location, device id or user agent is written.
 * Bundle version 2: the signature is over tagmanifest-sha256.txt (which lists every top-level
 * file), written as tagmanifest-sha256.txt.sig, and the journal must bind the signing key
 * (its last "key" entry names it; the screen calls keys.ensureKeyBound first).
 */

import { zipStore } from "./zip.js";
import { signingKey, sign, base64, publicPem, keyBinding } from "./keys.js";
import { README_TEXT } from "./readme.js";
import { summaryHtml } from "./summary.js";

const enc = new TextEncoder();
const PHOTO_EXT = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function recordDate(data) {
  return data.date || data.pay_date || data.period_end || null;
}

/** Decide, entry by entry, what goes in: {included: Set(seq), photoIds: Set, records}. */
export function select(journal, selection) {
  const employers = new Set(selection.employerIds || []);
  const jobs = new Map();
  const latest = new Map(); // "type:id" -> last data seen (for deletes)
  const keep = new Set();
  const photoIds = new Set();
  for (const entry of journal) {
    if (entry.data && entry.data.type === "job") jobs.set(entry.data.id, entry.data);
  }
  const inDates = (d) => !d || ((!selection.start || d >= selection.start) && (!selection.end || d <= selection.end));
  const ofEmployer = (data) => {
    if (data.type === "employer") return employers.has(data.id);
    if (data.type === "job") return employers.has(data.employer_id);
    if (!data.job_id) return true; // an expense or incident not tied to a job
    const job = jobs.get(data.job_id);
    return !!job && employers.has(job.employer_id);
  };
  for (const entry of journal) {
    // Receipts and key entries are never withheld: they hold no record, and the verifier
    // needs them (receipts anchor the chain, the last key entry names the signing key).
    if (entry.kind === "receipt" || entry.kind === "key") { keep.add(entry.seq); continue; }
    const key = `${entry.record_type}:${entry.record_id}`;
    const data = entry.data || latest.get(key);
    if (entry.data) latest.set(key, entry.data);
    if (!data || data.type === "photo") continue; // photos follow the records that use them
    const noted = selection.leaveOut && selection.leaveOut.notes && (data.notes || "").trim();
    if (ofEmployer(data) && inDates(recordDate(data)) && !noted) {
      keep.add(entry.seq);
      for (const id of data.photo_ids || []) photoIds.add(id);
    }
  }
  for (const entry of journal) {
    const data = entry.data || latest.get(`${entry.record_type}:${entry.record_id}`);
    if (data && data.type === "photo" && photoIds.has(data.id)) keep.add(entry.seq);
  }
  return { keep, photoIds };
}

/** Current records after replaying the included entries: {type: Map(id -> record)}. */
export function replay(entries) {
  const state = {};
  for (const entry of entries) {
    if (entry.withheld) continue;
    const type = entry.record_type;
    if (!type) continue;
    state[type] = state[type] || new Map();
    if (entry.kind === "delete") state[type].delete(entry.record_id);
    else if (entry.data) state[type].set(entry.data.id, entry.data);
  }
  return state;
}

/**
 * Build the ZIP. `log` = {journal: [entries as stored], photoBytes: async (photoRecord) =>
 * Uint8Array|null}. Returns {blob, filename, summary, included, withheld}.
 */
export async function buildBundle({ log, selection, wageCheck = null, guides = {}, workerName = null,
                                    appVersion = "0.1.0", now = new Date(), key = null }) {
  const signer = key || (await signingKey());
  const binding = await keyBinding(signer);
  let bound = null;
  for (const e of log.journal) if (e.kind === "key" && e.key) bound = e.key;
  if (!bound || bound.fingerprint !== binding.fingerprint || bound.algorithm !== binding.algorithm) {
    // Every verifier would refuse it (key_not_in_chain): bind the key first (keys.ensureKeyBound).
    throw new Error("key_not_bound");
  }
  const { keep, photoIds } = select(log.journal, selection);
  const lines = log.journal.map((e) =>
    keep.has(e.seq) ? e : { seq: e.seq, withheld: true, prev_hash: e.prev_hash, hash: e.hash, time: e.time });
  const state = replay(lines);
  const payload = new Map();
  payload.set("data/journal.jsonl", enc.encode(lines.map((l) => JSON.stringify(l)).join("\n") + "\n"));

  const leaveOut = selection.leaveOut || {};
  const photos = [];
  const photoRecords = [...(state.photo || new Map()).values()].filter((p) => photoIds.has(p.id));
  if (!leaveOut.photos) {
    for (const record of photoRecords) {
      const bytes = await log.photoBytes(record);
      if (!bytes) continue;
      const path = `data/photos/${record.sha256}.${PHOTO_EXT[record.mime] || "jpg"}`;
      payload.set(path, bytes);
      const owner = lines.find((l) => !l.withheld && l.data && (l.data.photo_ids || []).includes(record.id));
      photos.push({ path, sha256: record.sha256, entry: owner ? owner.hash : null, kind: owner ? owner.data.type : null });
    }
  }
  const employers = [...(state.employer || new Map()).values()].map((e) => {
    const job = [...(state.job || new Map()).values()].find((j) => j.employer_id === e.id) || {};
    const out = { id: e.id, name: e.name, state: job.state || null, industry: job.industry || null,
                  status: job.status || null, address: e.address || null, work_site: e.work_site || null };
    return out;
  });
  const count = (t) => (state[t] ? state[t].size : 0);
  const head = log.journal[log.journal.length - 1].hash;
  const leftOut = [];
  if (leaveOut.photos) leftOut.push("photos");
  if (leaveOut.notes) leftOut.push("notes");
  if (leaveOut.name || !workerName) leftOut.push("name");
  if (lines.some((l) => l.withheld)) {
    const allEmployers = new Set(log.journal.filter((e) => e.data && e.data.type === "employer").map((e) => e.data.id));
    if ([...allEmployers].some((id) => !(selection.employerIds || []).includes(id))) leftOut.push("other_employers");
    if (selection.start || selection.end) leftOut.push("other_dates");
  }
  const created = now.toISOString().slice(0, 19) + "Z";
  const summary = {
    format: "cartilla-evidence", version: 1, created, app_version: appVersion,
    worker_name: leaveOut.name ? null : workerName || null,
    employers,
    period: period(selection, state),
    chain: { head, length: lines.length, included: lines.filter((l) => !l.withheld).length,
             withheld: lines.filter((l) => l.withheld).length },
    counts: { shifts: count("shift"), pay: count("pay_stub"), expenses: count("expense"),
              incidents: count("incident"), photos: photos.length },
    left_out: leftOut,
    photos,
    wage_check: wageCheck,
  };
  payload.set("data/summary.json", enc.encode(JSON.stringify(summary)));
  payload.set("data/summary.html", enc.encode(summaryHtml(summary, state, leaveOut)));
  payload.set("data/guides.json", enc.encode(JSON.stringify({ guides: [], ...guides })));

  const root = `cartilla-evidence-${created.slice(0, 10)}`;
  const files = await seal(payload, head, lines.length, appVersion, created, signer);
  const order = [...files.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const blob = zipStore(order.map((name) => ({ name: `${root}/${name}`, bytes: files.get(name) })));
  return { blob, filename: `${root}.zip`, summary, files, root };
}

/** The chosen dates, or else the first and last dates of the included records. */
function period(selection, state) {
  const dates = Object.values(state).flatMap((records) => [...records.values()])
    .map((r) => r.date || r.pay_date || r.period_end).filter(Boolean).sort();
  return { start: selection.start || dates[0] || null, end: selection.end || dates[dates.length - 1] || null };
}

function rank(name) {
  return name === "data/summary.html" ? 0 : name === "LEEME-README.txt" ? 1 : 2;
}

async function manifest(entries) {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let text = "";
  for (const [path, bytes] of sorted) text += `${await sha256Hex(bytes)}  ${path}\n`;
  return enc.encode(text);
}

async function seal(payload, head, length, appVersion, created, key) {
  const files = new Map(payload);
  const manifestBytes = await manifest(payload.entries());
  const { pem, der } = await publicPem(key);
  const fingerprint = await sha256Hex(der);
  let octets = 0;
  for (const bytes of payload.values()) octets += bytes.length;
  const info = [
    ["Bagging-Date", created.slice(0, 10)],
    ["Bag-Software-Agent", `Cartilla ${appVersion}`],
    ["Cartilla-Bundle-Version", "2"],
    ["Cartilla-Chain-Head", head],
    ["Cartilla-Chain-Length", String(length)],
    ["Payload-Oxum", `${octets}.${payload.size}`],
    ["Cartilla-Signature-Algorithm", key.algorithm],
    ["Cartilla-Key-Fingerprint", fingerprint],
  ];
  files.set("bagit.txt", enc.encode("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"));
  files.set("bag-info.txt", enc.encode(info.map(([k, v]) => `${k}: ${v}\n`).join("")));
  files.set("manifest-sha256.txt", manifestBytes);
  files.set("public-key.pem", enc.encode(pem));
  files.set("LEEME-README.txt", enc.encode(README_TEXT));
  // Every top-level file is in the tag manifest and the signature is over it, so it covers
  // everything staff read (bag-info, the README, summary.html through the payload manifest).
  const tags = [...files.entries()].filter(([name]) => !name.includes("/"));
  const tagBytes = await manifest(tags);
  files.set("tagmanifest-sha256.txt", tagBytes);
  files.set("tagmanifest-sha256.txt.sig", enc.encode(base64(await sign(key, tagBytes)) + "\n"));
  return files;
}
