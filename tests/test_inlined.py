"""Files served inside the file that loads them (server/static.py INLINED): the stylesheet in
the page, db.js in js/store.js and in the worker, sw-push.js in the worker. So the first
screen needs six requests after the page (tests/test_pwa_budget.py counts them); the browser
tests run the app served this way (test_app_install, test_push_notifications)."""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path

import msgspec
import pytest

from server.config import PROJECT_ROOT
from server.http import content_security_policy
from server.static import INLINED, StaticSite

PWA = PROJECT_ROOT / "pwa"


@pytest.fixture
def pwa(tmp_path: Path) -> Path:
    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy, ignore=shutil.ignore_patterns("node_modules"))
    return copy


def listed(site: StaticSite) -> dict[str, str]:
    files: dict[str, str] = msgspec.json.decode(site.manifest().raw)["files"]
    return files


def test_each_file_is_served_in_place_of_the_line_that_loads_it() -> None:
    site = StaticSite(PWA)
    for into, inlines in INLINED.items():
        served = site.get(into)
        assert served is not None, into
        for inline in inlines:
            own = site.get(inline.file)
            assert own is not None, inline.file
            assert inline.line not in served.body.raw, (into, inline.line)
            # Byte for byte the file as served on its own (minified), inside the other one.
            assert own.body.raw.rstrip(b"\n") in served.body.raw, (into, inline.file)
    page = site.get("/index.html")
    assert page is not None and b"<style>" in page.body.raw


def test_the_page_allows_its_own_stylesheet_by_hash_and_nothing_else(pwa: Path) -> None:
    """The policy names the exact bytes of the inline stylesheet: a page whose <style> were
    changed on the way (or a style injected into it) is not styled by it."""
    site = StaticSite(pwa)
    page = site.get("/index.html")
    assert page is not None and page.policy is not None
    raw = page.body.raw
    css = raw[raw.index(b"<style>") + 7 : raw.index(b"</style>")]
    digest = base64.b64encode(hashlib.sha256(css).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in page.policy
    assert "unsafe-inline" not in page.policy
    assert page.policy == content_security_policy((f"sha256-{digest}",))
    # Only the page: every other file keeps the one policy of every answer.
    assert all(f.policy is None for u in site.urls() if u != "/index.html" if (f := site.get(u)))


def test_inlined_files_are_not_listed_but_still_served(pwa: Path) -> None:
    site = StaticSite(pwa)
    files = listed(site)
    for inline in (i for inlines in INLINED.values() for i in inlines):
        assert inline.file not in files
        # An older worker's update check still fetches what it imported.
        assert site.get(inline.file) is not None
    for into in INLINED:
        if into != "/sw.js":  # the worker is never listed: the page registers it
            assert into in files


def test_a_change_to_an_inlined_file_is_a_new_version_of_the_files_it_is_in(pwa: Path) -> None:
    site = StaticSite(pwa, check_interval=0)
    before = {u: f.hash16 for u in ("/js/store.js", "/sw.js", "/index.html") if (f := site.get(u))}
    version = site.version
    db = pwa / "js" / "db.js"
    db.write_text(db.read_text() + "\nself.cartillaRelease = 2;\n")
    css = pwa / "css" / "app.css"
    css.write_text(css.read_text() + "\n.release-2 { color: inherit; }\n")
    site.refresh(force=True)
    after = {u: f.hash16 for u in before if (f := site.get(u))}
    assert all(after[u] != before[u] for u in before), (before, after)
    assert site.version != version
    store, page = site.get("/js/store.js"), site.get("/index.html")
    assert store is not None and b"cartillaRelease" in store.body.raw
    assert page is not None and b".release-2" in page.body.raw
    assert listed(site)["/js/store.js"] == after["/js/store.js"]


def test_a_file_whose_loading_line_is_gone_loads_it_itself(pwa: Path) -> None:
    store = pwa / "js" / "store.js"
    store.write_text(store.read_text().replace('import "./db.js";', "import './db.js';"))
    site = StaticSite(pwa)
    served = site.get("/js/store.js")
    assert served is not None and b"indexedDB.open" not in served.body.raw
    # The page asks for db.js on its own again, so the worker keeps it for offline use.
    assert "/js/db.js" in listed(site)
    worker = site.get("/sw.js")
    assert worker is not None and b"indexedDB.open" in worker.body.raw


def test_a_stylesheet_that_could_close_the_style_element_stays_a_link(pwa: Path) -> None:
    css = pwa / "css" / "app.css"
    css.write_text(css.read_text() + '\n.x::after { content: "</style><script>alert(1)"; }\n')
    site = StaticSite(pwa)
    page = site.get("/index.html")
    assert page is not None
    assert b'<link rel="stylesheet" href="/css/app.css">' in page.body.raw
    assert b"<style>" not in page.body.raw and b"alert(1)" not in page.body.raw
    assert "/css/app.css" in listed(site)
