"""The worker's log in Chromium against the real server: offline logging, the wage check,
reloads and app updates that keep every entry, tamper detection, drafts, PIN lock, backups.

While the phone is online the app journals time receipts on its own (pwa/js/bundle/receipts.js),
and binds its signing key into the chain (a "key" entry) before the first one, so entry counts
here are of the worker's records, and chain totals are read once the head is anchored
(test_bundle_receipts.py tests the receipts themselves)."""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, CartillaServer, api_json, choose_profile, poll, wait_until_offline_ready

pytestmark = pytest.mark.browser

WEEK = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"]


def open_log(page: Any) -> None:
    page.locator("#nav a[href='#/log']").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def add_job(page: Any) -> None:
    page.locator("a[href='#/log/job']").first.click()
    page.wait_for_selector("form.log-form")
    form = page.locator("form.log-form")
    form.locator("[data-field=employer] input").fill("Rancho Prueba")
    form.locator("[data-field=state] select").select_option("CA")
    form.locator("[data-field=industry] select").select_option("agriculture")
    form.locator("[data-field=status] select").select_option("h2a")
    form.locator("[data-field=pay_type] select").select_option("hourly")
    form.locator("[data-field=promised] input").fill("10.00")
    form.locator("[data-field=workweek_start] select").select_option("monday")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def add_shift(page: Any, date: str, start: str, end: str, **extra: str) -> None:
    page.goto(page.url.split("#")[0] + "#/log/shift")
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator("[data-field=date] input").fill(date)
    form.locator("[data-field=start] input").fill(start)
    form.locator("[data-field=end] input").fill(end)
    for name, value in extra.items():
        form.locator(f"[data-field={name}] input, [data-field={name}] textarea").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def add_pay(page: Any) -> None:
    page.goto(page.url.split("#")[0] + "#/log/pay")
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator("[data-field=pay_date] input").fill("2025-03-14")
    form.locator("[data-field=period_start] input").fill("2025-03-03")
    form.locator("[data-field=period_end] input").fill("2025-03-09")
    form.locator("[data-field=gross] input").fill("500")
    form.locator("[data-field=deductions] button").click()
    form.locator(".deduction-row select").select_option("housing")
    form.locator(".deduction-row input").fill("50")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def journal_count(page: Any) -> int:
    """Stored journal entries that are the worker's records (not time receipts or the phone's
    key); log unlocked."""
    count: int = page.evaluate(
        """() => new Promise((ok, no) => { const r = indexedDB.open("cartilla-log");
          r.onsuccess = () => { const q = r.result.transaction("journal").objectStore("journal").getAll();
          q.onsuccess = () => { r.result.close(); ok(q.result.filter((row) => !["receipt", "key"].includes(row.entry.kind)).length); };
          q.onerror = no; }; })"""
    )
    return count


READ_JOURNAL = "async () => (await import('/js/log/store.js')).readJournal()"


def anchored_journal(page: Any) -> list[dict[str, Any]]:
    """Online, the phone anchors its head by itself: wait for that receipt, then the journal."""
    poll(
        page,
        f"async () => {{ const j = await ({READ_JOURNAL})(); return j.length > 0 && j[j.length - 1].kind === 'receipt'; }}",
    )
    entries: list[dict[str, Any]] = page.evaluate(READ_JOURNAL)
    return entries


def check_chain(page: Any, base_url: str, records: int) -> None:
    """`records` record entries; the history screen's chain check passes and counts every entry,
    the time receipt and the phone's key included (the screen re-counts when one lands while it
    is open)."""
    page.goto(base_url + "/#/log/history")
    page.locator("button", has_text="Revisar que nada se cambió").click()
    journal = anchored_journal(page)
    assert sum(1 for e in journal if e["kind"] not in ("receipt", "key")) == records
    page.locator(
        "#chain-result", has_text=f"Todo está completo: {len(journal)} anotaciones"
    ).wait_for()


def start(page: Any, server: CartillaServer) -> None:
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)


