"""A forgotten punch-out is asked about the next time the app opens, on whatever screen opens
first (here the guide list), not only when the log opens (pwa/js/log/punch.js, app.js)."""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import CartillaServer, choose_profile, wait_until_offline_ready
from test_log_flow import add_job, open_log, shifts_in_log

pytestmark = pytest.mark.browser

PUNCH_FLAG = "() => localStorage.getItem('cartilla.punch')"


def test_a_stale_punch_in_is_asked_about_on_the_guides_screen(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    open_log(page)
    add_job(page)
    page.locator("button", has_text="Entré a trabajar").click()
    page.locator("button", has_text="Salí del trabajo").wait_for()
    assert page.evaluate(PUNCH_FLAG) == "1"

    # A fresh punch-in is not a question: the guides open as usual.
    page.goto(server.base_url + "/#/guides")
    page.reload()
    page.wait_for_function("() => document.querySelector('main').dataset.screen === '#/guides'")
    page.locator("ul.cards li.card").first.wait_for()
    assert page.locator("#forgot-punch").count() == 0

    # The worker punched in 15 hours ago and never out (the punch, through the app's own API).
    page.evaluate(
        """async () => { const p = await import('/js/log/punch.js'); const s = await import('/js/log/store.js');
          const punch = await s.getDraft('punch');
          await p.savePunch({ ...punch, date: '2025-03-03', start: '07:00',
            started_at: new Date(Date.now() - 15 * 3600000).toISOString() }); }"""
    )
    page.goto(server.base_url + "/#/guides")
    page.reload()
    forgot = page.locator("#notice-forgot-punch #forgot-punch")
    forgot.wait_for()
    assert page.evaluate("() => document.querySelector('main').dataset.screen") == "#/guides"
    assert "¿A qué hora salió?" in forgot.inner_text()
    forgot.locator("#forgot-end").fill("16:30")
    forgot.locator("#forgot-break").fill("30")
    forgot.locator("button[type=submit]").click()
    page.locator("#forgot-punch").wait_for(state="detached")
    page.locator(".notice", has_text="Turno anotado: 07:00 a 16:30").wait_for()

    # Saved as the worker said, marked as written later; the punch and its flag are gone, and
    # the worker is still on the screen they opened.
    saved = [s for s in shifts_in_log(page) if s["date"] == "2025-03-03"]
    assert [(s["start"], s["end"], s["break_minutes"], s["from_memory"]) for s in saved] == [
        ("07:00", "16:30", 30, True)
    ]
    assert page.evaluate("async () => (await import('/js/log/store.js')).getDraft('punch')") is None
    assert page.evaluate(PUNCH_FLAG) is None
    assert page.evaluate("() => document.querySelector('main').dataset.screen") == "#/guides"
    page.reload()
    page.locator("ul.cards li.card").first.wait_for()
    assert page.locator("#forgot-punch").count() == 0
    open_log(page)
    assert page.locator("button", has_text="Entré a trabajar").count() == 1
