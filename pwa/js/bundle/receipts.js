/** Time receipts: when online, send ONLY the journal head hash; keep the signed answer.
 *
 * The receipt goes into the journal through the log module (`appendReceipt`), so every later
 * bundle carries it. Nothing else leaves the phone: no record, name or device identifier.
 */

/** Ask the server to sign {hash, time}; returns the receipt or null when offline. */
export async function requestReceipt(head) {
  if (!/^[0-9a-f]{64}$/.test(head) || !navigator.onLine) return null;
  const res = await fetch("/api/v1/receipts", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hash: head }),
    credentials: "omit", cache: "no-store",
  });
  return res.ok ? res.json() : null;
}

/** Anchor the current head (at most once per head) by appending the receipt to the journal. */
export async function anchorHead(head) {
  const done = localStorage.getItem("cartilla-last-anchored");
  if (done === head) return null;
  const receipt = await requestReceipt(head);
  if (!receipt) return null;
  try {
    const store = await import("../log/store.js");
    if (typeof store.appendReceipt === "function") await store.appendReceipt(receipt);
  } catch (_) { return null; }
  localStorage.setItem("cartilla-last-anchored", head);
  return receipt;
}
