/** Verifying a bundle in the browser, without uploading it: the same checks, in the same
 * order, with the same error codes as server/evidence/verify.py (tests compare them).
 */

import { readBundle, BundleError, LIMITS } from "./unzip.js";
import { sha256Hex } from "../js/bundle/build.js";
import { parseStrict, canonicalJson, JsonError } from "../js/canonical.js";
import { journalProblems, photoProblems } from "./rules.js";

export { canonicalJson };

export const CHECK_IDS = ["zip", "bag", "payload", "tags", "signature", "schema", "chain", "rules", "receipts", "photos"];
const GENESIS = "0".repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;
const dec = new TextDecoder();
const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const enc = new TextEncoder();
const PHOTO_EXT = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };
// As server/evidence/bag.py: the phone signs the tag manifest (which lists every top-level
// file); version-1 bundles signed only the payload manifest and are refused.
const SIGNATURE = "tagmanifest-sha256.txt.sig";
const BUNDLE_VERSION = "2";

const err = (code, name = "", detail = "") => ({ code, file: name, detail });

async function entryHash(entry) {
  const body = { ...entry };
  delete body.hash;
  return sha256Hex(enc.encode(`${body.prev_hash}\n${canonicalJson(body)}`));
}

/** One strict JSON reading (pwa/js/canonical.js) with the bundle's error codes, as chain.read_json. */
function readJson(name, text, where = "") {
  try { return parseStrict(text); } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    if (e.code === "json_syntax") throw new BundleError("bad_schema", name, `${where}not JSON`);
    throw new BundleError(e.code, name, where.replace(/: $/, ""));
  }
}

// Lines, blanks and spaces in ASCII terms, as server/evidence/bag.py reads them.
const trimBlank = (t) => t.replace(/^[ \t]+|[ \t]+$/g, "");
function tagText(name, bytes) {
  try { return fatal.decode(bytes); } catch (_) { throw new BundleError("bad_bagit", name, "not UTF-8"); }
}

function parseManifest(name, bytes) {
  const out = new Map();
  const lines = tagText(name, bytes).split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!trimBlank(line)) return;
    const m = /^([0-9a-fA-F]{64})[ \t]+\*?([^ \t][\s\S]*)$/.exec(line);
    if (!m) throw new BundleError("bad_bagit", name, `line ${i + 1}`);
    const path = m[2].replace(/[ \t]+$/, "");
    if (path.startsWith("/") || path.includes("\\") || path.split("/").some((p) => p === "" || p === "." || p === "..")) {
      throw new BundleError("unsafe_name", path);
    }
    if (out.has(path)) throw new BundleError("bad_bagit", name, `line ${i + 1}: ${path} twice`);
    out.set(path, m[1].toLowerCase());
  });
  return out;
}

function parseInfo(bytes, name = "bag-info.txt") {
  const info = Object.create(null);
  let last = "";
  tagText(name, bytes).split(/\r?\n/).forEach((line, i) => {
    if (!trimBlank(line)) return;
    if (/^[ \t]/.test(line) && last) { info[last] += " " + trimBlank(line); return; }
    const at = line.indexOf(":");
    if (at < 0 || !trimBlank(line.slice(0, at))) throw new BundleError("bad_bagit", name, `line ${i + 1}`);
    last = trimBlank(line.slice(0, at));
    info[last] = trimBlank(line.slice(at + 1));
  });
  return info;
}

// --- keys and signatures, read strictly as server/evidence/signing.py reads them ---------
const ED25519_SPKI = "302a300506032b6570032100";
const P256_SPKI = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
const PEM = /^-----BEGIN PUBLIC KEY-----\n((?:[A-Za-z0-9+/=]{1,76}\n)+)-----END PUBLIC KEY-----\n?$/;
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function pemToDer(pemBytes) {
  const bad = () => new BundleError("bad_public_key", "", "not a PEM public key");
  if (pemBytes.some((b) => b >= 0x80)) throw bad();
  const m = PEM.exec(dec.decode(pemBytes));
  if (!m) throw bad();
  const b64 = m[1].replace(/\n/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) throw bad();
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

// edwards25519, just enough to refuse weak keys and signatures (same rules as signing.py):
// canonical encodings of points in the prime-order subgroup, and S < L. WebCrypto, like
// OpenSSL, accepts the identity key, for which one signature verifies for every message.
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a) => { const r = a % P; return r < 0n ? r + P : r; };
function pow(b, e) { let r = 1n; b = mod(b); while (e > 0n) { if (e & 1n) r = r * b % P; b = b * b % P; e >>= 1n; } return r; }
const D = mod(-121665n * pow(121666n, P - 2n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);
const IDENTITY = [0n, 1n, 1n, 0n];
function add([x1, y1, z1, t1], [x2, y2, z2, t2]) {
  const a = mod((y1 - x1) * (y2 - x2)), b = mod((y1 + x1) * (y2 + x2));
  const c = mod(2n * D * t1 * t2), d = mod(2n * z1 * z2);
  const e = b - a, f = d - c, g = d + c, h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}
function mul(k, pt) { let r = IDENTITY; for (const bit of k.toString(2)) { r = add(r, r); if (bit === "1") r = add(r, pt); } return r; }
const isIdentity = ([x, y, z]) => mod(x) === 0n && mod(y - z) === 0n;
const leInt = (bytes) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);

