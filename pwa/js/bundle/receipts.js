/** Time receipts: when online, send ONLY the journal head hash; keep the signed answer.
 *
 * The receipt goes into the journal through the log's store (`appendReceipt` in
 * pwa/js/log/store.js), so every later bundle carries it. Nothing else leaves the phone: no
 * record, name or device identifier.
 */

import { appendReceipt } from "../log/store.js";

const HEX64 = /^[0-9a-f]{64}$/;

/** Ask the server to sign {hash, time}; returns the receipt or null when offline. */
export async function requestReceipt(head) {
  if (!HEX64.test(head) || !navigator.onLine) return null;
  const res = await fetch("/api/v1/receipts", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hash: head }),
    credentials: "omit", cache: "no-store",
  });
  if (!res.ok) return null;
  const receipt = await res.json();
  // A receipt for another hash would prove nothing about this journal.
  return receipt && receipt.hash === head ? receipt : null;
}

/**
 * Anchor the journal's head: ask for a receipt and append it as a journal entry. Nothing is
 * sent when the journal is empty or already ends with a receipt (that head is anchored, and a
 * receipt of a receipt would add entries without proving more). Returns the receipt entry,
 * or null (offline, server unreachable, nothing to anchor).
 */
export async function anchorHead(journal) {
  const last = journal.length ? journal[journal.length - 1] : null;
  if (!last || last.kind === "receipt") return null;
  let receipt = null;
  try {
    receipt = await requestReceipt(last.hash);
  } catch (_) {
    return null; // offline or the server is down: try again next time
  }
  return receipt ? appendReceipt(receipt) : null;
}
