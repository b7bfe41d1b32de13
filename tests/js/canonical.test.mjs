// pwa/js/canonical.js on the vectors shared with server/canonical.py (tests/canonical_vectors.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseStrict, canonicalJson, JsonError } from "../../pwa/js/canonical.js";

const { vectors } = JSON.parse(readFileSync(new URL("../canonical_vectors.json", import.meta.url), "utf-8"));

for (const v of vectors) {
  test(`canonical vector: ${v.name}`, () => {
    const bytes = new TextEncoder().encode(v.json);
    if (v.error) {
      assert.throws(() => parseStrict(bytes), (e) => e instanceof JsonError && e.code === v.error);
      assert.throws(() => parseStrict(v.json), (e) => e instanceof JsonError && e.code === v.error);
    } else {
      assert.equal(canonicalJson(parseStrict(bytes)), v.canonical);
    }
  });
}

test("values without a canonical form", () => {
  for (const [value, code] of [[1.5, "json_number"], [2 ** 53, "json_number"], [-0, "json_number"], ["\ud800", "json_lone_surrogate"]]) {
    assert.throws(() => canonicalJson(value), (e) => e.code === code);
  }
});

// pwa/js/log/journal.js (the phone's journal, another module) still has its own canonicalJson:
// on every accepted vector it must give the same text or refuse.
import { canonicalJson as journalCanonical } from "../../pwa/js/log/journal.js";

for (const v of vectors.filter((x) => x.canonical !== undefined)) {
  test(`journal.js copy agrees or refuses: ${v.name}`, () => {
    let theirs;
    try { theirs = journalCanonical(parseStrict(v.json)); } catch (_) { return; }
    assert.equal(theirs, v.canonical);
  });
}
