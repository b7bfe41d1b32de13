"""The log's protection in Chromium against the real server (issue 12, phone findings 10-13):
the offer before the first record, a passphrase or a PIN, everything moved into a fresh
database whose predecessor is deleted, the profile's status sealed with the log, and the key
forgotten when the app is hidden or idle.

Every check of "nothing in the clear" reads the live storage the way anyone holding the phone
could: every IndexedDB database, store and row (bytes included) and localStorage. The pack
store is left out of the status check: it holds the guides for every status on purpose."""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PROFILE_CA,
    CartillaServer,
    choose_profile,
    poll,
    wait_until_offline_ready,
)

pytestmark = pytest.mark.browser

PROFILE = {**PROFILE_CA, "status": "undocumented"}
SKIP_MEANS = "cualquier persona que abra la aplicación en este teléfono puede leer el registro"
OLDER_COPIES = "copias viejas de lo que guardó antes pueden quedar"
# The profile's status as V8 serialises the profile record: the string "undocumented" with its
# length in front (12 one-byte characters, or 24 bytes of UTF-16-LE). The pack holds every
# status's guides on purpose ("undocumented-workers", length 20), so the bare word is in it;
# the length byte tells the profile's value apart, also inside LevelDB's compressed blocks.
STATUS_ON_DISK = (b"\x0cundocumented", b"\x18" + "undocumented".encode("utf-16-le"))

# Every database, store and row, and localStorage; bytes read as Latin-1 so plaintext in a
# photo or an unencrypted Uint8Array would show.
DUMP = """async () => {
  const out = { databases: [], stores: {} };
  for (const { name } of await indexedDB.databases()) {
    out.databases.push(name);
    const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    for (const store of db.objectStoreNames) {
      const get = (what) => new Promise((ok) => { const q = db.transaction(store).objectStore(store)[what](); q.onsuccess = () => ok(q.result); });
      const bytes = (k, v) => (v instanceof Uint8Array || v instanceof ArrayBuffer ? new TextDecoder("latin1").decode(v) : v);
      out.stores[`${name}/${store}`] = JSON.stringify({ keys: await get("getAllKeys"), rows: await get("getAll") }, bytes);
    }
    db.close();
  }
  out.localStorage = JSON.stringify({ ...localStorage });
  out.databases.sort();
  return out;
}"""

PROFILE_NOW = "async () => (await import('/js/store.js')).getProfile()"
STATUS = "async () => (await import('/js/log/store.js')).status()"


def start(page: Any, server: CartillaServer) -> None:
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page, PROFILE)
    wait_until_offline_ready(page)


def open_log(page: Any) -> None:
    page.locator("#nav a[href='#/log']").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def add_job_and_shift(page: Any, base_url: str) -> None:
    page.locator("a[href='#/log/job']").first.click()
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator("[data-field=employer] input").fill("Rancho Secreto")
    form.locator("[data-field=state] select").select_option("CA")
    form.locator("[data-field=industry] select").select_option("agriculture")
    form.locator("[data-field=status] select").select_option("h2a")
    form.locator("[data-field=pay_type] select").select_option("hourly")
    form.locator("[data-field=workweek_start] select").select_option("monday")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    page.goto(base_url + "/#/log/shift")
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator("[data-field=date] input").fill("2025-03-03")
    form.locator("[data-field=start] input").fill("07:00")
    form.locator("[data-field=end] input").fill("15:40")
    form.locator("[data-field=notes] textarea").fill("Turno en la huerta norte")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def protect(page: Any, secret: str, kind: str = "pin") -> None:
    """Fill the protection form on the screen (offer or settings) and wait for the notice."""
    page.evaluate("() => document.getElementById('notice-protect')?.remove()")  # an earlier one
    form = page.locator("form#protect-new, form#protect-change").first
    form.locator(f"input[name=protect-kind][value={kind}]").check()
    form.locator("#pin-new").fill(secret)
    form.locator("#pin-repeat").fill(secret)
    form.locator("#pin-understand").check()
    form.locator("button[type=submit]").click()
    page.locator("#notices", has_text="Listo: su registro está cifrado").wait_for(timeout=60000)


def unlock(page: Any, secret: str) -> None:
    page.wait_for_selector("h1:has-text('Registro con PIN')")
    page.fill("#log-pin", secret)
    page.locator("button", has_text="Abrir").click()
    page.wait_for_selector("h1:has-text('Mi registro')", timeout=60000)


