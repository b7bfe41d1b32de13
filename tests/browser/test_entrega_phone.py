"""Entrega on the phone, in Chromium against the real server (issue 15).

- The vendor libraries (/vendor/: age, QR drawing, QR reading with the ZXing polyfill and its
  WebAssembly) work with every request that is not to loopback blocked, and none is tried:
  the polyfill's .wasm comes from our origin, never from its default CDN.
- By code: the phone makes a bundle offline, comes online, picks its consulate (a test office
  whose key pyrage made), sees its fingerprint and what leaves the phone, sends it through a
  connection that drops once (it goes on from what the relay has, not from the start), and
  shows the pickup code with a QR code. The test, as the desk would, proves the office key
  and downloads the ciphertext: pyrage opens it and it is the same ZIP the phone saved
  (JS -> Python). The phone then sees "recogido ✔" (on its button, and again when the screen
  opens later) and deletes it from the server.
- At the window (typed code): a typo is caught with no request, an unknown code is said, the
  two words are the contract's, and the bundle goes to the window's one-time key.
- The camera (Chromium's fake one, filming a QR code): a QR naming the window's code but another
  key than the relay's is refused ("no coincide"), nothing is sent; the code is filled in.
- The real content (no office has a key yet): the worker's consulate is "not receiving Entrega
  yet", and the ZIP is what remains; a bundle over 48 MiB is "too large" (es and en).
- Offline, the same envelope is saved as a .age file that only the office key opens.
- A server set up without the vendor build says so on the Entrega panel, in plain words.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyrage
import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CartillaServer,
    add_job,
    choose_profile,
    content_source,
    log_form,
    poll,
    save,
    show,
    wait_until_offline_ready,
)
from entrega_support import OFFICE, RelayError, call, content_with_key, office_key, qr_y4m

from server.entrega import codes, envelope

EMPLOYER = "Empacadora Tlalli Prueba"


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


# --- a phone with a bundle, a relay with a test office ----------------------------------------


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CartillaServer, Any]]:
    root = tmp_path_factory.mktemp("entrega-phone")
    key = office_key(root)
    content = content_with_key(content_source(), root / "content-src", key)
    server = CartillaServer(root / "relay", content=content).start()
    yield server, key
    server.stop()


def bundle_made_offline(context: Any, base: str) -> tuple[Any, bytes]:
    """A job and a shift through the phone's forms, then the bundle made with the network cut;
    returns the page, back online, and the ZIP the phone saved."""
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    add_job(page, base, EMPLOYER)
    form = log_form(page, base, "shift")
    form.locator("[data-field=date] input").fill("2025-06-02")
    form.locator("[data-field=start] input").fill("07:00")
    form.locator("[data-field=end] input").fill("18:00")
    save(page, form)
    show(page, "#/bundle")
    context.set_offline(True)
    page.locator("#bundle-form label", has_text=EMPLOYER).wait_for()
    page.locator("#bundle-build").click()
    with page.expect_download() as download:
        page.locator("#bundle-save").click()
    zip_bytes = Path(download.value.path()).read_bytes()
    assert zip_bytes[:2] == b"PK"
    context.set_offline(False)
    return page, zip_bytes


def desk_token(base: str, identity: Any) -> str:
    """What the desk does to prove it holds the office key: answer the relay's challenge."""
    challenge = call(base, "POST", "/challenge", {"office": OFFICE})
    secret = pyrage.decrypt(base64.b64decode(challenge["ciphertext"]), [identity])
    answer = base64.b64encode(secret).decode()
    token: str = call(
        base, "POST", "/desk-session", {"challenge": challenge["id"], "answer": answer}
    )["token"]
    return token


def ciphertext(base: str, token: str, upload_id: str) -> bytes:
    req = urllib.request.Request(f"{base}/api/v1/entrega/uploads/{upload_id}/ciphertext",
                                 headers={"authorization": f"Bearer {token}"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=30) as res:
        data: bytes = res.read()
        return data


def drop_the_first_answer(context: Any) -> list[str]:
    """The first chunk reaches the relay but its answer never reaches the phone (a dropped
    connection); returns the Content-Range of every chunk that reached the relay."""
    arrived: list[str] = []

    def handle(route: Any) -> None:
        arrived.append(route.request.headers.get("content-range", ""))
        answer = route.fetch()
        if len(arrived) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=answer)

    context.route("**/api/v1/entrega/uploads/*/data", handle)
    return arrived


