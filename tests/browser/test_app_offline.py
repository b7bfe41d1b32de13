"""With the server gone: the app, guides, search, directory and triage still work."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from conftest import (
    CartillaServer,
    choose_profile,
    poll,
    read_pack,
    show,
    wait_until_offline_ready,
)

pytestmark = pytest.mark.browser


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    ).lower()


def for_status(guide: dict[str, Any], status: str) -> bool:
    """The server's GuideEntry.applies rule for status, which the phone applies itself."""
    statuses = guide["applies_to"]["statuses"]
    return status == "any" or "any" in statuses or status in statuses


@pytest.fixture
def offline_page(page: Any, server_factory: Callable[..., CartillaServer]) -> Any:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    page.pack = read_pack(page)
    # The pack holds every status's guides (the server is never told); the H-2A ones show.
    page.mine = [g for g in page.pack["guides"] if for_status(g, "h2a")]
    server.stop()
    page.reload()
    page.wait_for_selector("ul.cards li.card")
    return page


def test_guides_open_without_the_server(offline_page: Any) -> None:
    page = offline_page
    guides = page.mine
    assert page.locator("ul.cards li.card").count() == len(guides) < len(page.pack["guides"])
    others = [g["title"] for g in page.pack["guides"] if g not in guides]
    assert not set(others) & set(page.locator("ul.cards li.card .card-title").all_inner_texts())
    # The server really is gone: anything not saved on the phone fails.
    reached = page.evaluate("() => fetch('/api/v1/catalog').then(() => true, () => false)")
    assert reached is False
    guide = guides[-1]
    page.locator("ul.cards li.card a", has_text=guide["title"]).click()
    page.wait_for_selector("article.guide-body")
    assert page.locator("h1").inner_text() == guide["title"]
    meta = page.locator(".meta").inner_text()
    # A draft says when it was last updated, never "revisada el" next to "not reviewed yet".
    dated = "última actualización" if guide["review_status"] == "draft" else "revisada el"
    assert f"Versión {guide['version']}" in meta and dated in meta
    if guide["review_status"] == "draft":
        assert page.locator(".badge.draft").first.inner_text() == "Borrador"
    for source in guide["sources"]:
        assert page.locator(f"ul.sources a[href='{source['url']}']").count() >= 1
    # The quick exit is there on the reader too.
    assert page.locator("#quick-exit").is_visible()


def test_search_ignores_accents_offline(offline_page: Any) -> None:
    page = offline_page
    # A word with an accent from a guide title, typed without it.
    word, guide = next(
        (w.strip(".,:;()¿?¡!«»\"'"), g)
        for g in page.mine
        for w in g["title"].split()
        if fold(w) != w.lower() and len(w) > 3
    )
    plain = fold(word)
    assert plain != word.lower()
    show(page, "#/search")
    page.fill("#q", plain)
    page.locator("form[role=search] button").click()
    page.wait_for_selector("ul.cards li.card")
    titles = page.locator("ul.cards li.card .card-title").all_inner_texts()
    assert guide["title"] in titles
    assert page.locator("#search-status").inner_text().startswith(f"{len(titles)} ")
    # Nothing found says so, in plain words.
    page.fill("#q", "zzzqqq")
    page.locator("form[role=search] button").click()
    page.wait_for_function(
        "() => document.querySelector('#search-status').textContent.includes('zzzqqq')"
    )
    assert page.locator("ul.cards li.card").count() == 0


