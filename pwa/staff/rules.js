/** The journal's own rules, its times and its photo files, checked inside a bundle.
 *
 * Twin of server/evidence/rules.py, rule for rule and code for code (the Python side calls
 * server/log_format.py's own rule function; the first block below is that function, line for
 * line): the `rules` check after `chain`, and the photo-file part of the `photos` check.
 * tests/js/rules.test.mjs, tests/test_evidence_rules.py and the differential fuzzer compare
 * both verifiers on the same crafted bundles. See that module's docstring for what each code
 * means; docs/evidence-bundle.md lists them for staff.
 */

/** Seconds entry times may go backwards, or past the bundle or a receipt, before a flag. */
export const TIME_TOLERANCE_SECONDS = 300;
const TOLERANCE_US = BigInt(TIME_TOLERANCE_SECONDS) * 1000000n;

export const RULE_CODES = ["no_data", "record_mismatch", "no_reason", "replaces_unknown", "replaces_not_latest",
  "no_receipt", "no_key", "duplicate_id", "time_invalid", "time_backwards", "time_after_bundle", "time_after_receipt"];
const MAX_RUNS = 12;

const PHOTO_DIR = "data/photos/";
const PHOTO_EXT = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };
const DECLARED = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };
const MAX_JPEG_STEPS = 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

const err = (code, name = "", detail = "") => ({ code, file: name, detail });
// Members a line may leave out read as null, as msgspec's defaults do in Python.
const v = (x) => (x === undefined ? null : x);
// Python's str.strip() whitespace (str.isspace), not JS trim(): "\x1c" is blank in both then.
const BLANK = /^[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

// --- times ---------------------------------------------------------------------------------
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/;

function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Microseconds since 1970 (a BigInt) for "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", or null. */
export function instantUs(text) {
  const m = typeof text === "string" ? INSTANT.exec(text) : null;
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const daysIn = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn[mo - 1]) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  const fraction = BigInt((m[7] || "").padEnd(6, "0"));
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86400n + BigInt(h * 3600 + mi * 60 + s);
  return seconds * 1000000n + fraction;
}

/** Entry numbers as runs: "#3, #5–#7, … (+4)", as rules.entry_list writes them. */
export function entryList(indexes) {
  const runs = [];
  for (const i of [...new Set(indexes)].sort((a, b) => a - b)) {
    if (runs.length && i === runs[runs.length - 1][1] + 1) runs[runs.length - 1][1] = i;
    else runs.push([i, i]);
  }
  const shown = runs.slice(0, MAX_RUNS).map(([a, b]) => (a === b ? `#${a}` : `#${a}–#${b}`));
  const more = runs.length - MAX_RUNS;
  return shown.join(", ") + (more > 0 ? `, … (+${more})` : "");
}

// --- journal rules ---------------------------------------------------------------------------

/** server/log_format.py `_check_entry_rules`, line for line. */
function logRules(e, i, earlier, bad) {
  if (e.kind === "create" || e.kind === "edit") {
    if (v(e.data) === null) { bad("no_data", i); return; }
    if (v(e.record_type) !== e.data.type || v(e.record_id) !== e.data.id) bad("record_mismatch", i);
  }
  if (e.kind === "edit" || e.kind === "delete") {
    if (!e.reason || BLANK.test(e.reason)) bad("no_reason", i);
    const old = earlier.get(e.replaces || "");
    if (old === undefined || v(old.record_id) !== v(e.record_id)) bad("replaces_unknown", i);
  }
  if (e.kind === "receipt" && v(e.receipt) === null) bad("no_receipt", i);
  if ((e.kind === "key") !== (v(e.key) !== null)) bad("no_key", i);
}

/** Every journal rule and time problem: one error per code, naming its entries. */
export function journalProblems(journal, created) {
  const found = new Map(RULE_CODES.map((c) => [c, []]));
  const bad = (code, i) => { if (!found.has(code)) found.set(code, []); found.get(code).push(i); };
  entryRules(journal, bad);
  timeRules(journal, created, bad);
  return [...found].filter(([, seqs]) => seqs.length).map(([code, seqs]) => err(code, entryList(seqs)));
}

function entryRules(journal, bad) {
  const full = new Map();
  const withheld = new Set();
  const latest = new Map();
  const live = new Set();
  journal.forEach((e, i) => {
    if (e.withheld) { withheld.add(e.hash); return; }
    const replaces = e.replaces || "";
    // A withheld version cannot be looked into: the entry itself stands in for it.
    const lookup = withheld.has(replaces) ? new Map([[replaces, e]]) : full;
    logRules(e, i, lookup, bad);
    const key = JSON.stringify([v(e.record_type), v(e.record_id)]);
    if (e.kind === "create" && v(e.data) !== null) {
      if (live.has(key)) bad("duplicate_id", i);
      live.add(key);
      latest.set(key, e.hash);
    } else if (e.kind === "edit" || e.kind === "delete") {
      if (e.kind === "delete" && (v(e.record_type) === null || v(e.record_id) === null || v(e.data) !== null)) bad("record_mismatch", i);
      const old = full.get(replaces);
      if (old !== undefined && v(old.record_id) === v(e.record_id)) {
        if (v(old.record_type) !== v(e.record_type)) bad("replaces_unknown", i);
        else if (latest.get(key) !== old.hash) bad("replaces_not_latest", i);
      }
      latest.set(key, e.hash);
      if (e.kind === "delete") live.delete(key); else live.add(key);
    }
    full.set(e.hash, e);
  });
}