def test_a_week_offline_the_wage_check_reload_and_app_update_keep_everything(
    page: Any, context: Any, tmp_path: Path, server_factory: Callable[..., CartillaServer]
) -> None:
    pwa = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", pwa)
    server = server_factory(pwa_dir=pwa)
    start(page, server)
    context.set_offline(True)
    open_log(page)
    add_job(page)
    for day in WEEK:
        add_shift(page, day, "07:00", "17:00")
    add_pay(page)
    # A typical day: "My log" then "Same as the last day" - two taps from any screen.
    page.goto(server.base_url + "/#/guides")
    page.wait_for_selector("ul.cards li.card")
    open_log(page)
    page.locator("button", has_text="Igual que el último día").click()
    page.locator("#log-message", has_text="Anotado").wait_for()
    assert journal_count(page) == 2 + 5 + 1 + 1  # employer, job, 5 shifts, pay, today's copy

    page.goto(server.base_url + "/#/log/wages")
    page.wait_for_selector("#wages-total")
    weeks = page.locator("li.week")
    assert "50 h" in weeks.first.inner_text()
    # H-2A housing must be free: the $50.00 deduction is a finding, with its regulation.
    housing = page.locator("li.finding[data-code=deduction_not_allowed]")
    assert "$50.00" in housing.inner_text() and "20 CFR 655.122" in housing.inner_text()
    assert "Le podrían deber" in page.locator("#wages-total").inner_text()

    page.reload()  # offline reload: the service worker serves the app, IndexedDB keeps the log
    page.wait_for_selector("#wages-total")
    assert page.locator("li.finding[data-code=deduction_not_allowed]").count() == 1

    # A new app version is installed; the log survives it untouched.
    context.set_offline(False)
    version = api_json(server.base_url, "/asset-manifest.json")["version"]
    css = pwa / "css" / "app.css"
    # A real rule, not a comment: the server serves CSS minified (server/minify.py).
    css.write_text(css.read_text() + "\n.release-2 { color: inherit; }\n")
    poll(
        page,
        """async (old) => (await (await fetch('/asset-manifest.json', {cache: 'no-store'})).json())
             .version !== old""",
        version,
    )
    page.reload()
    prompt = page.locator("#notice-app-update")
    prompt.wait_for()
    with page.expect_event("load"):
        prompt.locator("button", has_text="Actualizar").click()
    wait_until_offline_ready(page)
    assert journal_count(page) == 9
    check_chain(page, server.base_url, 9)


def test_tampering_with_a_stored_entry_is_caught(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    add_shift(page, "2025-03-03", "07:00", "15:00")
    add_shift(page, "2025-03-04", "07:00", "15:00")
    check_chain(page, server.base_url, 4)
    # Someone edits a stored shift directly in the phone's database: two more hours.
    page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open("cartilla-log");
          r.onsuccess = () => { const tx = r.result.transaction("journal", "readwrite");
            const s = tx.objectStore("journal");
            s.getAll().onsuccess = (e) => { const row = e.target.result.find((x) => x.entry.record_type === "shift");
              row.entry.data.end = "17:00"; s.put(row); };
            tx.oncomplete = () => { r.result.close(); ok(); }; }; })"""
    )
    page.reload()
    page.locator("button", has_text="Revisar que nada se cambió").click()
    page.locator("#chain-result", has_text="cambió o quitó anotaciones").wait_for()


def test_a_half_typed_entry_survives_a_reload(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    page.goto(server.base_url + "/#/log/shift")
    form = page.locator("form.log-form")
    form.locator("[data-field=start] input").fill("06:30")
    form.locator("[data-field=notes] textarea").fill("Me cambiaron de campo a mediodía")
    page.locator("form.log-form[data-draft=saved]").wait_for()  # the last keystroke is stored
    page.reload()
    form = page.locator("form.log-form")
    form.wait_for()
    assert "Recuperamos" in page.locator(".notice-inline").inner_text()
    assert form.locator("[data-field=start] input").input_value() == "06:30"
    assert "mediodía" in form.locator("[data-field=notes] textarea").input_value()
    # Bad input: a clear message next to the field, nothing saved.
    form.locator("[data-field=end] input").fill("07:00")
    form.locator("[data-field=break_minutes] input").fill("45")
    form.locator("button[type=submit]").click()
    assert "descanso" in form.locator("[data-field=break_minutes] .error").inner_text()
    assert journal_count(page) == 2
    form.locator("[data-field=break_minutes] input").fill("0")
    form.locator("[data-field=end] input").fill("15:00")
    form.locator("[data-field=from_memory] input").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    assert journal_count(page) == 3
    page.goto(server.base_url + "/#/log/history")
    assert "De memoria" in page.locator("li.entry-create").first.inner_text()


def test_an_edit_keeps_the_old_value_and_asks_why(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    add_shift(page, "2025-03-03", "07:00", "15:00")
    page.goto(server.base_url + "/#/log/history")
    page.locator("li.entry-create", has_text="15:00").locator("a", has_text="Cambiar").click()
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator("[data-field=end] input").fill("16:30")
    form.locator("button[type=submit]").click()
    assert "Falta este dato" in form.locator("[data-field=_reason] .error").inner_text()
    form.locator("[data-field=_reason] input").fill("Olvidé la última hora y media")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    page.goto(server.base_url + "/#/log/history")
    history = page.locator("ol.history").inner_text()
    assert "16:30" in history and "15:00" in history
    assert "Razón: Olvidé la última hora y media" in history


def test_pin_lock_encrypts_at_rest_and_warns_first(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    add_shift(page, "2025-03-03", "07:00", "15:00")
    page.goto(server.base_url + "/#/log/settings")
    assert "nadie puede recuperar" in page.locator("#pin-warning").inner_text()
    page.fill("#pin-new", "4821")
    page.fill("#pin-repeat", "4821")
    page.locator("button", has_text="Poner PIN").click()
    page.locator("text=Marque la casilla").wait_for()
    page.check("#pin-understand")
    page.locator("button", has_text="Poner PIN").click()
    page.locator("text=Listo: su registro está cifrado").wait_for()
    # The log moved into a fresh database (its name is in localStorage): read that one.
    rows = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open(localStorage.getItem("cartilla.logdb"));
          r.onsuccess = () => { const q = r.result.transaction("journal").objectStore("journal").getAll();
          q.onsuccess = () => { r.result.close(); ok(q.result.map((row) => ({plain: "entry" in row, boxed: "box" in row,
            text: JSON.stringify(row)}))); }; }; })"""
    )
    assert rows and all(r["boxed"] and not r["plain"] for r in rows)
    assert not any("Rancho" in r["text"] or "15:00" in r["text"] for r in rows)
    page.goto(server.base_url + "/#/log")
    page.reload()
    page.wait_for_selector("h1:has-text('Registro con PIN')")
    page.fill("#log-pin", "0000")
    page.locator("button", has_text="Abrir").click()
    page.locator("text=Ese PIN o frase no es correcto").wait_for()
    page.fill("#log-pin", "4821")
    page.locator("button", has_text="Abrir").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    check_chain(page, server.base_url, 3)


