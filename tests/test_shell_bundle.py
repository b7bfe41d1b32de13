"""The shell bundle: the files the first screen never needs, as one response.

The service worker unpacks /shell-bundle into the same cache entries it would otherwise fetch
one by one (pwa/sw.js unpackBundle), so every file in it must be byte for byte what the server
serves on its own; the asset manifest lists the bundle's hash, not its files one by one; and
nothing the first screen loads itself may be in it (that would download it twice).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.config import PROJECT_ROOT, Settings
from server.static import BUNDLED

# The page itself loads these before the service worker is there (the stylesheet, db.js and
# sw-push.js come inside them, server/static.py INLINED). pack.js and the guide list are not
# among them: they load on "save" (screens/profile.js), from the bundle by then.
FIRST_SCREEN = {
    "/index.html", "/js/app.js", "/js/routes.js", "/js/i18n.js", "/js/store.js", "/js/ui.js",
    "/js/screens/profile.js", "/i18n/es/app.json", "/sw.js",
}  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    state = tmp_path_factory.mktemp("state")
    settings = Settings(
        content_dir=PROJECT_ROOT / "content",
        index_path=state / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=state,
        test_mode=True,
    )
    with TestClient(create_app(settings)) as c:
        yield c


def unpack(raw: bytes) -> list[tuple[str, bytes]]:
    newline = raw.index(b"\n")
    index = json.loads(raw[:newline])
    out, at = [], newline + 1
    for path, length in index:
        out.append((path, raw[at : at + length]))
        at += length
    assert at == len(raw)
    return out


def test_every_file_in_the_bundle_is_the_file_served_on_its_own(client: Any) -> None:
    manifest = client.get("/asset-manifest.json").json()
    bundle = manifest["bundle"]
    res = client.get(f"{bundle['url']}?v={bundle['hash']}")
    assert res.status_code == 200
    assert "immutable" in res.headers["cache-control"]
    # The worker checks the whole bundle against this hash before it keeps any file of it.
    assert hashlib.sha256(res.content).hexdigest()[:16] == bundle["hash"]
    parts = unpack(res.content)
    served = client.app.state.static_site.urls()
    assert sorted(p for p, _ in parts) == [p for p in served if BUNDLED.match(p)]
    for path in ("/js/log/screen.js", "/js/wages.js", "/js/search.js", "/js/search-words.json"):
        assert path in dict(parts), path
    # Listed inside the bundle only: the manifest names the files served one by one.
    assert not [p for p in manifest["files"] if BUNDLED.match(p)]
    for path, body in parts:
        assert body == client.get(path).content, path


def test_nothing_the_first_screen_loads_is_in_the_bundle() -> None:
    assert not [p for p in FIRST_SCREEN if BUNDLED.match(p)]


def test_an_old_or_unnamed_version_is_not_cached_for_a_year(client: Any) -> None:
    res = client.get("/shell-bundle?v=0000000000000000")
    assert res.status_code == 200 and "immutable" not in res.headers["cache-control"]
    assert client.head("/shell-bundle").status_code == 200
