/** The relay's API from the phone (docs/entrega.md "The relay's API", /api/v1/entrega):
 * offices, window lookup, and an upload in chunks that resumes after a dropped connection.
 *
 * An upload: POST /uploads {office|window, size} -> {id, token, chunk_size}; PUT each chunk
 * with Content-Range at the offset the relay has (`received`); POST .../complete -> the pickup
 * code. When a PUT fails on the network, the phone asks GET /uploads/{id} how much arrived and
 * goes on from there (a few tries); a 409 wrong_offset names the offset itself. The token is
 * the only thing that lets this phone see or delete its upload: the caller keeps it (./store.js).
 *
 * Every failure is a RelayError with the relay's own code (unknown_office, window_not_found,
 * code_typo, too_large, …) and its Spanish/English message when it sent one, or "offline"
 * (no answer at all) and "connection_lost" (the connection kept dropping: resume later). */

const API = "/api/v1/entrega";

export class RelayError extends Error {
  constructor(code, { status = 0, messages = null, received = null } = {}) {
    super((messages && messages.en) || code);
    this.code = code;
    this.status = status;
    this.messages = messages;
    this.received = received;
  }
}

async function call(method, path, { json, bytes, token, range } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (bytes) {
    headers["Content-Type"] = "application/octet-stream";
    headers["Content-Range"] = range;
    body = bytes;
  }
  let res;
  try {
    res = await fetch(API + path, { method, headers, body, cache: "no-store" });
  } catch (_) {
    throw new RelayError("offline");
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch (_) { /* said below */ }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new RelayError(e.code || `http_${res.status}`, { status: res.status, messages: e.message || null,
      received: Number.isInteger(e.received) ? e.received : null });
  }
  return data;
}

/** Offices receiving Entrega today: [{id, city, state, recipients, fingerprints}]. */
export async function offices() {
  return (await call("GET", "/offices")).offices || [];
}

/** An open window by its code (normalised or shown): {recipient, office}. */
export function windowInfo(code) {
  return call("GET", `/windows/${encodeURIComponent(code)}`);
}

export function status(id, token) {
  return call("GET", `/uploads/${encodeURIComponent(id)}`, { token });
}

export function remove(id, token) {
  return call("DELETE", `/uploads/${encodeURIComponent(id)}`, { token });
}

/** Start an upload of `size` bytes to {office} or {window}: {id, token, chunk_size, expires}. */
export function start(target, size) {
  return call("POST", "/uploads", { json: { ...target, size } });
}

/** Send `bytes` from where the relay stands, then complete: {code, expires}. `onProgress`
 * gets (received, size). `tries` network failures in a row are allowed, each followed by a
 * status request; `pause(n)` waits between them (tests pass one that does not wait). */
export async function push(upload, bytes, { onProgress = () => {}, tries = 4, pause = defaultPause } = {}) {
  const { id, token } = upload;
  const size = bytes.length;
  const chunk = Math.max(1, upload.chunk_size || 1024 * 1024);
  let at = upload.received || 0;
  let failures = 0;
  while (at < size) {
    const end = Math.min(size, at + chunk);
    try {
      at = (await call("PUT", `/uploads/${encodeURIComponent(id)}/data`, {
        token, bytes: bytes.subarray(at, end), range: `bytes ${at}-${end - 1}/${size}`,
      })).received;
      failures = 0;
      onProgress(at, size);
    } catch (err) {
      if (err.code === "wrong_offset" && err.received !== null && err.received !== at) {
        at = err.received; // the relay says where it stands
        continue;
      }
      if (err.code !== "offline") throw err;
      failures += 1;
      if (failures >= tries) throw new RelayError("connection_lost", { received: at });
      await pause(failures);
      try {
        at = (await status(id, token)).received; // what arrived before the connection dropped
      } catch (again) {
        if (again.code !== "offline") throw again;
      }
    }
  }
  return call("POST", `/uploads/${encodeURIComponent(id)}/complete`, { token, json: {} });
}

function defaultPause(n) {
  return new Promise((ok) => setTimeout(ok, 1000 * n));
}
