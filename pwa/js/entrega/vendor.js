/** Entrega's libraries (age encryption, QR codes, QR scanning), loaded only by the screens that
 * need them, from /vendor/ on our own origin (server/vendor.py; built from package-lock.json by
 * scripts/build-vendor.mjs). Each is imported by its content hash, so the service worker keeps
 * it once (sw.js fromVendor) and it works offline after that.
 *
 *   const age = await loadVendor("age.js");   // Encrypter, Decrypter, generateX25519Identity, …
 *   const { qrSvg } = await loadVendor("qr.js");
 *   const { qrDetector } = await loadVendor("barcode.js");
 *
 * Failures are a VendorError with a code the screen turns into words: "vendor_missing" (this
 * server was set up without the build: run scripts/serve) or "offline" (never loaded while
 * online, and not reachable now). */

export class VendorError extends Error {
  constructor(code, message) {
    super((message && message.en) || code);
    this.code = code;
    this.messages = message || null;
  }
}

let listing = null;

async function files() {
  if (!listing) {
    listing = (async () => {
      let res;
      try {
        res = await fetch("/vendor/manifest.json");
      } catch (_) {
        throw new VendorError("offline");
      }
      let body = null;
      try {
        body = await res.json();
      } catch (_) { /* not JSON: said below */ }
      if (!res.ok || !body || !body.files) {
        throw new VendorError("vendor_missing", body && body.error && body.error.message);
      }
      return body.files;
    })();
    // A failure is not remembered: the next try may be online, or after the build.
    listing.catch(() => { listing = null; });
  }
  return listing;
}

/** The module `name` ("age.js", "qr.js", "barcode.js") from /vendor/, by its hash. */
export async function loadVendor(name) {
  const hash = (await files())[name];
  if (!hash) throw new VendorError("vendor_missing");
  try {
    return await import(`/vendor/${name}?v=${hash}`);
  } catch (_) {
    throw new VendorError(navigator.onLine === false ? "offline" : "vendor_missing");
  }
}
