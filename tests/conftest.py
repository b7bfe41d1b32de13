"""Shared fixtures: a private copy of test content, its built index, and the app over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.config import PROJECT_ROOT, Settings
from server.content.build import build_index

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture content (not in git)."""
    dest = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, dest)
    return dest


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path) -> Settings:
    state = tmp_path / "state"
    state.mkdir()
    return Settings(
        content_dir=content_dir,
        index_path=state / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=state,
        test_mode=True,
    )


@pytest.fixture
def built(settings: Settings) -> Settings:
    result = build_index(settings.content_dir, settings.index_path)
    assert result.status == "built", result.problems
    return settings


@pytest.fixture
def app(built: Settings) -> Litestar:
    return create_app(built)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as c:
        yield c
