/** The envelope: the padded plaintext inside an Entrega age file (docs/entrega.md "The
 * envelope"), made and read exactly as server/entrega/envelope.py does (shared vectors):
 *
 *   cartilla-entrega/1\n
 *   {"name":"cartilla-evidence-2026-12-02.zip","size":123456}\n     canonical JSON, one line
 *   <size bytes of the bundle ZIP>
 *   <NUL bytes up to the bucket: 64 KiB doubling to 32 MiB, then 48 MiB>
 *
 * Padding means the relay learns only the bucket, not the bundle's size. seal() encrypts an
 * envelope with age to every recipient given (an office's keys valid today, or a window's one
 * key); the same bytes are the .age file the worker can save. */

import { loadVendor } from "./vendor.js";

export const MAGIC = new TextEncoder().encode("cartilla-entrega/1\n");
const KIB = 1024;
const MIB = 1024 * KIB;
export const BUCKETS = [...Array.from({ length: 10 }, (_, i) => 64 * KIB * 2 ** i), 48 * MIB];
export const MAX_PLAINTEXT = BUCKETS[BUCKETS.length - 1];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.zip$/;

/** An envelope that cannot be made or read: code too_large, empty, bad_name, bad_magic,
 * bad_header, bad_size or bad_padding (the same codes as the Python side). */
export class EnvelopeError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

export function bucketFor(length) {
  const bucket = BUCKETS.find((b) => length <= b);
  if (!bucket) throw new EnvelopeError("too_large");
  return bucket;
}

const headerLine = (name, size) => new TextEncoder().encode(`${JSON.stringify({ name, size })}\n`);

/** The plaintext's length before padding, for a bundle of `size` bytes called `name`. */
export function envelopeSize(name, size) {
  return MAGIC.length + headerLine(name, size).length + size;
}

/** A name the envelope accepts: the bundle's own when it fits, else a plain one. */
export function safeName(name) {
  return NAME.test(name || "") ? name : "cartilla-bundle.zip";
}

/** The padded plaintext for `bundle` (Uint8Array) called `name`. */
export function makeEnvelope(name, bundle) {
  if (!NAME.test(name)) throw new EnvelopeError("bad_name");
  if (!bundle || !bundle.length) throw new EnvelopeError("empty");
  const head = headerLine(name, bundle.length);
  const used = MAGIC.length + head.length + bundle.length;
  const out = new Uint8Array(bucketFor(used)); // zero-filled: the padding
  out.set(MAGIC, 0);
  out.set(head, MAGIC.length);
  out.set(bundle, MAGIC.length + head.length);
  return out;
}

/** {name, bundle} from a decrypted envelope, or EnvelopeError saying what is wrong. */
export function readEnvelope(plain) {
  if (plain.length < MAGIC.length || MAGIC.some((b, i) => plain[i] !== b)) throw new EnvelopeError("bad_magic");
  const limit = Math.min(plain.length, MAGIC.length + 512);
  let end = -1;
  for (let i = MAGIC.length; i < limit; i++) if (plain[i] === 10) { end = i; break; }
  if (end < 0) throw new EnvelopeError("bad_header");
  const line = plain.subarray(MAGIC.length, end + 1);
  let header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(line));
  } catch (_) {
    throw new EnvelopeError("bad_header");
  }
  const keys = header && typeof header === "object" && !Array.isArray(header) ? Object.keys(header).sort() : [];
  if (keys.join() !== "name,size" || typeof header.name !== "string" || !Number.isInteger(header.size)) {
    throw new EnvelopeError("bad_header");
  }
  const { name, size } = header;
  if (name.length > 100 || !NAME.test(name)) throw new EnvelopeError("bad_name");
  const canonical = headerLine(name, size);
  if (canonical.length !== line.length || canonical.some((b, i) => line[i] !== b)) throw new EnvelopeError("bad_header");
  const start = end + 1;
  if (size <= 0 || start + size > plain.length) throw new EnvelopeError("bad_size");
  for (let i = start + size; i < plain.length; i++) if (plain[i] !== 0) throw new EnvelopeError("bad_padding");
  return { name, bundle: plain.slice(start, start + size) };
}

/** The .age bytes: the envelope of `bundle`, encrypted to every recipient in `recipients`. */
export async function seal(recipients, name, bundle) {
  if (!recipients.length) throw new EnvelopeError("no_recipient");
  const plain = makeEnvelope(name, bundle);
  const age = await loadVendor("age.js");
  const enc = new age.Encrypter();
  for (const r of recipients) enc.addRecipient(r);
  return enc.encrypt(plain);
}
