// pwa/staff/rules.js on the vectors shared with server/evidence/rules.py (tests/rules_vectors.json):
// journal rules and times, photo headers, magic numbers and instants must give the same answers;
// and a bundle the phone's own builder makes passes the rules on the desk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { journalProblems, imageSize, sniff, instantUs, entryList, photoProblems, TIME_TOLERANCE_SECONDS } from "../../pwa/staff/rules.js";
import { LIMITS } from "../../pwa/staff/unzip.js";
import { makeEntry } from "../../pwa/js/log/journal.js";
import { buildBundle } from "../../pwa/js/bundle/build.js";
import { keyBinding } from "../../pwa/js/bundle/keys.js";
import { verifyBundle } from "../../pwa/staff/verify.js";

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

// --- bundles the phone's own builder makes (pwa/js/bundle/build.js) pass the rules -------------

const hexOf = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
const b64url = (buf) => Buffer.from(new Uint8Array(buf)).toString("base64url");

/** A JPEG as a canvas writes one (APP0, DQT, SOF0, SOS), with stand-in scan data. */
function canvasJpeg(width, height) {
  const seg = (marker, body) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
  return Uint8Array.from([0xff, 0xd8,
    ...seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...seg(0xdb, [0, ...new Array(64).fill(1)]),
    ...seg(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]),
    ...seg(0xda, [1, 1, 0, 0, 63, 0]), ...new Array(200).fill(0x55), 0xff, 0xd9]);
}

async function phoneBundle({ backwards = false } = {}) {
  const server = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const raw = await crypto.subtle.exportKey("raw", server.publicKey);
  const keyId = hexOf(await crypto.subtle.digest("SHA-256", raw)).slice(0, 16);
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const key = { algorithm: "ECDSA-P256-SHA256", privateKey: pair.privateKey, publicKey: pair.publicKey };
  const journal = [];
  let minute = 0;
  const at = () => new Date(Date.UTC(2026, 5, 1, 12, minute++)).toISOString();
  const add = async (spec) => { journal.push(await makeEntry(journal[journal.length - 1] || null, { time: at(), ...spec })); return journal[journal.length - 1]; };
  const receipt = async () => {
    const hash = journal[journal.length - 1].hash;
    const time = new Date(Date.UTC(2026, 5, 1, 12, minute)).toISOString().slice(0, 19) + "Z";
    const sig = await crypto.subtle.sign({ name: "Ed25519" }, server.privateKey, new TextEncoder().encode(`cartilla-receipt-v1\n${hash}\n${time}`));
    await add({ kind: "receipt", receipt: { hash, time, key_id: keyId, signature: b64url(sig) } });
  };
  await add({ kind: "key", key: await keyBinding(key) });
  await receipt();
  await add({ kind: "create", data: { type: "employer", id: "e1", name: "Rancho" } });
  await add({ kind: "create", data: { type: "employer", id: "e2", name: "Otro" } });
  await add({ kind: "create", data: { type: "job", id: "j1", employer_id: "e1", state: "CA", industry: "agriculture", pay_type: "hourly", workweek_start: "sunday" } });
  const jpeg = canvasJpeg(1600, 1200);
  const photo = { type: "photo", id: "ph1", mime: "image/jpeg", sha256: hexOf(await crypto.subtle.digest("SHA-256", jpeg)), size_bytes: jpeg.length };
  await add({ kind: "create", data: photo });
  const shift = { type: "shift", id: "s1", job_id: "j1", date: "2026-06-01", start: "06:00", end: "14:00", break_minutes: 0, from_memory: false, photo_ids: ["ph1"] };
  const made = await add({ kind: "create", data: shift });
  await add({ kind: "edit", data: { ...shift, end: "15:00" }, replaces: made.hash, reason: "Salí a las 3" });
  await add({ kind: "create", data: { type: "incident", id: "i1", job_id: "j1", date: "2026-06-01", kind: "injury", from_memory: false, photo_ids: [] } });
  await add({ kind: "delete", recordType: "incident", recordId: "i1", replaces: journal[journal.length - 1].hash, reason: "Duplicado" });
  if (backwards) await add({ kind: "create", data: { ...shift, id: "s2", date: "2026-06-02" }, time: "2026-05-01T00:00:00.000Z" });
  await receipt();
  const { blob } = await buildBundle({
    log: { journal, photoBytes: async (p) => (p.id === "ph1" ? jpeg : null) },
    selection: { employerIds: ["e1"] }, key, now: new Date(Date.UTC(2026, 5, 1, 13)),
  });
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(await blob.arrayBuffer());
  const serverKey = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  return verifyBundle(bytes, { [keyId]: serverKey });
}

test("a bundle the phone builds (edit, delete, photo, a withheld employer, receipts) passes every check", async () => {
  const report = await phoneBundle();
  assert.deepEqual(report.errorCodes, {});
  assert.equal(report.checks.rules.ok, true);
  assert.equal(report.checks.photos.ok, true);
  assert.equal(report.ok, true);
});

test("a phone bundle whose entry time goes back a month fails the rules check, naming it", async () => {
  const report = await phoneBundle({ backwards: true });
  assert.deepEqual(report.errorCodes, { rules: ["time_backwards"] });
  assert.match(report.checks.rules.errors[0].file, /^#\d+$/);
});
