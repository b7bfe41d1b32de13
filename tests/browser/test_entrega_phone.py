"""Entrega on the phone, in Chromium against the real server.

- The vendor libraries (/vendor/: age, QR drawing, QR reading with the ZXing polyfill and its
  WebAssembly) work with every request that is not to loopback blocked, and none is tried:
  the polyfill's .wasm comes from our origin, never from its default CDN.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from conftest import poll, wait_until_offline_ready


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def block_third_parties(context: Any) -> list[str]:
    """Abort every request that leaves loopback (pages and service workers); return the list."""
    tried: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://", "https://", "ws://", "wss://")) and not _loopback(url):
            tried.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", handle)
    return tried


VENDOR_CACHED = "async () => (await (await caches.open('cartilla-vendor')).keys()).length"

ROUND_TRIP = """async () => {
    const { loadVendor } = await import("/js/entrega/vendor.js");
    const age = await loadVendor("age.js");
    const id = await age.generateX25519Identity();
    const enc = new age.Encrypter();
    enc.addRecipient(await age.identityToRecipient(id));
    const box = await enc.encrypt(new TextEncoder().encode("cartilla"));
    const dec = new age.Decrypter();
    dec.addIdentity(id);
    const opened = new TextDecoder().decode(await dec.decrypt(box));

    const { qrSvg } = await loadVendor("qr.js");
    const text = "CARTILLA-W1:7K2QXM:" + (await age.identityToRecipient(id));
    const svg = qrSvg(document, text, { label: "QR" });
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)],
        { type: "image/svg+xml" }));
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 400;
    const g = canvas.getContext("2d");
    g.imageSmoothingEnabled = false;
    g.drawImage(img, 0, 0, 400, 400);

    const { PolyfillBarcodeDetector, qrDetector } = await loadVendor("barcode.js");
    // The polyfill itself (a phone without the browser's own detector), then what qrDetector picks.
    const found = await new PolyfillBarcodeDetector({ formats: ["qr_code"] }).detect(canvas);
    const again = await (await qrDetector()).detect(canvas);
    return { opened, text, read: found.map((b) => b.rawValue), again: again.map((b) => b.rawValue),
             wasm: performance.getEntriesByType("resource").map((e) => e.name)
                 .filter((n) => n.includes(".wasm")) };
}"""


def test_vendor_libraries_work_with_every_third_party_request_blocked(
    live_server: str, context: Any
) -> None:
    tried = block_third_parties(context)
    page = context.new_page()
    page.goto(live_server + "/")
    wait_until_offline_ready(page)
    assert page.evaluate(VENDOR_CACHED) == 0  # not part of the first visit
    result = page.evaluate(ROUND_TRIP)
    assert result["opened"] == "cartilla"
    assert result["read"] == [result["text"]]
    assert result["again"] == [result["text"]]
    assert result["wasm"] and all(u.startswith(live_server + "/vendor/") for u in result["wasm"])
    # Kept for offline use once a screen has loaded them.
    assert poll(page, f"async () => (await ({VENDOR_CACHED})()) >= 5")
    assert tried == [], f"third-party requests were attempted: {tried}"
