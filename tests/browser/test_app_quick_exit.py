"""Quick exit: on every screen, one tap swaps the app for a neutral page, with no way back."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import choose_profile, show, wait_until_offline_ready

pytestmark = pytest.mark.browser

SCREENS = ["#/guides", "#/search", "#/directory", "#/triage", "#/profile"]


def test_quick_exit_on_every_screen(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    assert page.locator("#quick-exit").is_visible()
    choose_profile(page)
    guide_link = page.locator("ul.cards li.card a").first.get_attribute("href")
    for screen in [*SCREENS, guide_link]:
        show(page, screen)
        button = page.locator("#quick-exit")
        assert button.is_visible(), screen
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44


def test_quick_exit_replaces_the_app_and_back_does_not_return(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    page.locator("ul.cards li.card a").first.click()
    page.wait_for_selector("article.guide-body")
    page.locator("nav a[href='#/directory']").click()
    page.wait_for_selector("#dir-consulates")

    with page.expect_navigation():
        page.locator("#quick-exit").click()
    assert page.url == live_server + "/neutral.html"
    assert page.title() == "Temperaturas"
    body = page.locator("body").inner_text()
    assert "Cartilla" not in body and "derechos" not in body.lower()
    # The exit went back to the app's first entry and replaced it: going back leaves the
    # site instead of reopening the app.
    page.go_back()
    assert not page.url.startswith(live_server)


def test_quick_exit_works_offline(page: Any, server_factory: Any) -> None:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    server.stop()
    page.reload()
    page.wait_for_selector("ul.cards li.card")
    with page.expect_navigation():
        page.locator("#quick-exit").click()
    assert page.title() == "Temperaturas"


def test_no_screen_or_guide_shows_in_the_title_address_or_history(
    page: Any, live_server: str
) -> None:
    """The back button and the browser's history list only ever see "Cartilla" at "/"."""
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page, {"state": "CA", "industry": "agriculture", "status": "undocumented",
                          "lang": "es"})  # fmt: skip
    entries = page.evaluate("history.length")
    titles = {page.title()}
    link = page.locator("ul.cards li.card a[href='#/guide/undocumented-workers']")
    heading = link.locator(".card-title").inner_text()
    link.click()
    page.wait_for_selector("article.guide-body")
    assert page.locator("h1").inner_text() == heading  # the screen still says what it is
    titles.add(page.title())
    assert page.url == live_server + "/"
    for nav in ["#/directory", "#/triage", "#/log", "#/profile"]:
        page.locator(f"nav a[href='{nav}']").click()
        page.wait_for_function(
            "(h) => document.querySelector('main').dataset.screen === h", arg=nav
        )
        titles.add(page.title())
        assert page.url == live_server + "/", nav
    assert titles == {"Cartilla"}
    # Each screen is a step for the Back button (test_back_navigation.py), and every step is
    # the same bare page with the same title.
    moved = page.evaluate("history.length") - entries
    assert moved == 5
    for _ in range(moved):
        page.go_back()
        assert page.url == live_server + "/" and page.title() == "Cartilla"
    for _ in range(moved):
        page.go_forward()
    page.wait_for_selector("form.profile")
    # A reload comes back to the same screen, from the history entry's hidden state.
    page.reload()
    page.wait_for_selector("form.profile")
    assert page.url == live_server + "/" and page.title() == "Cartilla"
    # An address that names a screen (typed, or a notification) is hidden once read.
    show(page, "#/guide/undocumented-workers")
    assert page.url == live_server + "/" and page.title() == "Cartilla"
    # The search words stay out of the address too.
    show(page, "#/search")
    page.fill("#q", "detenido")
    page.wait_for_selector("#search-status:not(:empty)")
    assert page.url == live_server + "/"
