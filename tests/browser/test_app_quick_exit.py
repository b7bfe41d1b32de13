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
    # Browsing inside the app added no history entries, and the exit replaced the last one:
    # going back leaves the site instead of reopening the app.
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
