// Runs the staff desk's verifier (pwa/staff/verify.js) in Node on bundles given by Python tests.
// stdin: {"keys": {key_id: base64url raw Ed25519 public key} | null, "bundles": [base64 ZIP]}
// stdout: [{"ok": bool, "codes": {check: [code]}, "crash": string|null}] in the same order.
import { verifyBundle } from "../../pwa/staff/verify.js";

const b64 = (text) => new Uint8Array(Buffer.from(text, "base64"));
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { keys, bundles } = JSON.parse(input);
let receiptKeys = null;
if (keys) {
  receiptKeys = {};
  for (const [id, raw] of Object.entries(keys)) {
    receiptKeys[id] = await crypto.subtle.importKey("raw", b64(raw), { name: "Ed25519" }, false, ["verify"]);
  }
}
const out = [];
for (const bundle of bundles) {
  try {
    const report = await verifyBundle(b64(bundle), receiptKeys);
    out.push({ ok: report.ok, codes: report.errorCodes, crash: null });
  } catch (e) {
    out.push({ ok: false, codes: {}, crash: String(e && e.stack || e) });
  }
}
process.stdout.write(JSON.stringify(out));
