"""The phone's Back button moves between the app's screens; after "Salida rápida" it never
brings one back. Every entry is the bare page titled "Cartilla" (nothing says which screen)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import choose_profile

pytestmark = pytest.mark.browser


def screen(page: Any) -> str:
    return page.evaluate("document.querySelector('main').dataset.screen || ''")


def wait_screen(page: Any, hash_: str) -> None:
    page.wait_for_function(
        "(h) => document.querySelector('main').dataset.screen === h"
        " && !document.querySelector('main').hasAttribute('aria-busy')",
        arg=hash_,
    )


def open_three_screens(page: Any, base_url: str) -> list[str]:
    page.goto(base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_screen(page, "#/guides")
    page.locator("ul.cards li.card a[href='#/guide/workers-comp']").click()
    wait_screen(page, "#/guide/workers-comp")
    page.locator("nav a[href='#/triage']").click()
    wait_screen(page, "#/triage")
    page.locator("a[href='#/triage/injury']").click()
    wait_screen(page, "#/triage/injury")
    return ["#/guides", "#/guide/workers-comp", "#/triage", "#/triage/injury"]


def test_back_goes_to_the_previous_screen(page: Any, live_server: str) -> None:
    visited = open_three_screens(page, live_server)
    for previous in reversed(visited[:-1]):
        page.go_back()
        wait_screen(page, previous)
        # Nothing in the address or the title says which screen this is.
        assert page.url == live_server + "/" and page.title() == "Cartilla"
        assert page.locator("main h1").is_visible()
    # Forward works too, and typing in search does not add a step.
    page.go_forward()
    wait_screen(page, "#/guide/workers-comp")
    page.locator("nav a[href='#/guides']").click()
    wait_screen(page, "#/guides")
    page.locator("a[href='#/search']").first.click()
    wait_screen(page, "#/search")
    entries = page.evaluate("history.length")
    for q in ["pag", "pago", "no me pagan"]:
        page.fill("#q", q)
        page.locator("form[role=search] button").click()
    assert page.evaluate("history.length") == entries
    page.go_back()
    wait_screen(page, "#/guides")


def test_back_after_quick_exit_never_shows_the_app(page: Any, live_server: str) -> None:
    open_three_screens(page, live_server)
    page.go_back()
    wait_screen(page, "#/triage")
    page.locator("#quick-exit").click()
    page.wait_for_url(live_server + "/neutral.html")
    assert page.title() == "Temperaturas"
    page.go_back()
    assert not page.url.startswith(live_server), page.url
    assert "Cartilla" not in page.title()
    # Forward, past the neutral page, reaches the entries the exit passed: they leave again.
    page.go_forward()
    page.wait_for_url(live_server + "/neutral.html")
    for _ in range(3):
        page.go_forward()
        page.wait_for_url(live_server + "/neutral.html")
        assert page.title() == "Temperaturas"
        assert "Cartilla" not in page.locator("body").inner_text()


def test_quick_exit_on_the_first_screen_also_leaves_nothing(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    page.locator("#quick-exit").click()
    page.wait_for_url(live_server + "/neutral.html")
    page.go_back()
    assert not page.url.startswith(live_server), page.url


def test_back_through_a_link_typed_in_the_address(page: Any, live_server: str) -> None:
    """A "#/..." address (a notification, a typed link) is one more step, then hidden."""
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    page.evaluate("location.hash = '#/directory'")
    wait_screen(page, "#/directory")
    assert page.url == live_server + "/"
    page.go_back()
    wait_screen(page, "#/guides")
    page.go_forward()
    wait_screen(page, "#/directory")
    page.locator("#quick-exit").click()
    page.wait_for_url(live_server + "/neutral.html")
    page.go_back()
    assert not page.url.startswith(live_server), page.url
