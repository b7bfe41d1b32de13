"""Fuzz the whole API from its own OpenAPI schema: no input may produce a server error."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from server.app import create_app
from server.config import PROJECT_ROOT, Settings
from server.content.build import build_index
from server.push.keys import create_vapid


def _app() -> object:
    tmp = Path(tempfile.mkdtemp(prefix="cartilla-fuzz-"))
    shutil.copytree(Path(__file__).parent / "fixtures" / "content", tmp / "content")
    cfg = Settings(
        content_dir=tmp / "content",
        index_path=tmp / "index.db",
        pwa_dir=PROJECT_ROOT / "pwa",
        state_dir=tmp,
        test_mode=True,
    )
    build_index(cfg.content_dir, cfg.index_path)
    create_vapid(cfg.vapid_key_path)  # a configured server, as `cartilla keys` leaves it
    return create_app(cfg)


schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    where = (case.method, case.formatted_path, response.text[:300])
    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert response.json()["error"]["message"]["es"], where
