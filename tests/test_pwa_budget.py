"""Byte budgets of the app on the phone, measured on the real server's compressed responses.

- First visit for California / agriculture / Spanish: the app shell (every file the service
  worker precaches, plus the page, the worker and the asset manifest) and the offline pack
  (with every status's guides: the phone never says which status), as brotli and as gzip
  bytes on the wire: <= 100 KB.
- After one guide changes: the update (the pack manifest plus the changed guide) transfers
  <= that guide's compressed size + 2 KB.
Response bodies are counted as sent (no decoding); headers are not counted.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

_spec = importlib.util.spec_from_file_location(
    "browser_fixtures", Path(__file__).parent / "browser" / "conftest.py"
)
assert _spec and _spec.loader
fixtures: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

BUDGET = 100 * 1024
UPDATE_SLACK = 2 * 1024
# What the phone asks for: state, industry and language, never the status (pwa/js/store.js).
PROFILE = "state=CA&industry=agriculture&lang=es"
SW_SOURCE = (Path(__file__).resolve().parent.parent / "pwa" / "sw.js").read_text("utf-8")


def _sw_regex(name: str) -> re.Pattern[str]:
    """A regex literal of pwa/sw.js, read from the worker itself (one source of the rules)."""
    found = re.search(rf"^const {name} = /(.+)/;$", SW_SOURCE, re.M)
    assert found, f"pwa/sw.js has no regex literal {name}"
    return re.compile(found.group(1).replace("\\/", "/"))


# The service worker's rules (pwa/sw.js): never precached; lazy (fetched when first used,
# not on the first visit); what it precaches at install. test_app_install.py checks the real
# cache.
SW_NOT_PRECACHED = _sw_regex("NOT_PRECACHED")
LAZY = _sw_regex("LAZY")
PRECACHED_TYPES = _sw_regex("PRECACHED_TYPES")


class _NotAtInstall:
    """Paths the worker does not fetch at install: never precached, or lazy."""

    @staticmethod
    def search(path: str) -> bool:
        return bool(SW_NOT_PRECACHED.search(path) or LAZY.search(path))


NOT_PRECACHED = _NotAtInstall()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    srv = fixtures.CartillaServer(tmp_path / "server").start()
    yield srv
    srv.stop()


def wire_size(client: httpx.Client, path: str, encoding: str) -> tuple[int, int]:
    """(bytes on the wire, bytes decoded) of one GET with Accept-Encoding: `encoding`."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as res:
        assert res.status_code == 200, f"{path}: HTTP {res.status_code}"
        sent = sum(len(chunk) for chunk in res.iter_raw())
    decoded = len(client.get(path, headers={"Accept-Encoding": "identity"}).content)
    return sent, decoded


def shell_paths(client: httpx.Client) -> list[str]:
    """Every file the first visit downloads one by one: the page, the worker and the files it
    fetches at install, less the shell bundle's."""
    manifest = client.get("/asset-manifest.json").json()
    files: dict[str, str] = manifest["files"]
    # The manifest leaves the bundle's files out (the bundle's index names them).
    shell = [p for p in files if PRECACHED_TYPES.search(p) and not NOT_PRECACHED.search(p)]
    extra = ["/sw.js"] + (["/sw-push.js"] if "/sw-push.js" in files else [])
    # "/" is index.html: the worker reuses the page's copy instead of fetching it again.
    return ["/", "/asset-manifest.json", *extra, *[p for p in shell if p != "/index.html"]]


def bundle_files(client: httpx.Client) -> list[str]:
    """The paths the shell bundle carries (server/static.py BUNDLED), read from the bundle."""
    bundle = client.get("/asset-manifest.json").json()["bundle"]
    raw = client.get(f"{bundle['url']}?v={bundle['hash']}").content
    index: list[list[Any]] = json.loads(raw[: raw.index(b"\n")])
    return [path for path, _ in index]


def capability(path: str) -> str:
    """Which part of the app a shell file belongs to (ARCHITECTURE.md ownership)."""
    if path == "/js/wages.js" or path.startswith("/js/log/") or path.endswith("/log.json"):
        return "log"
    if path.startswith("/js/bundle/") or path.endswith("/bundle.json"):
        return "bundle"
    if path.startswith("/shell-bundle"):
        return "log + bundle (one response)"
    if path in ("/sw-push.js", "/js/push.js") or path.endswith("/push.json"):
        return "push"
    return "guides app"