function timeRules(journal, created, bad) {
  const times = [];
  let previous = null;
  const made = instantUs(created);
  journal.forEach((e, i) => {
    if (e.withheld) { times.push(null); return; }
    const t = instantUs(e.time);
    times.push(t);
    if (t === null) { bad("time_invalid", i); return; }
    if (previous !== null && t < previous - TOLERANCE_US) bad("time_backwards", i);
    previous = t;
    if (made !== null && t > made + TOLERANCE_US) bad("time_after_bundle", i);
  });
  // Receipts by the entry they are for; then, from the last entry back, the earliest receipt
  // time covering each entry (a withheld entry cuts what later receipts vouch for).
  const position = new Map(journal.map((e, i) => [e.hash, i]));
  const byTarget = new Map();
  journal.forEach((e, k) => {
    if (e.withheld || e.kind !== "receipt" || v(e.receipt) === null) return;
    const target = position.get(e.receipt.hash);
    const when = instantUs(e.receipt.time);
    if (target === undefined || target >= k || when === null) return;
    if (!byTarget.has(target)) byTarget.set(target, []);
    byTarget.get(target).push(when);
  });
  let earliest = null;
  const late = [];
  for (let i = journal.length - 1; i >= 0; i--) {
    if (journal[i].withheld) { earliest = null; continue; }
    for (const when of byTarget.get(i) || []) earliest = earliest === null || when < earliest ? when : earliest;
    const t = times[i];
    if (t !== null && earliest !== null && t > earliest + TOLERANCE_US) late.push(i);
  }
  for (const i of late.reverse()) bad("time_after_receipt", i);
}

// --- photos ----------------------------------------------------------------------------------
const u16be = (b, at) => (b[at] << 8) | b[at + 1];
const u16le = (b, at) => b[at] | (b[at + 1] << 8);
const u32be = (b, at) => ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
const u32le = (b, at) => ((b[at + 3] << 24) >>> 0) + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);
const u24le = (b, at) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const ascii = (b, from, to) => String.fromCharCode(...b.subarray(from, to));

/** The image type the bytes start with (magic numbers only), or null. */
export function sniff(b) {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && PNG_SIGNATURE.every((x, i) => b[i] === x)) return "image/png";
  if (b.length >= 12 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP") return "image/webp";
  return null;
}

function jpegSize(b) {
  let pos = 2;
  let size = null;
  let sofs = 0;
  for (let step = 0; step < MAX_JPEG_STEPS; step++) {
    if (pos >= b.length || b[pos] !== 0xff) return null;
    while (pos < b.length && b[pos] === 0xff) pos++;
    if (pos >= b.length) return null;
    const marker = b[pos];
    pos++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd8 || marker === 0xd9 || marker === 0x00) return null;
    if (pos + 2 > b.length) return null;
    const length = u16be(b, pos);
    if (length < 2 || pos + length > b.length) return null;
    if (marker === 0xda) return sofs === 1 ? size : null;
    if (SOF.has(marker)) {
      if (length < 8) return null;
      size = [u16be(b, pos + 5), u16be(b, pos + 3)];
      sofs++;
    }
    pos += length;
  }
  return null;
}

function pngSize(b) {
  if (b.length < 24 || !(u32be(b, 8) === 13 && ascii(b, 12, 16) === "IHDR")) return null;
  return [u32be(b, 16), u32be(b, 20)];
}

function webpSize(b) {
  if (b.length < 30 || u32le(b, 4) + 8 !== b.length) return null;
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8 ") {
    if (b[20] & 1 || b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  }
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) return null;
    const bits = u32le(b, 21);
    return [(bits & 0x3fff) + 1, Math.floor(bits / 16384) % 16384 + 1];
  }
  if (chunk === "VP8X") return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  return null;
}

/** [width, height] from the header of an image of type `mime`, never decoding it; or null. */
export function imageSize(mime, b) {
  const size = mime === "image/jpeg" ? jpegSize(b) : mime === "image/png" ? pngSize(b) : webpSize(b);
  if (size === null || size[0] < 1 || size[1] < 1) return null;
  return size;
}

/** Every file in data/photos/: recorded by a photo entry, of its declared type, not huge. */
export function photoProblems(files, journal, limits) {
  const recorded = new Set();
  for (const e of journal) {
    const d = e.data;
    if (e.withheld || (e.kind !== "create" && e.kind !== "edit") || !d || d.type !== "photo") continue;
    recorded.add(`${PHOTO_DIR}${d.sha256}.${PHOTO_EXT[d.mime]}`);
  }
  const errors = [];
  const names = [...files.keys()].filter((n) => n.startsWith(PHOTO_DIR)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const data = files.get(name);
    if (!recorded.has(name)) errors.push(err("photo_unrecorded", name));
    const last = name.split("/").pop();
    const ext = last.includes(".") ? last.split(".").pop() : "";
    const declared = Object.hasOwn(DECLARED, ext) ? DECLARED[ext] : null;
    const actual = sniff(data);
    if (declared === null || actual !== declared) {
      errors.push(err("photo_type_mismatch", name, `${actual || "unknown"} bytes, named as ${declared || ext || "no type"}`));
      continue;
    }
    const size = imageSize(declared, data);
    if (size === null) { errors.push(err("photo_type_mismatch", name, "no readable image header")); continue; }
    const [width, height] = size;
    if (Math.max(width, height) > limits.maxPhotoSide || width * height > limits.maxPhotoPixels) {
      errors.push(err("photo_too_large", name,
        `${width} × ${height} px > ${limits.maxPhotoSide} px a side or ${Math.floor(limits.maxPhotoPixels / 1000000)} Mpx`));
    }
  }
  return errors;
}
