"""Entrega on the staff desk in Chromium (issue 15): the office key, `.age` files, refusals.

- The office key made in the browser: non-extractable, kept across reloads, its recipient and
  fingerprint what pyrage encrypts to and what the contract computes, its YAML block valid
  from today for a year; a `.age` envelope pyrage made to it opens verified through the desk's
  own file picker; deleting the key warns first, and then that file no longer opens.
- Refusals, each with its message in Spanish and English next to what it blocks: a typo in the
  code (no request made), a code no upload has, an expired code, a desk without the office key,
  a tampered ciphertext (by code and as a file), an upload naming an unknown office and an
  oversize one (refused by the relay with both languages).
"""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest
from bundles import factory as f
from bundles.officer import honest, officer_log
from conftest import CHROMIUM, CHROMIUM_ARGS, CartillaServer, content_source
from entrega_support import (
    OFFICE,
    OTHER_OFFICE,
    PASSPHRASE,
    OfficeKey,
    RelayError,
    call,
    content_with_key,
    fingerprint,
    office_key,
    qr_y4m,
    seal,
    tampered,
    unknown_code,
    upload,
    with_typo,
)
from test_staff_desk import serious_axe, server_receipt

pytestmark = pytest.mark.browser


def a_bundle(base_url: str) -> bytes:
    keys = f.new_keys()
    log = officer_log(server_receipt(base_url), keys.worker)
    return f.make_bundle(keys, log, **honest(log))


def open_desk(browser: Any, base_url: str) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    page.on("pageerror", lambda e: print("pageerror", e))
    page.goto(f"{base_url}/staff/")
    page.wait_for_selector("body[data-ready=yes]")
    page.wait_for_selector("body[data-entrega-ready=yes]")
    return ctx, page


def unfold(page: Any) -> None:
    """Opens the Entrega screen (folded by default, and again once a bundle is shown)."""
    if not page.evaluate("() => document.querySelector('#entrega').open"):
        page.click("#entrega > summary")


def set_lang(page: Any, lang: str) -> None:
    page.click(f"[data-lang={lang}]")
    page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang)


def keys_open(page: Any) -> None:
    unfold(page)
    if not page.evaluate("() => document.querySelector('#entrega-keys').open"):
        page.click("#entrega-keys summary")


def load_office_key(page: Any, key: OfficeKey) -> None:
    keys_open(page)
    page.fill("#entrega-office", "")  # the file names its office (`cartilla desk-key new`)
    page.set_input_files("#entrega-key-file", str(key.file))
    page.fill("#entrega-passphrase", PASSPHRASE)
    page.click("#entrega-key-load")
    # scrypt at the work factor pyrage chose runs in the browser: give it time.
    page.wait_for_selector(
        f".entrega-key[data-kind=file][data-recipient='{key.recipient}']", timeout=90_000
    )
    assert page.input_value("#entrega-office") == OFFICE


def pick_up(page: Any, code: str) -> None:
    unfold(page)
    page.fill("#entrega-code", code)
    page.click("#entrega-pickup-go")


def verified(page: Any) -> None:
    page.wait_for_selector("body[data-verified]", timeout=60_000)
    assert page.get_attribute("body", "data-verified") == "yes"
    checks = page.locator("#checks li")
    assert page.locator("#checks li[data-ok=false]").count() == 0
    assert page.locator("#checks li[data-ok=true]").count() >= 9, checks.all_inner_texts()
    assert "VERIFICADO" in page.inner_text("#verdict") or "VERIFIED" in page.inner_text("#verdict")


def refusal(page: Any, where: str, error: str, es: str, en: str) -> None:
    """`where` shows `error`; its words in Spanish, then (switched) in English, then back."""
    page.wait_for_selector(f"{where}[data-error={error}]:not([hidden])", timeout=60_000)
    assert es in page.inner_text(where), page.inner_text(where)
    set_lang(page, "en")
    assert en in page.inner_text(where), page.inner_text(where)
    set_lang(page, "es")


