"""On narrow phones (320 and 360 px): the header stays one row offline, tab labels fit, and
every guide and problem card carries its icon, hidden from screen readers (the title says it)."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest
from conftest import PROFILE_CA, choose_profile, show

pytestmark = pytest.mark.browser

BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def narrow(browser: Any, width: int) -> Any:
    context = browser.new_context(service_workers="allow", viewport={"width": width, "height": 640})
    return context, context.new_page()


def header_boxes(page: Any) -> list[list[float]]:
    return [
        page.locator(sel).evaluate(BOX)
        for sel in ["header .brand", "#offline-badge", "#quick-exit"]
    ]


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_offline_header_is_one_row(browser: Any, live_server: str, width: int, lang: str) -> None:
    context, page = narrow(browser, width)
    try:
        page.goto(live_server + "/")
        page.wait_for_selector("form.profile")
        choose_profile(page, {**PROFILE_CA, "lang": lang})
        context.set_offline(True)
        page.wait_for_selector("#offline-badge:not([hidden])")
        brand, badge, exit_ = header_boxes(page)
        header = page.locator("header.bar").evaluate(BOX)
        # One row: the three share a line (their vertical ranges overlap) and the bar is no
        # taller than one tap target plus its padding.
        for box in (badge, exit_):
            assert box[1] < brand[3] and brand[1] < box[3], (brand, box)
        assert header[3] - header[1] <= 56, header
        # In order, inside the screen, not overlapping, nothing cut off.
        assert brand[2] <= badge[0] and badge[2] <= exit_[0] and exit_[2] <= width
        for sel in ["header .brand", "#offline-badge", "#quick-exit"]:
            assert page.locator(sel).evaluate("(el) => el.scrollWidth <= el.clientWidth"), sel
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The quick exit keeps its size as a tap target.
        assert exit_[3] - exit_[1] >= 44 and exit_[2] - exit_[0] >= 44
        # The badge's words are whole (one line each row, not "Sin co-nexión").
        assert page.locator("#offline-badge").evaluate("(el) => el.getClientRects().length === 1")
    finally:
        context.set_offline(False)
        context.close()


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_tab_labels_fit(browser: Any, live_server: str, width: int, lang: str) -> None:
    """Below 360 px the six tabs take two rows of three; from 360 px, one row."""
    context, page = narrow(browser, width)
    try:
        page.goto(live_server + "/")
        page.wait_for_selector("form.profile")
        choose_profile(page, {**PROFILE_CA, "lang": lang})
        tabs = page.locator("nav.tabs li")
        labels = page.locator("nav.tabs .label")
        assert tabs.count() == labels.count() >= 5
        nav = page.locator("nav.tabs").evaluate(BOX)
        assert nav[2] <= width and page.evaluate("document.documentElement.scrollWidth") <= width
        rows = set()
        for i in range(tabs.count()):
            tab = tabs.nth(i).evaluate(BOX)
            label = labels.nth(i)
            box = label.evaluate(BOX)
            text = label.inner_text()
            # Inside its own tab, and nothing hidden or cut.
            assert tab[0] <= box[0] and box[2] <= tab[2], (text, tab, box)
            assert label.evaluate("(el) => el.scrollWidth <= el.clientWidth"), text
            # No word is broken: each word's width fits the tab.
            for word in text.split():
                word_width = page.evaluate(
                    """([w, el]) => { const s = document.createElement('span');
                       s.style.font = getComputedStyle(el).font;
                       s.style.whiteSpace = 'nowrap'; s.textContent = w; document.body.append(s);
                       const r = s.getBoundingClientRect().width; s.remove(); return r; }""",
                    [word, label.element_handle()],
                )
                assert word_width <= box[2] - box[0] + 0.5, (word, word_width, box)
            lines = label.evaluate(
                "(el) => Math.round(el.getBoundingClientRect().height"
                " / parseFloat(getComputedStyle(el).lineHeight))"
            )
            assert lines <= 2, (text, lines)
            rows.add(round(tab[1]))
            # Tall enough to tap.
            assert tab[3] - tab[1] >= 44 and tab[2] - tab[0] >= 44
        assert len(rows) == (1 if width >= 360 else 2), rows
        assert nav[3] - nav[1] <= (64 if width >= 360 else 100), nav
    finally:
        context.close()


def test_every_card_has_its_icon_hidden_from_screen_readers(page: Any, live_server: str) -> None:
    with urllib.request.urlopen(live_server + "/icons/topics.svg", timeout=10) as res:
        symbols = set(re.findall(r'<symbol id="([a-z-]+)"', res.read().decode()))
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)

    def check_cards(kind: str) -> int:
        cards = page.locator("main ul.cards li.card a.card-link")
        assert cards.count() > 0, kind
        for i in range(cards.count()):
            card = cards.nth(i)
            icon = card.locator(".topic-icon")
            assert icon.count() == 1, kind
            assert icon.get_attribute("aria-hidden") == "true"
            href = icon.locator("use").get_attribute("href")
            assert href and href.startswith("/icons/topics.svg#")
            assert href.split("#")[1] in symbols
            # The link's name is its title alone (plus the draft badge), not the picture.
            title = card.locator(".card-title").inner_text()
            assert card.evaluate("(a) => a.textContent").startswith(title)
            box = icon.bounding_box()
            assert box and box["width"] >= 20 and box["height"] >= 20
        return cards.count()

    check_cards("guides")
    # Each guide's first topic has a picture of its own (the plain page is only a fallback).
    names = page.locator("main ul.cards .topic-icon").evaluate_all(
        "(els) => els.map((e) => e.dataset.icon)"
    )
    assert "doc" not in names or names.count("doc") < len(names) / 3
    show(page, "#/triage")
    check_cards("problems")
    problem_icons = page.locator("main ul.cards .topic-icon").evaluate_all(
        "(els) => els.map((e) => e.dataset.icon)"
    )
    assert "doc" not in problem_icons  # every problem has its own
    show(page, "#/search")
    page.fill("#q", "me corrieron")
    page.locator("form[role=search] button").click()
    page.wait_for_selector("main ul.cards li.card")
    check_cards("search")
