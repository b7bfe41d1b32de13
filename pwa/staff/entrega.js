/** Entrega on the staff desk: office keys, pickup by code, the window, and `.age` files.
 *
 * A bundle sent with Entrega (docs/entrega.md) reaches this desk as age ciphertext. This
 * module holds the office's private keys (a non-extractable X25519 CryptoKey made here and kept
 * in IndexedDB, or an identity from a passphrase-protected file kept in memory only), proves to
 * the relay that it holds them (challenge → desk session), downloads and decrypts in this
 * browser, unwraps the envelope and hands the ZIP bytes to desk.js's own open path, exactly as
 * if the officer had opened the ZIP file. Then it acknowledges, so the relay deletes it.
 *
 * The window flow makes a fresh one-time X25519 key (non-extractable, never stored, forgotten
 * when the window closes): the phone encrypts to it, so what it sent cannot be read later even
 * with the office key (forward secrecy for that hand-off).
 *
 * The age library and the QR generator are loaded only when this screen opens (the desk's
 * first load stays light) and are then cached by the staff service worker for offline use.
 */

import { ENTREGA_TEXT } from "./entrega-text.js";
import { keyStore } from "./entrega-keys.js";

const API = "/api/v1/entrega";
const OFFICE_KEY = "cartilla-staff-entrega-office";
/** What the staff service worker caches when this screen opens (the phone's modules are shared;
 * the vendored libraries by their content hash, as vendor.js imports them). */
const ENTREGA_FILES = ["/vendor/manifest.json", "/js/entrega/vendor.js", "/js/entrega/codes.js", "/js/entrega/envelope.js",
  "/js/entrega/words.json", "/staff/entrega.js", "/staff/entrega-text.js", "/staff/entrega-keys.js", "/staff/entrega.css"];
async function filesToKeep() {
  const manifest = await (await fetch("/vendor/manifest.json")).json();
  return [...ENTREGA_FILES, ...["age.js", "qr.js", "barcode.js", "zxing_reader.wasm"].filter((n) => manifest.files[n]).map((n) => `/vendor/${n}?v=${manifest.files[n]}`)];
}
const MAX_CIPHERTEXT = 52 * 1024 * 1024;

let openBytes = null; // desk.js's open path: (bytes, name) => Promise
let libs = null;
const memoryKeys = []; // identities loaded from files: never written anywhere
let windowSession = null; // { key, recipient, id, code, expires, office }
const sessions = new Map(); // office → { token, expires }

const lang = () => (document.documentElement.lang === "en" ? "en" : "es");
function et(key, vars = {}) {
  const text = ENTREGA_TEXT[lang()][key] ?? ENTREGA_TEXT.es[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}
const $ = (s) => document.querySelector(s);
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") el.dataset.e = v;
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) el.append(c);
  if (attrs.text) el.textContent = et(attrs.text);
  return el;
}

/** A refusal the officer reads next to what it blocks; `code` stays in data-error for tests. */
class EntregaError extends Error {
  constructor(code, vars = {}) { super(code); this.code = code; this.vars = vars; }
}
function showError(where, e) {
  const el = $(where);
  if (!el) return;
  const code = e instanceof EntregaError ? e.code : "err_server";
  const vars = e instanceof EntregaError ? e.vars : { detail: String((e && e.message) || e) };
  el.dataset.error = code.replace(/^err_/, "");
  el.dataset.vars = JSON.stringify(vars);
  el.textContent = vars.message ? vars.message[lang()] || vars.message.es : et(code, vars);
  el.hidden = false;
}
function clearError(where) { const el = $(where); if (el) { el.hidden = true; el.textContent = ""; delete el.dataset.error; } }
function say(where, key, vars = {}) {
  const el = $(where);
  if (!el) return;
  el.dataset.e = key;
  el.dataset.vars = JSON.stringify(vars);
  el.textContent = et(key, vars);
}

