// The desk's strict Ed25519 decision (pwa/staff/verify.js) on suites others maintain:
// C2SP CCTV and Wycheproof (tests/third_party/, origin and licence in its README). The same
// decisions as server/evidence/signing.py (tests/test_ed25519_suites.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ed25519KeyProblem, ed25519SignatureProblem } from "../../pwa/staff/verify.js";

const load = (name) => JSON.parse(readFileSync(new URL(`../third_party/${name}`, import.meta.url), "utf-8"));
const bytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (x) => parseInt(x, 16));

async function strictAccepts(key, sig, msg) {
  if (ed25519KeyProblem(key) !== null) return false;
  if (sig.length !== 64 || ed25519SignatureProblem(sig) !== null) return false;
  try {
    const k = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify({ name: "Ed25519" }, k, sig, msg);
  } catch (_) {
    return false;
  }
}

test("CCTV: every flagged vector refused, the plain one accepted", async () => {
  const vectors = load("cctv_ed25519vectors.json");
  assert.equal(vectors.length, 914);
  const accepted = [];
  for (const v of vectors) {
    if (await strictAccepts(bytes(v.key), bytes(v.sig), new TextEncoder().encode(v.msg))) accepted.push(v.number);
  }
  const plain = vectors.filter((v) => !v.flags || v.flags.length === 0).map((v) => v.number);
  assert.deepEqual(accepted, plain);
  assert.equal(plain.length, 1);
});

test("Wycheproof: valid accepted, invalid refused", async () => {
  const suite = load("wycheproof_ed25519_test.json");
  let count = 0;
  for (const group of suite.testGroups) {
    const key = bytes(group.publicKey.pk);
    for (const t of group.tests) {
      count += 1;
      assert.equal(await strictAccepts(key, bytes(t.sig), bytes(t.msg)), t.result === "valid", `tcId ${t.tcId} ${t.comment}`);
    }
  }
  assert.equal(count, suite.numberOfTests);
});