def test_a_bundle_made_offline_goes_to_the_office_encrypted_and_pyrage_opens_the_same_zip(
    context: Any, relay: tuple[CartillaServer, Any]
) -> None:
    server, key = relay
    base = server.base_url
    page, zip_bytes = bundle_made_offline(context, base)
    arrived = drop_the_first_answer(context)
    page.locator("#bundle-send").click()
    page.wait_for_selector("#entrega h2")
    # The worker's consulate, first and chosen, with the fingerprint the officer reads aloud.
    first = page.locator("#entrega-offices input").first
    assert first.get_attribute("value") == OFFICE and first.is_checked()
    assert key.fingerprint in page.inner_text("#entrega-fingerprint")
    assert page.inner_text("#entrega-leaves") == (
        "Lo que sale del teléfono: el archivo cifrado; solo esa oficina puede abrirlo; "
        "el servidor lo borra al recogerlo o en 7 días."
    )
    page.locator("#entrega-upload").click()
    code = page.locator(".entrega-receipt .entrega-code").inner_text(timeout=120_000).strip()
    assert codes.normalize_pickup(code) == code.replace("-", "")
    # The QR code is drawn once qr.js has loaded (from /vendor/, by then kept offline).
    page.wait_for_selector(".entrega-receipt .entrega-qr svg path")
    assert page.locator(".entrega-receipt .entrega-qr svg path").count() == 1
    assert key.fingerprint in page.inner_text(".entrega-receipt")
    # One chunk arrived, once: after the drop the phone asked how far it got and went on.
    assert len(arrived) == 1 and arrived[0].startswith("bytes 0-")
    page.wait_for_selector(".entrega-receipt .entrega-state[data-state=waiting]")

    # Offline, the same envelope saved as a .age file: only the office key opens it.
    context.set_offline(True)
    with page.expect_download() as saved:
        page.locator("#entrega-save-age").click()
    assert saved.value.suggested_filename.endswith(".zip.age")
    age_file = Path(saved.value.path()).read_bytes()
    assert envelope.read(pyrage.decrypt(age_file, [key.identity]))[1] == zip_bytes
    context.set_offline(False)

    # As the desk: prove the office key, find the code, download; pyrage opens it.
    token = desk_token(base, key.identity)
    found = call(base, "GET", f"/pickup/{code}", token=token)
    sealed = ciphertext(base, token, found["id"])
    plain = pyrage.decrypt(sealed, [key.identity])
    assert len(plain) in envelope.BUCKETS  # the relay saw only the bucket
    name, bundle = envelope.read(plain)
    assert bundle == zip_bytes and name.endswith(".zip")
    assert EMPLOYER.encode() not in sealed
    call(base, "POST", f"/uploads/{found['id']}/ack", {}, token=token)

    # "recogido ✔" on the button, and again when the consulate screen is opened later.
    page.locator(".entrega-receipt .entrega-check").click()
    page.wait_for_selector(".entrega-receipt .entrega-state[data-state=picked_up]")
    assert "recogido ✔" in page.inner_text(".entrega-receipt .entrega-state")
    page.reload()
    show(page, "#/bundle")
    earlier = page.locator("#entrega-earlier .entrega-receipt")
    page.wait_for_selector("#entrega-earlier .entrega-state[data-state=picked_up]")
    assert code in earlier.inner_text()
    # Not in localStorage: in the log's own storage.
    assert code not in page.evaluate("() => JSON.stringify(localStorage)")

    earlier.locator(".entrega-delete").click()
    page.wait_for_selector("#entrega-earlier .entrega-state[data-state=deleted]")
    with pytest.raises(RelayError) as gone:
        call(base, "GET", f"/pickup/{code}", token=token)
    assert gone.value.status == 404
    page.reload()
    show(page, "#/bundle")
    page.wait_for_selector("#bundle-form")
    assert page.locator("#entrega-earlier").count() == 0


def desk_window(base: str, identity: Any) -> tuple[dict[str, Any], Any, str]:
    """A window opened as the desk opens one: a fresh one-time key. (window, identity, token)"""
    token = desk_token(base, identity)
    one_time = pyrage.x25519.Identity.generate()
    window = call(base, "POST", "/windows", {"recipient": str(one_time.to_public())}, token=token)
    return window, one_time, token


def test_at_the_window_a_typed_code_is_checked_and_the_bundle_goes_to_its_one_time_key(
    context: Any, relay: tuple[CartillaServer, Any]
) -> None:
    server, key = relay
    base = server.base_url
    page, zip_bytes = bundle_made_offline(context, base)
    window, one_time, token = desk_window(base, key.identity)
    lookups: list[str] = []
    page.on("request", lambda r: "/api/v1/entrega/windows/" in r.url and lookups.append(r.url))
    page.locator("#bundle-send").click()
    page.locator("#entrega-window").click()
    field = page.locator("#entrega-window-code")
    status = page.locator("#entrega-window-status")

    plain = window["code"].replace("-", "")
    typo = plain[:2] + codes.ALPHABET[(codes.ALPHABET.index(plain[2]) + 1) % 32] + plain[3:]
    field.fill(typo)
    page.locator("#entrega-window-find").click()
    status.locator("[role=alert]", has_text="error de escritura").wait_for()
    assert lookups == []  # caught on the phone

    body = "7QX2M"
    field.fill(body + codes.luhn32_check(body))
    page.locator("#entrega-window-find").click()
    status.locator("[role=alert]", has_text="No hay una ventanilla abierta").wait_for()

    field.fill(window["code"].lower())
    page.locator("#entrega-window-find").click()
    words = page.inner_text("#entrega-words").strip()
    assert words == " · ".join(codes.two_words(str(one_time.to_public())))
    assert "¿Ve las mismas dos palabras en la pantalla de la oficina?" in page.inner_text(
        "#entrega-window-confirm"
    )
    page.locator("#entrega-window-send").click()
    page.wait_for_selector("#entrega-window-done", timeout=120_000)

    sent = call(base, "GET", f"/windows/{window['id']}/upload", token=token)["upload"]
    assert sent
    _, bundle = envelope.read(pyrage.decrypt(ciphertext(base, token, sent), [one_time]))
    assert bundle == zip_bytes
    # The office's own key cannot open what went to the window's one-time key.
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(ciphertext(base, token, sent), [key.identity])