async function loadLibs() {
  if (libs) return libs;
  try {
    const { loadVendor } = await import("/js/entrega/vendor.js");
    const [age, qr, codes, envelope] = await Promise.all([loadVendor("age.js"), loadVendor("qr.js"),
      import("/js/entrega/codes.js"), import("/js/entrega/envelope.js")]);
    libs = { age, qr, codes, envelope };
  } catch (e) {
    throw new EntregaError("err_library");
  }
  return libs;
}

// ---- the relay -------------------------------------------------------------------------

/** Maps the relay's refusals to the desk's words; anything else shows the relay's own es/en text. */
const RELAY_ERRORS = { code_not_found: "err_not_found", upload_not_found: "err_not_found", bad_code: "err_typo",
  expired: "err_expired", already_picked_up: "err_picked_up", rate_limited: "err_busy", challenge_failed: "err_wrong_key",
  unknown_office: "err_unpublished", window_not_found: "err_window_gone" };

async function relay(path, { method = "GET", body, token, raw = false } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (_) {
    throw new EntregaError("err_network");
  }
  if (!res.ok) {
    const doc = await res.json().catch(() => null);
    const err = (doc && doc.error) || {};
    if (err.code === "desk_session_invalid" || err.code === "no_token") sessions.clear(); // the next try asks again
    const mine = RELAY_ERRORS[err.code] || (res.status === 429 ? "err_busy" : null);
    if (mine) throw new EntregaError(mine, { relay: err.code || res.status });
    throw new EntregaError("err_server", { detail: err.code || res.status, message: err.message && typeof err.message === "object" ? err.message : undefined });
  }
  if (raw) {
    const length = Number(res.headers.get("content-length") || 0);
    if (length > MAX_CIPHERTEXT) throw new EntregaError("err_too_large");
    return new Uint8Array(await res.arrayBuffer());
  }
  return res.json();
}