/** The point, or why not: "non-canonical" (y >= p, or x = -0) or "not on the curve". */
export function decodePoint(raw) {
  const v = leInt(raw);
  const y = v & ((1n << 255n) - 1n);
  const sign = v >> 255n;
  if (y >= P) return "non-canonical";
  const x2 = mod((y * y - 1n) * pow(D * y * y + 1n, P - 2n));
  let x = pow(x2, (P + 3n) / 8n);
  if (mod(x * x - x2) !== 0n) x = mod(x * SQRT_M1);
  if (mod(x * x - x2) !== 0n) return "not on the curve";
  if (x === 0n && sign) return "non-canonical";
  if ((x & 1n) !== sign) x = P - x;
  return [x, y, 1n, mod(x * y)];
}
/** null for a canonical point of prime order L; otherwise what is wrong with it. */
export function pointProblem(raw) {
  const pt = decodePoint(raw);
  if (typeof pt === "string") return pt;
  if (isIdentity(mul(8n, pt))) return "small order";
  if (!isIdentity(mul(L, pt))) return "low-order component";
  return null;
}
export function ed25519KeyProblem(raw) { return raw.length === 32 ? pointProblem(raw) : "not 32 bytes"; }
export function ed25519SignatureProblem(sig) {
  if (sig.length !== 64) return null;
  if (leInt(sig.subarray(32)) >= L) return "S >= L";
  const problem = pointProblem(sig.subarray(0, 32));
  return problem === null || problem === "not on the curve" ? null : `R: ${problem}`;
}

async function importKey(der) {
  const h = hex(der);
  if (der.length === 44 && h.startsWith(ED25519_SPKI)) {
    const problem = ed25519KeyProblem(der.subarray(12));
    if (problem) throw new BundleError("weak_public_key", "", problem);
    return { key: await crypto.subtle.importKey("raw", der.subarray(12), { name: "Ed25519" }, false, ["verify"]), algorithm: "Ed25519" };
  }
  if (der.length === 91 && h.startsWith(P256_SPKI) && der[26] === 4) {
    try {
      return { key: await crypto.subtle.importKey("spki", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]), algorithm: "ECDSA-P256-SHA256" };
    } catch (_) { throw new BundleError("bad_public_key", "", "not a point on P-256"); }
  }
  throw new BundleError("bad_public_key", "", "only Ed25519 or ECDSA P-256 keys");
}

/** The raw 64-byte signature from the .sig file (88 base64 characters), else empty. */
function decodeSignature(bytes) {
  const compact = dec.decode(bytes).replace(/[ \t\n\r\x0b\x0c]+/g, "");
  if (!/^[A-Za-z0-9+/]{86}==$/.test(compact)) return new Uint8Array();
  return Uint8Array.from(atob(compact), (c) => c.charCodeAt(0));
}

function b64decode(text) {
  try { return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0)); } catch (_) { return new Uint8Array(); }
}

function b64urlDecode(text) { return b64decode(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4)); }

