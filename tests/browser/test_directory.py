"""The directory reaches a person: a CA worker picks their county and sees *their* consulate
first, with a tappable tel: link for every consulate number that has a source."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import api_json, choose_profile, show

pytestmark = pytest.mark.browser


def digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def sourced(consulate: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in consulate.get("phones", []) if p.get("source")]


def test_ca_worker_sees_their_consulate_first_with_a_tel_link(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, "#/directory")
    pack = api_json(live_server, "/api/v1/packs?state=CA&industry=agriculture&status=h2a&lang=es")
    consulates = pack["data"]["consulates"]
    # Only California's county lists came down with the pack.
    assert {k["state"] for c in consulates for k in c.get("counties", [])} == {"CA"}

    # Every consulate number with a source is a tel: link, on the card of its consulate.
    for c in consulates:
        card = page.locator(f"#consulate-{c['id']}")
        for p in sourced(c):
            assert card.locator(f"a[href='tel:{digits(p['number'])}']").count() == 1

    # The worker says where they live; their consulate moves to the top, marked as theirs.
    picker = page.locator("#dir-county")
    assert "San Diego" in picker.locator("option").all_inner_texts()
    picker.select_option("San Diego")
    first = page.locator("section[aria-labelledby=dir-consulates] li.card").first
    assert first.get_attribute("id") == "consulate-san-diego"
    assert "Su consulado" in first.inner_text()
    san_diego = next(c for c in consulates if c["id"] == "san-diego")
    main = next(p for p in sourced(san_diego) if p["kind"] == "main")
    call = first.locator("a[href^='tel:']").first
    assert call.get_attribute("href") == f"tel:{digits(main['number'])}"
    assert call.is_visible()
    # A number only a secondary page gives says so.
    assert "confirme" in first.inner_text()

    # Another county: another consulate on top. The choice stays on the phone across a reload.
    picker.select_option("Alameda")
    assert first.get_attribute("id") == "consulate-san-francisco"
    page.reload()
    page.wait_for_selector("#dir-county")
    assert page.locator("#dir-county").input_value() == "Alameda"
    top = page.locator("section[aria-labelledby=dir-consulates] li.card").first
    assert top.get_attribute("id") == "consulate-san-francisco"
    assert top.locator("a[href^='tel:']").count() >= 1


def test_a_consulate_without_a_sourced_number_says_so(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, "#/directory")
    page.locator("#dir-county").select_option("Santa Clara")
    first = page.locator("section[aria-labelledby=dir-consulates] li.card").first
    assert first.get_attribute("id") == "consulate-san-jose"
    assert first.locator("a[href^='tel:']").count() == 0
    assert "Sin teléfono confirmado todavía" in first.inner_text()
    assert "Santa Clara" in first.inner_text()
