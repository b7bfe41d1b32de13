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

// The phone's journal hashes with this very function: one canonical form in JS, not a copy.
import { canonicalJson as journalCanonical } from "../../pwa/js/log/journal.js";

test("the journal uses the one canonical implementation", () => {
  assert.equal(journalCanonical, canonicalJson);
});