// --- one schema check, rule for rule as server/evidence/format.py schema_problem() --------
// The schema is generated from the msgspec Structs (format.bundle_schema(); a test checks it
// is current). Patterns use ASCII \d and $ as the very end, in both languages.
// [[[schema
const SCHEMA = {"defs":{"Summary":{"type":"object","properties":{"format":{"enum":["cartilla-evidence"]},"version":{"enum":[1]},"created":{"type":"string","pattern":"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"},"app_version":{"type":"string","maxLength":200},"worker_name":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"employers":{"type":"array","items":{"$ref":"#/$defs/EmployerSummary"}},"period":{"$ref":"#/$defs/Period"},"chain":{"$ref":"#/$defs/ChainSummary"},"counts":{"$ref":"#/$defs/Counts"},"left_out":{"type":"array","items":{"enum":["name","notes","other_dates","other_employers","photos"]}},"photos":{"type":"array","items":{"$ref":"#/$defs/PhotoSummary"}},"wage_check":{"anyOf":[{"type":"object"},{"type":"null"}]}},"required":["format","version","created","app_version","employers","period","chain"],"additionalProperties":false},"EmployerSummary":{"type":"object","properties":{"id":{"type":"string","maxLength":100},"name":{"type":"string","maxLength":200},"state":{"anyOf":[{"type":"string","pattern":"^[A-Z]{2}$"},{"type":"null"}]},"industry":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"status":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"address":{"anyOf":[{"type":"string","maxLength":500},{"type":"null"}]},"work_site":{"anyOf":[{"type":"string","maxLength":500},{"type":"null"}]}},"required":["id","name"],"additionalProperties":false},"Period":{"type":"object","properties":{"start":{"type":"string","format":"date"},"end":{"type":"string","format":"date"}},"required":["start","end"],"additionalProperties":false},"ChainSummary":{"type":"object","properties":{"head":{"type":"string","pattern":"^[0-9a-f]{64}$"},"length":{"type":"integer","minimum":1},"included":{"type":"integer","minimum":0},"withheld":{"type":"integer","minimum":0}},"required":["head","length","included","withheld"],"additionalProperties":false},"Counts":{"type":"object","properties":{"shifts":{"type":"integer","minimum":0},"pay":{"type":"integer","minimum":0},"expenses":{"type":"integer","minimum":0},"incidents":{"type":"integer","minimum":0},"photos":{"type":"integer","minimum":0}},"required":[],"additionalProperties":false},"PhotoSummary":{"type":"object","properties":{"path":{"type":"string","maxLength":120,"pattern":"^data/photos/[0-9a-f]{64}\\.(jpg|jpeg|png|webp)$"},"sha256":{"type":"string","pattern":"^[0-9a-f]{64}$"},"entry":{"anyOf":[{"type":"string","pattern":"^[0-9a-f]{64}$"},{"type":"null"}]},"kind":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]}},"required":["path","sha256"],"additionalProperties":false},"GuidesFile":{"type":"object","properties":{"guides":{"type":"array","items":{"$ref":"#/$defs/GuideRead"}},"pack_hash":{"anyOf":[{"type":"string","maxLength":64},{"type":"null"}]},"data_hash":{"anyOf":[{"type":"string","maxLength":64},{"type":"null"}]},"profile":{"anyOf":[{"type":"object","additionalProperties":{"type":"string"}},{"type":"null"}]}},"required":[],"additionalProperties":false},"GuideRead":{"type":"object","properties":{"id":{"type":"string","maxLength":80},"lang":{"type":"string","maxLength":35},"version":{"type":"integer","minimum":1},"hash":{"type":"string","maxLength":64},"title":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"reviewed":{"anyOf":[{"type":"string","format":"date"},{"type":"null"}]},"review_status":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]}},"required":["id","lang","version","hash"],"additionalProperties":false},"WithheldEntry":{"type":"object","properties":{"seq":{"type":"integer","minimum":0},"withheld":{"enum":[true]},"prev_hash":{"type":"string","pattern":"^[0-9a-f]{64}$"},"hash":{"type":"string","pattern":"^[0-9a-f]{64}$"},"time":{"anyOf":[{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$"},{"type":"null"}]}},"required":["seq","withheld","prev_hash","hash"],"additionalProperties":false},"JournalEntry":{"type":"object","properties":{"seq":{"type":"integer","minimum":0},"time":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$"},"kind":{"enum":["create","delete","edit","key","receipt"]},"record_type":{"anyOf":[{"enum":["employer","expense","incident","job","pay_stub","photo","shift"]},{"type":"null"}]},"record_id":{"anyOf":[{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},{"type":"null"}]},"data":{"anyOf":[{"anyOf":[{"$ref":"#/$defs/Employer"},{"$ref":"#/$defs/Job"},{"$ref":"#/$defs/Shift"},{"$ref":"#/$defs/PayStub"},{"$ref":"#/$defs/Expense"},{"$ref":"#/$defs/Incident"},{"$ref":"#/$defs/Photo"}]},{"type":"null"}]},"replaces":{"anyOf":[{"type":"string","pattern":"^[0-9a-f]{64}$"},{"type":"null"}]},"reason":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"receipt":{"anyOf":[{"$ref":"#/$defs/Receipt"},{"type":"null"}]},"key":{"anyOf":[{"$ref":"#/$defs/PhoneKey"},{"type":"null"}]},"prev_hash":{"type":"string","pattern":"^[0-9a-f]{64}$"},"hash":{"type":"string","pattern":"^[0-9a-f]{64}$"}},"required":["seq","time","kind","prev_hash","hash"],"additionalProperties":false},"Employer":{"type":"object","properties":{"type":{"enum":["employer"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"name":{"type":"string","maxLength":200,"minLength":1},"address":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"phone":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"supervisor":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"crew_leader":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"contractor":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"vehicle":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"plate":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"work_site":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"notes":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]}},"required":["type","id","name"],"additionalProperties":false},"Job":{"type":"object","properties":{"type":{"enum":["job"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"employer_id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"title":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"state":{"enum":["AK","AL","AR","AZ","CA","CO","CT","DC","DE","FL","GA","HI","IA","ID","IL","IN","KS","KY","LA","MA","MD","ME","MI","MN","MO","MS","MT","NC","ND","NE","NH","NJ","NM","NV","NY","OH","OK","OR","PA","PR","RI","SC","SD","TN","TX","UT","VA","VT","WA","WI","WV","WY"]},"industry":{"anyOf":[{"enum":["agriculture","cleaning","construction","domestic","hospitality","landscaping","meatpacking","restaurants"]},{"enum":["other"]}]},"status":{"enum":["h2a","h2b","other"]},"pay_type":{"enum":["day","hourly","piece","salary"]},"promised_rate_cents":{"anyOf":[{"type":"integer","minimum":0,"maximum":100000000},{"type":"null"}]},"pay_frequency":{"anyOf":[{"enum":["biweekly","monthly","semimonthly","weekly"]},{"type":"null"}]},"workweek_start":{"enum":["friday","monday","saturday","sunday","thursday","tuesday","wednesday"]},"employer_size":{"anyOf":[{"type":"integer","minimum":1,"maximum":10000000},{"type":"null"}]},"contract_start":{"anyOf":[{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},{"type":"null"}]},"contract_end":{"anyOf":[{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},{"type":"null"}]},"job_order_hours_per_week":{"anyOf":[{"type":"integer","minimum":1,"maximum":168},{"type":"null"}]},"job_order_rate_cents":{"anyOf":[{"type":"integer","minimum":0,"maximum":100000000},{"type":"null"}]},"skill_level":{"anyOf":[{"enum":[1,2]},{"type":"null"}]},"region":{"anyOf":[{"type":"string","maxLength":80,"pattern":"^[a-z0-9]+(-[a-z0-9]+)*$"},{"type":"null"}]},"notes":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"photo_ids":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}}},"required":["type","id","employer_id","state","industry"],"additionalProperties":false},"Shift":{"type":"object","properties":{"type":{"enum":["shift"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"job_id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"date":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},"start":{"type":"string","pattern":"^([01]\\d|2[0-3]):[0-5]\\d$"},"end":{"type":"string","pattern":"^([01]\\d|2[0-3]):[0-5]\\d$"},"ends_next_day":{"type":"boolean"},"break_minutes":{"type":"integer","minimum":0,"maximum":100000},"piece_units":{"anyOf":[{"type":"integer","minimum":0,"maximum":100000},{"type":"null"}]},"place":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"notes":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"from_memory":{"type":"boolean"},"photo_ids":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}}},"required":["type","id","job_id","date","start","end"],"additionalProperties":false},"PayStub":{"type":"object","properties":{"type":{"enum":["pay_stub"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"job_id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"pay_date":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},"period_start":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},"period_end":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},"minutes_paid":{"anyOf":[{"type":"integer","minimum":0,"maximum":100000},{"type":"null"}]},"rates":{"type":"array","items":{"$ref":"#/$defs/PayRate"}},"gross_cents":{"type":"integer","minimum":0,"maximum":100000000},"deductions":{"type":"array","items":{"$ref":"#/$defs/Deduction"}},"net_cents":{"anyOf":[{"type":"integer","minimum":0,"maximum":100000000},{"type":"null"}]},"method":{"enum":["card","cash","check","other","transfer"]},"statement_given":{"type":"boolean"},"statement_items":{"anyOf":[{"type":"array","items":{"enum":["deductions","employer_address","employer_fein","employer_name","gross","hours_offered","hours_worked","net","pay_period","piece_units","rate"]}},{"type":"null"}]},"notes":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"from_memory":{"type":"boolean"},"photo_ids":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}}},"required":["type","id","job_id","pay_date","period_start","period_end","gross_cents"],"additionalProperties":false},"PayRate":{"type":"object","properties":{"rate_cents":{"type":"integer","minimum":0,"maximum":100000000},"per":{"enum":["day","hour","unit","week"]},"label":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]}},"required":["rate_cents"],"additionalProperties":false},"Deduction":{"type":"object","properties":{"kind":{"enum":["advance","garnishment","housing","income_tax","insurance","meals","medicare","other","recruitment_fee","social_security","state_tax","tools","transport","uniform","visa"]},"amount_cents":{"type":"integer","minimum":0,"maximum":100000000},"note":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]}},"required":["kind","amount_cents"],"additionalProperties":false},"Expense":{"type":"object","properties":{"type":{"enum":["expense"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"job_id":{"anyOf":[{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},{"type":"null"}]},"date":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},"kind":{"enum":["housing","other","recruitment_fee","subsistence","tools","transport","travel","visa"]},"amount_cents":{"type":"integer","minimum":0,"maximum":100000000},"paid_to":{"anyOf":[{"type":"string","maxLength":200},{"type":"null"}]},"reimbursed_cents":{"type":"integer","minimum":0,"maximum":100000000},"reimbursed_on":{"anyOf":[{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},{"type":"null"}]},"notes":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"from_memory":{"type":"boolean"},"photo_ids":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}}},"required":["type","id","date","kind","amount_cents"],"additionalProperties":false},"Incident":{"type":"object","properties":{"type":{"enum":["incident"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"job_id":{"anyOf":[{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},{"type":"null"}]},"date":{"type":"string","pattern":"^\\d{4}-\\d{2}-\\d{2}$"},"kind":{"enum":["fired","harassment","injury","no_work","other","threat","unsafe"]},"notes":{"anyOf":[{"type":"string","maxLength":2000},{"type":"null"}]},"from_memory":{"type":"boolean"},"photo_ids":{"type":"array","items":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"}}},"required":["type","id","date","kind"],"additionalProperties":false},"Photo":{"type":"object","properties":{"type":{"enum":["photo"]},"id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,64}$"},"mime":{"enum":["image/jpeg","image/png","image/webp"]},"sha256":{"type":"string","pattern":"^[0-9a-f]{64}$"},"size_bytes":{"type":"integer","minimum":1,"maximum":2000000},"width":{"anyOf":[{"type":"integer","minimum":1,"maximum":10000},{"type":"null"}]},"height":{"anyOf":[{"type":"integer","minimum":1,"maximum":10000},{"type":"null"}]}},"required":["type","id","mime","sha256","size_bytes"],"additionalProperties":false},"Receipt":{"type":"object","properties":{"hash":{"type":"string","pattern":"^[0-9a-f]{64}$"},"time":{"type":"string","pattern":"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"},"key_id":{"type":"string","pattern":"^[0-9a-f]{16}$"},"signature":{"type":"string","pattern":"^[A-Za-z0-9_-]{86}$"}},"required":["hash","time","key_id","signature"],"additionalProperties":false},"PhoneKey":{"type":"object","properties":{"algorithm":{"enum":["ECDSA-P256-SHA256","Ed25519"]},"fingerprint":{"type":"string","pattern":"^[0-9a-f]{64}$"}},"required":["algorithm","fingerprint"],"additionalProperties":false}}};
// ]]]
const PATTERNS = new Map();
const pattern = (src) => { if (!PATTERNS.has(src)) PATTERNS.set(src, new RegExp(src)); return PATTERNS.get(src); };
function validDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1];
}
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
function typeOk(kind, v) {
  switch (kind) {
    case "object": return isObject(v);
    case "array": return Array.isArray(v);
    case "string": return typeof v === "string";
    case "integer": return typeof v === "number" && Number.isInteger(v);
    case "boolean": return typeof v === "boolean";
    case "null": return v === null;
    default: return false;
  }
}
const codePoints = (s) => { let n = 0; for (const _ of s) n++; return n; };
function checkSchema(schema, v, path) {
  if (schema.$ref) return checkSchema(SCHEMA.defs[schema.$ref.split("/").pop()], v, path);
  if (schema.anyOf) return schema.anyOf.some((sub) => checkSchema(sub, v, path) === null) ? null : `${path}: no allowed form matches`;
  if (schema.enum && !schema.enum.some((x) => x === v)) return `${path}: not an allowed value`;
  if (schema.type !== undefined && !typeOk(schema.type, v)) return `${path}: expected ${schema.type}`;
  if (typeof v === "string") {
    if (schema.minLength !== undefined && codePoints(v) < schema.minLength) return `${path}: too short`;
    if (schema.maxLength !== undefined && codePoints(v) > schema.maxLength) return `${path}: too long`;
    if (schema.pattern !== undefined && !pattern(schema.pattern).test(v)) return `${path}: wrong form`;
    if (schema.format === "date" && !validDate(v)) return `${path}: not a date`;
  }
  if (typeof v === "number") {
    if (schema.minimum !== undefined && v < schema.minimum) return `${path}: too small`;
    if (schema.maximum !== undefined && v > schema.maximum) return `${path}: too large`;
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) return `${path}: too few items`;
    if (schema.maxItems !== undefined && v.length > schema.maxItems) return `${path}: too many items`;
    if (schema.items) {
      for (let i = 0; i < v.length; i++) { const p = checkSchema(schema.items, v[i], `${path}[${i}]`); if (p) return p; }
    }
  }
  if (isObject(v)) {
    const props = schema.properties || {};
    for (const key of schema.required || []) if (!Object.hasOwn(v, key)) return `${path}.${key}: missing`;
    const extra = schema.additionalProperties === undefined ? true : schema.additionalProperties;
    for (const [key, item] of Object.entries(v)) {
      let p = null;
      if (Object.hasOwn(props, key)) p = checkSchema(props[key], item, `${path}.${key}`);
      else if (extra === false) p = `${path}.${key}: not allowed`;
      else if (isObject(extra)) p = checkSchema(extra, item, `${path}.${key}`);
      if (p) return p;
    }
  }
  return null;
}
/** The value if it fits struct `name`'s schema, else a bad_schema error naming `file`. */
function fits(name, file, value, where = "") {
  const problem = checkSchema({ $ref: `#/$defs/${name}` }, value, "$");
  if (problem) throw new BundleError("bad_schema", file, `${where}${problem}`);
  return value;
}

/** Run every check. `receiptKeys`: {key_id: CryptoKey} of the server (from the well-known URL). */
export async function verifyBundle(bytes, receiptKeys = null, limits = LIMITS) {
  const checks = Object.fromEntries(CHECK_IDS.map((id) => [id, { id, ok: null, errors: [], notes: [] }]));
  const report = { checks, root: "", summary: null, guides: null, journal: null, receipts: [], files: null, key: {} };
  const at = { stage: "zip" };
  try {
    return await runChecks(bytes, receiptKeys, limits, report, at);
  } catch (e) {
    // Never a page that stops without a verdict: a surprise fails the check it happened in.
    checks[at.stage].ok = false;
    checks[at.stage].errors.push(err("verifier_error", "", e && e.name ? e.name : "Error"));
    return finish(report);
  }
}

async function runChecks(bytes, receiptKeys, limits, report, at) {
  const { checks } = report;
  const fail = (id, e) => { checks[id].ok = false; checks[id].errors.push(e instanceof BundleError ? err(e.code, e.name_, e.detail) : e); };
  const pass = (id) => { if (checks[id].ok === null) checks[id].ok = true; };
  let files;
  try {
    ({ root: report.root, files } = await readBundle(bytes, limits));
  } catch (e) {
    if (e instanceof BundleError) { fail("zip", e); return finish(report); }
    throw e;
  }
  report.files = files;
  pass("zip");
  at.stage = "bag";
  let info;
  try {
    for (const n of ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"]) {
      if (!files.has(n)) throw new BundleError("missing_file", n);
    }
    const bagit = parseInfo(files.get("bagit.txt"), "bagit.txt");
    if (!["1.0", "0.97"].includes(bagit["BagIt-Version"])) throw new BundleError("bad_bagit", "bagit.txt", "BagIt-Version");
    if ((bagit["Tag-File-Character-Encoding"] || "").toUpperCase() !== "UTF-8") throw new BundleError("bad_bagit", "bagit.txt", "Tag-File-Character-Encoding");
    info = parseInfo(files.get("bag-info.txt"));
    const version = info["Cartilla-Bundle-Version"] || "";
    if (version !== BUNDLE_VERSION) {
      throw new BundleError(version === "" || version === "1" ? "bundle_version_old" : "bundle_version_unknown", "bag-info.txt", version || "-");
    }
    parseManifest("manifest-sha256.txt", files.get("manifest-sha256.txt"));
    parseManifest("tagmanifest-sha256.txt", files.get("tagmanifest-sha256.txt"));
  } catch (e) {
    if (e instanceof BundleError) { fail("bag", e); return finish(report); }
    throw e;
  }
  pass("bag");
  report.bagInfo = info;
  // payload
  at.stage = "payload";
  const manifest = parseManifest("manifest-sha256.txt", files.get("manifest-sha256.txt"));
  const payload = [...files.keys()].filter((n) => n.startsWith("data/")).sort();
  for (const [name, digest] of [...manifest.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!files.has(name) || !name.startsWith("data/")) fail("payload", err("listed_missing", name));
    else if ((await sha256Hex(files.get(name))) !== digest) fail("payload", err("hash_mismatch", name));
  }
  for (const name of payload) if (!manifest.has(name)) fail("payload", err("not_in_manifest", name));
  const octets = payload.reduce((n, p) => n + files.get(p).length, 0);
  if (info["Payload-Oxum"] && info["Payload-Oxum"] !== `${octets}.${payload.length}`) fail("payload", err("bad_bagit", "bag-info.txt", "Payload-Oxum"));
  pass("payload");
  // tags
  at.stage = "tags";
  const tags = parseManifest("tagmanifest-sha256.txt", files.get("tagmanifest-sha256.txt"));
  for (const [name, digest] of [...tags.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!files.has(name)) fail("tags", err("listed_missing", name));
    else if ((await sha256Hex(files.get(name))) !== digest) fail("tags", err("hash_mismatch", name));
  }
  for (const name of [...files.keys()].sort()) {
    // Every file outside data/ is a tag file, wherever it sits: none may go unlisted (the tag
    // manifest and its signature are the only two that cannot list themselves).
    if (!name.startsWith("data/") && !tags.has(name) && name !== "tagmanifest-sha256.txt" && name !== SIGNATURE) fail("tags", err("not_in_manifest", name));
  }
  for (const req of ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]) if (!tags.has(req)) fail("tags", err("bad_bagit", "tagmanifest-sha256.txt", `no ${req}`));
  pass("tags");
  // signature
  at.stage = "signature";
  await checkSignature(files, info, report, fail);
  pass("signature");
  // schema
  at.stage = "schema";
  for (const n of ["data/summary.json", "data/guides.json", "data/journal.jsonl", "data/summary.html", "LEEME-README.txt"]) {
    if (!files.has(n)) fail("schema", err("missing_file", n));
  }
  if (checks.schema.ok === false) return finish(report);
  try { report.summary = fits("Summary", "data/summary.json", readJson("data/summary.json", files.get("data/summary.json"))); } catch (e) {
    fail("schema", e instanceof BundleError ? e : err("bad_schema", "data/summary.json", String(e.message)));
  }
  try {
    report.guides = fits("GuidesFile", "data/guides.json", readJson("data/guides.json", files.get("data/guides.json")));
  } catch (e) { fail("schema", e instanceof BundleError ? e : err("bad_schema", "data/guides.json", String(e.message))); }
  try {
    let text;
    try { text = fatal.decode(files.get("data/journal.jsonl")); } catch (_) { throw new BundleError("bad_schema", "data/journal.jsonl", "not UTF-8 text"); }
    // Only truly empty lines are skipped, as chain.parse_journal does.
    const lines = text.split("\n").filter((l) => l !== "");
    if (!lines.length) throw new BundleError("bad_schema", "data/journal.jsonl", "no entries");
    if (lines.length > 200000) throw new BundleError("bad_schema", "data/journal.jsonl", "more than 200000 lines");
    report.journal = lines.map((line, i) => {
      const e = readJson("data/journal.jsonl", line, `line ${i + 1}: `);
      return fits(isObject(e) && e.withheld === true ? "WithheldEntry" : "JournalEntry", "data/journal.jsonl", e, `line ${i + 1}: `);
    });
  } catch (e) { fail("schema", e instanceof BundleError ? e : err("bad_schema", "data/journal.jsonl", String(e.message))); }
  if (checks.schema.ok === false) return finish(report);
  pass("schema");
  // chain
  at.stage = "chain";
  const journal = report.journal;
  let prev = GENESIS;
  for (let i = 0; i < journal.length; i++) {
    const e = journal[i];
    if (e.seq !== i || e.prev_hash !== prev) fail("chain", err("chain_broken", `#${i}`));
    if (!e.withheld) {
      // As chain.check_links: a value with no canonical form cannot match its hash.
      const computed = await entryHash(e).catch((x) => { if (x instanceof JsonError) return ""; throw x; });
      if (computed !== e.hash) fail("chain", err("chain_edited", `#${i}`));
    }
    prev = e.hash;
  }
  const head = journal[journal.length - 1].hash;
  report.head = head;
  if (report.summary.chain.head !== head) fail("chain", err("chain_head_mismatch", "data/summary.json"));
  if (info["Cartilla-Chain-Head"] !== head) fail("chain", err("chain_head_mismatch", "bag-info.txt"));
  // The signing key must be the one the chain names last (as chain.key_not_in_chain).
  const keyEntries = journal.map((e, i) => [i, e]).filter(([, e]) => !e.withheld && e.kind === "key" && e.key).map(([i, e]) => [i, e.key]);
  if (report.key.fingerprint) {
    const last = keyEntries.length ? keyEntries[keyEntries.length - 1][1] : null;
    if (!last || last.fingerprint !== report.key.fingerprint || last.algorithm !== report.key.algorithm) fail("chain", err("key_not_in_chain", "public-key.pem"));
  }
  pass("chain");
  const withheld = journal.filter((e) => e.withheld).length;
  if (withheld) checks.chain.notes.push({ code: "withheld", n: withheld });
  // rules: the journal's own rules and its times (rules.js, as server/evidence/rules.py)
  at.stage = "rules";
  for (const e of journalProblems(journal, report.summary.created)) fail("rules", e);
  pass("rules");
  // receipts
  at.stage = "receipts";
  const position = new Map(journal.map((e, i) => [e.hash, i]));
  let lastWithheld = -1;
  const withheldBefore = journal.map((e, i) => { if (e.withheld) lastWithheld = i; return lastWithheld; });
  for (let i = 0; i < journal.length; i++) {
    const e = journal[i];
    if (e.withheld || e.kind !== "receipt" || !e.receipt) continue;
    const r = e.receipt;
    let target = position.get(r.hash);
    let error = null;
    let anchored = null;
    // As chain.ReceiptResult: genuine, forged, not_in_chain, or unchecked ("could not check":
    // the key is not in the server's published history, or no keys are known here).
    let verdict = "unchecked";
    if (target === undefined || target >= i) { error = "receipt_not_in_chain"; verdict = "not_in_chain"; target = null; } else {
      anchored = withheldBefore[target] + 1;
      if (anchored > target) anchored = null;
    }
    if (!error && receiptKeys) {
      const key = receiptKeys[r.key_id];
      if (!key) error = "receipt_unknown_key";
      else {
        const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, b64urlDecode(r.signature),
          enc.encode(`cartilla-receipt-v1\n${r.hash}\n${r.time}`)).catch(() => false);
        if (!ok) { error = "receipt_forged"; verdict = "forged"; } else verdict = "genuine";
      }
    }
    const ok = verdict === "genuine" ? true : verdict === "unchecked" ? null : false;
    report.receipts.push({ seq: i, hash: r.hash, time: r.time, key_id: r.key_id, entry_seq: target, anchored_from_seq: anchored, ok, verdict, error });
    if (ok === false) fail("receipts", err(error, `#${i}`));
  }
  const unchecked = report.receipts.filter((r) => r.verdict === "unchecked" && r.error);
  const usable = report.receipts.filter((r) => r.ok !== false && r.entry_seq !== null);
  const lastAnchored = usable.length ? Math.max(...usable.map((r) => r.entry_seq)) : -1;
  // As chain.key_changed_after_receipt: a key a receipt anchored, replaced by the signing key
  // only after the last receipt (the signing key's entry needs a genuine receipt when keys
  // are known, so a made-up receipt under an unknown key cannot hide the change).
  if (report.key.fingerprint && keyEntries.length && keyEntries[keyEntries.length - 1][1].fingerprint === report.key.fingerprint && usable.length) {
    const signingAt = keyEntries[keyEntries.length - 1][0];
    const proven = report.receipts.filter((r) => r.entry_seq !== null && (r.verdict === "genuine" || (!receiptKeys && r.verdict === "unchecked")));
    const anchoredKey = proven.length && Math.max(...proven.map((r) => r.entry_seq)) >= signingAt;
    if (!anchoredKey && keyEntries.some(([at, k]) => at <= lastAnchored && k.fingerprint !== report.key.fingerprint)) {
      fail("receipts", err("key_changed_after_receipt", "public-key.pem"));
    }
  }
  for (const r of unchecked) checks.receipts.notes.push({ code: "receipt_unchecked", n: r.seq, key_id: r.key_id });
  // Which entries no receipt covers (as chain.uncovered): after the last receipt that did not
  // fail, receipt entries themselves not counted.
  const open = [];
  for (let i = lastAnchored + 1; i < journal.length; i++) if (journal[i].withheld || journal[i].kind !== "receipt") open.push(i);
  report.uncovered = open.length ? { from: open[0], to: open[open.length - 1] } : null;
  if (!report.receipts.length) checks.receipts.notes.push({ code: "no_receipts" });
  else if (report.uncovered) {
    const { from, to } = report.uncovered;
    checks.receipts.notes.push(from === to ? { code: "uncovered_one", n: from } : { code: "uncovered", n: `${from}–${to}`, from, to });
  }
  if (!report.receipts.length) { /* nothing to check */ } else if (!receiptKeys) checks.receipts.notes.push({ code: "no_server_key" });
  else if (!unchecked.length) pass("receipts");
  // photos
  at.stage = "photos";
  const leftOut = (report.summary.left_out || []).includes("photos");
  const seen = new Set();
  for (const e of journal) {
    const d = e.data;
    if (e.withheld || !d || d.type !== "photo" || seen.has(d.id)) continue;
    seen.add(d.id);
    const name = `data/photos/${d.sha256}.${PHOTO_EXT[d.mime] || "jpg"}`;
    if (!files.has(name)) { if (!leftOut) fail("photos", err("photo_missing", name)); } else if ((await sha256Hex(files.get(name))) !== d.sha256) fail("photos", err("photo_changed", name));
  }
  // Every photo file: recorded by an entry, of its declared type, its header within limits.
  for (const e of photoProblems(files, journal, { ...LIMITS, ...limits })) fail("photos", e);
  pass("photos");
  if (leftOut) checks.photos.notes.push({ code: "photos_left_out" });
  return finish(report);
}

