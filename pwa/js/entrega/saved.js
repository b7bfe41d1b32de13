/** The phone's own list of its Entrega uploads, so the worker can come back to one: see
 * whether the office picked it up, or delete it from the server. Kept in the log's drafts
 * (pwa/js/log/store.js getDraft/saveDraft): encrypted when the log is protected, gone with
 * the log when the phone is erased, never in a backup file, never in localStorage.
 *
 * Each: {id, token, office, city, state, fingerprints, code, expires, sent}. The token is what
 * lets this phone (and only it) ask about or delete the upload. */

import * as logStore from "../log/store.js";

const NAME = "entrega-uploads";

export async function savedUploads() {
  try {
    const row = await logStore.getDraft(NAME);
    return Array.isArray(row && row.uploads) ? row.uploads : [];
  } catch (_) {
    return []; // locked or unavailable: nothing to show
  }
}

async function write(uploads) {
  await logStore.saveDraft(NAME, { uploads });
}

/** Add or update the upload with this id (queued with the log's other writes). */
export function remember(upload) {
  return logStore.queued(async () => {
    const all = (await savedUploads()).filter((u) => u.id !== upload.id);
    await write([...all, upload]);
  });
}

export function forget(id) {
  return logStore.queued(async () => {
    await write((await savedUploads()).filter((u) => u.id !== id));
  });
}
