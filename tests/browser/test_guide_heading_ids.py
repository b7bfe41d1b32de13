"""Guide heading ids are made on the phone (issue 14: bytes), and they are the server's own.

The server's renderer gives every h1-h3 an ASCII slug id (server/content/render.py, the anchors
`cartilla check` checks links against); the documents phones download leave them out
(server/content/build.py phone_html) and pwa/js/screens/guide.js addHeadingIds makes them
again from the heading text. An in-guide link or a search anchor only works if both agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import CartillaServer, api_json, choose_profile, content_source, show

from server.content.build import phone_html
from server.content.loader import guide_paths, load_guide
from server.content.render import render_markdown

pytestmark = pytest.mark.browser

# Run in the page: the app's own module, on each guide's HTML as phones get it.
PHONE_IDS = """async (htmls) => {
  const { addHeadingIds } = await import('/js/screens/guide.js');
  return htmls.map((html) => {
    const div = document.createElement('div');
    div.innerHTML = html;
    return [...addHeadingIds(div).querySelectorAll('h1, h2, h3')].map((el) => el.id);
  });
}"""


def test_the_phone_makes_the_same_heading_ids_as_the_server(page: Any, live_server: str) -> None:
    """Every guide in the content (both languages), plus headings that test the edges: accents,
    punctuation only, repeats (markdown-it anchors numbers them -1, -2)."""
    root = content_source()
    bodies = [load_guide(path, root).body for path in guide_paths(root)]
    bodies.append(
        "# ¿Cuánto me deben? (overtime)\n\n## Año\n\n## Ano\n\n## Año\n\n### ¿¡!?\n\n"
        "## Niño & `code` [enlace](https://example.org)\n\n#### no id at level 4\n"
    )
    rendered = [render_markdown(body) for body in bodies]
    page.goto(live_server + "/")
    phone = page.evaluate(PHONE_IDS, [phone_html(r.html) for r in rendered])
    assert len(rendered) > 10
    for server_side, phone_side in zip(rendered, phone, strict=True):
        assert phone_side == server_side.anchors
    assert phone[-1] == ["cuanto-me-deben-overtime", "ano", "ano-1", "ano-2", "section",
                         "nino-code-enlace"]  # fmt: skip


def test_guide_documents_leave_the_ids_out_and_the_guide_screen_has_them(
    page: Any, server_factory: Any
) -> None:
    server: CartillaServer = server_factory()
    doc = api_json(server.base_url, "/api/v1/guides/wage-theft?lang=es")
    assert "<h2>" in doc["html"] and ' id="' not in doc["html"]
    expected = render_markdown(
        load_guide(content_source() / "guides" / "wage-theft.es.md", content_source()).body
    ).anchors
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    show(page, "#/guide/wage-theft")
    ids = page.locator("article.guide-body :is(h2, h3)").evaluate_all(
        "(hs) => hs.map((el) => el.id)"
    )
    # The title heading is dropped from the body (the screen has its own <h1>).
    assert ids and ids == [a for a in expected if a in ids] and all(ids)
    assert set(ids) <= set(expected) and len(ids) >= len(expected) - 1
