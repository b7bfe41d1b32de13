/** Entrega on the phone: send the bundle just made to a consular office, encrypted so that only
 * that office can open it (docs/entrega.md). Loaded by the consulate screen (../bundle/screen.js)
 * only when the worker taps "Enviar al consulado", or when it has earlier uploads to show.
 *
 * - To an office: pick it (the worker's consulate first, from the offline pack's consulates with
 *   a key valid today; then the relay's list when online), see its fingerprint and exactly what
 *   leaves the phone, encrypt with age to its valid keys, upload, and get the pickup code (big,
 *   grouped, and as a QR code), "recogido ✔" when the office has it, and "Borrar del servidor".
 * - At the window: scan the desk's QR code (CARTILLA-W1:<code>:<recipient>) or type its code,
 *   check the two words both screens show, and send to that window's one-time key.
 * - Offline, or an office without a key: save the same encrypted envelope as a .age file (or the
 *   plain ZIP, as before).
 * Texts: pwa/i18n/<lang>/entrega.json (loaded here; not part of the first visit). */

import { h, formatDate } from "../ui.js";
import { orderConsulates, packData, savedCounty } from "../screens/directory.js";
import { fingerprint, group, normalizeWindow, parseWindowQr, twoWords } from "./codes.js";
import { EnvelopeError, MAX_PLAINTEXT, envelopeSize, safeName, seal } from "./envelope.js";
import * as relay from "./relay.js";
import { forget, remember, savedUploads } from "./saved.js";
import { loadVendor } from "./vendor.js";

// --- texts ---------------------------------------------------------------------------------

const loaded = new Map();
async function messages(lang) {
  const one = async (l) => {
    if (!loaded.has(l)) {
      loaded.set(l, fetch(`/i18n/${l}/entrega.json`).then((r) => (r.ok ? r.json() : {})).catch(() => ({})));
    }
    return loaded.get(l);
  };
  const [base, own] = await Promise.all([one("es"), lang && lang !== "es" ? one(lang) : {}]);
  return { ...flatten(base), ...flatten(own) };
}

function flatten(obj, prefix = "", out = {}) {
  for (const [k, v] of Object.entries(obj || {})) {
    if (v && typeof v === "object") flatten(v, `${prefix}${k}.`, out);
    else out[prefix + k] = v;
  }
  return out;
}

