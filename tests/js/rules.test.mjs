// pwa/staff/rules.js on the vectors shared with server/evidence/rules.py (tests/rules_vectors.json):
// journal rules and times, photo headers, magic numbers and instants must give the same answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { journalProblems, imageSize, sniff, instantUs, entryList, photoProblems, TIME_TOLERANCE_SECONDS } from "../../pwa/staff/rules.js";
import { LIMITS } from "../../pwa/staff/unzip.js";

const V = JSON.parse(readFileSync(new URL("../rules_vectors.json", import.meta.url), "utf-8"));
const bytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));

test("one tolerance in both languages", () => assert.equal(TIME_TOLERANCE_SECONDS, V.tolerance_seconds));

for (const c of V.journal) {
  test(`journal vector: ${c.name}`, () => {
    const found = journalProblems(c.entries, c.created);
    assert.deepEqual(found.map((e) => [e.code, e.file]), c.expected);
  });
}

for (const c of V.images) {
  test(`image header vector: ${c.name}`, () => assert.deepEqual(imageSize(c.mime, bytes(c.hex)), c.size));
}

test("magic numbers and instants", () => {
  for (const c of V.sniff) assert.equal(sniff(bytes(c.hex)), c.type, c.name);
  for (const [text, expected] of V.instants) assert.equal(instantUs(text), expected === null ? null : BigInt(expected), text);
});

test("entry lists name runs", () => {
  assert.equal(entryList([44, 39, 40, 41, 42, 43]), "#39–#44");
  assert.equal(entryList([3, 5, 6, 7, 9]), "#3, #5–#7, #9");
});

test("photo files: unrecorded, wrong type, too large, in name order", () => {
  const img = Object.fromEntries(V.images.map((c) => [c.name, bytes(c.hex)]));
  const sha = "a".repeat(64);
  const journal = [{ seq: 0, kind: "create", data: { type: "photo", id: "p", mime: "image/png", sha256: sha } }];
  const files = new Map([
    [`data/photos/${sha}.png`, img["png 1600x1200"]],
    [`data/photos/${"b".repeat(64)}.jpg`, img["png 1600x1200"]],
    [`data/photos/${"c".repeat(64)}.webp`, img["webp extended"]],
    ["data/photos/notes.txt", new Uint8Array([1, 2, 3])],
  ]);
  const found = photoProblems(files, journal, LIMITS).map((e) => [e.code, e.file.slice(12, 14)]);
  assert.deepEqual(found, [
    ["photo_unrecorded", "bb"], ["photo_type_mismatch", "bb"],
    ["photo_unrecorded", "cc"], ["photo_too_large", "cc"],
    ["photo_unrecorded", "no"], ["photo_type_mismatch", "no"],
  ]);
});