const b64decode = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
function b64encode(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Every identity this desk holds for `office` (browser keys and keys loaded from files). */
async function identities(office) {
  const stored = (await keyStore.all()).filter((k) => k.office === office).map((k) => k.key);
  return [...stored, ...memoryKeys.filter((k) => k.office === office).map((k) => k.identity)];
}
async function allIdentities() {
  return [...(await keyStore.all()).map((k) => k.key), ...memoryKeys.map((k) => k.identity)];
}

/** age-decrypt with any of `ids`; a failure is "changed or not for this office", never a trace. */
async function decrypt(ids, ciphertext) {
  const { age } = await loadLibs();
  if (!ids.length) throw new EntregaError("err_no_key");
  const d = new age.Decrypter();
  for (const id of ids) d.addIdentity(id);
  try {
    return await d.decrypt(ciphertext, "uint8array");
  } catch (_) {
    throw new EntregaError("err_tampered");
  }
}

/** The envelope's ZIP (docs/entrega.md "The envelope"); anything malformed is refused whole. */
async function unwrap(plain) {
  const { envelope } = await loadLibs();
  try {
    const { name, bundle } = envelope.readEnvelope(plain);
    return { name, bytes: bundle };
  } catch (_) {
    throw new EntregaError("err_envelope");
  }
}

/** A desk session for `office`: the relay's challenge, decrypted here, answered. */
async function deskToken(office) {
  const have = sessions.get(office);
  if (have && have.expires - Date.now() > 30_000) return have.token;
  const ids = await identities(office);
  if (!ids.length) throw new EntregaError("err_no_key");
  const challenge = await relay("/challenge", { method: "POST", body: { office } });
  let secret;
  try { secret = await decrypt(ids, b64decode(challenge.ciphertext)); } catch (e) {
    if (e instanceof EntregaError && e.code === "err_tampered") throw new EntregaError("err_wrong_key");
    throw e;
  }
  const session = await relay("/desk-session", { method: "POST", body: { challenge: challenge.id, answer: b64encode(secret) } });
  sessions.set(office, { token: session.token, expires: Date.parse(session.expires) || Date.now() + 10 * 60_000 });
  return session.token;
}

// ---- codes -------------------------------------------------------------------------------

/** The typed code, read as docs/entrega.md says; a wrong check symbol stops before any request. */
async function readPickupCode(typed) {
  const { codes } = await loadLibs();
  try {
    return codes.group(codes.normalizePickup(String(typed || "")));
  } catch (e) {
    throw new EntregaError(e && e.code === "code_typo" ? "err_typo" : "err_code_short");
  }
}
async function fingerprintOf(recipient) {
  const { codes } = await loadLibs();
  return codes.fingerprint(recipient);
}
async function twoWordsOf(recipient) {
  const { codes } = await loadLibs();
  return (await codes.twoWords(recipient)).join(" · "); // as the phone shows them
}

// ---- handing the bytes to the desk ---------------------------------------------------

async function deliver(plain) {
  const { bytes, name } = await unwrap(plain);
  // Fold the screen so the case (exports, verdict) is on the first screen, as for a dropped file.
  $("#entrega").open = false;
  await openBytes(bytes, name);
  return name;
}

/** A `.age` file from the desk's picker or drop zone: decrypted with every key on this desk. */
export async function openAge(ciphertext) {
  clearError("#entrega-file-error");
  try {
    const { age } = await loadLibs();
    let bytes = ciphertext;
    const head = new TextDecoder().decode(ciphertext.subarray(0, 40));
    if (head.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")) {
      try { bytes = age.armor.decode(new TextDecoder().decode(ciphertext)); } catch (_) { throw new EntregaError("err_tampered"); }
    }
    const ids = [...(await allIdentities()), ...(windowSession ? [windowSession.key] : [])];
    if (!ids.length) throw new EntregaError("err_no_key");
    return await deliver(await decrypt(ids, bytes));
  } catch (e) {
    showError("#entrega-file-error", e);
    document.body.dataset.entrega = "refused";
    return null;
  }
}

// ---- screens -------------------------------------------------------------------------

function office() {
  const value = ($("#entrega-office").value || "").trim();
  if (!/^[a-z0-9][a-z0-9_-]{0,80}$/i.test(value)) throw new EntregaError("err_office");
  try { localStorage.setItem(OFFICE_KEY, value); } catch (_) { /* private mode */ }
  return value;
}

function yamlBlock(k) {
  return ["entrega_keys:", `- recipient: ${k.recipient}`, `  fingerprint: ${k.fingerprint}`, `  valid_from: ${k.valid_from}`,
    `  valid_until: ${k.valid_until}`, `  added: ${k.valid_from}`].join("\n");
}
function yearLater(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

async function createKey() {
  clearError("#entrega-key-error");
  try {
    const where = office();
    const { age } = await loadLibs();
    let pair;
    try { pair = await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]); } catch (_) { throw new EntregaError("err_no_webcrypto"); }
    const recipient = await age.identityToRecipient(pair.privateKey);
    const today = new Date().toISOString().slice(0, 10);
    const record = { id: `k-${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`, office: where,
      recipient, fingerprint: await fingerprintOf(recipient), valid_from: today, valid_until: yearLater(today), created: new Date().toISOString(),
      key: pair.privateKey };
    await keyStore.put(record);
    sessions.delete(where);
    await renderKeys();
  } catch (e) { showError("#entrega-key-error", e); }
}