/** tr(key, vars): this capability's text in the worker's language ({name} filled in). */
async function translator(lang) {
  const table = await messages(lang);
  return (key, vars = {}) => String(table[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** The worker-facing words for a failure (a RelayError, EnvelopeError, CodeError, VendorError…). */
function errorText(err, tr, lang) {
  const code = (err && err.code) || "failed";
  const key = `error.${code}`;
  const own = tr(key);
  if (own !== key) return own;
  const server = err && (err.messages || null);
  if (server && (server[lang] || server.es)) return server[lang] || server.es;
  return tr("error.failed");
}

const p = (...c) => h("p", null, ...c);
const today = () => new Date().toISOString().slice(0, 10);

// --- offices -------------------------------------------------------------------------------

/** Keys valid today whose fingerprint the phone computes the same (a mismatch is not used). */
async function validKeys(consulate) {
  const day = today();
  const keys = (consulate.entrega_keys || []).filter((k) => k.valid_from <= day && day < k.valid_until);
  const checked = await Promise.all(keys.map(async (k) => ((await fingerprint(k.recipient)) === k.fingerprint ? k : null)));
  return checked.filter(Boolean);
}

/** [{id, city, state, recipients, fingerprints, mine, from}] — the worker's consulates first. */
async function officeChoices(ctx, online) {
  const state = ctx.profile && ctx.profile.state;
  const { consulates } = packData(ctx.pack);
  const ordered = orderConsulates(consulates, state, savedCounty(state));
  const out = [];
  const without = [];
  for (const c of ordered) {
    const keys = await validKeys(c);
    const entry = { id: c.id, city: c.city, state: c.state, mine: (c.serves || []).includes(state), from: "pack",
      recipients: keys.map((k) => k.recipient), fingerprints: keys.map((k) => k.fingerprint) };
    (keys.length ? out : without).push(entry);
  }
  if (online) {
    try {
      for (const o of await relay.offices()) {
        if (out.some((x) => x.id === o.id)) continue;
        // Fingerprints as this phone computes them, for the worker to compare with the office.
        const fps = await Promise.all((o.recipients || []).map(fingerprint));
        if (fps.length) out.push({ ...o, fingerprints: fps, mine: false, from: "relay" });
      }
    } catch (_) { /* offline after all: the pack's offices are enough */ }
  }
  return { offices: out, without: without.filter((c) => c.mine) };
}

// --- the panel -------------------------------------------------------------------------------

function saveFile(bytes, name, type) {
  const a = h("a", { href: URL.createObjectURL(new Blob([bytes], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

async function bundleBytes(out) {
  return new Uint8Array(await out.blob.arrayBuffer());
}

/** The "Enviar al consulado" part of the consulate screen, for the bundle `out` just made. */
export async function sendPanel(out, ctx) {
  const tr = await translator(ctx.lang);
  const box = h("section", { id: "entrega", "aria-labelledby": "entrega-title" },
    h("h2", { id: "entrega-title" }, tr("title")));
  const status = h("p", { id: "entrega-status", role: "status", "aria-live": "polite" });
  box.append(status);
  const fail = (err) => {
    status.replaceChildren(h("span", { class: "error", role: "alert" }, errorText(err, tr, ctx.lang)));
  };
  // Files first: without them nothing here works, and the worker must hear why.
  try {
    await loadVendor("age.js");
  } catch (err) {
    status.append(h("span", { class: "error", id: "entrega-unavailable" }, errorText(err, tr, ctx.lang)));
    box.append(p(tr("zipInstead")));
    return box;
  }
  const name = safeName(out.filename);
  if (envelopeSize(name, out.blob.size) > MAX_PLAINTEXT) {
    status.append(h("span", { class: "error", id: "entrega-too-large" }, tr("error.too_large")));
    return box;
  }
  const online = navigator.onLine !== false;
  const { offices, without } = await officeChoices(ctx, online);

  const choices = h("fieldset", { id: "entrega-offices" }, h("legend", null, tr("pick")));
  offices.forEach((o, i) => {
    choices.append(h("label", { class: "check" },
      h("input", { type: "radio", name: "entrega-office", value: o.id, checked: i === 0 }),
      " ", tr("officeIn", { city: o.city, state: o.state }), o.mine ? ` (${tr("yours")})` : ""));
  });
  const chosen = () => offices.find((o) => o.id === (choices.querySelector("input:checked") || {}).value);
  const print = h("p", { id: "entrega-fingerprint" });
  const showPrint = () => {
    const o = chosen();
    print.replaceChildren(...(o ? [tr("fingerprint"), " ", h("strong", { class: "fingerprint" }, o.fingerprints.join(" · "))] : []));
  };
  choices.addEventListener("change", showPrint);
  const result = h("div", { id: "entrega-result" });
  const sendBtn = h("button", { type: "button", class: "button primary", id: "entrega-upload" }, tr("send"));
  const ageBtn = h("button", { type: "button", class: "button", id: "entrega-save-age" }, tr("saveAge"));
  const windowBtn = h("button", { type: "button", class: "button", id: "entrega-window" }, tr("window.start"));
  const progress = h("progress", { id: "entrega-progress", max: "1", value: "0", hidden: true });

  if (without.length) box.append(h("p", { id: "entrega-not-receiving" }, tr("notReceiving", { city: without[0].city })));
  if (offices.length) {
    box.append(choices, print, h("p", { id: "entrega-leaves" }, tr("leaves")));
    showPrint();
  } else {
    box.append(h("p", { id: "entrega-no-office" }, tr(online ? "noOffice" : "offlineNoOffice")));
  }
  const offlineNote = online ? null : h("p", { id: "entrega-offline" }, tr("offline"));
  sendBtn.hidden = !online;
  box.append(offlineNote || "", h("div", { class: "actions" }, offices.length ? sendBtn : null, offices.length ? ageBtn : null, windowBtn),
    progress, result);
  // Opened offline, then the connection came back: sending is possible now.
  if (!online) {
    window.addEventListener("online", () => {
      sendBtn.hidden = false;
      if (offlineNote) offlineNote.remove();
    }, { once: true });
  }

  let busy = false;
  const guard = (fn) => async () => {
    if (busy) return;
    busy = true;
    for (const b of [sendBtn, ageBtn, windowBtn]) b.disabled = true;
    try {
      await fn();
    } catch (err) {
      console.error(err);
      fail(err);
    } finally {
      busy = false;
      for (const b of [sendBtn, ageBtn, windowBtn]) b.disabled = false;
    }
  };
  ageBtn.addEventListener("click", guard(async () => {
    const o = chosen();
    status.textContent = tr("encrypting");
    const sealed = await seal(o.recipients, name, await bundleBytes(out));
    saveFile(sealed, name.replace(/\.zip$/, ".zip.age"), "application/octet-stream");
    status.textContent = tr("savedAge", { city: o.city });
  }));
  const carry = {}; // an upload cut off by a lost connection, resumed by the next tap
  sendBtn.addEventListener("click", guard(async () => {
    const o = chosen();
    if (carry.pending && carry.pending.saved.office !== o.id) carry.pending = null;
    status.textContent = tr(carry.pending ? "resuming" : "encrypting");
    const sealed = carry.pending ? carry.pending.sealed : await seal(o.recipients, name, await bundleBytes(out));
    const record = { office: o.id, city: o.city, state: o.state, fingerprints: o.fingerprints };
    const done = await upload({ office: o.id }, sealed, record, { status, progress, tr, carry });
    result.replaceChildren(receipt({ ...record, ...done }, ctx, tr));
    status.textContent = tr("sent");
  }));
  windowBtn.addEventListener("click", () => {
    result.replaceChildren(windowFlow(out, name, ctx, tr));
    result.querySelector("input, button").focus();
  });
  return box;
}

/** Start, push and complete; the id and token are remembered as soon as the relay gives them,
 * so the upload can be seen and deleted later. After a lost connection `carry.pending` holds the
 * started upload and its bytes: the next call goes on from what the relay has (GET status).
 * Returns {id, token, code, expires, …record}. */
async function upload(target, sealed, record, { status, progress, tr, onlyWindow = false, carry = {} }) {
  let pending = carry.pending;
  if (!pending) {
    const started = await relay.start(target, sealed.length);
    const saved = { ...record, id: started.id, token: started.token, sent: new Date().toISOString(),
      expires: started.expires, window: onlyWindow || undefined };
    await remember(saved);
    pending = { started, saved, sealed };
  } else {
    pending.started.received = (await relay.status(pending.started.id, pending.started.token)).received;
  }
  progress.hidden = false;
  progress.value = 0;
  status.textContent = tr("uploading", { percent: 0 });
  let done;
  try {
    done = await relay.push(pending.started, pending.sealed, {
      onProgress: (at, size) => {
        progress.value = at / size;
        status.textContent = tr("uploading", { percent: Math.floor((100 * at) / size) });
      },
    });
  } catch (err) {
    if (err.code === "connection_lost" || err.code === "offline") carry.pending = pending;
    throw err;
  }
  carry.pending = null;
  progress.hidden = true;
  const final = { ...pending.saved, code: done.code, expires: done.expires };
  await remember(final);
  return final;
}

/** The pickup code, big and grouped, with its QR code, the office's fingerprint, and what the
 * worker can do next (see whether it was picked up, delete it from the server). */
function receipt(u, ctx, tr) {
  const card = h("div", { class: "card entrega-receipt", "data-upload": u.id });
  const state = h("p", { class: "entrega-state", role: "status" });
  const qr = h("div", { class: "entrega-qr", "aria-hidden": "true" });
  if (u.code) {
    // The QR code holds the pickup code as shown (XXXXX-XXXXX): the desk reads it like typing.
    loadVendor("qr.js").then(({ qrSvg }) => qr.append(qrSvg(document, u.code, { label: u.code }))).catch(() => {});
  }
  const check = h("button", { type: "button", class: "button entrega-check" }, tr("check"));
  const del = h("button", { type: "button", class: "button entrega-delete" }, tr("delete"));
  const refresh = async () => {
    check.disabled = true;
    try {
      const s = await relay.status(u.id, u.token);
      state.dataset.state = s.state;
      state.textContent = s.state === "picked_up" ? tr("pickedUp") : s.state === "waiting" ? tr("waiting")
        : tr("incomplete", { percent: Math.floor((100 * s.received) / Math.max(1, s.size)) });
    } catch (err) {
      if (err.code === "upload_not_found" || err.status === 404) {
        state.dataset.state = "gone";
        state.textContent = tr("gone");
        await forget(u.id);
      } else {
        state.textContent = errorText(err, tr, ctx.lang);
      }
    } finally {
      check.disabled = false;
    }
  };
  check.addEventListener("click", refresh);
  del.addEventListener("click", async () => {
    del.disabled = true;
    try {
      await relay.remove(u.id, u.token);
      await forget(u.id);
      state.dataset.state = "deleted";
      state.textContent = tr("deleted");
      check.disabled = true;
    } catch (err) {
      if (err.status === 404) {
        await forget(u.id);
        state.dataset.state = "deleted";
        state.textContent = tr("deleted");
      } else {
        state.textContent = errorText(err, tr, ctx.lang);
        del.disabled = false;
      }
    }
  });
  card.append(
    h("h3", null, u.window ? tr("toWindow") : tr("officeIn", { city: u.city, state: u.state })),
    u.code && !u.window ? p(tr("codeIntro")) : null,
    u.code && !u.window ? h("p", { class: "entrega-code", lang: "en" }, u.code) : null,
    u.code && !u.window ? qr : null,
    (u.fingerprints || []).length ? p(tr("fingerprint"), " ", h("strong", { class: "fingerprint" }, u.fingerprints.join(" · "))) : null,
    u.expires ? p(tr("expires", { date: formatDate(u.expires.slice(0, 10), ctx.lang) })) : null,
    state, h("div", { class: "actions" }, check, del));
  if (u.code) refresh(); // once, as it is shown: no polling
  return card;
}

/** Earlier uploads this phone remembers, put in `host`, each with its state checked once as
 * it is shown. Nothing when there are none. */
export async function pendingList(host, ctx) {
  const uploads = await savedUploads();
  if (!uploads.length) return;
  const tr = await translator(ctx.lang);
  host.replaceChildren(h("section", { id: "entrega-earlier" }, h("h2", null, tr("earlier")),
    uploads.map((u) => receipt(u, ctx, tr))));
}

// --- at the window ---------------------------------------------------------------------------

function windowFlow(out, name, ctx, tr) {
  const box = h("div", { id: "entrega-window-flow", class: "card" }, h("h3", null, tr("window.title")));
  const msg = h("p", { id: "entrega-window-status", role: "status", "aria-live": "polite" });
  const input = h("input", { type: "text", id: "entrega-window-code", inputmode: "text", autocomplete: "off",
    autocapitalize: "characters", spellcheck: "false", maxlength: "12", "aria-describedby": "entrega-window-status" });
  const find = h("button", { type: "submit", class: "button primary", id: "entrega-window-find" }, tr("window.find"));
  const scan = h("button", { type: "button", class: "button", id: "entrega-window-scan" }, tr("window.scan"));
  const video = h("video", { id: "entrega-camera", playsinline: true, muted: true, hidden: true });
  const confirm = h("div", { id: "entrega-window-confirm" });
  let stopCamera = () => {};
  const form = h("form", { id: "entrega-window-form" }, h("label", null, tr("window.typeCode"), " ", input), find);
  const show = (err) => { msg.replaceChildren(h("span", { class: "error", role: "alert" }, errorText(err, tr, ctx.lang))); };

  // `scanned`: the recipient the QR code named, which must be the relay's.
  const lookUp = async (code, scanned) => {
    confirm.replaceChildren();
    msg.textContent = tr("window.looking");
    const info = await relay.windowInfo(code);
    if (scanned && scanned !== info.recipient) {
      const e = new Error("qr_mismatch");
      e.code = "qr_mismatch";
      throw e;
    }
    const words = await twoWords(info.recipient);
    msg.textContent = "";
    const yes = h("button", { type: "button", class: "button primary", id: "entrega-window-send" }, tr("window.yes"));
    const no = h("button", { type: "button", class: "button", id: "entrega-window-no" }, tr("window.no"));
    const progress = h("progress", { max: "1", value: "0", hidden: true });
    const sendStatus = h("p", { role: "status" });
    confirm.append(p(tr("window.words")), h("p", { class: "entrega-words", id: "entrega-words" }, words.join(" · ")),
      p(tr("window.same")), h("div", { class: "actions" }, yes, no), progress, sendStatus);
    no.addEventListener("click", () => {
      confirm.replaceChildren(h("p", { id: "entrega-window-stopped" }, tr("window.stopped")));
    });
    const carry = {};
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      try {
        sendStatus.textContent = tr("encrypting");
        const sealed = carry.pending ? null : await seal([info.recipient], name, await bundleBytes(out));
        const record = { office: info.office, fingerprints: [] };
        // A dropped connection resumes the same upload (a window takes only one).
        await upload({ window: code }, carry.pending ? carry.pending.sealed : sealed, record,
          { status: sendStatus, progress, tr, onlyWindow: true, carry });
        confirm.replaceChildren(h("p", { id: "entrega-window-done", class: "entrega-state", "data-state": "sent" }, tr("window.done")));
      } catch (err) {
        console.error(err);
        sendStatus.replaceChildren(h("span", { class: "error", role: "alert" }, errorText(err, tr, ctx.lang)));
        yes.disabled = no.disabled = false;
      }
    });
    yes.focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await lookUp(normalizeWindow(input.value));
    } catch (err) {
      show(err);
    }
  });
  scan.addEventListener("click", async () => {
    try {
      stopCamera();
      stopCamera = await startCamera(video, async (text) => {
        const qr = parseWindowQr(text);
        if (!qr) {
          msg.textContent = tr("window.notOurs");
          return false; // keep looking
        }
        input.value = group(qr.code);
        try {
          await lookUp(qr.code, qr.recipient);
        } catch (err) {
          show(err);
        }
        return true;
      });
      msg.textContent = tr("window.pointCamera");
    } catch (err) {
      show(err);
    }
  });
  box.append(p(tr("window.intro")), navigator.mediaDevices ? scan : null, video, form, msg, confirm);
  return box;
}

/** Show the back camera in `video` and read QR codes until `found(text)` returns true; returns
 * a function that stops it. Errors: camera_denied, no_camera, vendor_missing. */
async function startCamera(video, found) {
  const { qrDetector } = await loadVendor("barcode.js");
  const detector = await qrDetector();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (err) {
    const e = new Error("camera");
    e.code = err && err.name === "NotAllowedError" ? "camera_denied" : "no_camera";
    throw e;
  }
  video.srcObject = stream;
  video.hidden = false;
  await video.play().catch(() => {});
  let stopped = false;
  const stop = () => {
    stopped = true;
    stream.getTracks().forEach((track) => track.stop());
    video.hidden = true;
  };
  // One frame at a time, each when the browser is ready for it: no timers.
  const next = async () => {
    if (stopped || !video.isConnected) return stop();
    try {
      if (video.readyState >= 2) {
        for (const code of await detector.detect(video)) {
          if (await found(code.rawValue)) return stop();
        }
      }
    } catch (_) { /* a frame that cannot be read: try the next */ }
    (video.requestVideoFrameCallback ? video.requestVideoFrameCallback.bind(video) : requestAnimationFrame)(next);
  };
  next();
  return stop;
}

export { EnvelopeError };