def test_the_history_screen_counts_a_time_receipt_that_arrives_while_it_is_open(
    page: Any, context: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    context.set_offline(True)
    open_log(page)
    add_job(page)  # employer and job; offline, so no time receipt yet
    page.goto(server.base_url + "/#/log/history")
    page.locator("button", has_text="Revisar que nada se cambió").click()
    page.locator("#chain-result", has_text="Todo está completo: 2 anotaciones").wait_for()
    assert page.locator("ol.history li").count() == 2
    context.set_offline(False)  # back online: the app binds its key, then anchors the head
    page.locator("ol.history li.entry-receipt").wait_for()
    page.locator("#chain-result", has_text="Todo está completo: 4 anotaciones").wait_for()
    assert page.locator("ol.history li").count() == 4
    assert page.locator("ol.history li").first.get_attribute("class") == "card entry-receipt"


def test_unlocking_the_log_online_anchors_what_was_logged_offline(
    page: Any, context: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    page.goto(server.base_url + "/#/log/settings")
    page.fill("#pin-new", "4821")
    page.fill("#pin-repeat", "4821")
    page.check("#pin-understand")
    page.locator("button", has_text="Poner PIN").click()
    page.locator("text=Listo: su registro está cifrado").wait_for()
    # A shift logged offline; the app is reopened (so locked) and the phone comes back online.
    context.set_offline(True)
    add_shift(page, "2025-03-03", "07:00", "15:00")
    page.reload()
    page.wait_for_selector("h1:has-text('Registro con PIN')")
    context.set_offline(False)
    page.fill("#log-pin", "4821")
    page.locator("button", has_text="Abrir").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    journal = anchored_journal(page)  # the unlock asked for the receipt: nothing else did
    shift = [e for e in journal if e["kind"] not in ("receipt", "key")][-1]
    assert shift["record_type"] == "shift" and shift["data"]["start"] == "07:00"
    # The last receipt anchors the head, which is the shift or the key bound right after it.
    assert journal.index(shift) >= len(journal) - 3
    assert journal[-1]["receipt"]["hash"] == journal[-2]["hash"]
    check_chain(page, server.base_url, 3)  # employer, job, shift


def test_backup_and_restore_on_a_fresh_browser_profile(
    page: Any, browser: Any, tmp_path: Path, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    assert page.locator("#backup-reminder").count() == 0
    add_job(page)
    add_shift(page, "2025-03-03", "07:00", "15:00", notes="Cosecha de fresa")
    assert "copia de seguridad" in page.locator("#backup-reminder").inner_text()
    entries = len(anchored_journal(page))  # 3 records and their time receipts
    page.goto(server.base_url + "/#/log/settings")
    page.fill("#backup-pass", "frase larga de prueba")
    page.fill("#backup-pass2", "frase larga de prueba")
    with page.expect_download() as info:
        page.locator("button", has_text="Guardar copia").click()
    backup = tmp_path / "backup.json"
    info.value.save_as(backup)
    assert "Rancho" not in backup.read_text() and "fresa" not in backup.read_text()
    page.goto(server.base_url + "/#/log")
    page.wait_for_selector("h1:has-text('Mi registro')")
    assert page.locator("#backup-reminder").count() == 0

    fresh = browser.new_context(service_workers="allow", viewport={"width": 360, "height": 740})
    try:
        other = fresh.new_page()
        start(other, server)
        other.goto(server.base_url + "/#/log/settings")
        other.set_input_files("#restore-file", str(backup))
        other.fill("#restore-pass", "otra frase equivocada")
        other.locator("button", has_text="Recuperar").click()
        other.locator("#restore-status", has_text="La frase no es correcta").wait_for()
        assert journal_count(other) == 0
        other.fill("#restore-pass", "frase larga de prueba")
        other.locator("button", has_text="Recuperar").click()
        other.locator(
            "#restore-status", has_text=f"Se recuperó la copia: {entries} anotaciones"
        ).wait_for()
        other.goto(server.base_url + "/#/log/history")
        assert "07:00–15:00" in other.locator("ol.history").inner_text()
        check_chain(other, server.base_url, 3)
    finally:
        fresh.close()


def test_schema_migration_from_version_1_keeps_entries_and_drafts(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    # A phone that still has the version-1 database: journal + meta, drafts inside meta.
    page.evaluate(
        """async () => {
          const { makeEntry } = await import("/js/log/journal.js");
          const employer = await makeEntry(null, { kind: "create", data: { type: "employer", id: "e1", name: "Rancho Viejo" } });
          const job = await makeEntry(employer, { kind: "create", data: { type: "job", id: "j1", employer_id: "e1",
            state: "CA", industry: "agriculture", status: "h2a", pay_type: "hourly", workweek_start: "monday" } });
          const shift = await makeEntry(job, { kind: "create", data: { type: "shift", id: "s1", job_id: "j1",
            date: "2025-03-03", start: "06:00", end: "14:00", break_minutes: 0, from_memory: false, photo_ids: [] } });
          await new Promise((ok, no) => {
            const r = indexedDB.open("cartilla-log", 1);
            r.onupgradeneeded = () => { r.result.createObjectStore("journal", { keyPath: "seq" }); r.result.createObjectStore("meta"); };
            r.onsuccess = () => { const tx = r.result.transaction(["journal", "meta"], "readwrite");
              for (const e of [employer, job, shift]) tx.objectStore("journal").put({ seq: e.seq, entry: e });
              tx.objectStore("meta").put({ notes: "a medio escribir" }, "draft:form:shift:new");
              tx.oncomplete = () => { r.result.close(); ok(); }; tx.onerror = no; };
          });
        }"""
    )
    page.goto(server.base_url + "/#/log/history")
    page.locator("button", has_text="Revisar que nada se cambió").click()
    # Three records, and perhaps the phone's key and a time receipt that land meanwhile (the
    # screen re-counts).
    page.locator(
        "#chain-result", has_text=re.compile(r"Todo está completo: [345] anotaciones")
    ).wait_for()
    assert "06:00–14:00" in page.locator("ol.history").inner_text()
    page.goto(server.base_url + "/#/log/shift")
    page.locator("form.log-form").wait_for()
    assert page.locator("[data-field=notes] textarea").input_value() == "a medio escribir"
    stores = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open("cartilla-log");
          r.onsuccess = () => { ok({ version: r.result.version, stores: [...r.result.objectStoreNames] }); r.result.close(); }; })"""
    )
    assert stores == {"version": 2, "stores": ["drafts", "journal", "meta", "photos"]}


def test_photos_are_shrunk_and_the_export_validates_in_python(
    page: Any, tmp_path: Path, server_factory: Callable[..., CartillaServer]
) -> None:
    import json
    import os

    from PIL import Image

    from server.log_format import decode_log, verify_log

    big = tmp_path / "timecard.png"
    # A 3000x2200 photo full of noise: several MB, the worst case for JPEG.
    Image.frombytes("RGB", (3000, 2200), os.urandom(3000 * 2200 * 3)).save(big)
    assert big.stat().st_size > 5_000_000
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    page.goto(server.base_url + "/#/log/shift")
    form = page.locator("form.log-form")
    form.locator("[data-field=date] input").fill("2025-03-03")
    form.locator("[data-field=start] input").fill("07:00")
    form.locator("[data-field=end] input").fill("15:00")
    form.locator("[data-field=photo_ids] [data-photo-input=gallery]").set_input_files(str(big))
    form.locator("[data-field=photo_ids]", has_text="Foto agregada").wait_for()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    exported = page.evaluate(
        "async () => JSON.stringify(await (await import('/js/log/store.js')).exportLog())"
    )
    raw = exported.encode()
    log, doc = decode_log(raw)
    report = verify_log(log, doc)
    assert report.ok, report.problems
    assert len(log.photos) == 1 and log.shifts[0].photo_ids == [log.photos[0].id]
    photo = next(e.data for e in log.journal if e.record_type == "photo")
    assert photo.size_bytes <= 300 * 1024 and max(photo.width or 0, photo.height or 0) <= 1600
    assert json.loads(exported)["chain_head"] == log.journal[-1].hash


# --- a log that cannot be inflated by mistake (issue 14; rules in pwa/js/log/shifts.js) -------


def shifts_in_log(page: Any) -> list[dict[str, Any]]:
    """The current shifts (deleted ones gone), as the phone's own replay gives them."""
    shifts: list[dict[str, Any]] = page.evaluate(
        "async () => [...(await (await import('/js/log/store.js')).currentState()).state.shift.values()]"
    )
    return shifts


def fill_shift(page: Any, date: str, start: str, end: str) -> Any:
    page.goto(page.url.split("#")[0] + "#/log/shift")
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator("[data-field=date] input").fill(date)
    form.locator("[data-field=start] input").fill(start)
    form.locator("[data-field=end] input").fill(end)
    form.locator("button[type=submit]").click()
    return form


def test_an_end_before_the_start_asks_whether_it_ended_the_next_day(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    form = fill_shift(page, "2025-03-03", "22:00", "06:00")
    question = form.locator("[data-question=next-day]")
    question.wait_for()
    assert "¿Terminó al día siguiente?" in question.inner_text()
    # The question is reachable: axe finds nothing serious in it, and its answers are big.
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, context="[data-question=next-day]").response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []
    for answer in question.locator("button").all():
        assert answer.bounding_box()["height"] >= 44
    # "No": nothing is saved, the form stays to correct the time.
    question.locator("[data-answer=no]").click()
    assert shifts_in_log(page) == []
    assert form.locator("[data-field=end] input").input_value() == "06:00"
    form.locator("button[type=submit]").click()
    form.locator("[data-question=next-day] [data-answer=yes]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    [shift] = shifts_in_log(page)
    assert (shift["start"], shift["end"], shift["ends_next_day"]) == ("22:00", "06:00", True)
    # Eight hours this week, not a day and a half.
    page.goto(server.base_url + "/#/log/wages")
    page.wait_for_selector("li.week")
    assert "8 h" in page.locator("li.week").first.inner_text()
    # The history speaks plainly: no "cadena" (chain) or "huella" (hash) jargon.
    page.goto(server.base_url + "/#/log/history")
    page.locator("button", has_text="Revisar que nada se cambió").click()
    page.locator("#chain-result", has_text="Todo está completo").wait_for()
    words = page.locator("main").inner_text().lower()
    assert "cadena" not in words and "huella" not in words


def test_impossible_shifts_are_refused_and_an_overlap_names_the_other_shift(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    add_shift(page, "2025-03-03", "07:00", "15:00")

    form = fill_shift(page, "2025-03-03", "14:00", "18:00")
    refusal = form.locator("[data-refusal=overlap]")
    refusal.wait_for()
    text = refusal.inner_text()
    assert "se cruza con otro" in text and "07:00" in text and "15:00" in text
    # The link opens the other shift to change it.
    refusal.locator("a", has_text="Cambiar el otro turno").click()
    page.wait_for_selector("h1:has-text('Cambiar')")
    assert page.locator("[data-field=end] input").input_value() == "15:00"

    form = fill_shift(page, "2025-03-04", "08:00", "08:00")
    form.locator("[data-refusal=same_time]", has_text="misma hora").wait_for()
    form = fill_shift(page, "2099-01-05", "08:00", "12:00")
    form.locator("[data-field=date] .error", has_text="todavía no llega").wait_for()
    form = fill_shift(page, "2025-03-05", "05:00", "22:00")
    form.locator("[data-question=long]", has_text="17 h").wait_for()
    form.locator("[data-question=long] [data-answer=no]").click()
    assert len(shifts_in_log(page)) == 1

    # "Same as the last day" twice: the second tap asks instead of adding a copy.
    page.goto(server.base_url + "/#/log")
    same = page.locator("button", has_text="Igual que el último día")
    same.click()
    page.locator("#log-message", has_text="Anotado").wait_for()
    same.click()
    question = page.locator("[data-question=same-day]")
    question.wait_for()
    assert "Ya anotó un turno hoy: 07:00 a 15:00" in question.inner_text()
    question.locator("[data-answer=no]").click()
    assert len(shifts_in_log(page)) == 2
    # Plural rules, not "1 días".
    page.reload()
    page.locator("p.card", has_text="Esta semana: 8 h en 1 día.").wait_for()


def test_a_forgotten_punch_out_is_asked_about_and_punch_mode_records_breaks(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    add_job(page)
    # Punch in, take a break that began 30 minutes ago, come back, punch out.
    page.locator("button", has_text="Entré a trabajar").click()
    page.locator("button", has_text="Empiezo mi descanso").click()
    page.locator("#log-message", has_text="descanso desde").wait_for()
    page.evaluate(
        """async () => { const s = await import('/js/log/store.js'); const p = await s.getDraft('punch');
          const back = new Date(Date.now() - 90 * 60000);
          await s.saveDraft('punch', { ...p, start: `${String(back.getHours()).padStart(2, '0')}:${String(back.getMinutes()).padStart(2, '0')}`,
            date: `${back.getFullYear()}-${String(back.getMonth() + 1).padStart(2, '0')}-${String(back.getDate()).padStart(2, '0')}`,
            started_at: back.toISOString(), break_since: new Date(Date.now() - 30 * 60000).toISOString() }); }"""
    )
    page.reload()
    page.locator("button", has_text="Terminé mi descanso").click()
    page.locator("#log-message", has_text="Descanso hasta ahora: 30 min").wait_for()
    page.locator("button", has_text="Salí del trabajo").click()
    page.locator("#notice-log-punch", has_text="30 min de descanso").wait_for()
    [shift] = shifts_in_log(page)
    assert shift["break_minutes"] == 30

    # Punched in 15 hours ago and never out: the next time the log opens it asks.
    page.evaluate(
        """async () => { const s = await import('/js/log/store.js');
          await s.saveDraft('punch', { job_id: (await s.currentState()).state.job.keys().next().value,
            date: '2025-03-03', start: '07:00', started_at: new Date(Date.now() - 15 * 3600000).toISOString(),
            break_minutes: 0, break_since: null }); }"""
    )
    page.goto(server.base_url + "/#/guides")
    page.reload()
    open_log(page)
    forgot = page.locator("#forgot-punch")
    forgot.wait_for()
    assert "¿A qué hora salió?" in forgot.inner_text()
    assert page.locator("button", has_text="Salí del trabajo").count() == 0
    forgot.locator("#forgot-end").fill("16:30")
    forgot.locator("#forgot-break").fill("30")
    forgot.locator("button[type=submit]").click()
    page.locator("#forgot-punch").wait_for(state="detached")
    saved = [s for s in shifts_in_log(page) if s["date"] == "2025-03-03"]
    assert [(s["start"], s["end"], s["break_minutes"], s["from_memory"]) for s in saved] == [
        ("07:00", "16:30", 30, True)
    ]
    assert page.evaluate("async () => (await import('/js/log/store.js')).getDraft('punch')") is None
    assert page.locator("button", has_text="Entré a trabajar").count() == 1