async function loadKeyFile() {
  clearError("#entrega-key-error");
  try {
    const file = $("#entrega-key-file").files[0];
    if (!file) throw new EntregaError("err_key_file");
    const { age } = await loadLibs();
    let bytes = new Uint8Array(await file.arrayBuffer());
    const text = new TextDecoder().decode(bytes.subarray(0, 40));
    if (text.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")) {
      try { bytes = age.armor.decode(new TextDecoder().decode(bytes)); } catch (_) { throw new EntregaError("err_key_file"); }
    }
    let plain;
    if (new TextDecoder().decode(bytes.subarray(0, 21)) === "age-encryption.org/v1") {
      const d = new age.Decrypter();
      d.addPassphrase($("#entrega-passphrase").value);
      try { plain = await d.decrypt(bytes, "text"); } catch (_) { throw new EntregaError("err_passphrase"); }
    } else {
      plain = new TextDecoder().decode(bytes);
    }
    const found = plain.split(/\r?\n/).map((l) => l.trim()).filter((l) => /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/.test(l));
    if (!found.length) throw new EntregaError("err_key_file");
    // `cartilla desk-key new` names the office in the file's first line: that office, then.
    const named = /office key for ([a-z0-9][a-z0-9_-]{0,80})\b/i.exec(plain);
    if (named) $("#entrega-office").value = named[1];
    const where = office();
    for (const identity of found) {
      const recipient = await age.identityToRecipient(identity);
      if (memoryKeys.some((k) => k.recipient === recipient && k.office === where)) continue;
      memoryKeys.push({ id: `m-${memoryKeys.length + 1}`, office: where, recipient, fingerprint: await fingerprintOf(recipient), identity, memory: true });
    }
    $("#entrega-passphrase").value = "";
    $("#entrega-key-file").value = "";
    sessions.delete(where);
    await renderKeys();
  } catch (e) { showError("#entrega-key-error", e); }
}

async function renderKeys() {
  const list = $("#entrega-key-list");
  const keys = [...(await keyStore.all()), ...memoryKeys];
  list.replaceChildren();
  if (!keys.length) list.append(h("p", { text: "no_keys", class: "small" }));
  for (const k of keys) {
    const item = h("div", { class: "entrega-key" });
    item.dataset.recipient = k.recipient;
    item.dataset.fingerprint = k.fingerprint;
    item.dataset.kind = k.memory ? "file" : "browser";
    const fp = h("p", { class: "fingerprint" }, h("span", { text: "fingerprint" }), ": ", h("strong", {}, k.fingerprint));
    const rec = h("p", { class: "mono" }, h("span", { text: "recipient" }), ": ", h("code", { class: "recipient" }, k.recipient));
    item.append(h("p", { class: "small" }, `${k.office} · `, h("span", { text: k.memory ? "key_memory" : "key_browser" })), fp, rec);
    if (!k.memory) {
      const pre = h("pre", { class: "yaml" }, yamlBlock(k));
      item.append(h("p", { text: "yaml", class: "small" }), pre);
      const del = h("button", { type: "button", class: "button danger", text: "key_delete" });
      const confirm = h("div", { class: "confirm", hidden: true });
      const yes = h("button", { type: "button", class: "button danger", text: "key_delete_yes" });
      const no = h("button", { type: "button", class: "button", text: "key_delete_no" });
      confirm.append(h("p", { text: "key_delete_warn", class: "blocked", role: "alert" }), yes, no);
      del.addEventListener("click", () => { confirm.hidden = false; });
      no.addEventListener("click", () => { confirm.hidden = true; });
      yes.addEventListener("click", async () => { await keyStore.remove(k.id); sessions.delete(k.office); await renderKeys(); });
      item.append(del, confirm);
    }
    list.append(item);
  }
}

async function pickup() {
  clearError("#entrega-pickup-error");
  say("#entrega-done", "");
  say("#entrega-pickup-status", "");
  document.body.dataset.entrega = "working";
  try {
    const code = await readPickupCode($("#entrega-code").value);
    $("#entrega-code").value = code;
    const where = office();
    if (!(await identities(where)).length) throw new EntregaError("err_no_key");
    say("#entrega-pickup-status", "step_challenge");
    const token = await deskToken(where);
    const found = await relay(`/pickup/${encodeURIComponent(code)}`, { token });
    say("#entrega-pickup-status", "step_download");
    const ciphertext = await relay(`/uploads/${encodeURIComponent(found.id)}/ciphertext`, { token, raw: true });
    say("#entrega-pickup-status", "step_decrypt");
    const name = await deliver(await decrypt(await identities(where), ciphertext));
    const acked = await relay(`/uploads/${encodeURIComponent(found.id)}/ack`, { method: "POST", token, body: {} }).then(() => true, () => false);
    say("#entrega-pickup-status", acked ? "done" : "done_not_deleted", { name });
    say("#entrega-done", acked ? "done" : "done_not_deleted", { name });
    document.body.dataset.entrega = acked ? "picked-up" : "picked-up-kept";
  } catch (e) {
    say("#entrega-pickup-status", "");
    showError("#entrega-pickup-error", e);
    document.body.dataset.entrega = "refused";
  }
}

