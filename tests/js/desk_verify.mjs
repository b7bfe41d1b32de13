// Runs the staff desk's verifier (pwa/staff/verify.js) in Node on bundles given by Python tests.
// Batch: stdin {"keys": {key_id: base64url raw Ed25519 key} | null, "bundles": [base64 ZIP]};
//   stdout [{"ok", "codes": {check: [code]}, "uncovered": {from, to}|null, "verdicts": [receipt
//   verdict], "crash": string|null}] in the same order.
// --lines: the first stdin line is {"keys": ...}; then one base64 ZIP a line, one answer a line
//   (for the differential fuzzer, which asks one bundle at a time).
import { createInterface } from "node:readline";
import { verifyBundle } from "../../pwa/staff/verify.js";

const b64 = (text) => new Uint8Array(Buffer.from(text, "base64"));

async function importKeys(keys) {
  if (!keys) return null;
  const out = {};
  for (const [id, raw] of Object.entries(keys)) {
    out[id] = await crypto.subtle.importKey("raw", b64(raw), { name: "Ed25519" }, false, ["verify"]);
  }
  return out;
}

async function judge(bundle, receiptKeys) {
  try {
    const report = await verifyBundle(b64(bundle), receiptKeys);
    return { ok: report.ok, codes: report.errorCodes, uncovered: report.uncovered ?? null,
             verdicts: report.receipts.map((r) => r.verdict), crash: null };
  } catch (e) {
    return { ok: false, codes: {}, crash: String((e && e.stack) || e) };
  }
}

if (process.argv[2] === "--lines") {
  let receiptKeys;
  let first = true;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (first) { receiptKeys = await importKeys(JSON.parse(line).keys); first = false; continue; }
    process.stdout.write(JSON.stringify(await judge(line, receiptKeys)) + "\n");
  }
} else {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const { keys, bundles } = JSON.parse(input);
  const receiptKeys = await importKeys(keys);
  const out = [];
  for (const bundle of bundles) out.push(await judge(bundle, receiptKeys));
  process.stdout.write(JSON.stringify(out));
}
