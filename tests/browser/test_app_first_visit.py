"""First visit: the profile picker, the guide list for the profile, language choice."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PROFILE_CA, api_json, choose_profile, read_pack

pytestmark = pytest.mark.browser


def profile_guides(base_url: str, lang: str = "es") -> list[dict[str, Any]]:
    q = f"state=CA&industry=agriculture&status=h2a&lang={lang}"
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

    choose_profile(page)
    expected = profile_guides(live_server)
    assert expected, "the pack for CA/agriculture/h2a/es has no guides"
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    assert titles == [g["title"] for g in expected]
    assert "California" in page.locator(".profile-line").inner_text()
    # The whole pack is on the phone now.
    pack = read_pack(page)
    stored = {"guides": len(pack["guides"]), "request": pack["request"]}
    assert stored == {"guides": len(expected), "request": PROFILE_CA}


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