def test_a_server_set_up_without_the_vendor_build_says_so_on_the_entrega_panel(
    context: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTILLA_VENDOR_DIR", str(tmp_path / "no-build"))
    server = CartillaServer(tmp_path / "bare").start()
    try:
        page, _ = bundle_made_offline(context, server.base_url)
        page.locator("#bundle-send").click()
        said = page.inner_text("#entrega-unavailable", timeout=30_000)
        assert "se instaló sin los archivos de Entrega" in said and "scripts/serve" in said
    finally:
        server.stop()


def qr_rows(text: str) -> list[str]:
    """The QR modules of `text` as the phone's own qr.js (build/vendor) draws them: rows of 0/1."""
    script = (
        "const { qrMatrix } = await import(process.argv[1]);"
        "const m = qrMatrix(process.argv[2]); const rows = [];"
        "for (let r = 0; r < m.size; r++) { let s = '';"
        "  for (let c = 0; c < m.size; c++) s += m.dark(r, c) ? '1' : '0'; rows.push(s); }"
        "console.log(JSON.stringify(rows));"
    )
    qr_js = Path(__file__).resolve().parents[2] / "build" / "vendor" / "qr.js"
    done = subprocess.run(["node", "--input-type=module", "-e", script, str(qr_js), text],
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    rows: list[str] = json.loads(done.stdout)
    return rows


def test_a_scanned_qr_whose_key_is_not_the_windows_is_refused_and_nothing_is_sent(
    browser: Any, relay: tuple[CartillaServer, Any], tmp_path: Path
) -> None:
    server, key = relay
    base = server.base_url
    window, _, token = desk_window(base, key.identity)
    other = str(pyrage.x25519.Identity.generate().to_public())
    text = f"CARTILLA-W1:{window['code'].replace('-', '')}:{other}"
    video = qr_y4m(qr_rows(text), tmp_path / "wrong-key.y4m")
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])  # fmt: skip
    try:
        context = camera.new_context(
            service_workers="allow", viewport={"width": 360, "height": 740}, permissions=["camera"]
        )
        page, _ = bundle_made_offline(context, base)
        page.locator("#bundle-send").click()
        page.locator("#entrega-window").click()
        page.locator("#entrega-window-scan").click()
        alert = page.locator("#entrega-window-status [role=alert]")
        assert "no coincide" in alert.inner_text(timeout=90_000)
        assert page.input_value("#entrega-window-code") == window["code"]
        assert page.locator("#entrega-words").count() == 0
        assert call(base, "GET", f"/windows/{window['id']}/upload", token=token)["upload"] is None
    finally:
        camera.close()


def test_an_office_without_a_key_is_not_receiving_and_the_zip_is_offered_instead(
    context: Any, live_server: str
) -> None:
    # The real content: no office publishes a key yet.
    page, _ = bundle_made_offline(context, live_server)
    page.locator("#bundle-send").click()
    page.wait_for_selector("#entrega h2")
    said = page.inner_text("#entrega-not-receiving")
    assert "todavía no recibe envíos por Entrega" in said and "ZIP" in said
    assert "Ninguna oficina recibe envíos" in page.inner_text("#entrega-no-office")
    assert page.locator("#entrega-upload").count() == 0
    assert page.locator("#bundle-save").is_visible()  # the ZIP, as before

    # A bundle over 48 MiB is refused before anything is encrypted, in either language.
    too_large = """async (lang) => {
        const { sendPanel } = await import("/js/entrega/screen.js");
        const blob = new Blob([new Uint8Array(48 * 1024 * 1024)]);
        const out = { blob, filename: "cartilla-big.zip" };
        const panel = await sendPanel(out, { lang, pack: null, profile: null });
        return panel.querySelector("#entrega-too-large").textContent;
    }"""
    assert "demasiado grande" in page.evaluate(too_large, "es")
    assert "too large to send" in page.evaluate(too_large, "en")
