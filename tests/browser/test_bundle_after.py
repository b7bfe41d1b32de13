"""After the bundle is made: what to do now, and the summary shown at the consulate's window.

In Chromium against the real server: a worker in California (Spanish) logs a few days, makes
the bundle on "Preparar para el consulado" and then sees where the file is, what to bring and
whom to call, with their consulate's number from the offline pack as a tap-to-call link (the
county decides which consulate in California, so they pick it there). The full-screen summary
opens with large text and closes with one tap. None of the worker's bundle screens uses the
jargon ("huella", "cadena", "hash") and counts read right in the singular ("1 gasto").
"""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import PROFILE_CA, READ_PACK, choose_profile, poll, show, wait_until_offline_ready

pytestmark = pytest.mark.browser

RANCHO = "Rancho Los Pinos"
COUNTY = "Los Angeles"

LOG_JS = """
async () => {
  const store = await import('/js/log/store.js');
  const employer = await store.addRecord({ type: 'employer', name: 'Rancho Los Pinos' });
  const job = await store.addRecord({ type: 'job', employer_id: employer.data.id, state: 'CA', industry: 'agriculture',
    status: 'h2a', pay_type: 'hourly', workweek_start: 'monday' });
  for (const date of ['2025-06-02', '2025-06-03', '2025-06-04']) {
    await store.addRecord({ type: 'shift', job_id: job.data.id, date, start: '07:00', end: '17:00', break_minutes: 30,
      from_memory: false, photo_ids: [] });
  }
  await store.addRecord({ type: 'expense', kind: 'recruitment_fee', amount_cents: 50000, date: '2025-06-01',
    job_id: job.data.id, paid_to: 'Reclutador', reimbursed_cents: 0, from_memory: true, photo_ids: [] });
}
"""

JARGON = re.compile(r"huella|cadena|hash", re.I)


def consulate_phone(pack: dict[str, Any], county: str) -> str:
    """The first sourced number of the consulate whose county list names `county`."""
    for consulate in pack["data"]["consulates"]:
        if any(county in k["names"] for k in consulate.get("counties") or [] if k["state"] == "CA"):
            return str(next(p["number"] for p in consulate["phones"] if p.get("source")))
    raise AssertionError(f"no consulate names {county}")


def test_after_the_bundle_the_worker_sees_what_to_do_and_shows_the_summary(
    page: Any, live_server: str
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)  # California, agriculture, H-2A, Spanish
    wait_until_offline_ready(page)
    pack = poll(page, READ_PACK)  # the offline pack, as the app stored it
    page.evaluate(LOG_JS)
    show(page, "#/bundle")
    form = page.locator("#bundle-form")
    form.locator("label", has_text=RANCHO).wait_for()
    assert form.locator("legend", has_text="Patrones").count() == 1
    form.locator("input[name=worker]").fill("María López")
    preview = page.locator("#bundle-preview")
    preview.filter(has_text="3 turnos").wait_for()
    # Plurals: one expense, no pay stubs.
    assert "Se incluye: 3 turnos, 0 pagos, 1 gasto, 0 incidentes, 0 fotos." in preview.inner_text()
    page.locator("#bundle-included summary").click()
    included = page.locator("#bundle-included").inner_text()
    assert "Cuota de reclutamiento" in included and "recruitment_fee" not in included
    before = page.locator("main").inner_text()
    assert not JARGON.search(before), JARGON.findall(before)

    page.locator("#bundle-build").click()
    after = page.locator("#bundle-after")
    after.wait_for()
    text = after.inner_text()
    assert "Descargas" in text and "cartilla-evidence-" in text
    for thing in ("identificación", "talones de pago", "contrato", "teléfono"):
        assert thing in text, thing
    # California has several consulates: the county decides, and the worker picks it here.
    page.select_option("#after-county", COUNTY)
    phone = consulate_phone(pack, COUNTY)
    call = page.locator("#after-consulate a[href^='tel:']").first
    assert call.get_attribute("href") == "tel:" + re.sub(r"[^0-9+]", "", phone)
    assert phone in call.inner_text()
    assert "Los Angeles" in page.locator("#after-consulate h3").inner_text()
    after_text = page.locator("main").inner_text()
    assert not JARGON.search(after_text), JARGON.findall(after_text)

    page.locator("#bundle-show").click()
    window = page.locator("dialog#bundle-window[open]")
    window.wait_for()
    box = window.bounding_box()
    # The whole screen (360 x 740 px), not a box inside it.
    assert box is not None and box["width"] >= 359 and box["height"] >= 739
    shown = window.inner_text()
    assert "María López" in shown and RANCHO in shown
    assert "Del 1 de junio de 2025 al 4 de junio de 2025" in shown
    assert "3 turnos" in shown and "1 gasto," in shown
    assert "Según el registro del teléfono:" in shown and (
        "Le podrían deber: $" in shown or "no encontramos pagos de menos" in shown
    )
    assert not JARGON.search(shown)
    size = window.locator("p").first.evaluate("(p) => parseFloat(getComputedStyle(p).fontSize)")
    assert size >= 22  # large enough to read across the window's counter
    page.locator("#bundle-window-close").click()
    page.wait_for_selector("dialog#bundle-window", state="detached")
    assert page.locator("#bundle-after").is_visible()