def assert_nothing_in_the_clear(dump: dict[str, Any]) -> None:
    log_stores = {k: v for k, v in dump["stores"].items() if k.startswith("cartilla-log")}
    assert log_stores, dump["databases"]
    for where, text in {**log_stores, "localStorage": dump["localStorage"]}.items():
        for secret in ("Rancho Secreto", "huerta norte", "15:40"):
            assert secret not in text, f"{secret!r} readable in {where}"
    for where, text in dump["stores"].items():
        if where == "cartilla/packs":
            continue  # the guides for every status, on purpose
        assert "undocumented" not in text, f"the status is readable in {where}"
    assert "undocumented" not in dump["localStorage"]


def test_the_offer_comes_before_the_first_record_and_not_now_says_what_it_means(
    page: Any, context: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    # The offer's code comes in the shell bundle when the worker installs (server/static.py):
    # a worker who first opens the log with no signal still gets it.
    poll(
        page,
        """async () => { for (const name of await caches.keys()) {
          for (const r of await (await caches.open(name)).keys()) if (new URL(r.url).pathname === "/js/log/protect.js") return true; }
          return false; }""",
    )
    context.set_offline(True)
    open_log(page)
    offer = page.locator("#protect-offer")
    offer.wait_for()
    assert (
        page.evaluate("async () => (await (await import('/js/log/store.js')).readJournal()).length")
        == 0
    )
    text = offer.inner_text()
    assert SKIP_MEANS in text
    assert "una mirada rápida, no contra una copia forense del teléfono" in text
    assert "Una frase" in text and "(más segura)" in text
    # The offer comes before the first thing to write down.
    assert page.evaluate(
        "() => Boolean(document.querySelector('#protect-offer').compareDocumentPosition(document.querySelector(\"a[href='#/log/job']\")) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    # A bad PIN or passphrase is refused with a plain reason, nothing is set.
    page.fill("#pin-new", "12")
    page.fill("#pin-repeat", "12")
    page.locator("#protect-new button[type=submit]").click()
    page.locator("#protect-msg", has_text="El PIN debe tener de 4 a 12 números").wait_for()
    page.locator("input[name=protect-kind][value=pass]").check()
    assert page.get_attribute("#pin-new", "inputmode") == "text"
    page.fill("#pin-new", "corta frase")
    page.fill("#pin-repeat", "otra frase")
    page.locator("#protect-new button[type=submit]").click()
    page.locator("#protect-msg", has_text="Los dos no son iguales").wait_for()
    assert page.evaluate(STATUS) == {"lockEnabled": False, "locked": False}
    page.locator("#protect-skip", has_text="Ahora no").click()
    page.locator("#protect-offer").wait_for(state="detached")
    page.reload()
    page.locator("a[href='#/log/job']").wait_for()  # drawn after the offer would be
    assert page.locator("#protect-offer").count() == 0


def test_a_passphrase_from_the_offer_seals_the_first_record_and_the_status(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    page.locator("#protect-offer").wait_for()
    protect(page, "cuatro palabras que recuerdo", kind="pass")
    assert "con su frase" in page.locator("#notices").inner_text()
    page.locator("#protect-offer").wait_for(state="detached")
    add_job_and_shift(page, server.base_url)
    dump = page.evaluate(DUMP)
    assert "cartilla-log" not in dump["databases"]  # never used: the log began in a fresh one
    assert_nothing_in_the_clear(dump)
    stored = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open("cartilla"); r.onsuccess = () => {
          const q = r.result.transaction("settings").objectStore("settings").get("profile");
          q.onsuccess = () => { r.result.close(); const p = q.result; ok({ ...p, box: Boolean(p.box) }); }; }; })"""
    )
    assert stored == {
        "lang": "es",
        "state": "CA",
        "industry": "agriculture",
        "status": "any",
        "box": True,
    }
    assert page.evaluate(PROFILE_NOW)["status"] == "undocumented"  # unlocked: the app knows it
    page.reload()
    page.wait_for_selector("main[data-screen]")
    assert page.evaluate(PROFILE_NOW)["status"] == "any"  # locked: nobody does
    # The profile screen says why, and refuses to save a status it cannot seal.
    page.goto(server.base_url + "/#/profile")
    page.locator("#profile-sealed").wait_for()
    page.goto(server.base_url + "/#/log")
    assert page.get_attribute("#log-pin", "inputmode") == "text"
    unlock(page, "cuatro palabras que recuerdo")
    assert page.evaluate(PROFILE_NOW)["status"] == "undocumented"
    history = page.evaluate(
        "async () => (await (await import('/js/log/store.js')).readJournal()).map((e) => e.data && e.data.notes)"
    )
    assert "Turno en la huerta norte" in history


def test_protection_turned_on_later_moves_everything_to_a_fresh_database(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    page.locator("#protect-skip").click()
    add_job_and_shift(page, server.base_url)
    before = page.evaluate(DUMP)
    # In the clear, as skipping said.
    assert "Rancho Secreto" in before["stores"]["cartilla-log/journal"]
    assert "undocumented" in before["stores"]["cartilla/settings"]

    page.goto(server.base_url + "/#/log/settings")
    protect(page, "4821")
    assert OLDER_COPIES in page.locator("#notices").inner_text()
    after = page.evaluate(DUMP)
    log_dbs = [n for n in after["databases"] if n.startswith("cartilla-log")]
    assert "cartilla-log" not in after["databases"]  # the old database is gone
    assert len(log_dbs) == 1 and log_dbs[0] == page.evaluate(
        "() => localStorage.getItem('cartilla.logdb')"
    )
    assert_nothing_in_the_clear(after)

    # Changing the PIN moves it again: another fresh database, the previous one deleted.
    page.locator("#protect-settings", has_text="con un PIN").wait_for()
    protect(page, "739154")
    changed = page.evaluate(DUMP)
    now = [n for n in changed["databases"] if n.startswith("cartilla-log")]
    assert len(now) == 1 and now != log_dbs
    assert_nothing_in_the_clear(changed)
    page.reload()
    page.goto(server.base_url + "/#/log")
    page.wait_for_selector("h1:has-text('Registro con PIN')")
    page.fill("#log-pin", "4821")
    page.locator("button", has_text="Abrir").click()
    page.locator("text=Ese PIN o frase no es correcto").wait_for()
    unlock(page, "739154")
    shifts = page.evaluate(
        "async () => [...(await (await import('/js/log/store.js')).currentState()).state.shift.values()].map((s) => s.end)"
    )
    assert shifts == ["15:40"]

    # Removing the protection moves it once more and says what that means.
    page.goto(server.base_url + "/#/log/settings")
    page.evaluate("() => document.getElementById('notice-protect')?.remove()")
    page.fill("#pin-current", "739154")
    page.locator("#protect-off button[type=submit]").click()
    page.locator("#notices", has_text="Se quitó la protección").wait_for(timeout=60000)
    assert SKIP_MEANS in page.locator("#notices").inner_text()
    plain = page.evaluate(DUMP)
    final = [n for n in plain["databases"] if n.startswith("cartilla-log")]
    assert len(final) == 1 and final != now
    assert "Rancho Secreto" in plain["stores"][f"{final[0]}/journal"]
    assert page.evaluate(PROFILE_NOW)["status"] == "undocumented"


def test_the_log_locks_itself_when_the_app_is_hidden(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    protect(page, "4821")
    add_job_and_shift(page, server.base_url)
    assert page.evaluate(STATUS) == {"lockEnabled": True, "locked": False}
    page.goto(server.base_url + "/#/log/history")
    page.locator("ol.history", has_text="15:40").wait_for()
    # The worker switches to another app: the page becomes hidden.
    page.evaluate(
        """() => { Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
          Object.defineProperty(document, "hidden", { value: true, configurable: true });
          document.dispatchEvent(new Event("visibilitychange")); }"""
    )
    page.wait_for_selector("h1:has-text('Registro con PIN')")
    assert "15:40" not in page.locator("main").inner_text()
    assert page.evaluate(STATUS) == {"lockEnabled": True, "locked": True}
    assert page.evaluate(PROFILE_NOW)["status"] == "any"
    page.evaluate(
        """() => { delete document.visibilityState; delete document.hidden;
          document.dispatchEvent(new Event("visibilitychange")); }"""
    )
    page.fill("#log-pin", "4821")
    page.locator("button", has_text="Abrir").click()
    page.locator("ol.history", has_text="15:40").wait_for()  # back on the screen it left
    assert page.evaluate(PROFILE_NOW)["status"] == "undocumented"


def test_the_log_locks_itself_after_five_idle_minutes(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    page.clock.install()
    start(page, server)
    open_log(page)
    protect(page, "4821")
    assert page.evaluate(STATUS)["locked"] is False
    page.clock.fast_forward("04:00")
    page.locator("main h1").click()  # a touch restarts the five minutes
    page.clock.fast_forward("04:00")
    assert page.evaluate(STATUS)["locked"] is False
    page.clock.fast_forward("01:01")
    poll(page, f"async () => ({STATUS})().then((s) => s.locked)")
    page.wait_for_selector("h1:has-text('Registro con PIN')")


def test_a_lock_from_an_earlier_version_moves_to_todays_cost_when_opened(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    # What an earlier version left: "cartilla-log" sealed under 600 000 iterations.
    page.evaluate(
        """async () => {
          const c = await import("/js/log/crypto.js");
          const { makeEntry } = await import("/js/log/journal.js");
          const salt = c.randomBytes(16);
          const key = await c.deriveKey("4821", salt, 600000);
          const entry = await makeEntry(null, { kind: "create", data: { type: "employer", id: "e1", name: "Rancho Viejo" } });
          const row = { seq: entry.seq, box: await c.encryptJson(key, entry) };
          const lock = { salt, iterations: 600000, check: await c.encryptJson(key, "cartilla") };
          await new Promise((ok, no) => {
            const r = indexedDB.open("cartilla-log", 2);
            r.onupgradeneeded = () => { const db = r.result; db.createObjectStore("journal", { keyPath: "seq" }); db.createObjectStore("meta");
              db.createObjectStore("photos", { keyPath: "id" }); db.createObjectStore("drafts"); };
            r.onsuccess = () => { const tx = r.result.transaction(["journal", "meta"], "readwrite");
              tx.objectStore("journal").put(row); tx.objectStore("meta").put(lock, "lock");
              tx.oncomplete = () => { r.result.close(); ok(); }; tx.onerror = no; };
          });
        }"""
    )
    page.reload()
    page.goto(server.base_url + "/#/log")
    assert page.get_attribute("#log-pin", "inputmode") == "numeric"  # a PIN, as it always was
    unlock(page, "4821")
    dump = page.evaluate(DUMP)
    assert "cartilla-log" not in dump["databases"]
    assert "Rancho Viejo" not in str(dump["stores"])
    lock = page.evaluate("async () => (await import('/js/log/store.js')).lockInfo()")
    assert lock["iterations"] == 2000000 and lock["kind"] == "pin"
    employers = page.evaluate(
        "async () => [...(await (await import('/js/log/store.js')).currentState()).state.employer.values()].map((e) => e.name)"
    )
    assert employers == ["Rancho Viejo"]


def test_the_log_is_found_when_localstorage_lost_its_name(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    start(page, server)
    open_log(page)
    protect(page, "4821")
    add_job_and_shift(page, server.base_url)
    page.evaluate("() => localStorage.clear()")  # a cleaner that leaves IndexedDB alone
    page.reload()
    page.goto(server.base_url + "/#/log")
    unlock(page, "4821")  # still protected: the moved database was found, not a new empty one
    shifts = page.evaluate(
        "async () => [...(await (await import('/js/log/store.js')).currentState()).state.shift.values()].map((s) => s.end)"
    )
    assert shifts == ["15:40"]
    assert "cartilla-log" not in page.evaluate(DUMP)["databases"]


# --- on disk: what is left in the browser's own files ----------------------------------------

PASSPHRASE = "cuatro palabras que recuerdo"


def idb_bytes(user_data: Path) -> dict[str, bytes]:
    """Every file under the profile's IndexedDB folder (the origin's .leveldb and .blob
    folders), raw, the way a forensic copy of the phone would read them."""
    root = user_data / "Default" / "IndexedDB"
    files = {}
    for path in root.rglob("*"):
        try:
            files[str(path.relative_to(root))] = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue  # a folder, or a file LevelDB removed while it was listed
    assert any(".indexeddb.leveldb" in name for name in files), sorted(files)
    return files


def plaintext_left(user_data: Path) -> dict[str, list[str]]:
    """Which files still hold the profile's status or the log's plaintext."""
    files = idb_bytes(user_data)
    found = {what: where_readable(files, needle) for what, needle in (
        ("status", STATUS_ON_DISK), ("Rancho Secreto", "Rancho Secreto"), ("huerta norte", "huerta norte"))}  # fmt: skip
    return {what: where for what, where in found.items() if where}


def wait_until_no_plaintext(page: Any, user_data: Path, timeout: float = 30) -> None:
    """Chromium deletes a database's records in a background task that runs after
    deleteDatabase has answered (delete, flush, compact, then remove the replaced files), so
    the files are watched while the app keeps running, as a phone's browser does after the
    notice; `timeout` is far above the milliseconds this takes."""
    deadline = time.monotonic() + timeout
    while left := plaintext_left(user_data):
        assert time.monotonic() < deadline, f"still in the browser's files after {timeout}s: {left}"
        page.wait_for_timeout(100)


def where_readable(files: dict[str, bytes], text: str | tuple[bytes, ...]) -> list[str]:
    """The files holding `text` in UTF-8 (V8 writes a Latin-1 string's bytes as they are) or
    UTF-16-LE (a two-byte string), or any of the byte strings given."""
    needles = (text.encode("utf-8"), text.encode("utf-16-le")) if isinstance(text, str) else text
    return sorted(name for name, data in files.items() if any(n in data for n in needles))


def persistent(browser: Any, user_data: Path) -> Any:
    """A Chromium with a profile folder on disk, launched the way conftest launches it."""
    return browser.browser_type.launch_persistent_context(
        str(user_data), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        service_workers="allow", viewport={"width": 360, "height": 740},
    )  # fmt: skip


def test_turning_protection_on_later_leaves_no_status_in_the_browsers_files(
    browser: Any, tmp_path: Path, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    user_data = tmp_path / "chromium-profile"
    ctx = persistent(browser, user_data)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        start(page, server)  # "Sin papeles" chosen, the pack saved
        assert page.evaluate(PROFILE_NOW)["status"] == "undocumented"
        open_log(page)
        page.locator("#protect-skip").click()
        add_job_and_shift(page, server.base_url)
    finally:
        ctx.close()  # Chromium writes its files out and closes them
    # The check sees plaintext where there is some: before protection, the profile's status
    # and the log are in the files, as skipping said.
    before = idb_bytes(user_data)
    assert where_readable(before, STATUS_ON_DISK), sorted(before)
    assert where_readable(before, "Rancho Secreto")

    ctx = persistent(browser, user_data)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(server.base_url + "/#/log/settings")
        protect(page, PASSPHRASE, kind="pass")
        assert OLDER_COPIES in page.locator("#notices").inner_text()
        assert "no se pudo borrar" not in page.locator("#notices").inner_text().lower()
        wait_until_no_plaintext(page, user_data)
    finally:
        ctx.close()
    # Closing the browser brings none of it back.
    assert plaintext_left(user_data) == {}

    # The app still works after the move: guides with no network, the log opens with the
    # passphrase, and the status comes back from the sealed profile.
    ctx = persistent(browser, user_data)
    try:
        ctx.set_offline(True)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(server.base_url + "/")
        page.wait_for_selector("ul.cards li.card")
        assert page.evaluate(PROFILE_NOW)["status"] == "any"  # locked: nobody knows it
        page.locator("ul.cards li.card a").first.click()
        page.wait_for_selector("article.guide-body")
        page.goto(server.base_url + "/#/log")
        unlock(page, PASSPHRASE)
        assert page.evaluate(PROFILE_NOW)["status"] == "undocumented"
        shifts = page.evaluate(
            "async () => [...(await (await import('/js/log/store.js')).currentState()).state.shift.values()].map((s) => s.end)"
        )
        assert shifts == ["15:40"]
    finally:
        ctx.close()


def test_erasing_cartilla_leaves_no_status_or_log_in_the_browsers_files(
    browser: Any, tmp_path: Path, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    user_data = tmp_path / "chromium-profile"
    ctx = persistent(browser, user_data)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        start(page, server)
        open_log(page)
        page.locator("#protect-skip").click()
        add_job_and_shift(page, server.base_url)
    finally:
        ctx.close()
    assert set(plaintext_left(user_data)) == {"status", "Rancho Secreto", "huerta norte"}

    ctx = persistent(browser, user_data)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(server.base_url + "/#/profile")
        page.locator("#erase-open").click()
        page.locator("#erase-confirm").check()
        with page.expect_navigation():
            page.locator("#erase-now").click()
        assert page.url == "about:blank"
        page.goto(server.base_url + "/neutral.html")  # the site, without the app's code
        wait_until_no_plaintext(page, user_data)
    finally:
        ctx.close()
    assert plaintext_left(user_data) == {}
