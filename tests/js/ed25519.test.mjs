// The desk's strict Ed25519 checks (pwa/staff/verify.js) on the vectors shared with
// server/evidence/signing.py (tests/ed25519_vectors.json): same reason, same decision.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ed25519KeyProblem, ed25519SignatureProblem } from "../../pwa/staff/verify.js";

const { vectors } = JSON.parse(readFileSync(new URL("../ed25519_vectors.json", import.meta.url), "utf-8"));
const bytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (x) => parseInt(x, 16));

for (const v of vectors) {
  test(`ed25519 vector: ${v.name}`, async () => {
    const key = bytes(v.key);
    const sig = bytes(v.sig);
    assert.equal(ed25519KeyProblem(key), v.key_problem);
    assert.equal(ed25519SignatureProblem(sig), v.sig_problem);
    let valid = false;
    if (v.key_problem === null && v.sig_problem === null) {
      const k = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
      valid = await crypto.subtle.verify({ name: "Ed25519" }, k, sig, bytes(v.msg));
    }
    assert.equal(valid, v.valid);
  });
}

test("WebCrypto alone accepts the identity key's universal signature (why the check exists)", async (t) => {
  const v = vectors.find((x) => x.name === "identity key, universal signature, other message");
  let accepted = false;
  try {
    const k = await crypto.subtle.importKey("raw", bytes(v.key), { name: "Ed25519" }, false, ["verify"]);
    accepted = await crypto.subtle.verify({ name: "Ed25519" }, k, bytes(v.sig), bytes(v.msg));
  } catch (_) { accepted = false; }
  if (!accepted) t.skip("this WebCrypto refuses the identity key itself");
  assert.equal(ed25519KeyProblem(bytes(v.key)), "small order");
});
