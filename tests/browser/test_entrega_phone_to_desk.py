"""Entrega end to end in Chromium (issue 15): a phone and a desk, one server.

1. By code: the phone keeps a log, builds the bundle with no network, comes back online and
   sends it to its consulate; the desk (with the office key loaded from a passphrase-protected
   file made by pyrage) types the code, decrypts in the browser and shows the bundle verified,
   every check passed; the phone then shows "recogido"; the relay's storage holds nothing of it
   and neither the storage nor the server's output holds the worker's name, employer or notes.
2. At the window: the desk opens a window (a one-time key) and shows its QR code; the phone,
   in a Chromium whose fake camera films that QR (a Y4M video made here from the desk's own
   QR modules), scans it, both screens show the same two words, the phone sends, the desk
   checks and shows the bundle verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CartillaServer,
    add_job,
    choose_profile,
    content_source,
    log_form,
    save,
    show,
)
from entrega_support import OFFICE, OfficeKey, content_with_key, grep_storage, office_key, qr_y4m
from test_entrega_desk_screen import load_office_key, pick_up, unfold, verified

pytestmark = pytest.mark.browser

EMPLOYER = "Empacadora Quetzalli Prueba"
NOTES = "el capataz Wenceslao gritó que nadie cobra extra"
WORKER = "Josefina Quiñónez Prueba"
SECRETS = (EMPLOYER, NOTES, WORKER, "Wenceslao", "Quiñónez")


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[tuple[CartillaServer, Any]]:
    key = office_key(tmp_path)
    content = content_with_key(content_source(), tmp_path / "content-src", key)
    server = CartillaServer(tmp_path / "relay", content=content).start()
    yield server, key
    server.stop()


def keep_a_log(page: Any, base: str) -> None:
    """A job and two shifts through the phone's own forms, the employer and notes typed in."""
    page.goto(base + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    add_job(page, base, EMPLOYER)
    for day in ("2025-06-02", "2025-06-03"):
        form = log_form(page, base, "shift")
        form.locator("[data-field=date] input").fill(day)
        form.locator("[data-field=start] input").fill("07:00")
        form.locator("[data-field=end] input").fill("18:00")
        form.locator("[data-field=notes] textarea").fill(NOTES)
        save(page, form)


def build_offline(phone: Any, page: Any) -> None:
    """The bundle screen with the network cut: the bundle is made on the phone alone."""
    show(page, "#/bundle")
    phone.set_offline(True)
    form = page.locator("#bundle-form")
    form.locator("label", has_text=EMPLOYER).wait_for()
    form.locator("input[name=start]").fill("2025-06-01")
    form.locator("input[name=end]").fill("2025-06-30")
    form.locator("input[name=worker]").fill(WORKER)
    page.locator("#bundle-build").click()
    page.locator("#bundle-save").wait_for()


def open_desk(desk: Any, base: str, key: OfficeKey) -> Any:
    """The staff desk's page, Entrega ready and the office key loaded from its file."""
    staff = desk.new_page()
    staff.goto(f"{base}/staff/")
    staff.wait_for_selector("body[data-entrega-ready=yes]")
    load_office_key(staff, key)
    return staff


def open_send_panel(page: Any) -> None:
    """The consulate screen's "send to the consulate" panel, for the bundle just built."""
    page.locator("#bundle-send").click()
    page.wait_for_selector("#entrega h2")


def test_a_bundle_sent_by_code_opens_verified_on_the_desk_and_the_relay_keeps_nothing(
    browser: Any, relay: tuple[CartillaServer, Any]
) -> None:
    server, key = relay
    base = server.base_url
    phone = browser.new_context(service_workers="allow", viewport={"width": 360, "height": 740})
    desk = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = phone.new_page()
        keep_a_log(page, base)
        build_offline(phone, page)
        phone.set_offline(False)
        open_send_panel(page)
        office = page.locator(f"#entrega-offices input[value={OFFICE}]")
        office.check()
        # The worker sees the office's fingerprint, the one the officer can read aloud.
        assert key.fingerprint in page.inner_text("#entrega-fingerprint")
        page.locator("#entrega-upload").click()
        code = page.locator(".entrega-receipt .entrega-code").inner_text(timeout=120_000).strip()
        assert len(code) == 11 and code[5] == "-", code

        staff = open_desk(desk, base, key)
        pick_up(staff, code)
        verified(staff)
        staff.wait_for_selector("body[data-entrega=picked-up]")
        assert EMPLOYER in staff.inner_text("#employer")
        assert WORKER in staff.inner_text("#employer")
        assert NOTES in staff.inner_text("#timeline")  # so the greps below look for words it held

        # The phone sees it was picked up.
        page.locator(".entrega-receipt .entrega-check").click()
        page.wait_for_selector(
            ".entrega-receipt .entrega-state[data-state=picked_up]", timeout=60_000
        )
        assert "recogido" in page.inner_text(".entrega-receipt .entrega-state").lower()

        # Nothing of it is left to read: no ciphertext, and no name, employer or notes anywhere.
        blobs = [p for p in server.state_dir.rglob("*") if p.is_file() and "blobs" in p.parts]
        assert blobs == []
        assert grep_storage(server.state_dir, SECRETS) == []
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        assert not [s for s in SECRETS if s in log]
    finally:
        phone.close()
        desk.close()


def test_at_the_window_the_phone_scans_the_desks_qr_and_both_show_the_same_two_words(
    browser: Any, relay: tuple[CartillaServer, Any], tmp_path: Path
) -> None:
    server, key = relay
    base = server.base_url
    desk = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        staff = open_desk(desk, base, key)
        unfold(staff)
        staff.click("#entrega-window-start")
        staff.wait_for_selector("body[data-window=open]")
        qr = staff.locator("#entrega-qr svg")
        text = staff.get_attribute("#entrega-qr", "data-text") or ""
        words = staff.inner_text("#entrega-window-words").strip()
        window_code = staff.inner_text("#entrega-window-code").strip()
        assert text.startswith(f"CARTILLA-W1:{window_code.replace('-', '')}:age1")
        assert len(words.split(" · ")) == 2
        rows = (qr.get_attribute("data-modules") or "").split(",")
        video = qr_y4m(rows, tmp_path / "desk-qr.y4m")

        from playwright.sync_api import sync_playwright  # noqa: F401 -- same driver, second browser

        camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])  # fmt: skip
        try:
            phone = camera.new_context(
                service_workers="allow",
                viewport={"width": 360, "height": 740},
                permissions=["camera"],
            )
            page = phone.new_page()
            keep_a_log(page, base)
            build_offline(phone, page)
            phone.set_offline(False)
            open_send_panel(page)
            page.locator("#entrega-window").click()
            page.locator("#entrega-window-scan").click()
            page.wait_for_selector("#entrega-words", timeout=90_000)
            assert page.inner_text("#entrega-words").strip() == words
            # The QR gave the phone the window's code too (filled in as if typed).
            assert page.input_value("#entrega-window-code") == window_code
            page.locator("#entrega-window-send").click()
            page.wait_for_selector("#entrega-window-done", timeout=120_000)
        finally:
            camera.close()

        unfold(staff)
        staff.click("#entrega-window-check")
        verified(staff)
        staff.wait_for_selector("body[data-window=picked-up]")
        assert EMPLOYER in staff.inner_text("#employer")
        assert grep_storage(server.state_dir, SECRETS) == []
    finally:
        desk.close()