def test_directory_tap_to_call_and_serving_consulate_offline(offline_page: Any) -> None:
    page = offline_page
    show(page, "#/directory")
    data = page.pack["data"]
    calls = page.locator("a[href^='tel:']")
    # Agencies and hotlines have one `phone`; a consulate has `phones`, each with its source.
    numbers = [x["phone"] for k in ("agencies", "hotlines") for x in data[k] if x.get("phone")]
    numbers += [
        p["number"] for c in data["consulates"] for p in c.get("phones", []) if p.get("source")
    ]
    assert calls.count() == len(numbers) > 0
    digits = "".join(c for c in numbers[0] if c.isdigit() or c == "+")
    assert page.locator(f"a[href='tel:{digits}']").count() >= 1
    serving = [c for c in data["consulates"] if "CA" in c["serves"]]
    assert serving, "the CA pack names no consulate serving California"
    highlighted = page.locator("li.card.highlight")
    assert highlighted.count() == len(serving)
    assert "Atiende a California" in highlighted.first.inner_text()


def test_triage_walkthrough_offline(offline_page: Any) -> None:
    page = offline_page
    problems = page.pack["data"]["triage"]
    assert problems
    agencies = page.pack["data"]["agencies"]
    show(page, "#/triage")
    assert page.locator("h1").inner_text() == "¿Qué me pasó?"
    assert page.locator("ul.cards li.card").count() == len(problems)
    # Prefer a problem that routes to "the state's agency", to check it resolves to California's.
    problem = next(
        (p for p in problems if any(r["agency"].startswith("state:") for r in p["routes"])),
        problems[0],
    )
    page.locator("ul.cards li.card a", has_text=problem["title"]["es"]).first.click()
    page.wait_for_selector("section[aria-labelledby=t-where]")
    assert page.locator("h1").inner_text() == problem["title"]["es"]
    where = page.locator("section[aria-labelledby=t-where]").inner_text()
    for route in problem["routes"]:
        if route["agency"].startswith("state:"):
            area = route["agency"].removeprefix("state:")
            match = [a for a in agencies if a["jurisdiction"] == "CA" and area in a["areas"]]
            expected = match[0]["name"]["es"] if match else "No tenemos guardada la oficina"
        else:
            expected = next(a["name"]["es"] for a in agencies if a["id"] == route["agency"])
        assert expected in where
        # California's own deadline for a route (e.g. the Labor Commissioner's 3 years) wins.
        deadline = route.get("state_deadlines", {}).get("CA") or route.get("deadline")
        if deadline:
            assert deadline["text"]["es"] in where
    if problem["id"] == "unpaid-wages":
        assert "3 años para salario mínimo" in where
    bring = page.locator("section[aria-labelledby=t-bring]").inner_text()
    for item in problem["bring"]:
        assert item["es"] in bring


def test_english_interface_offline(
    page: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page, {"state": "CA", "industry": "agriculture", "status": "h2a", "lang": "en"})
    wait_until_offline_ready(page)
    # English text is not precached; the app asks the worker to keep it once it controls the page.
    poll(
        page,
        """async () => { const c = await caches.open((await caches.keys())[0]);
           return Boolean(await c.match('/i18n/en/app.json', {ignoreSearch: true})); }""",
    )
    server.stop()
    page.reload()
    page.wait_for_selector("ul.cards li.card")
    assert page.locator("h1").inner_text() == "My guides"
    assert page.locator("#quick-exit").inner_text() == "Quick exit"


def test_search_works_offline_after_one_visit_that_never_opened_it(
    page: Any, context: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    """One online visit (the picker, the guide list), the worker's install seen in its cache
    (search comes in the shell bundle), then no network: search opens and finds a guide by a
    worker's phrasing."""
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    poll(
        page,
        """async () => {
           const want = ["/js/search.js", "/js/screens/search.js", "/js/search-words.json"];
           for (const name of await caches.keys()) {
             const keys = await (await caches.open(name)).keys();
             const have = keys.map((r) => new URL(r.url).pathname);
             if (want.every((p) => have.includes(p))) return true;
           }
           return false; }""",
        timeout=15,
    )
    context.set_offline(True)
    show(page, "#/search")
    page.fill("#q", "no me pagan")
    page.locator("form[role=search] button").click()
    page.wait_for_selector("main ul.cards li.card")
    links = page.locator("main ul.cards:not(.problems) li.card a").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))"
    )
    assert "#/guide/wage-theft" in links