def first_visit(client: httpx.Client, encoding: str) -> tuple[list[tuple[str, int, int]], int, int]:
    """(rows of (path, sent, raw), pack sent, pack raw): everything the first visit downloads."""
    rows = [(p, *wire_size(client, p, encoding)) for p in shell_paths(client)]
    bundle = client.get("/asset-manifest.json").json().get("bundle")
    if bundle:
        url = f"{bundle['url']}?v={bundle['hash']}"
        rows.append((url, *wire_size(client, url, encoding)))
    pack_sent, pack_raw = wire_size(client, f"/api/v1/packs?{PROFILE}", encoding)
    return rows, pack_sent, pack_raw


def test_first_visit_fits_in_100_kb(server: Any) -> None:
    """Brotli is what phones get over HTTPS; gzip is printed for comparison. Counted: the page,
    the worker, every file it fetches at install, the shell bundle, and the pack. Not counted:
    files fetched only when a worker uses them (LAZY)."""
    with httpx.Client(base_url=server.base_url) as client:
        rows, pack_sent, pack_raw = first_visit(client, "br")
        gz_rows, gz_pack, _ = first_visit(client, "gzip")
        bundled = bundle_files(client)
        # What the bundle saves: its files one by one, against the bundle.
        one_by_one = sum(wire_size(client, p, "br")[0] for p in bundled)
    shell_sent = sum(r[1] for r in rows)
    total = shell_sent + pack_sent
    js = [r for r in rows if r[0].endswith(".js")]
    print("\nfirst visit CA/agriculture/es (every status), brotli")
    for path, sent, raw in sorted(rows, key=lambda r: -r[1]):
        print(f"  {path:45} {sent:7} B sent  {raw:7} B raw")
    print(f"  JS files one by one: {sum(r[1] for r in js)} B sent ({len(js)} files)")
    bundle_sent = next(r[1] for r in rows if r[0].startswith("/shell-bundle"))
    print(f"  shell bundle: {len(bundled)} files, {bundle_sent} B sent; "
          f"one by one they would be {one_by_one} B")  # fmt: skip
    by_capability: dict[str, int] = {}
    for path, sent, _ in rows:
        by_capability[capability(path)] = by_capability.get(capability(path), 0) + sent
    print("  by capability (B sent): " + ", ".join(f"{k} {v}" for k, v in by_capability.items()))
    print(f"  shell: {shell_sent} B sent, {sum(r[2] for r in rows)} B raw ({len(rows)} responses)")
    print(f"  pack:  {pack_sent} B sent, {pack_raw} B raw")
    print(f"  total: {total} B = {total / 1024:.1f} KB of {BUDGET // 1024} KB (brotli)")
    gz_total = sum(r[1] for r in gz_rows) + gz_pack
    print(f"  total with gzip instead: {gz_total} B = {gz_total / 1024:.1f} KB")
    assert bundle_sent < one_by_one
    assert total <= BUDGET, f"first visit is {total} B, over the {BUDGET} B budget"


FIRST_SCREEN_BUDGET = 64 * 1024
# `import x from "…"`, `import "…"`, `export {…} from "…"`; never import("…").
_STATIC_IMPORT = re.compile(
    r"""^(?:import\s+(?:[\w*{}\s,$]+?\s+from\s*)?|export\s+(?:\*|\{[^}]*\})\s*from\s*)["']([^"']+)["']""",
    re.M,
)
_PAGE_LINK = re.compile(
    r'<(?:link[^>]*rel="(?:stylesheet|modulepreload|preload)"[^>]*href|script[^>]*src)="([^"]+)"'
)


