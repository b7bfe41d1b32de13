"""The fast path after a build that lands while a handler is still making its answer.

The interleaving is made exact, with no sleeps: the real `cartilla build` runs at the
moment the handler stores the body it has just made (the snapshot's body cache runs the
build on that store). Everything else is the real app, index and catalog.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from server.app import create_app
from server.config import Settings
from server.content.build import build_index
from server.http import Body, BodyCache

OLD, NEW = "Basic rights at work", "Basic rights at work (new edition)"


class BuildWhenStored(BodyCache):
    """The snapshot's body cache; storing the catalog body first runs a real build."""

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings
        self.built = False

    def put(self, key: Any, body: Body) -> Body:
        super().put(key, body)
        if key == "catalog" and not self.built:
            self.built = True
            guide = self.settings.content_dir / "guides" / "basic-rights.en.md"
            guide.write_text(guide.read_text().replace(f"title: {OLD}", f"title: {NEW}"))
            result = build_index(self.settings.content_dir, self.settings.index_path)
            assert result.status == "built", result.problems
        return body


def _title(answer: Any) -> str:
    guides = {(g["id"], g["lang"]): g for g in answer.json()["guides"]}
    return str(guides[("basic-rights", "en")]["title"])


def test_a_build_mid_handler_never_keeps_the_old_answer(built: Settings) -> None:
    with TestClient(create_app(built)) as client:
        catalog = client.app.state.catalog
        catalog.check_interval = 0  # see a new index file at once
        snap = catalog.snapshot()
        hook = BuildWhenStored(built)
        snap.cache["bodies"] = hook
        first = client.get("/api/v1/catalog")
        assert hook.built and _title(first) == OLD  # made before the build landed
        old_etag = first.headers["etag"]
        after = [client.get("/api/v1/catalog") for _ in range(3)]
        titles = [_title(a) for a in after]
        assert titles == [NEW] * 3, f"served pre-build content after the build: {titles}"
        again = client.get("/api/v1/catalog", headers={"if-none-match": old_etag})
        assert again.status_code == 200 and _title(again) == NEW, again.status_code
