#!/usr/bin/env node
/* Build Entrega's front-end libraries from node_modules (installed from package-lock.json with
 * `npm ci --ignore-scripts`) into ONE generated folder, build/vendor/ (not in git), which the
 * server serves under /vendor/ with content hashes (server/vendor.py):
 *
 *   age.js             age encryption (age-encryption): Encrypter, Decrypter, keys, armor
 *   qr.js              qrSvg(doc, text): a QR code as an <svg> element (qrcode-generator)
 *   barcode.js         BarcodeDetector: the browser's own where it reads QR codes, else the
 *                      ZXing polyfill (barcode-detector), whose .wasm comes from OUR origin
 *   zxing_reader.wasm  the polyfill's WebAssembly, served beside barcode.js
 *   manifest.json      {"files": {name: hash16}}: what was built and from which inputs
 *
 * Why: third-party code is never copied into the repository, and no screen ever asks a third
 * party for anything (zxing-wasm fetches its .wasm from a CDN unless told otherwise). The build
 * runs only when its inputs (the lockfile, this script) changed: scripts/serve and scripts/test
 * call it with --if-changed. Usage: node scripts/build-vendor.mjs [--if-changed] [--out DIR]
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const OUT = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(ROOT, "build", "vendor");
const ifChanged = args.includes("--if-changed");

const hash16 = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
const WASM_SOURCE = join(ROOT, "node_modules", "zxing-wasm", "dist", "reader", "zxing_reader.wasm");

// What the build depends on: a change to any of these rebuilds, nothing else does.
const inputs = hash16(Buffer.concat([
  readFileSync(join(ROOT, "package-lock.json")),
  readFileSync(fileURLToPath(import.meta.url)),
]));

if (ifChanged && existsSync(join(OUT, "manifest.json"))) {
  try {
    if (JSON.parse(readFileSync(join(OUT, "manifest.json"), "utf8")).inputs === inputs) process.exit(0);
  } catch { /* unreadable manifest: rebuild */ }
}
if (!existsSync(WASM_SOURCE)) {
  console.error("build-vendor: node_modules is missing; run `npm ci --ignore-scripts` first.");
  process.exit(1);
}

const esbuild = await import("esbuild");
const wasm = readFileSync(WASM_SOURCE);
const wasmHash = hash16(wasm);

const ENTRIES = {
  // The phone encrypts (Encrypter); the desk makes keys and decrypts (Decrypter, CryptoKey
  // identities, identityToRecipient); armor reads a pasted armored file.
  "age.js": `export { Encrypter, Decrypter, generateX25519Identity, identityToRecipient, armor }
    from "age-encryption";`,
  // An element built with the DOM (no innerHTML): one <path> of dark modules, scalable.
  "qr.js": `import qrcode from "qrcode-generator";
    export function qrMatrix(text, ecc = "M") {
      const qr = qrcode(0, ecc);
      qr.addData(text, "Byte");
      qr.make();
      const size = qr.getModuleCount();
      return { size, dark: (row, col) => qr.isDark(row, col) };
    }
    export function qrSvg(doc, text, { margin = 4, ecc = "M", label = "" } = {}) {
      const { size, dark } = qrMatrix(text, ecc);
      const NS = "http://www.w3.org/2000/svg";
      const svg = doc.createElementNS(NS, "svg");
      const full = size + 2 * margin;
      svg.setAttribute("viewBox", "0 0 " + full + " " + full);
      svg.setAttribute("shape-rendering", "crispEdges");
      svg.setAttribute("role", "img");
      if (label) svg.setAttribute("aria-label", label);
      const bg = doc.createElementNS(NS, "rect");
      bg.setAttribute("width", String(full));
      bg.setAttribute("height", String(full));
      bg.setAttribute("fill", "#fff");
      svg.append(bg);
      let d = "";
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
        if (dark(r, c)) d += "M" + (c + margin) + " " + (r + margin) + "h1v1h-1z";
      }
      const path = doc.createElementNS(NS, "path");
      path.setAttribute("d", d);
      path.setAttribute("fill", "#000");
      svg.append(path);
      return svg;
    }`,
  // The wasm's URL is relative to this module (so /vendor/…) and names its hash, so it is
  // cached as immutable and never fetched from the CDN that zxing-wasm defaults to.
  "barcode.js": `import { BarcodeDetector as Polyfill, setZXingModuleOverrides } from "barcode-detector/ponyfill";
    const WASM = new URL(${JSON.stringify(`./zxing_reader.wasm?v=${wasmHash}`)}, import.meta.url).href;
    setZXingModuleOverrides({ locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM : prefix + path) });
    /** Use this: the browser's own detector when it really reads QR codes (Android Chrome),
     * else the polyfill. BarcodeDetector below is the class the page has, which may not work. */
    export async function qrDetector() {
      const Native = globalThis.BarcodeDetector;
      if (Native && Native !== Polyfill) {
        try {
          if ((await Native.getSupportedFormats()).includes("qr_code")) {
            const native = new Native({ formats: ["qr_code"] });
            // Desktop Chromium on Linux has the class but no service behind it: detect() throws.
            await native.detect(new ImageData(8, 8));
            return native;
          }
        } catch { /* fall back to the polyfill */ }
      }
      return new Polyfill({ formats: ["qr_code"] });
    }
    export const BarcodeDetector = globalThis.BarcodeDetector || Polyfill;
    export { Polyfill as PolyfillBarcodeDetector };`,
};

// Build into a fresh folder beside the output, then swap, so a failed build leaves the old one.
const tmp = `${OUT}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const files = {};
for (const [name, contents] of Object.entries(ENTRIES)) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, sourcefile: name, loader: "js" },
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    platform: "browser",
    legalComments: "eof", // the libraries' licence notices travel with their code
    write: false,
    logLevel: "error",
  });
  const bytes = Buffer.from(result.outputFiles[0].contents);
  writeFileSync(join(tmp, name), bytes);
  files[name] = hash16(bytes);
}
copyFileSync(WASM_SOURCE, join(tmp, "zxing_reader.wasm"));
files["zxing_reader.wasm"] = wasmHash;
writeFileSync(join(tmp, "manifest.json"), JSON.stringify({ inputs, files }, null, 1) + "\n");
rmSync(OUT, { recursive: true, force: true });
mkdirSync(dirname(OUT), { recursive: true });
renameSync(tmp, OUT);
console.log(`build-vendor: ${Object.keys(files).join(", ")} -> ${OUT}`);
