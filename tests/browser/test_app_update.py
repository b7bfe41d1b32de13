"""Updates: a changed guide reaches the phone alone; a new app version keeps the worker's data."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    READ_PACK,
    ROOT,
    CartillaServer,
    api_json,
    choose_profile,
    poll,
    read_pack,
    wait_until_offline_ready,
)

pytestmark = pytest.mark.browser

Q = "state=CA&industry=agriculture&lang=es"  # what the phone asks for: never the status


def bump_guide(content_dir: Path, guide_id: str, extra: str) -> None:
    """Edit a guide the way an advocate would: new paragraph, version raised."""
    path = content_dir / "guides" / f"{guide_id}.es.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: (\d+)$", lambda m: f"version: {int(m[1]) + 1}", text, count=1)
    path.write_text(text.rstrip("\n") + f"\n\n{extra}\n", encoding="utf-8")


def test_changed_guide_is_the_only_download_and_the_app_says_so(
    page: Any, context: Any, server_factory: Callable[..., CartillaServer]
) -> None:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    before = api_json(server.base_url, f"/api/v1/packs/manifest?{Q}")["manifest"]["guides"]
    # A guide this worker (H-2A) sees: guides for other statuses are updated silently.
    h2a = api_json(server.base_url, f"/api/v1/packs/manifest?{Q}&status=h2a")["manifest"]["guides"]
    target = h2a[0]

    server.stop()
    bump_guide(server.content_dir, target["id"], "Párrafo nuevo para comprobar la actualización.")
    server.build()
    server.start()
    after = api_json(server.base_url, f"/api/v1/packs/manifest?{Q}")["manifest"]["guides"]
    changed = [g for g in after if g["hash"] not in {b["hash"] for b in before}]
    assert [g["id"] for g in changed] == [target["id"]]

    api_requests: list[str] = []
    context.on("request", lambda r: api_requests.append(r.url) if "/api/v1/" in r.url else None)
    page.reload()
    notice = page.locator("#notice-changes")
    notice.wait_for()
    assert "Guías nuevas o actualizadas (1)" in notice.inner_text()
    assert target["title"] in notice.inner_text()

    contents = [u for u in api_requests if "/api/v1/content/" in u]
    assert contents == [server.base_url + changed[0]["url"]]
    assert not [u for u in api_requests if re.search(r"/api/v1/packs\?", u)]
    assert [u for u in api_requests if "/api/v1/packs/manifest?" in u]
    assert not [u for u in api_requests if "status" in u]

    pack = read_pack(page)
    stored = next(g for g in pack["guides"] if g["id"] == target["id"])
    assert stored["version"] == target["version"] + 1
    assert "Párrafo nuevo" in stored["html"]
    # Reading it works offline with the new text.
    server.stop()
    page.locator("#notice-changes button", has_text="Leer").click()
    page.wait_for_selector("article.guide-body")
    assert "Párrafo nuevo" in page.locator("article.guide-body").inner_text()
    assert f"Versión {target['version'] + 1}" in page.locator(".meta").inner_text()


def test_new_app_version_asks_first_and_keeps_profile_and_pack(
    page: Any, tmp_path: Path, server_factory: Callable[..., CartillaServer]
) -> None:
    pwa = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", pwa)
    server = server_factory(pwa_dir=pwa)
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    old_shell = page.evaluate("() => caches.keys()")

    # A new release of the app: one stylesheet changes.
    css = pwa / "css" / "app.css"
    version = api_json(server.base_url, "/asset-manifest.json")["version"]
    # A real rule, not a comment: the server serves CSS minified (server/minify.py).
    css.write_text(css.read_text() + "\n.release-2 { color: inherit; }\n")
    poll(  # the server rescans its files about once a second
        page,
        """async (old) => (await (await fetch('/asset-manifest.json', {cache: 'no-store'})).json())
             .version !== old""",
        version,
    )
    page.reload()
    prompt = page.locator("#notice-app-update")
    prompt.wait_for()
    assert "nueva versión" in prompt.inner_text()
    # Nothing switched behind the worker's back: the old worker and its shell still serve.
    assert set(old_shell) < set(page.evaluate("() => caches.keys()"))
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").endswith(
        old_shell[0].removeprefix("cartilla-shell-")
    )

    with page.expect_event("load"):
        prompt.locator("button", has_text="Actualizar").click()
    page.wait_for_selector("ul.cards li.card")
    wait_until_offline_ready(page)
    new_shell = page.evaluate("() => caches.keys()")
    assert new_shell != old_shell and len(new_shell) == 1
    # The stylesheet comes inside the page (server/static.py INLINED): the page the new worker
    # keeps has the new rule, and the page on screen uses it.
    cached_page = page.evaluate(
        """async () => { const c = await caches.open((await caches.keys())[0]);
           return (await (await c.match('/index.html', {ignoreSearch: true})).text()); }"""
    )
    assert ".release-2" in cached_page
    # Applied, not only present: the page's policy allows its stylesheet by hash.
    assert page.evaluate(
        "() => [...document.styleSheets].some((s) => [...s.cssRules].some("
        "(r) => r.selectorText === '.release-2'))"
    )
    # The profile and the pack survived the new worker.
    assert "California" in page.locator(".profile-line").inner_text()
    assert read_pack(page)["request"]["state"] == "CA"


# What an older app stored: a pack asked for with status=h2a, holding only H-2A's guides.
OLDER_APP_PACK = """async () => {
    const req = (r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); });
    const db = await req(indexedDB.open("cartilla"));
    const store = () => db.transaction("packs", "readwrite").objectStore("packs");
    const pack = await req(store().get("current"));
    pack.request = { state: "CA", industry: "agriculture", status: "h2a", lang: "es" };
    const mine = (g) => g.applies_to.statuses.some((s) => s === "any" || s === "h2a");
    pack.guides = pack.guides.filter(mine);
    await req(store().put(pack, "current"));
    db.close();
    return pack.guides.length;
}"""


def test_a_pack_an_older_app_fetched_with_the_status_is_replaced_without_it(
    page: Any, context: Any, live_server: str
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    shown = page.locator("ul.cards li.card .card-title").all_inner_texts()
    only_h2a = page.evaluate(OLDER_APP_PACK)
    assert only_h2a == len(shown)
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url) if "/api/v1/packs" in r.url else None)
    page.reload()
    poll(page, f"async () => !(await ({READ_PACK})()).request.status")
    pack = read_pack(page)
    assert pack["request"] == {"state": "CA", "industry": "agriculture", "lang": "es"}
    every = api_json(live_server, f"/api/v1/packs/manifest?{Q}")["manifest"]["guides"]
    assert len(pack["guides"]) == len(every) > only_h2a
    assert urls and not [u for u in urls if "status" in u]
    page.wait_for_selector("ul.cards li.card")
    assert page.locator("ul.cards li.card .card-title").all_inner_texts() == shown