async function checkSignature(files, info, report, fail) {
  const pem = files.get("public-key.pem");
  const sig = files.get(SIGNATURE);
  if (!pem) return fail("signature", err("missing_file", "public-key.pem"));
  if (!sig) return fail("signature", err("missing_file", SIGNATURE));
  let imported;
  let der;
  try { der = pemToDer(pem); imported = await importKey(der); } catch (e) { return fail("signature", e); }
  report.key = { algorithm: imported.algorithm, fingerprint: await sha256Hex(der) };
  const params = imported.algorithm === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", hash: "SHA-256" };
  const signature = decodeSignature(sig);
  const weak = imported.algorithm === "Ed25519" ? ed25519SignatureProblem(signature) : null;
  if (weak) fail("signature", err("weak_signature", "", weak));
  else {
    const ok = await crypto.subtle.verify(params, imported.key, signature, files.get("tagmanifest-sha256.txt")).catch(() => false);
    if (!ok) fail("signature", err("signature_invalid"));
  }
  if ((info["Cartilla-Key-Fingerprint"] || "") !== report.key.fingerprint) fail("signature", err("key_mismatch"));
}

function finish(report) {
  const c = report.checks;
  report.ok = Object.values(c).every((x) => x.ok !== false) && ["zip", "bag", "payload", "signature", "chain"].every((id) => c[id].ok === true);
  report.errorCodes = Object.fromEntries(Object.values(c).filter((x) => x.errors.length).map((x) => [x.id, x.errors.map((e) => e.code)]));
  return report;
}

