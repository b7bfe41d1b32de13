/** Reading a bundle ZIP in the browser strictly: one reading of the bytes, or a named refusal.
 *
 * The same algorithm, step for step and code for code, as server/evidence/zipread.py (tests
 * run both on crafted archives), so a file never verifies as two different bundles: local
 * entries back to back from byte 0, then the central directory, then the end record at the
 * very end; no comments, extra fields, ZIP64, data descriptors or encryption; each local
 * header equal to its central entry; UTF-8 (or ASCII) NFC names of Latin letters, digits and
 * a few marks, none equal to another after NFC and full case folding; limits checked before
 * and while inflating.
 */

import { crc32 } from "../js/bundle/zip.js";

export const LIMITS = {
  maxBundleBytes: 64 * 1024 * 1024, maxFiles: 4000, maxFileBytes: 16 * 1024 * 1024,
  maxTotalBytes: 160 * 1024 * 1024, maxRatio: 100, ratioFloorBytes: 1024 * 1024,
  // Photo headers (read before any decoding), as zipread.Limits max_photo_side/pixels.
  maxPhotoSide: 12000, maxPhotoPixels: 40000000,
};

export class BundleError extends Error {
  constructor(code, name = "", detail = "") { super(code); this.code = code; this.name_ = name; this.detail = detail; }
}

