"""`cartilla build --static DIR`: the files are what the Python server answers, byte for byte.

The export runs once over the fixture content (California only) and a private copy of pwa/
(others may be editing the real one); each sampled URL is then asked of the app again and
compared with the files and the headers the nginx maps give them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.catalog import Catalog
from server.cli import main
from server.config import PROJECT_ROOT, Settings
from server.content.build import build_index
from server.static_export import (
    ENCODINGS,
    ETAGS_MAP,
    EXAMPLE_CONF,
    LISTING,
    TYPES_CONF,
    Listing,
    export_static,
    read_listing,
    server_conf,
)

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, Listing]:
    root = tmp_path_factory.mktemp("static")
    state = root / "state"
    state.mkdir()
    shutil.copytree(FIXTURE_CONTENT, root / "content")
    shutil.copytree(PROJECT_ROOT / "pwa", root / "pwa")
    settings = Settings(
        content_dir=root / "content",
        index_path=state / "index.db",
        pwa_dir=root / "pwa",
        state_dir=state,
        test_mode=True,
    )
    assert build_index(settings.content_dir, settings.index_path).status == "built"
    summary = export_static(settings, root / "tree", states=["CA"])
    assert summary.urls > 0 and not summary.skipped
    tree = root / "tree"
    return settings, tree, read_listing(tree)


@pytest.fixture(scope="module")
def client(exported: tuple[Settings, Path, Listing]) -> Iterator[Client]:
    settings = dataclasses.replace(exported[0], state_dir=exported[0].state_dir / "app")
    settings.state_dir.mkdir(exist_ok=True)
    with TestClient(create_app(settings)) as c:
        yield c


def sample(listing: Listing, settings: Settings) -> list[str]:
    snap = Catalog(settings.index_path).snapshot()
    gid = sorted({g for g, _ in snap.guides})[0]
    urls = [
        "/api/v1/catalog",
        "/api/v1/packs?state=CA&industry=agriculture&lang=es",
        "/api/v1/packs?state=CA&industry=any&lang=en",
        "/api/v1/packs/manifest?state=CA&industry=construction&lang=es",
        "/api/v1/packs/data?state=CA&lang=en",
        "/api/v1/packs/data?state=CA",
        f"/api/v1/guides/{gid}",
        f"/api/v1/guides/{gid}?lang=en",
        *[f"/api/v1/content/{h}" for h in sorted(snap.by_hash)],
        "/",
        "/index.html",
        "/sw.js",
        "/js/app.js",
        "/asset-manifest.json",
        "/shell-bundle",
        "/manifest.webmanifest",
        "/staff/",
    ]
    missing = [u for u in urls if u not in listing.urls]
    assert not missing, f"not exported: {missing}"
    return urls


def wire(client: Client, url: str, coding: str) -> tuple[bytes, dict[str, str]]:
    """The app's bytes as sent (the test client would decode br and gzip)."""
    for _ in range(2):  # the second answer is the fast path's, like every later client's
        with client.stream("GET", url, headers={"Accept-Encoding": coding}) as res:
            assert res.status_code == 200, url
            body = b"".join(res.iter_raw())
            headers = {k.lower(): v for k, v in res.headers.items()}
    return body, headers


def test_files_are_the_servers_bytes_and_headers(
    exported: tuple[Settings, Path, Listing],
    client: Client,
) -> None:
    settings, tree, listing = exported
    for url in sample(listing, settings):
        f = listing.urls[url]
        path = tree / f.root / f.file.lstrip("/")
        body, headers = wire(client, url, "identity")
        assert path.read_bytes() == body, url
        assert (headers["etag"], headers["cache-control"], headers["content-type"]) == (
            f.etag,
            f.cache_control,
            f.content_type,
        ), url
        assert headers["vary"] == "Accept-Encoding"
        for coding, suffix in ENCODINGS.items():
            body, headers = wire(client, url, coding)
            if headers.get("content-encoding") == coding:
                assert coding in f.encodings, url
                assert Path(str(path) + suffix).read_bytes() == body, (url, coding)
            else:  # too small to be worth compressing: the server sends it as is
                assert coding not in f.encodings and not Path(str(path) + suffix).exists()
    assert listing.urls["/sw.js"].extra_headers == {"Service-Worker-Allowed": "/"}
    assert listing.urls["/api/v1/catalog"].encodings == ["br", "gzip"]
    content = [f for u, f in listing.urls.items() if u.startswith("/api/v1/content/")]
    assert content and all(f.cache_control.endswith("immutable") for f in content)


def test_nginx_maps_give_each_file_its_etag_and_type(
    exported: tuple[Settings, Path, Listing],
) -> None:
    _, tree, listing = exported
    etags = dict(re.findall(r"^'([^']+)' '([^']+)';$", (tree / ETAGS_MAP).read_text(), re.M))
    types = re.findall(r"^    '([^']+)' ([^;]+);$", (tree / TYPES_CONF).read_text(), re.M)
    by_ext = {ext: t for t, exts in types for ext in exts.split()}
    assert sum(len(exts.split()) for _, exts in types) == len(by_ext), "an extension, two types"
    for f in listing.urls.values():
        assert etags[f.file] == f.etag
        assert by_ext[Path(f.file).suffix.lstrip(".")] == f.content_type, f.file
    # The generated config names where the tree is, not the temporary folder it was made in.
    example = (tree / EXAMPLE_CONF).read_text()
    assert str(tree) in example and ".tmp" not in example


def test_cli_writes_the_tree_atomically_and_refuses_a_bad_state(
    exported: tuple[Settings, Path, Listing],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = exported[0]
    monkeypatch.setenv("CARTILLA_CONTENT_DIR", str(settings.content_dir))
    monkeypatch.setenv("CARTILLA_INDEX", str(settings.index_path))
    monkeypatch.setenv("CARTILLA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CARTILLA_PWA_DIR", str(settings.pwa_dir))
    out = tmp_path / "static"
    assert main(["build", "--static", str(out), "--states", "TX"]) == 0
    printed = capsys.readouterr().out
    assert f"static tree {out}:" in printed and "URLs" in printed and "MB" in printed
    listing = read_listing(out)
    assert listing.states == ["TX"]
    assert "/api/v1/packs?state=TX&industry=agriculture&lang=es" in listing.urls
    assert not any("state=CA" in u for u in listing.urls)
    assert not (tmp_path / "static.tmp").exists() and not (tmp_path / "static.old").exists()
    # The export never made a receipt key or a push database beside the real state.
    assert not (tmp_path / "state" / "receipt_ed25519.pem").exists()

    before = (out / LISTING).read_bytes()
    assert main(["build", "--static", str(out), "--states", "TX,ZZ"]) == 1
    err = capsys.readouterr().err
    assert "Estado desconocido: ZZ" in err and "Unknown state: ZZ" in err
    assert (out / LISTING).read_bytes() == before, "a failed export replaced the tree"


def test_deploy_doc_shows_the_generated_config() -> None:
    """docs/deploy.md shows the includes as the generator writes them (one source)."""
    doc = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    assert server_conf(Path("/srv/cartilla/static")) in doc