/** The server's receipt keys {key_id: CryptoKey} from the well-known URL (cached for offline). */
export async function serverReceiptKeys() {
  let doc = null;
  try {
    const res = await fetch("/.well-known/cartilla-receipt-key");
    if (res.ok) { doc = await res.json(); localStorage.setItem("cartilla-receipt-key", JSON.stringify(doc)); }
  } catch (_) { /* offline */ }
  if (!doc) { try { doc = JSON.parse(localStorage.getItem("cartilla-receipt-key") || "null"); } catch (_) { doc = null; } }
  if (!doc || typeof doc !== "object") return null;
  // Every key the server has signed with (doc.keys, its published history) and the current
  // one; as keys._from_history, an id that does not match its key is ignored.
  const out = {};
  const records = [...(Array.isArray(doc.keys) ? doc.keys : []), { key_id: doc.key_id, public_key: doc.public_key }];
  for (const record of records) {
    if (!record || typeof record.key_id !== "string" || typeof record.public_key !== "string") continue;
    const raw = b64urlDecode(record.public_key);
    if (raw.length !== 32 || (await sha256Hex(raw)).slice(0, 16) !== record.key_id) continue;
    try {
      out[record.key_id] = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    } catch (_) { /* not a key this browser can use: its receipts stay "could not check" */ }
  }
  return Object.keys(out).length ? out : null;
}
