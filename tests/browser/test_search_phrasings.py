"""Search, as a worker types it, in the real app: phrasings, word forms, typos, English words,
plurals, problems, and the same answers with the server gone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import choose_profile, show, wait_until_offline_ready

pytestmark = pytest.mark.browser


def results(page: Any, q: str) -> tuple[str, list[str], list[str]]:
    """(status line, guide links, problem links) after searching `q`."""
    page.fill("#q", q)
    page.locator("form[role=search] button").click()
    page.wait_for_function(
        "(q) => { const s = document.querySelector('#search-status').textContent;"
        " return s && document.querySelector('#q').value === q; }",
        arg=q,
    )
    status = page.locator("#search-status").inner_text()
    guides = page.locator("main ul.cards:not(.problems) li.card a").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))"
    )
    problems = page.locator("main ul.cards.problems li.card a").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))"
    )
    return status, guides, problems


def assert_singular(page: Any, text: str) -> None:
    """Some guide title is found alone: then the status is singular."""
    show(page, "#/guides")
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    show(page, "#/search")
    for title in titles:
        status, guides, _ = results(page, title)
        if len(guides) == 1:
            assert status == text
            return
    raise AssertionError("no title found a single guide")


def check_phrasings(page: Any) -> None:
    _, guides, problems = results(page, "me corrieron")
    assert "#/guide/retaliation" in guides
    assert "#/triage/retaliation" in problems
    _, guides, _ = results(page, "no me pagan")
    assert "#/guide/wage-theft" in guides and "#/guide/minimum-wage-overtime" in guides
    _, hurt, _ = results(page, "me lastimé")
    assert "#/guide/workers-comp" in hurt
    assert results(page, "lastime")[1] == hurt  # no accent, no "me": the same guides
    # Word forms and a typo.
    assert results(page, "pagan")[1] == results(page, "pagar")[1] == results(page, "pago")[1]
    assert "#/guide/wage-theft" in results(page, "salaro")[1]
    # No result is the list of problems ("¿Qué me pasó?") itself, nor a problem as a guide.
    for q in ["me corrieron", "no me pagan", "qué me pasó", "pasó"]:
        _, guides, problems = results(page, q)
        assert all(g.startswith("#/guide/") for g in guides)
        assert all(re.fullmatch(r"#/triage/[a-z0-9-]+", p) for p in problems)


def test_phrasings_forms_typos_and_plurals(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, "#/search")
    check_phrasings(page)
    # Plurals: "1 guía encontrada." / "N guías encontradas."
    status, guides, _ = results(page, "colilla")
    n = len(guides)
    assert status == (f"{n} guías encontradas." if n != 1 else "1 guía encontrada.")
    assert_singular(page, "1 guía encontrada.")
    # English words in Spanish mode: searched as Spanish words, and the screen says so.
    _, guides, _ = results(page, "fired")
    assert "#/guide/retaliation" in guides
    english = page.locator("#search-english")
    assert english.is_visible() and "«fired» → despido" in english.inner_text()
    results(page, "despido")
    assert not page.locator("#search-english").is_visible()


def test_english_interface_plurals(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page, {"state": "CA", "industry": "agriculture", "status": "h2a", "lang": "en"})
    show(page, "#/search")
    status, guides, _ = results(page, "got hurt")
    assert "#/guide/workers-comp" in guides and status == f"{len(guides)} guides found."
    assert_singular(page, "1 guide found.")


def test_the_same_phrasings_work_offline(page: Any, server_factory: Any) -> None:
    """One online visit that opens search once, then no server: search is kept offline from
    its first use (sw.js LAZY; not in the first visit's 100 KB), so it works and finds."""
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    show(page, "#/search")
    page.wait_for_selector("#q")
    show(page, "#/guides")
    server.stop()
    page.reload()
    page.wait_for_selector("ul.cards li.card")
    show(page, "#/search")
    assert page.locator("#q").is_visible()  # the screen, not "needs a connection"
    status, guides, _ = results(page, "horas extra")
    assert "#/guide/minimum-wage-overtime" in guides and status.startswith(f"{len(guides)} ")
    check_phrasings(page)


def test_typing_then_search_draws_the_results_once(page: Any, live_server: str) -> None:
    """The pause after typing would draw the list again after "Buscar" had drawn it: cards
    replaced under the worker's finger (and a screen reader's place lost)."""
    page.clock.install()
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, "#/search")
    # From here on no timer fires unless the test moves the clock.
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.fill("#q", "me corrieron")  # typing: the list is due 150 ms after the last key
    page.locator("form[role=search] button").click()  # ...but "Buscar" comes first
    first = page.locator("main ul.cards li.card").first
    first.wait_for()
    first.evaluate("(li) => { li.dataset.seen = 'yes'; }")
    page.clock.run_for(1000)  # well past the typing's pause
    assert page.locator("main ul.cards li.card").first.get_attribute("data-seen") == "yes"
    assert "#/guide/retaliation" in page.locator("main ul.cards li.card a").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))"
    )
