"""What the push tests share: subscribing a phone through the API and an advocate's edit.

Used by tests/test_push_notify.py (the in-process run) and tests/test_push_queue.py (the
queue and its workers).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.content.build import build_index

SUBJECT = "mailto:ops@example.org"
URL = "/api/v1/push/subscriptions"


def subscribe(
    client: TestClient[Litestar],
    subscription: dict[str, Any],
    states: list[str],
    language: str,
    industries: list[str] | None = None,
    statuses: list[str] | None = None,
) -> None:
    profile = {
        "states": states,
        "industries": industries or ["any"],
        "statuses": statuses or ["any"],
        "language": language,
    }
    response = client.post(URL, json={"subscription": subscription, "profile": profile})
    assert response.status_code == 201, response.text


def revise(settings: Settings, *names: str, note: str = "Cambio importante.") -> None:
    """What an advocate does: edit the text, raise the version, then `cartilla build`."""
    for name in names:
        path = settings.content_dir / "guides" / name
        text = path.read_text()
        version = int(re.search(r"^version: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
        text = re.sub(r"^version: \d+$", f"version: {version + 1}", text, count=1, flags=re.M)
        path.write_text(text.rstrip("\n") + f"\n\n{note}\n")
    result = build_index(settings.content_dir, settings.index_path)
    assert result.status == "built", result.problems