let stopScan = () => {};
/** Reads the phone's pickup QR code (it holds the code as shown) with the desk's camera, then
 * picks up as if it had been typed; anything else in view is ignored. One frame at a time. */
async function scanCode() {
  clearError("#entrega-pickup-error");
  stopScan();
  const video = $("#entrega-camera");
  let stream;
  try {
    const { loadVendor } = await import("/js/entrega/vendor.js");
    const detector = await (await loadVendor("barcode.js").catch(() => { throw new EntregaError("err_library"); })).qrDetector();
    try { stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false }); } catch (e) {
      throw new EntregaError(e && e.name === "NotAllowedError" ? "err_camera_denied" : "err_no_camera");
    }
    const { codes } = await loadLibs();
    let stopped = false;
    stopScan = () => { stopped = true; stream.getTracks().forEach((t) => t.stop()); video.hidden = true; stopScan = () => {}; };
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => {});
    say("#entrega-pickup-status", "scan_point");
    const next = async () => {
      if (stopped) return;
      try {
        if (video.readyState >= 2) {
          for (const found of await detector.detect(video)) {
            let code = null;
            try { code = codes.group(codes.normalizePickup(found.rawValue)); } catch (_) { continue; }
            stopScan();
            $("#entrega-code").value = code;
            pickup();
            return;
          }
        }
      } catch (_) { /* a frame that cannot be read: the next one */ }
      (video.requestVideoFrameCallback ? video.requestVideoFrameCallback.bind(video) : requestAnimationFrame)(next);
    };
    next();
  } catch (e) {
    stopScan();
    showError("#entrega-pickup-error", e);
  }
}

async function openWindow() {
  clearError("#entrega-window-error");
  try {
    const where = office();
    const { age, qr } = await loadLibs();
    if (!(await identities(where)).length) throw new EntregaError("err_no_key");
    const token = await deskToken(where);
    let pair;
    try { pair = await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]); } catch (_) { throw new EntregaError("err_no_webcrypto"); }
    const recipient = await age.identityToRecipient(pair.privateKey);
    const made = await relay("/windows", { method: "POST", token, body: { recipient } });
    // Only the private half is kept, in this variable: never stored, gone when the window closes.
    windowSession = { key: pair.privateKey, recipient, id: made.id, code: made.code, expires: Date.parse(made.expires), office: where, token };
    const text = `CARTILLA-W1:${made.code.replace(/-/g, "")}:${recipient}`;
    const box = $("#entrega-qr");
    box.replaceChildren(qrElement(qr, text));
    box.dataset.text = text;
    $("#entrega-window-code").textContent = made.code;
    $("#entrega-window-words").textContent = await twoWordsOf(recipient);
    $("#entrega-window-open").hidden = false;
    say("#entrega-window-status", "");
    document.body.dataset.window = "open";
    schedulePoll();
  } catch (e) { showError("#entrega-window-error", e); }
}

/** The QR as an SVG (vendor qr.js, margin 4); its modules also ride in data-modules, rows of 0/1,
 * so a test can draw the same code into a fake camera. */
function qrElement(qr, text) {
  const svg = qr.qrSvg(document, text, { margin: 4, ecc: "M", label: text });
  const { size, dark } = qr.qrMatrix(text, "M");
  const rows = [];
  for (let y = 0; y < size; y++) { let row = ""; for (let x = 0; x < size; x++) row += dark(y, x) ? "1" : "0"; rows.push(row); }
  svg.dataset.modules = rows.join(",");
  svg.setAttribute("width", String((size + 8) * 5));
  return svg;
}

