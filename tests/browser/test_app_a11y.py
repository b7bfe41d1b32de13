"""Accessibility: axe-core finds no serious or critical problem on any screen; the app fits
320 px without sideways scrolling (also what a 640 px screen at 200% zoom shows), and every
control is at least 44 px tall."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import PROFILE_CA, choose_profile, show

pytestmark = pytest.mark.browser

AXE = Axe()


def serious_violations(page: Any) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def small_targets(page: Any) -> list[str]:
    """Controls under 44 px, except links inside running text of a guide."""
    return page.evaluate(
        """() => [...document.querySelectorAll('a, button, input, select, summary')]
            .filter((el) => el.offsetParent !== null && !el.closest('.guide-body, ul.sources'))
            .filter((el) => !(el.type === 'radio' && el.closest('label.choice')))
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.height < 44 || r.width < 24)
            .map(([el, r]) => `${el.tagName} ${el.textContent.trim().slice(0, 30)} `
                + `${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )


def check_screen(page: Any, name: str) -> list[str]:
    problems = [f"{name}: {v}" for v in serious_violations(page)]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name}: {overflow}px wider than the screen")
    problems += [f"{name}: small target {t}" for t in small_targets(page)]
    return problems


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_screen_is_accessible_at_320px(browser: Any, live_server: str, lang: str) -> None:
    context = browser.new_context(service_workers="allow", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.wait_for_selector("form.profile")
        if lang != "es":
            page.locator(f"input[name=lang][value={lang}]").check()
            page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang)
        problems = check_screen(page, "profile picker")
        choose_profile(page, {**PROFILE_CA, "lang": lang})
        problems += check_screen(page, "guide list")
        first_guide = page.locator("ul.cards li.card a").first.get_attribute("href")
        show(page, first_guide)
        problems += check_screen(page, "guide reader")
        word = page.locator("article.guide-body p").first.inner_text().split()[0]
        show(page, f"#/search?q={word}")
        page.wait_for_selector("ul.cards li.card")
        problems += check_screen(page, "search results")
        show(page, "#/directory")
        problems += check_screen(page, "directory")
        show(page, "#/triage")
        problems += check_screen(page, "triage list")
        problem = page.locator("ul.cards li.card a").first.get_attribute("href")
        show(page, problem)
        problems += check_screen(page, "triage problem")
        show(page, "#/profile")
        problems += check_screen(page, "change profile")
        page.goto(live_server + "/neutral.html")
        problems += check_screen(page, "neutral page")
        assert problems == []
    finally:
        context.close()