def test_in_english_the_counts_and_next_steps_read_right(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page, {**PROFILE_CA, "lang": "en"})
    wait_until_offline_ready(page)
    poll(page, READ_PACK)
    page.evaluate(LOG_JS)
    show(page, "#/bundle")
    page.locator("#bundle-form label", has_text=RANCHO).wait_for()
    preview = page.locator("#bundle-preview")
    preview.filter(has_text="3 shifts").wait_for()
    assert (
        "Included: 3 shifts, 0 payments, 1 expense, 0 incidents, 0 photos." in preview.inner_text()
    )
    page.locator("#bundle-build").click()
    page.locator("#bundle-after").wait_for()
    text = page.locator("main").inner_text()
    assert "What to do now" in text and "Downloads" in text and "An ID, if you have one" in text
    assert not re.search(r"fingerprint|chain|hash", text, re.I)
    page.locator("#bundle-show").click()
    shown = page.locator("dialog#bundle-window[open]").inner_text()
    assert (
        "From June 1, 2025 to June 4, 2025" in shown and "According to the phone's record:" in shown
    )
    page.locator("#bundle-window-close").click()
    page.wait_for_selector("dialog#bundle-window", state="detached")


def wait_screen(page: Any, hash_: str) -> None:
    page.wait_for_function(
        "(h) => document.querySelector('main').dataset.screen === h"
        " && !document.querySelector('main').hasAttribute('aria-busy')",
        arg=hash_,
    )


def test_back_on_the_window_summary_returns_to_what_to_do_now_and_quick_exit_leaves(
    page: Any, live_server: str
) -> None:
    """Android's Back closes the full-screen summary and leaves the worker on "Qué hacer
    ahora" (not on the screen before, nor out of the app); "Salida rápida" after it still
    leaves at once, and neither Back nor Forward then opens any of Cartilla's screens."""
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    poll(page, READ_PACK)
    page.evaluate(LOG_JS)
    page.locator("nav a[href='#/log']").click()
    wait_screen(page, "#/log")
    show(page, "#/bundle")
    page.locator("#bundle-form label", has_text=RANCHO).wait_for()
    page.locator("#bundle-build").click()
    page.locator("#bundle-after").wait_for()
    page.locator("#bundle-show").click()
    page.locator("dialog#bundle-window[open]").wait_for()

    page.go_back()
    page.wait_for_selector("dialog#bundle-window", state="detached")
    assert page.url == live_server + "/"
    assert page.evaluate("document.querySelector('main').dataset.screen") == "#/bundle"
    assert page.locator("#bundle-after").is_visible()  # the bundle just made, not a new form
    # Once more: it opens again, and its own button closes it the same way.
    page.locator("#bundle-show").click()
    page.locator("dialog#bundle-window[open]").wait_for()
    page.locator("#bundle-window-close").click()
    page.wait_for_selector("dialog#bundle-window", state="detached")
    assert page.locator("#bundle-after").is_visible()
    # Back from here is the screen before the bundle, as on any screen.
    page.go_back()
    wait_screen(page, "#/log")
    page.go_forward()
    wait_screen(page, "#/bundle")

    page.locator("#quick-exit").click()
    page.wait_for_url(live_server + "/neutral.html")
    assert page.title() == "Temperaturas"
    page.go_back()
    assert not page.url.startswith(live_server), page.url
    # Forward past the neutral page only reaches entries the exit marked: each leaves again.
    page.go_forward()
    page.wait_for_url(live_server + "/neutral.html")
    for _ in range(4):
        page.go_forward()
        page.wait_for_url(live_server + "/neutral.html")
        assert page.title() == "Temperaturas"
        assert "Cartilla" not in page.locator("body").inner_text()