let pollTimer = null;
/** A bounded poll (every 5 s, until the window expires) besides the button. */
function schedulePoll() {
  clearTimeout(pollTimer);
  if (!windowSession) return;
  if (Date.now() > windowSession.expires) { closeWindow(); return; } // its key goes with it
  pollTimer = setTimeout(() => checkWindow(true).finally(schedulePoll), 5000);
}

let checking = false;
async function checkWindow(quiet = false) {
  if (!windowSession || checking) return;
  checking = true;
  if (!quiet) clearError("#entrega-window-error");
  const w = windowSession;
  try {
    const token = await deskToken(w.office);
    const state = await relay(`/windows/${encodeURIComponent(w.id)}/upload`, { token });
    if (!state.upload) {
      if (!quiet) say("#entrega-window-status", "window_waiting", { time: new Date(w.expires).toLocaleTimeString(lang()) });
      document.body.dataset.window = "waiting";
      return;
    }
    say("#entrega-window-status", "step_decrypt");
    const ciphertext = await relay(`/uploads/${encodeURIComponent(state.upload)}/ciphertext`, { token, raw: true });
    const name = await deliver(await decrypt([w.key], ciphertext));
    const acked = await relay(`/uploads/${encodeURIComponent(state.upload)}/ack`, { method: "POST", token, body: {} }).then(() => true, () => false);
    closeWindow();
    say("#entrega-window-status", acked ? "done" : "done_not_deleted", { name });
    say("#entrega-done", acked ? "done" : "done_not_deleted", { name });
    document.body.dataset.window = "picked-up";
  } catch (e) {
    if (!quiet || e.code !== "err_network") showError("#entrega-window-error", e);
    if (e instanceof EntregaError && ["err_tampered", "err_envelope", "err_expired"].includes(e.code)) { closeWindow(); document.body.dataset.window = "refused"; }
  } finally { checking = false; }
}

function closeWindow() {
  clearTimeout(pollTimer);
  windowSession = null; // the one-time key has no other reference: it is gone
  $("#entrega-window-open").hidden = true;
  $("#entrega-qr").replaceChildren();
  say("#entrega-window-status", "window_closed");
  document.body.dataset.window = "closed";
}

function relabel(root = document) {
  for (const el of root.querySelectorAll("[data-e]")) {
    if (!el.dataset.e) { el.textContent = ""; continue; }
    const vars = el.dataset.vars ? JSON.parse(el.dataset.vars) : {};
    el.textContent = vars.message ? vars.message[lang()] || vars.message.es : et(el.dataset.e, vars);
  }
  for (const el of root.querySelectorAll("[data-error]")) {
    const vars = el.dataset.vars ? JSON.parse(el.dataset.vars) : {};
    el.textContent = vars.message ? vars.message[lang()] || vars.message.es : et(`err_${el.dataset.error}`, vars);
  }
}

