"""Installability: a valid manifest with real icons, and an active, controlling service worker."""

from __future__ import annotations

import io
import json
import time
import urllib.request
from typing import Any

import pytest
from conftest import choose_profile, poll, wait_until_offline_ready
from PIL import Image
from test_pwa_budget import NOT_PRECACHED, PRECACHED_TYPES

pytestmark = pytest.mark.browser


def fetch(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.headers.get("Content-Type", ""), res.read()


def test_manifest_fields_and_icons(live_server: str) -> None:
    kind, raw = fetch(live_server + "/manifest.webmanifest")
    assert kind.startswith("application/manifest+json")
    manifest = json.loads(raw)
    assert manifest["name"] and manifest["short_name"] == "Cartilla"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = set()
    for icon in manifest["icons"]:
        kind, data = fetch(live_server + icon["src"])
        assert kind == "image/png" and icon["type"] == "image/png"
        image = Image.open(io.BytesIO(data))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add((icon["sizes"], icon.get("purpose", "any")))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_chromium_finds_it_installable_and_worker_controls(
    page: Any, context: Any, live_server: str
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    wait_until_offline_ready(page)
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito-like; that says nothing about the app.
    assert [e for e in errors if e["errorId"] != "in-incognito"] == []
    app_manifest = cdp.send("Page.getAppManifest")
    assert app_manifest["errors"] == []
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").startswith(
        live_server + "/sw.js?v="
    )
    # The shell cache holds every file of the app except the staff desk. The network's asset
    # manifest lists the files sent one by one; the copy the worker keeps (what the page reads
    # through it) adds those it unpacked from the shell bundle.
    _, raw = fetch(live_server + "/asset-manifest.json")
    assert "/js/log/screen.js" not in json.loads(raw)["files"]
    files = page.evaluate("async () => (await (await fetch('/asset-manifest.json')).json()).files")
    assert files["/js/search.js"] and files["/js/app.js"]
    expected = {
        f"{live_server}{path}?v={digest}"
        for path, digest in files.items()
        if not NOT_PRECACHED.search(path) and PRECACHED_TYPES.search(path)
    }
    assert "/js/app.js" in {p.split("?")[0].removeprefix(live_server) for p in expected}
    cached = set(
        page.evaluate(
            """async () => { const c = await caches.open((await caches.keys())[0]);
               return (await c.keys()).map((r) => r.url); }"""
        )
    )
    assert expected <= cached
    # The log's modules came in the shell bundle (one response, server/static.py BUNDLED): the
    # worker made their cache entries itself, so the type is its own, without a charset.
    made_by_worker = page.evaluate(
        """async (key) => { const c = await caches.open((await caches.keys())[0]);
           const res = await c.match(key); return res && res.headers.get('content-type'); }""",
        f"{live_server}/js/log/screen.js?v={files['/js/log/screen.js']}",
    )
    assert made_by_worker == "text/javascript"
    _, served = fetch(live_server + "/js/log/screen.js")
    assert served  # and the server itself still serves it on its own
    assert f"{live_server}/index.html?v={files['/index.html']}" in cached


CACHED_PATHS = """async () => { const out = [];
  for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys())
    out.push(new URL(r.url).pathname);
  return out; }"""


def test_a_shell_bundle_without_its_listed_hash_is_not_kept(
    page: Any, context: Any, server_factory: Any
) -> None:
    """A proxy that rewrites bytes, or a server half-way through a deploy: the worker keeps no
    file of a bundle whose bytes lack the hash the asset manifest lists, does not take the page
    over, and installs at the next visit once the bundle is right."""
    server = server_factory()
    served: list[str] = []

    def tamper(route: Any) -> None:
        res = route.fetch()
        body = res.body()
        served.append(route.request.url)
        route.fulfill(response=res, body=body[:-1] + bytes([body[-1] ^ 1]))

    context.route("**/shell-bundle*", tamper)
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    deadline = time.monotonic() + 30
    while not served:
        assert time.monotonic() < deadline, "the worker never asked for the shell bundle"
        page.wait_for_timeout(100)
    # The first worker's install fails, so the browser drops its registration.
    poll(
        page,
        """() => navigator.serviceWorker.getRegistration()
             .then((r) => !r || !(r.installing || r.waiting || r.active))""",
    )
    assert page.evaluate("() => navigator.serviceWorker.controller") is None
    assert "/js/log/screen.js" not in page.evaluate(CACHED_PATHS)

    context.unroute("**/shell-bundle*")
    page.reload()
    page.wait_for_selector("form.profile")
    wait_until_offline_ready(page)
    cached = page.evaluate(CACHED_PATHS)
    assert "/js/log/screen.js" in cached and "/js/search.js" in cached