# True once the staff service worker controls the page and its cache holds every `arg` prefix.
KEPT = """async (wanted) => {
    if (!navigator.serviceWorker.controller) return false;
    const urls = [];
    for (const name of await caches.keys()) {
        if (!name.startsWith('cartilla-staff-')) continue;
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname + new URL(req.url).search);
    }
    return wanted.every((w) => urls.some((u) => u.startsWith(w)));
}"""

CACHED_API = """async () => {
    const found = [];
    for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys()) if (new URL(req.url).pathname.startsWith('/api/v1/entrega/')) found.push(req.url);
    }
    return found;
}"""


def test_an_office_key_made_in_the_browser_opens_what_pyrage_encrypts_to_it(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    ctx, page = open_desk(browser, live_server)
    try:
        keys_open(page)
        page.fill("#entrega-office", OFFICE)
        page.click("#entrega-key-new")
        key = page.wait_for_selector(".entrega-key[data-kind=browser]")
        recipient = key.get_attribute("data-recipient")
        assert recipient and recipient.startswith("age1")
        # The officer reads the fingerprint the contract defines, next to the recipient.
        assert key.get_attribute("data-fingerprint") == fingerprint(recipient)
        assert fingerprint(recipient) in key.inner_text()
        today = date.today()
        yaml = page.inner_text(".entrega-key[data-kind=browser] pre.yaml")
        assert f"- recipient: {recipient}" in yaml
        assert f"fingerprint: {fingerprint(recipient)}" in yaml
        assert f"valid_from: {today}" in yaml
        year = (
            today.replace(year=today.year + 1)
            if (today.month, today.day) != (2, 29)
            else today + timedelta(days=365)
        )
        assert f"valid_until: {year}" in yaml
        # Kept in IndexedDB as a CryptoKey nobody can read out, and still there after a reload.
        stored = page.evaluate("""() => new Promise((ok) => {
            const r = indexedDB.open('cartilla-staff-entrega');
            r.onsuccess = () => { const g = r.result.transaction('keys').objectStore('keys').getAll();
              g.onsuccess = () => ok(g.result.map((k) => ({ recipient: k.recipient, type: k.key.type,
                extractable: k.key.extractable, algorithm: k.key.algorithm.name, isKey: k.key instanceof CryptoKey }))); };
        })""")
        assert stored == [{"recipient": recipient, "type": "private", "extractable": False,
                           "algorithm": "X25519", "isKey": True}]  # fmt: skip
        # Rotation: a second key joins the first; both stay, each with its own YAML block.
        page.click("#entrega-key-new")
        page.wait_for_function(
            "() => document.querySelectorAll('.entrega-key[data-kind=browser]').length === 2"
        )
        assert page.locator(".entrega-key pre.yaml").count() == 2

        # Once the screen has been open, its libraries are kept: offline, the desk still opens
        # a .age file (the office computer's connection is down, the file came on a USB stick).
        page.wait_for_function(
            KEPT,
            arg=["/vendor/age.js?v=", "/js/entrega/envelope.js", "/js/entrega/codes.js"],
            timeout=30_000,
        )
        ctx.set_offline(True)
        page.reload()
        page.wait_for_selector("body[data-entrega-ready=yes]")
        keys_open(page)
        page.wait_for_selector(f".entrega-key[data-recipient='{recipient}']")

        # pyrage encrypts an envelope to the first key: the desk's own picker opens it verified.
        sealed = tmp_path / "cartilla-evidence-2026-06-30.age"
        sealed.write_bytes(seal(a_bundle(live_server), recipient))
        page.set_input_files("#file", str(sealed))
        verified(page)
        assert "Rancho Los Pinos" in page.inner_text("#employer")
        ctx.set_offline(False)

        # A changed byte: refused next to the file picker, in both languages.
        bad = tmp_path / "changed.age"
        bad.write_bytes(tampered(sealed.read_bytes()))
        page.set_input_files("#file", str(bad))
        refusal(page, "#entrega-file-error", "tampered", "El archivo fue cambiado o no es para esta oficina",
                "The file was changed or is not for this office")  # fmt: skip

        # Deleting warns first; "No" keeps it, "Yes" removes it, and then the file cannot open.
        keys_open(page)
        item = page.locator(f".entrega-key[data-recipient='{recipient}']")
        item.locator("button", has_text="Borrar esta clave").click()
        assert "ya no se podrá abrir nunca" in item.locator(".confirm").inner_text()
        item.locator("button", has_text="No").click()
        assert item.locator(".confirm").is_hidden()
        item.locator("button", has_text="Borrar esta clave").click()
        item.locator("button", has_text="Sí, borrarla").click()
        page.wait_for_selector(f".entrega-key[data-recipient='{recipient}']", state="detached")
        # The newer key stays; what was sealed to the deleted one no longer opens.
        assert page.locator(".entrega-key[data-kind=browser]").count() == 1
        page.set_input_files("#file", str(sealed))
        refusal(page, "#entrega-file-error", "tampered", "no es para esta oficina",
                "is not for this office")  # fmt: skip
        # With no key left at all, the desk says that instead.
        keys_open(page)
        page.locator(".entrega-key button", has_text="Borrar esta clave").click()
        page.locator(".entrega-key button", has_text="Sí, borrarla").click()
        page.wait_for_selector(".entrega-key", state="detached")
        page.set_input_files("#file", str(sealed))
        refusal(page, "#entrega-file-error", "no_key", "No hay ninguna clave de esta oficina",
                "This desk has no key for this office")  # fmt: skip
    finally:
        ctx.close()


@pytest.fixture
def relay_server(tmp_path: Path) -> Any:
    key = office_key(tmp_path)
    (tmp_path / "other-office").mkdir()
    other = office_key(tmp_path / "other-office")
    content = content_with_key(
        content_source(), tmp_path / "content-src", key, {OTHER_OFFICE: other}
    )
    server = CartillaServer(tmp_path / "relay", content=content).start()
    yield server, key, other
    server.stop()


def expire(server: CartillaServer, upload_id: str) -> None:
    """Moves an upload's expiry into the past in the relay's own store (entrega/relay.db, Unix
    seconds), as if its 7 days had gone by; the hourly sweep has not run yet."""
    with sqlite3.connect(server.state_dir / "entrega" / "relay.db") as db:
        changed = db.execute(
            "UPDATE uploads SET expires = ? WHERE id = ?", (946684800, upload_id)
        ).rowcount
    assert changed == 1


def test_each_refusal_is_said_next_to_what_it_blocks_in_both_languages(
    browser: Any, relay_server: Any, tmp_path: Path
) -> None:
    server, key, other_office = relay_server
    base = server.base_url
    bundle = a_bundle(base)

    # A desk without the office key: a well-formed code, nothing to answer the challenge with.
    ctx, page = open_desk(browser, base)
    try:
        unfold(page)
        page.fill("#entrega-office", OFFICE)
        pick_up(page, unknown_code())
        refusal(page, "#entrega-pickup-error", "no_key", "No hay ninguna clave de esta oficina",
                "This desk has no key for this office")  # fmt: skip
        page.click("#entrega-window-start")
        refusal(page, "#entrega-window-error", "no_key", "No hay ninguna clave de esta oficina",
                "This desk has no key for this office")  # fmt: skip
        # The whole screen, unfolded with its errors showing, passes axe in both languages.
        keys_open(page)
        assert serious_axe(page) == []
        set_lang(page, "en")
        assert serious_axe(page) == []
        set_lang(page, "es")
    finally:
        ctx.close()

    ctx, page = open_desk(browser, base)
    asked: list[str] = []
    page.on(
        "request",
        lambda r: (
            asked.append(r.url) if "/api/v1/entrega/" in r.url and "/offices" not in r.url else None
        ),
    )
    try:
        load_office_key(page, key)
        good = upload(base, seal(bundle, key.recipient))

        # A typo is caught by the check symbol before any request.
        pick_up(page, with_typo(good["code"]))
        refusal(page, "#entrega-pickup-error", "typo", "error de escritura", "This code has a typo")
        assert asked == []

        # A code no upload has (its check symbol is right): the relay says so.
        pick_up(page, unknown_code().lower().replace("-", " "))
        refusal(page, "#entrega-pickup-error", "not_found", "No hay ningún paquete con este código",
                "There is no bundle with this code for this office")  # fmt: skip

        # Another office's code (sealed to that office's key): this office's desk is not told
        # it exists, only that this office has no bundle with that code.
        theirs = upload(base, seal(bundle, other_office.recipient), office=OTHER_OFFICE)
        pick_up(page, theirs["code"])
        refusal(page, "#entrega-pickup-error", "not_found", "para esta oficina", "for this office")

        # An expired code.
        late = upload(base, seal(bundle, key.recipient))
        expire(server, late["id"])
        pick_up(page, late["code"])
        # Until the hourly sweep deletes it, the relay says the code expired.
        refusal(page, "#entrega-pickup-error", "expired", "venció", "expired")

        # A ciphertext changed on the way: the desk cannot decrypt it and says so; nothing opens.
        bad = upload(base, tampered(seal(bundle, key.recipient)))
        pick_up(page, bad["code"])
        refusal(page, "#entrega-pickup-error", "tampered", "El archivo fue cambiado o no es para esta oficina",
                "The file was changed or is not for this office")  # fmt: skip
        assert page.get_attribute("body", "data-verified") is None

        # A ciphertext for this office whose envelope is not Cartilla's.
        junk = pyrage.encrypt(
            b"not an envelope\n" + b"\0" * 1000, [pyrage.x25519.Recipient.from_str(key.recipient)]
        )
        odd = upload(base, junk)
        pick_up(page, odd["code"])
        refusal(page, "#entrega-pickup-error", "envelope", "sobre dañado", "damaged envelope")

        # And the good one still opens (typed in lower case with spaces, as people type).
        pick_up(page, good["code"].lower().replace("-", " "))
        verified(page)
        page.wait_for_selector("body[data-entrega=picked-up]")
        assert "Recogido y borrado del servidor" in page.inner_text("#entrega-done")
        # The screen folds away: the case's exports are on the first screen, as for a dropped file.
        box = page.locator("#export-pdf").bounding_box()
        assert box is not None and box["y"] + box["height"] < 800
        # Picked up once: the relay deleted it, and the desk says so if it is asked again.
        pick_up(page, good["code"])
        page.wait_for_selector("#entrega-pickup-error[data-error]:not([hidden])")
        assert page.get_attribute("#entrega-pickup-error", "data-error") in (
            "picked_up",
            "not_found",
        )
        # Nothing the relay answered (codes, challenges, ciphertext) is kept in the desk's caches.
        assert page.evaluate(CACHED_API) == []
    finally:
        ctx.close()

    # A desk holding some other key for this office (not the published one): the challenge
    # cannot be answered, and the desk says the fingerprint does not match.
    ctx, page = open_desk(browser, base)
    try:
        (tmp_path / "other").mkdir()
        other = office_key(tmp_path / "other")
        # A wrong passphrase first: said next to the key file, and no key is loaded.
        keys_open(page)
        page.set_input_files("#entrega-key-file", str(other.file))
        page.fill("#entrega-passphrase", "no es esta")
        page.click("#entrega-key-load")
        refusal(page, "#entrega-key-error", "passphrase", "La contraseña no es correcta",
                "The passphrase is wrong")  # fmt: skip
        assert page.locator(".entrega-key").count() == 0
        load_office_key(page, other)
        pick_up(page, unknown_code())
        refusal(page, "#entrega-pickup-error", "wrong_key", "no es la publicada para esta oficina",
                "is not the one published for this office")  # fmt: skip
    finally:
        ctx.close()

    # The relay refuses an upload naming an unknown office and an oversize one, in both languages.
    for body in (
        {"office": "no-such-office", "size": 70_000},
        {"office": OFFICE, "size": 60 * 1024 * 1024},
    ):
        with pytest.raises(RelayError) as refused:
            call(base, "POST", "/uploads", body)
        assert 400 <= refused.value.status < 500, refused.value
        message = refused.value.body["error"]["message"]
        assert message["es"] and message["en"] and message["es"] != message["en"], json.dumps(
            message
        )


def test_a_window_takes_a_bundle_sent_to_its_one_time_key_and_forgets_the_key_when_done(
    browser: Any, relay_server: Any, tmp_path: Path
) -> None:
    server, key, _ = relay_server
    base = server.base_url
    bundle = a_bundle(base)
    ctx, page = open_desk(browser, base)
    try:
        load_office_key(page, key)
        unfold(page)
        page.click("#entrega-window-start")
        page.wait_for_selector("body[data-window=open]")
        text = page.get_attribute("#entrega-qr", "data-text") or ""
        code = page.inner_text("#entrega-window-code").strip()
        assert len(code) == 7 and code[3] == "-"
        prefix, plain_code, recipient = text.split(":")
        assert (prefix, plain_code) == ("CARTILLA-W1", code.replace("-", ""))
        # What the phone reads from the relay for that code is the QR's recipient.
        assert call(base, "GET", f"/windows/{code}") == {"recipient": recipient, "office": OFFICE}
        # Nothing yet: the desk says so and keeps waiting.
        page.click("#entrega-window-check")
        page.wait_for_selector("body[data-window=waiting]")
        assert "Todavía no llega nada" in page.inner_text("#entrega-window-status")
        # The one-time key is in no store of this browser.
        stored = page.evaluate("""() => new Promise((ok) => {
            const r = indexedDB.open('cartilla-staff-entrega');
            r.onsuccess = () => { const g = r.result.transaction('keys').objectStore('keys').getAll();
              g.onsuccess = () => ok(g.result.map((k) => k.recipient)); };
        })""")
        assert recipient not in stored

        # The phone sends to the window (encrypted to its one-time key, not the office key).
        sealed = seal(bundle, recipient)
        upload(base, sealed, window=code)
        page.click("#entrega-window-check")
        verified(page)
        page.wait_for_selector("body[data-window=picked-up]")
        assert "Recogido y borrado del servidor" in page.inner_text("#entrega-done")
        # The window is closed and its key forgotten: the same ciphertext no longer opens here.
        saved = tmp_path / "window.age"
        saved.write_bytes(sealed)
        page.evaluate("() => { delete document.body.dataset.verified; }")
        page.set_input_files("#file", str(saved))
        refusal(
            page,
            "#entrega-file-error",
            "tampered",
            "no es para esta oficina",
            "is not for this office",
        )
    finally:
        ctx.close()


QR_ROWS = """async (text) => {
    const { qrMatrix } = await import('/vendor/qr.js');
    const { size, dark } = qrMatrix(text, 'M');
    const rows = [];
    for (let y = 0; y < size; y++) { let r = ''; for (let x = 0; x < size; x++) r += dark(y, x) ? '1' : '0'; rows.push(r); }
    return rows;
}"""


def test_the_desk_reads_the_phones_pickup_qr_with_its_camera(
    browser: Any, relay_server: Any, tmp_path: Path
) -> None:
    server, key, _ = relay_server
    base = server.base_url
    sent = upload(base, seal(a_bundle(base), key.recipient))
    # The phone's QR holds the code as shown (docs/entrega.md); the desk's camera films it.
    ctx, page = open_desk(browser, base)
    rows = page.evaluate(QR_ROWS, sent["code"])
    ctx.close()
    video = qr_y4m(rows, tmp_path / "phone-qr.y4m")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"],
    )  # fmt: skip
    try:
        ctx, page = open_desk(camera, base)
        load_office_key(page, key)
        unfold(page)
        page.click("#entrega-scan")
        verified(page)
        page.wait_for_selector("body[data-entrega=picked-up]")
        assert page.input_value("#entrega-code") == sent["code"]
        # The camera is off again once the code is read.
        assert page.evaluate("() => document.querySelector('#entrega-camera').hidden")
    finally:
        camera.close()
