/** Reading a bundle ZIP in the browser, safely: the same limits and errors as the server.
 *
 * Mirrors server/evidence/zipread.py: entry count from the end record before anything else,
 * names (no traversal, no duplicates even ignoring case, one top folder), links, encryption,
 * methods, declared sizes, expansion ratio, and bytes counted while inflating.
 */

export const LIMITS = {
  maxBundleBytes: 64 * 1024 * 1024, maxFiles: 4000, maxFileBytes: 16 * 1024 * 1024,
  maxTotalBytes: 160 * 1024 * 1024, maxRatio: 100, ratioFloorBytes: 1024 * 1024,
};

export class BundleError extends Error {
  constructor(code, name = "", detail = "") { super(code); this.code = code; this.name_ = name; this.detail = detail; }
}

const MB = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${n} bytes`);
const BAD_CHARS = /[\x00-\x1f\x7f\\:*?"<>|]/;

export function checkName(name) {
  if (!name || name.startsWith("/") || BAD_CHARS.test(name)) throw new BundleError("unsafe_name", JSON.stringify(name));
  const parts = name.replace(/\/+$/, "").split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) throw new BundleError("unsafe_name", JSON.stringify(name));
  if (name.normalize("NFC") !== name) throw new BundleError("unsafe_name", JSON.stringify(name));
}

function declaredCount(view) {
  const start = Math.max(0, view.byteLength - (65535 + 22));
  for (let pos = view.byteLength - 22; pos >= start; pos--) {
    if (view.getUint32(pos, true) === 0x06054b50) {
      const total = view.getUint16(pos + 10, true);
      const cdSize = view.getUint32(pos + 12, true);
      const cdOffset = view.getUint32(pos + 16, true);
      return { total, cdSize, cdOffset, eocd: pos };
    }
  }
  throw new BundleError("truncated");
}

async function inflate(bytes, declared, budget, name) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > declared) { await reader.cancel(); throw new BundleError("damaged", name); }
      if (size > budget) { await reader.cancel(); throw new BundleError("total_too_big", "", `> ${MB(budget)}`); }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError("damaged", name);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

import { crc32 } from "../js/bundle/zip.js";

/** bytes (Uint8Array) -> {root, files: Map(relative name -> Uint8Array)} or throws BundleError. */
export async function readBundle(bytes, limits = LIMITS) {
  if (!bytes.length) throw new BundleError("empty");
  if (bytes.length > limits.maxBundleBytes) throw new BundleError("too_big", "", `${MB(bytes.length)} > ${MB(limits.maxBundleBytes)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.length >= 4 ? view.getUint32(0, true) : 0;
  if (magic !== 0x04034b50 && magic !== 0x06054b50) throw new BundleError("not_zip");
  const end = declaredCount(view);
  if (end.total > limits.maxFiles) throw new BundleError("too_many_files", "", `${end.total} > ${limits.maxFiles}`);
  if (end.cdOffset + end.cdSize > end.eocd) throw new BundleError("truncated");
  const dec = new TextDecoder("utf-8", { fatal: false });
  const entries = [];
  let pos = end.cdOffset;
  for (let i = 0; i < end.total; i++) {
    if (pos + 46 > end.eocd || view.getUint32(pos, true) !== 0x02014b50) throw new BundleError("truncated");
    const nameLen = view.getUint16(pos + 28, true);
    const extraLen = view.getUint16(pos + 30, true);
    const commentLen = view.getUint16(pos + 32, true);
    entries.push({
      flags: view.getUint16(pos + 8, true), method: view.getUint16(pos + 10, true),
      crc: view.getUint32(pos + 16, true), csize: view.getUint32(pos + 20, true), size: view.getUint32(pos + 24, true),
      attr: view.getUint32(pos + 38, true), offset: view.getUint32(pos + 42, true),
      name: dec.decode(bytes.subarray(pos + 46, pos + 46 + nameLen)),
    });
    pos += 46 + nameLen + extraLen + commentLen;
  }
  const seen = new Set();
  const roots = new Set();
  let declaredTotal = 0;
  for (const e of entries) {
    checkName(e.name);
    const key = e.name.replace(/\/+$/, "").toLowerCase();
    if (seen.has(key)) throw new BundleError("duplicate_name", e.name);
    seen.add(key);
    roots.add(e.name.split("/")[0]);
    const mode = e.attr >>> 16;
    if ((mode & 0o170000) === 0o120000) throw new BundleError("unsupported_entry", e.name, "symbolic link");
    if (e.flags & 1) throw new BundleError("unsupported_entry", e.name, "encrypted");
    if (e.method !== 0 && e.method !== 8) throw new BundleError("unsupported_entry", e.name, `compression ${e.method}`);
    if (e.name.endsWith("/")) continue;
    if (!e.name.includes("/")) throw new BundleError("no_single_folder");
    if (e.size > limits.maxFileBytes) throw new BundleError("file_too_big", e.name, `${MB(e.size)} > ${MB(limits.maxFileBytes)}`);
    if (e.size > limits.ratioFloorBytes && e.size > limits.maxRatio * Math.max(e.csize, 1)) {
      throw new BundleError("zip_bomb", e.name, `${Math.floor(e.size / Math.max(e.csize, 1))}:1 > ${limits.maxRatio}:1`);
    }
    declaredTotal += e.size;
    if (declaredTotal > limits.maxTotalBytes) throw new BundleError("total_too_big", "", `> ${MB(limits.maxTotalBytes)}`);
  }
  if (roots.size !== 1) throw new BundleError("no_single_folder");
  const root = [...roots][0];
  const files = new Map();
  let total = 0;
  for (const e of entries) {
    if (e.name.endsWith("/")) continue;
    const at = e.offset;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) throw new BundleError("truncated");
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    if (start + e.csize > bytes.length) throw new BundleError("truncated");
    const raw = bytes.subarray(start, start + e.csize);
    const budget = Math.min(e.size, limits.maxTotalBytes - total);
    let data;
    if (e.method === 0) {
      if (raw.length > budget) throw new BundleError("total_too_big", "", `> ${MB(budget)}`);
      data = raw;
    } else {
      data = await inflate(raw, e.size, budget, e.name);
    }
    if (data.length !== e.size || crc32(data) !== e.crc) throw new BundleError("damaged", e.name);
    total += data.length;
    files.set(e.name.slice(root.length + 1), data);
  }
  return { root, files };
}