function build() {
  const field = (id, key, input) => h("p", {}, h("label", { for: id, text: key }), " ", input);
  // Folded by default: the desk's first screen stays the drop zone and, once open, the case.
  const sec = h("details", { id: "entrega", class: "entrega" });
  const officeInput = h("input", { id: "entrega-office", autocomplete: "off", spellcheck: "false", list: "entrega-offices" });
  try { officeInput.value = localStorage.getItem(OFFICE_KEY) || ""; } catch (_) { /* private mode */ }
  sec.append(h("summary", {}, h("h2", { text: "entrega" })), h("p", { text: "entrega_note", class: "small" }),
    field("entrega-office", "office", officeInput), h("datalist", { id: "entrega-offices" }));

  const keys = h("details", { id: "entrega-keys" });
  const fileInput = h("input", { id: "entrega-key-file", type: "file" });
  const pass = h("input", { id: "entrega-passphrase", type: "password", autocomplete: "off" });
  const newKey = h("button", { type: "button", id: "entrega-key-new", class: "button", text: "key_new" });
  const load = h("button", { type: "button", id: "entrega-key-load", class: "button", text: "key_load" });
  newKey.addEventListener("click", createKey);
  load.addEventListener("click", loadKeyFile);
  keys.append(h("summary", { text: "keys" }), h("p", { text: "keys_note", class: "small" }), newKey,
    h("fieldset", {}, h("legend", { text: "key_file" }), field("entrega-key-file", "key_file", fileInput), field("entrega-passphrase", "passphrase", pass), load),
    h("p", { id: "entrega-key-error", class: "error", role: "alert", hidden: true }), h("div", { id: "entrega-key-list" }));

  const pick = h("section", { id: "entrega-pickup" });
  const code = h("input", { id: "entrega-code", autocomplete: "off", spellcheck: "false", autocapitalize: "characters", inputmode: "text" });
  const go = h("button", { type: "submit", id: "entrega-pickup-go", class: "button", text: "pickup_go" });
  const form = h("form", {}, field("entrega-code", "code", code), go);
  form.addEventListener("submit", (e) => { e.preventDefault(); pickup(); });
  const scan = h("button", { type: "button", id: "entrega-scan", class: "button", text: "scan" });
  scan.addEventListener("click", scanCode);
  const video = h("video", { id: "entrega-camera", hidden: true, playsInline: true, muted: true });
  pick.append(h("h3", { text: "pickup" }), form, navigator.mediaDevices ? scan : "", video,
    h("p", { id: "entrega-pickup-error", class: "error", role: "alert", hidden: true }),
    h("p", { id: "entrega-pickup-status", role: "status" }));

  const win = h("section", { id: "entrega-window" });
  const open = h("button", { type: "button", id: "entrega-window-start", class: "button", text: "window_open" });
  open.addEventListener("click", openWindow);
  const check = h("button", { type: "button", id: "entrega-window-check", class: "button", text: "window_check" });
  check.addEventListener("click", () => checkWindow(false));
  const close = h("button", { type: "button", id: "entrega-window-close", class: "button", text: "window_close" });
  close.addEventListener("click", closeWindow);
  const opened = h("div", { id: "entrega-window-open", hidden: true },
    h("div", { id: "entrega-qr", class: "qr" }),
    h("p", {}, h("span", { text: "window_code" }), ": ", h("strong", { id: "entrega-window-code", class: "code" })),
    h("p", { text: "window_words" }), h("p", { id: "entrega-window-words", class: "words" }), check, close);
  win.append(h("h3", { text: "window" }), h("p", { text: "window_note", class: "small" }), open, opened,
    h("p", { id: "entrega-window-error", class: "error", role: "alert", hidden: true }), h("p", { id: "entrega-window-status", role: "status" }));

  sec.append(keys, pick, win);
  return sec;
}

async function fillOffices() {
  try {
    const doc = await relay("/offices");
    const list = $("#entrega-offices");
    for (const o of doc.offices || doc || []) {
      if (!o || !o.id) continue;
      list.append(h("option", { value: o.id }, `${o.city || ""}${o.state ? `, ${o.state}` : ""}`));
    }
  } catch (_) { /* offline: the officer types the id */ }
}

/** Mount the Entrega screen under `where`; `open` is desk.js's path for ZIP bytes. */
export async function mountEntrega(where, open) {
  openBytes = open;
  where.append(build(), h("p", { id: "entrega-done", class: "small", role: "status" }));
  // The file picker's own place shows a refused .age file.
  const drop = $("#drop");
  if (drop && !$("#entrega-file-error")) drop.append(h("p", { id: "entrega-file-error", class: "error", role: "alert", hidden: true }));
  new MutationObserver(() => relabel()).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  await renderKeys().catch(() => null);
  // A desk with no key yet opens on the key screen: that is the first thing to do.
  if (!$("#entrega-key-list .entrega-key")) $("#entrega-keys").open = true;
  fillOffices();
  // Cached for offline use once this screen has been opened (the service worker keeps them).
  if (navigator.serviceWorker) {
    Promise.all([navigator.serviceWorker.ready, filesToKeep()])
      .then(([reg, urls]) => reg.active && reg.active.postMessage({ cache: urls })).catch(() => {});
  }
  loadLibs().then(() => { document.body.dataset.entregaReady = "yes"; }, () => { document.body.dataset.entregaReady = "no"; });
}