const MB = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${n} bytes`);
const UNSAFE_CHARS = /[\x00-\x1f\x7f-\x9f\\:*?"<>|]/;
const FLAGS_OK = 0x0002 | 0x0004 | 0x0800;
const FLAG_UTF8 = 0x0800;
const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64Locator: 0x07064b50 };

// Full Unicode case folding (Python's str.casefold) for every character a name may hold,
// generated from Python so both sides fold the same; tests/test_evidence_zip.py checks it.
// [[[fold
const FOLD = {"A":"a","B":"b","C":"c","D":"d","E":"e","F":"f","G":"g","H":"h","I":"i","J":"j","K":"k","L":"l","M":"m","N":"n","O":"o","P":"p","Q":"q","R":"r","S":"s","T":"t","U":"u","V":"v","W":"w","X":"x","Y":"y","Z":"z","\u00c0":"\u00e0","\u00c1":"\u00e1","\u00c2":"\u00e2","\u00c3":"\u00e3","\u00c4":"\u00e4","\u00c5":"\u00e5","\u00c6":"\u00e6","\u00c7":"\u00e7","\u00c8":"\u00e8","\u00c9":"\u00e9","\u00ca":"\u00ea","\u00cb":"\u00eb","\u00cc":"\u00ec","\u00cd":"\u00ed","\u00ce":"\u00ee","\u00cf":"\u00ef","\u00d0":"\u00f0","\u00d1":"\u00f1","\u00d2":"\u00f2","\u00d3":"\u00f3","\u00d4":"\u00f4","\u00d5":"\u00f5","\u00d6":"\u00f6","\u00d8":"\u00f8","\u00d9":"\u00f9","\u00da":"\u00fa","\u00db":"\u00fb","\u00dc":"\u00fc","\u00dd":"\u00fd","\u00de":"\u00fe","\u00df":"ss","\u0100":"\u0101","\u0102":"\u0103","\u0104":"\u0105","\u0106":"\u0107","\u0108":"\u0109","\u010a":"\u010b","\u010c":"\u010d","\u010e":"\u010f","\u0110":"\u0111","\u0112":"\u0113","\u0114":"\u0115","\u0116":"\u0117","\u0118":"\u0119","\u011a":"\u011b","\u011c":"\u011d","\u011e":"\u011f","\u0120":"\u0121","\u0122":"\u0123","\u0124":"\u0125","\u0126":"\u0127","\u0128":"\u0129","\u012a":"\u012b","\u012c":"\u012d","\u012e":"\u012f","\u0130":"i\u0307","\u0132":"\u0133","\u0134":"\u0135","\u0136":"\u0137","\u0139":"\u013a","\u013b":"\u013c","\u013d":"\u013e","\u013f":"\u0140","\u0141":"\u0142","\u0143":"\u0144","\u0145":"\u0146","\u0147":"\u0148","\u0149":"\u02bcn","\u014a":"\u014b","\u014c":"\u014d","\u014e":"\u014f","\u0150":"\u0151","\u0152":"\u0153","\u0154":"\u0155","\u0156":"\u0157","\u0158":"\u0159","\u015a":"\u015b","\u015c":"\u015d","\u015e":"\u015f","\u0160":"\u0161","\u0162":"\u0163","\u0164":"\u0165","\u0166":"\u0167","\u0168":"\u0169","\u016a":"\u016b","\u016c":"\u016d","\u016e":"\u016f","\u0170":"\u0171","\u0172":"\u0173","\u0174":"\u0175","\u0176":"\u0177","\u0178":"\u00ff","\u0179":"\u017a","\u017b":"\u017c","\u017d":"\u017e","\u017f":"s","\u0181":"\u0253","\u0182":"\u0183","\u0184":"\u0185","\u0186":"\u0254","\u0187":"\u0188","\u0189":"\u0256","\u018a":"\u0257","\u018b":"\u018c","\u018e":"\u01dd","\u018f":"\u0259","\u0190":"\u025b","\u0191":"\u0192","\u0193":"\u0260","\u0194":"\u0263","\u0196":"\u0269","\u0197":"\u0268","\u0198":"\u0199","\u019c":"\u026f","\u019d":"\u0272","\u019f":"\u0275","\u01a0":"\u01a1","\u01a2":"\u01a3","\u01a4":"\u01a5","\u01a6":"\u0280","\u01a7":"\u01a8","\u01a9":"\u0283","\u01ac":"\u01ad","\u01ae":"\u0288","\u01af":"\u01b0","\u01b1":"\u028a","\u01b2":"\u028b","\u01b3":"\u01b4","\u01b5":"\u01b6","\u01b7":"\u0292","\u01b8":"\u01b9","\u01bc":"\u01bd","\u01c4":"\u01c6","\u01c5":"\u01c6","\u01c7":"\u01c9","\u01c8":"\u01c9","\u01ca":"\u01cc","\u01cb":"\u01cc","\u01cd":"\u01ce","\u01cf":"\u01d0","\u01d1":"\u01d2","\u01d3":"\u01d4","\u01d5":"\u01d6","\u01d7":"\u01d8","\u01d9":"\u01da","\u01db":"\u01dc","\u01de":"\u01df","\u01e0":"\u01e1","\u01e2":"\u01e3","\u01e4":"\u01e5","\u01e6":"\u01e7","\u01e8":"\u01e9","\u01ea":"\u01eb","\u01ec":"\u01ed","\u01ee":"\u01ef","\u01f0":"j\u030c","\u01f1":"\u01f3","\u01f2":"\u01f3","\u01f4":"\u01f5","\u01f6":"\u0195","\u01f7":"\u01bf","\u01f8":"\u01f9","\u01fa":"\u01fb","\u01fc":"\u01fd","\u01fe":"\u01ff","\u0200":"\u0201","\u0202":"\u0203","\u0204":"\u0205","\u0206":"\u0207","\u0208":"\u0209","\u020a":"\u020b","\u020c":"\u020d","\u020e":"\u020f","\u0210":"\u0211","\u0212":"\u0213","\u0214":"\u0215","\u0216":"\u0217","\u0218":"\u0219","\u021a":"\u021b","\u021c":"\u021d","\u021e":"\u021f","\u0220":"\u019e","\u0222":"\u0223","\u0224":"\u0225","\u0226":"\u0227","\u0228":"\u0229","\u022a":"\u022b","\u022c":"\u022d","\u022e":"\u022f","\u0230":"\u0231","\u0232":"\u0233","\u023a":"\u2c65","\u023b":"\u023c","\u023d":"\u019a","\u023e":"\u2c66","\u0241":"\u0242","\u0243":"\u0180","\u0244":"\u0289","\u0245":"\u028c","\u0246":"\u0247","\u0248":"\u0249","\u024a":"\u024b","\u024c":"\u024d","\u024e":"\u024f","\u0345":"\u03b9"};
// ]]]

/** Same as zipread.name_char_allowed: printable ASCII, Latin letters with accents, accents. */
export function nameCharAllowed(cp) {
  if (cp >= 0x20 && cp < 0x7f) return true;
  if (cp >= 0xc0 && cp <= 0x24f) return cp !== 0xd7 && cp !== 0xf7;
  return cp >= 0x300 && cp <= 0x36f && cp !== 0x34f;
}

/** Same as zipread.fold_name: NFC, then full case folding. */
export function foldName(name) {
  let out = "";
  for (const ch of name.replace(/\/+$/, "").normalize("NFC")) out += FOLD[ch] ?? ch;
  return out;
}

/** A string "'name'" the way Python's repr() shows it in messages (close enough for people). */
const show = (name) => JSON.stringify(name);

export function checkName(name) {
  if (!name || name.startsWith("/") || UNSAFE_CHARS.test(name)) throw new BundleError("unsafe_name", show(name));
  const parts = name.replace(/\/+$/, "").split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) throw new BundleError("unsafe_name", show(name));
  if (name.normalize("NFC") !== name) throw new BundleError("unsafe_name", show(name));
  for (const ch of name) if (!nameCharAllowed(ch.codePointAt(0))) throw new BundleError("confusing_name", show(name));
  if (parts.some((p) => p.endsWith(".") || p.endsWith(" ") || p.startsWith(" "))) throw new BundleError("confusing_name", show(name));
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeName(raw, flags) {
  if (flags & FLAG_UTF8) {
    try { return utf8.decode(raw); } catch (_) { throw new BundleError("name_not_utf8", show(Array.from(raw, (b) => String.fromCharCode(b)).join(""))); }
  }
  if (raw.some((b) => b >= 0x80)) throw new BundleError("name_not_utf8", show(Array.from(raw, (b) => String.fromCharCode(b)).join("")));
  return String.fromCharCode(...raw);
}

function findEnd(view) {
  const len = view.byteLength;
  const start = Math.max(0, len - (65535 + 22));
  let pos = -1;
  for (let p = len - 4; p >= start; p--) if (view.getUint32(p, true) === SIG.end) { pos = p; break; }
  if (pos < 0 || pos + 22 > len) throw new BundleError("truncated");
  const commentLen = view.getUint16(pos + 20, true);
  if (pos + 22 + commentLen > len) throw new BundleError("truncated");
  if (commentLen || pos + 22 !== len) throw new BundleError("trailing_bytes", "", `${len - pos - 22}`);
  return pos;
}

function readCentral(bytes, view, total, start, end) {
  const entries = [];
  let pos = start;
  for (let i = 0; i < total; i++) {
    if (pos + 46 > end || view.getUint32(pos, true) !== SIG.central) throw new BundleError("truncated");
    const nameLen = view.getUint16(pos + 28, true);
    const extraLen = view.getUint16(pos + 30, true);
    const commentLen = view.getUint16(pos + 32, true);
    const nameEnd = pos + 46 + nameLen;
    const entryEnd = nameEnd + extraLen + commentLen;
    if (entryEnd > end) throw new BundleError("truncated");
    entries.push({
      flags: view.getUint16(pos + 8, true), method: view.getUint16(pos + 10, true),
      crc: view.getUint32(pos + 16, true), csize: view.getUint32(pos + 20, true), size: view.getUint32(pos + 24, true),
      nameBytes: bytes.subarray(pos + 46, nameEnd), extra: bytes.subarray(nameEnd, nameEnd + extraLen),
      commentLen, disk: view.getUint16(pos + 34, true),
      attr: view.getUint32(pos + 38, true), offset: view.getUint32(pos + 42, true), name: "",
    });
    pos = entryEnd;
  }
  if (pos !== end) throw new BundleError("hidden_bytes", "", `${end - pos}`);
  return entries;
}

function extraIds(extra) {
  const ids = [];
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  let pos = 0;
  while (pos + 4 <= extra.length) { ids.push(view.getUint16(pos, true)); pos += 4 + view.getUint16(pos + 2, true); }
  if (pos !== extra.length) ids.push(-1);
  return ids;
}

function checkEntries(entries, limits) {
  const seen = new Set();
  const roots = new Set();
  let declaredTotal = 0;
  for (const e of entries) {
    e.name = decodeName(e.nameBytes, e.flags);
    const name = e.name;
    checkName(name);
    const key = foldName(name);
    if (seen.has(key)) throw new BundleError("duplicate_name", name);
    seen.add(key);
    roots.add(name.split("/")[0]);
    const mode = e.attr >>> 16;
    if ((mode & 0o170000) === 0o120000) throw new BundleError("unsupported_entry", name, "symbolic link");
    if (e.flags & 1) throw new BundleError("unsupported_entry", name, "encrypted");
    if (e.flags & ~FLAGS_OK) throw new BundleError("unsupported_entry", name, `flags 0x${e.flags.toString(16).padStart(4, "0")}`);
    if (e.method !== 0 && e.method !== 8) throw new BundleError("unsupported_entry", name, `compression ${e.method}`);
    if (e.commentLen) throw new BundleError("unsupported_entry", name, "file comment");
    const ids = extraIds(e.extra);
    if (ids.includes(1) || e.size === 0xffffffff || e.csize === 0xffffffff) throw new BundleError("zip64", name);
    if (ids.length) throw new BundleError("unsupported_entry", name, "extra field");
    if (e.disk || e.offset === 0xffffffff) throw new BundleError("unsupported_entry", name, "split archive");
    if (e.method === 0 && e.csize !== e.size) throw new BundleError("damaged", name);
    if (name.endsWith("/")) {
      if (e.size || e.csize > 2) throw new BundleError("damaged", name);
      continue;
    }
    if (!name.includes("/")) throw new BundleError("no_single_folder");
    if (e.size > limits.maxFileBytes) throw new BundleError("file_too_big", name, `${MB(e.size)} > ${MB(limits.maxFileBytes)}`);
    if (e.size > limits.ratioFloorBytes && e.size > limits.maxRatio * Math.max(e.csize, 1)) {
      throw new BundleError("zip_bomb", name, `${Math.floor(e.size / Math.max(e.csize, 1))}:1 > ${limits.maxRatio}:1`);
    }
    declaredTotal += e.size;
    if (declaredTotal > limits.maxTotalBytes) throw new BundleError("total_too_big", "", `> ${MB(limits.maxTotalBytes)}`);
  }
  if (roots.size !== 1) throw new BundleError("no_single_folder");
  return [...roots][0];
}

function sameBytes(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }

function checkLayout(bytes, view, entries, cdOffset) {
  let expected = 0;
  for (const e of entries) {
    if (e.offset !== expected) {
      if (expected === 0) throw new BundleError("leading_bytes", "", String(e.offset));
      if (e.offset > expected) throw new BundleError("hidden_bytes", e.name);
      throw new BundleError("overlapping_entries", e.name);
    }
    const at = e.offset;
    if (at + 30 > cdOffset || view.getUint32(at, true) !== SIG.local) throw new BundleError("truncated");
    const nameLen = view.getUint16(at + 26, true);
    const extraLen = view.getUint16(at + 28, true);
    const csize = view.getUint32(at + 18, true);
    if (view.getUint16(at + 6, true) !== e.flags || view.getUint16(at + 8, true) !== e.method
      || view.getUint32(at + 14, true) !== e.crc || csize !== e.csize || view.getUint32(at + 22, true) !== e.size
      || !sameBytes(bytes.subarray(at + 30, at + 30 + nameLen), e.nameBytes) || extraLen) {
      throw new BundleError("local_header_mismatch", e.name);
    }
    expected = at + 30 + nameLen + csize;
    if (expected > cdOffset) throw new BundleError("truncated");
  }
  if (expected !== cdOffset) {
    if (!entries.length) throw new BundleError("leading_bytes", "", String(cdOffset));
    throw new BundleError("hidden_bytes", "", `${cdOffset - expected}`);
  }
}

async function inflate(raw, e) {
  // One chunk at a time, stopping as soon as the output passes the declared size.
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > e.size) { reader.cancel().catch(() => {}); throw new BundleError("damaged", e.name); }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError("damaged", e.name);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** bytes (Uint8Array) -> {root, files: Map(relative name -> Uint8Array)} or throws BundleError. */
export async function readBundle(bytes, limits = LIMITS) {
  if (!bytes.length) throw new BundleError("empty");
  if (bytes.length > limits.maxBundleBytes) throw new BundleError("too_big", "", `> ${MB(limits.maxBundleBytes)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.length >= 4 ? view.getUint32(0, true) : 0;
  if (magic !== SIG.local && magic !== SIG.end) {
    try { findEnd(view); } catch (_) { throw new BundleError("not_zip"); }
    throw new BundleError("leading_bytes");
  }
  const eocd = findEnd(view);
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const onDisk = view.getUint16(eocd + 8, true);
  const total = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (total > limits.maxFiles) throw new BundleError("too_many_files", "", `${total} > ${limits.maxFiles}`);
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === SIG.end64Locator) throw new BundleError("zip64");
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new BundleError("zip64");
  if (disk || cdDisk || onDisk !== total) throw new BundleError("unsupported_entry", "", "split archive");
  if (cdOffset + cdSize > eocd) throw new BundleError("truncated");
  if (cdOffset + cdSize < eocd) throw new BundleError("hidden_bytes", "", `${eocd - cdOffset - cdSize}`);
  const entries = readCentral(bytes, view, total, cdOffset, eocd);
  const root = checkEntries(entries, limits);
  checkLayout(bytes, view, entries, cdOffset);
  const files = new Map();
  let used = 0;
  for (const e of entries) {
    if (e.name.endsWith("/")) continue;
    const start = e.offset + 30 + e.nameBytes.length;
    const raw = bytes.subarray(start, start + e.csize);
    const data = e.method === 0 ? raw : await inflate(raw, e);
    const budget = limits.maxTotalBytes - used;
    if (data.length > budget) throw new BundleError("total_too_big", "", `> ${MB(budget)}`);
    if (data.length !== e.size || crc32(data) !== e.crc) throw new BundleError("damaged", e.name);
    used += data.length;
    files.set(e.name.slice(root.length + 1), data);
  }
  return { root, files };
}
