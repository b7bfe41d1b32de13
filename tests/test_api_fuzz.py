"""Fuzz the whole API from its own OpenAPI schema: no server errors, and every answer is the
one the schema documents (status code, content type, headers and body shape)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

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


@schemathesis.serializer("application/zip")
def _zip(ctx: Any, value: Any) -> bytes:
    """The bundle report takes raw ZIP bytes; generated values are sent as they are."""
    return value if isinstance(value, bytes) else str(value).encode()


schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _app())

#: What "conforms" means here: the schema tells the truth about every answer.
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
#: Every other operation also accepts whatever its schema allows. Two cannot say it all in
#: a schema: push subscriptions (an allowlist of push services) and the bundle report
#: (any bytes are "binary", but only a signed Cartilla bundle is a bundle).
ACCEPTS_WHAT_IT_DOCUMENTS = [checks.positive_data_acceptance]
NOT_FULLY_DESCRIBED = ("/api/v1/push/subscriptions", "/api/v1/bundles/report")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_the_documented_one(case: schemathesis.Case) -> None:
    extra = [] if case.path in NOT_FULLY_DESCRIBED else ACCEPTS_WHAT_IT_DOCUMENTS
    response = case.call_and_validate(checks=[*CONFORMANCE, *extra])
    where = (case.method, case.formatted_path, response.text[:300])
    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert response.json()["error"]["message"]["es"], where
