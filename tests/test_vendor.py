"""Entrega's libraries under /vendor/: listed with hashes, immutable when asked by hash, and a
plain bilingual message (not a crash) from a server set up without the build."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.config import Settings


@pytest.fixture
def vendor_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "vendor"
    monkeypatch.setenv("CARTILLA_VENDOR_DIR", str(folder))
    return folder


@pytest.fixture
def vclient(built: Settings, vendor_dir: Path) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(built)) as c:
        yield c


def _write_build(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"age.js": b"export const x = 1;\n" * 40, "zxing_reader.wasm": b"\0asm" + bytes(600)}
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
    (folder / "manifest.json").write_text('{"inputs": "x", "files": {}}')
    return files


def test_without_the_build_the_manifest_says_so_in_both_languages(
    vclient: TestClient[Litestar],
) -> None:
    res = vclient.get("/vendor/manifest.json")
    assert res.status_code == 404
    error = res.json()["error"]
    assert error["code"] == "vendor_missing"
    assert "scripts/serve" in error["message"]["es"]
    assert "scripts/serve" in error["message"]["en"]
    assert vclient.get("/vendor/age.js").json()["error"]["code"] == "vendor_missing"


def test_built_files_are_listed_and_immutable_by_hash(
    vclient: TestClient[Litestar], vendor_dir: Path
) -> None:
    files = _write_build(vendor_dir)
    listing = vclient.get("/vendor/manifest.json").json()["files"]
    assert listing == {n: hashlib.sha256(raw).hexdigest()[:16] for n, raw in files.items()}
    plain = vclient.get("/vendor/age.js")
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "no-cache"
    assert plain.content == files["age.js"]  # served as built, not minified again
    hashed = vclient.get(f"/vendor/age.js?v={listing['age.js']}")
    assert "immutable" in hashed.headers["cache-control"]
    wasm = vclient.get(f"/vendor/zxing_reader.wasm?v={listing['zxing_reader.wasm']}")
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.content == files["zxing_reader.wasm"]


@pytest.mark.parametrize("name", ["..%2Fmanifest.json", "nope.js", "manifest.json.bak", "AGE.JS"])
def test_anything_else_under_vendor_is_not_found(
    vclient: TestClient[Litestar], vendor_dir: Path, name: str
) -> None:
    _write_build(vendor_dir)
    res = vclient.get(f"/vendor/{name}")
    assert res.status_code == 404
    assert res.json()["error"]["message"]["en"]