def first_screen_paths(client: httpx.Client) -> list[str]:
    """What the first screen needs before it is usable: the page (it carries the Spanish
    interface texts, the language list and the stylesheet itself, server/static.py BOOT_MARK
    and INLINED), what it links
    (css, app.js, the modules it preloads: the profile picker) and every module those import
    statically. Dynamic import()s (the pack's code, the guide list, the log, the bundle,
    wages.js) are left out: they load when their screen opens."""
    page = client.get("/").text
    todo = [p for p in _PAGE_LINK.findall(page) if not p.endswith((".png", ".webmanifest"))]
    seen: list[str] = ["/"]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        if path.endswith(".js"):
            base = path.rsplit("/", 1)[0]
            for spec in _STATIC_IMPORT.findall(client.get(path).text):
                parts = f"{base}/{spec}".split("/") if spec.startswith(".") else spec.split("/")
                out: list[str] = []
                for part in parts:
                    if part == "..":
                        out.pop()
                    elif part not in (".", ""):
                        out.append(part)
                todo.append("/" + "/".join(out))
    return seen


def test_the_first_screen_needs_at_most_64_kb(server: Any) -> None:
    """Issue 14: what the first screen needs (first_screen_paths, plus the pack), brotli."""
    with httpx.Client(base_url=server.base_url) as client:
        paths = first_screen_paths(client)
        rows = [(p, *wire_size(client, p, "br")) for p in paths]
        pack_sent, pack_raw = wire_size(client, f"/api/v1/packs?{PROFILE}", "br")
    print("\nfirst screen CA/agriculture/es, brotli")
    for path, sent, raw in sorted(rows, key=lambda r: -r[1]):
        print(f"  {path:45} {sent:7} B sent  {raw:7} B raw")
    total = sum(r[1] for r in rows) + pack_sent
    print(f"  pack: {pack_sent} B sent, {pack_raw} B raw")
    print(f"  first screen total: {total} B = {total / 1024:.1f} KB of "
          f"{FIRST_SCREEN_BUDGET // 1024} KB (brotli)")  # fmt: skip
    assert "/js/app.js" in paths and "/js/screens/profile.js" in paths
    # Six requests after the page, what a browser sends at once over HTTP/1.1: one more waits a
    # whole round trip (400 ms on scripts/bench-phone's link) before the picker can show.
    assert len(paths) - 1 <= 6, f"the first screen makes {len(paths) - 1} requests: {paths}"
    with httpx.Client(base_url=server.base_url) as client:
        page = client.get("/").text
    assert "<style>" in page and "/css/app.css" not in paths  # the stylesheet is in the page
    assert '<script type="application/json" id="boot-data">{"langs":' in page
    assert '"messages":{' in page  # Spanish app.json, inside the page
    assert not any(p.startswith(("/js/log/", "/js/bundle/")) or p == "/js/wages.js" for p in paths)
    assert total <= FIRST_SCREEN_BUDGET, f"the first screen needs {total} B, over 64 KB"


def test_one_changed_guide_costs_its_size_plus_2_kb(server: Any) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        before = client.get(f"/api/v1/packs/manifest?{PROFILE}").json()["manifest"]
    target = before["guides"][0]
    path = server.content_dir / "guides" / f"{target['id']}.{target['lang']}.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: (\d+)$", lambda m: f"version: {int(m[1]) + 1}", text, count=1)
    path.write_text(text + "\nUn párrafo más, para la prueba.\n", encoding="utf-8")
    server.stop()
    server.build()
    server.start()
    with httpx.Client(base_url=server.base_url) as client:
        manifest_sent, _ = wire_size(client, f"/api/v1/packs/manifest?{PROFILE}", "br")
        after = client.get(f"/api/v1/packs/manifest?{PROFILE}").json()["manifest"]
        old_hashes = {g["hash"] for g in before["guides"]}
        changed = [g for g in after["guides"] if g["hash"] not in old_hashes]
        assert [g["id"] for g in changed] == [target["id"]]
        assert after["data_hash"] == before["data_hash"]  # nothing else to fetch
        guide_sent, guide_raw = wire_size(client, changed[0]["url"], "br")
    update = manifest_sent + guide_sent
    print(f"\n[br] update after one guide changed: manifest {manifest_sent} B + guide "
          f"{guide_sent} B ({guide_raw} B raw) = {update} B")  # fmt: skip
    assert update <= guide_sent + UPDATE_SLACK
