"""First visit: the profile picker, the guide list for the profile, language choice.

The worker's status never leaves the phone: the pack is fetched by state, industry and
language, and the phone shows exactly the guides the server would pick for the status.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PROFILE_CA, api_json, choose_profile, read_pack

pytestmark = pytest.mark.browser


def profile_guides(base_url: str, lang: str = "es", status: str = "h2a") -> list[dict[str, Any]]:
    """The server's own choice for the profile (asked here, by the test, with the status)."""
    q = f"state=CA&industry=agriculture&status={status}&lang={lang}"
    guides: list[dict[str, Any]] = api_json(base_url, f"/api/v1/packs/manifest?{q}")["manifest"][
        "guides"
    ]
    return guides


def test_first_visit_shows_picker_in_spanish_then_the_profile_guides(
    page: Any, live_server: str
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("h1").inner_text() == "Bienvenido a Cartilla"
    assert page.locator("#quick-exit").is_visible()
    # Status options include "prefer not to say".
    assert page.locator("input[name=status][value=any]").count() == 1

    urls: list[str] = []
    page.context.on("request", lambda r: urls.append(r.url))
    choose_profile(page)
    expected = profile_guides(live_server)
    assert expected, "the pack for CA/agriculture/h2a/es has no guides"
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    assert titles == [g["title"] for g in expected]
    assert "California" in page.locator(".profile-line").inner_text()
    # The whole pack is on the phone now: every status's guides, asked for without the status.
    pack = read_pack(page)
    every_status = profile_guides(live_server, status="any")
    assert len(every_status) > len(expected)
    stored = {"guides": len(pack["guides"]), "request": pack["request"]}
    no_status = {k: v for k, v in PROFILE_CA.items() if k != "status"}
    assert stored == {"guides": len(every_status), "request": no_status}
    assert [u for u in urls if "/api/v1/packs" in u]
    assert not [u for u in urls if "status" in u.lower() or "h2a" in u.lower()]


def test_english_interface_and_guides(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    page.locator("input[name=lang][value=en]").check()
    page.wait_for_selector("form.profile[data-lang=en]")
    assert page.locator("h1").inner_text() == "Welcome to Cartilla"
    choose_profile(page, {**PROFILE_CA, "lang": "en"})
    assert page.locator("h1").inner_text() == "My guides"
    assert page.evaluate("document.documentElement.lang") == "en"
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    assert titles == [g["title"] for g in profile_guides(live_server, "en")]


def test_english_chosen_on_the_picker_stays_when_the_worker_takes_over(
    page: Any, live_server: str
) -> None:
    """On a first visit the service worker takes control while the worker is on the picker,
    and the shell is labeled again then: in the language just chosen, not in Spanish (the
    page's lang went back to "es" under an English picker, and the header spoke Spanish)."""
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    page.locator("input[name=lang][value=en]").check()
    page.wait_for_selector("form.profile[data-lang=en]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The nav's log label comes from log.json, loaded once the worker has it: then the
    # shell has been labeled again.
    log_label = "nav a[data-path='#/log'] .label"
    page.wait_for_function(
        "(sel) => { const el = document.querySelector(sel);"
        " return el && el.textContent !== 'log.nav'; }",
        arg=log_label,
    )
    assert page.locator(log_label).text_content() == "My log"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#quick-exit").text_content() == "Quick exit"
    assert page.locator("main h1").inner_text() == "Welcome to Cartilla"


def test_missing_choice_says_what_is_missing(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    page.locator("input[name=industry][value=construction]").check()
    page.locator("form.profile button[type=submit]").click()
    error = page.locator("#profile-error")
    error.wait_for()
    text = error.inner_text()
    assert "Falta elegir" in text and "Estado" in text and "situación" in text
    assert page.locator("form.profile").is_visible()


def test_change_profile_later_keeps_app_working(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    page.locator("nav a[href='#/profile']").click()
    page.wait_for_selector("form.profile")
    # The current choice is shown, then changed to Texas / construction / prefer not to say.
    assert page.locator("#state").input_value() == "CA"
    choose_profile(page, {"state": "TX", "industry": "construction", "status": "any", "lang": "es"})
    assert "Texas" in page.locator(".profile-line").inner_text()
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    q = "state=TX&industry=construction&status=any&lang=es"
    manifest = api_json(live_server, f"/api/v1/packs/manifest?{q}")["manifest"]
    assert titles == [g["title"] for g in manifest["guides"]]


def test_changing_only_the_status_filters_on_the_phone_without_asking_the_server(
    page: Any, live_server: str
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    api: list[str] = []
    page.context.on("request", lambda r: api.append(r.url) if "/api/" in r.url else None)
    page.locator("nav a[href='#/profile']").click()
    page.wait_for_selector("form.profile")
    choose_profile(page, {**PROFILE_CA, "status": "undocumented"})
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    assert titles == [g["title"] for g in profile_guides(live_server, status="undocumented")]
    assert titles != [g["title"] for g in profile_guides(live_server)]
    assert not [u for u in api if "/api/v1/packs" in u]  # same state, work, language: same pack
