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
# The service worker's precache rule (pwa/sw.js: NOT_PRECACHED, LAZY and PRECACHED_TYPES);
# test_app_install.py checks the real cache against the same rule.
NOT_PRECACHED = re.compile(
    r"^/(staff/|sw\.js$|sw-push\.js$|i18n/[^/]+/staff\.json$|icons/.*-512\.png$|i18n/(?!es/)"
    r"|js/push\.js$|js/log/protect\.js$|js/speak\.js$"
    r"|js/search\.js$|js/search-words\.json$|js/screens/search\.js$"
    r"|js/log/(arithmetic|week|times|photos|format)\.js$)"
)
PRECACHED_TYPES = re.compile(r"\.(html|js|mjs|css|json|webmanifest|png|svg|ico|woff2?)$")
# Not precached, but fetched by the service worker once it is active, after the first screen
# (pwa/sw.js AFTER_FIRST): printed, so the whole first visit's bytes stay visible.
AFTER_FIRST = re.compile(r"^/js/(search\.js|search-words\.json|screens/search\.js)$")


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
    files: dict[str, str] = client.get("/asset-manifest.json").json()["files"]
    shell = [p for p in files if not NOT_PRECACHED.search(p) and PRECACHED_TYPES.search(p)]
    extra = ["/sw.js"] + (["/sw-push.js"] if "/sw-push.js" in files else [])
    # "/" is index.html: the worker reuses the page's copy instead of fetching it again.
    return ["/", "/asset-manifest.json", *extra, *[p for p in shell if p != "/index.html"]]


def capability(path: str) -> str:
    """Which part of the app a shell file belongs to (ARCHITECTURE.md ownership)."""
    if path == "/js/wages.js" or path.startswith("/js/log/") or path.endswith("/log.json"):
        return "log"
    if path.startswith("/js/bundle/") or path.endswith("/bundle.json"):
        return "bundle"
    if path in ("/sw-push.js", "/js/push.js") or path.endswith("/push.json"):
        return "push"
    return "guides app"


def first_visit(client: httpx.Client, encoding: str) -> tuple[list[tuple[str, int, int]], int, int]:
    rows = [(p, *wire_size(client, p, encoding)) for p in shell_paths(client)]
    pack_sent, pack_raw = wire_size(client, f"/api/v1/packs?{PROFILE}", encoding)
    return rows, pack_sent, pack_raw


def test_first_visit_fits_in_100_kb(server: Any) -> None:
    """Brotli is what phones get over HTTPS; gzip is printed for comparison."""
    with httpx.Client(base_url=server.base_url) as client:
        rows, pack_sent, pack_raw = first_visit(client, "br")
        gz_rows, gz_pack, _ = first_visit(client, "gzip")
    shell_sent = sum(r[1] for r in rows)
    total = shell_sent + pack_sent
    js = [r for r in rows if r[0].endswith(".js")]
    print("\nfirst visit CA/agriculture/es (every status), brotli")
    for path, sent, raw in sorted(rows, key=lambda r: -r[1]):
        print(f"  {path:45} {sent:7} B sent  {raw:7} B raw")
    print(f"  JS: {sum(r[1] for r in js)} B sent, {sum(r[2] for r in js)} B raw ({len(js)} files)")
    by_capability: dict[str, int] = {}
    for path, sent, _ in rows:
        by_capability[capability(path)] = by_capability.get(capability(path), 0) + sent
    print("  by capability (B sent): " + ", ".join(f"{k} {v}" for k, v in by_capability.items()))
    print(f"  shell: {shell_sent} B sent, {sum(r[2] for r in rows)} B raw ({len(rows)} files)")
    print(f"  pack:  {pack_sent} B sent, {pack_raw} B raw")
    print(f"  total: {total} B = {total / 1024:.1f} KB of {BUDGET // 1024} KB (brotli)")
    gz_total = sum(r[1] for r in gz_rows) + gz_pack
    print(f"  total with gzip instead: {gz_total} B = {gz_total / 1024:.1f} KB")
    with httpx.Client(base_url=server.base_url) as client:
        files = client.get("/asset-manifest.json").json()["files"]
        later = sum(wire_size(client, p, "br")[0] for p in files if AFTER_FIRST.search(p))
    print(f"  after the first screen (sw.js AFTER_FIRST): {later} B; with them "
          f"{(total + later) / 1024:.1f} KB")  # fmt: skip
    assert total <= BUDGET, f"first visit is {total} B, over the {BUDGET} B budget"


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
