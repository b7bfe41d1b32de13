"""Exported JSON Schemas stay generated: a stale one fails `cartilla check` until rewritten."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from server.config import PROJECT_ROOT
from server.schemas import EXPORTED_SCHEMAS


def _cartilla(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_schema_file_is_exported_and_current() -> None:
    folder = PROJECT_ROOT / "content" / "schema"
    assert {p.name for p in folder.glob("*.json")} == set(EXPORTED_SCHEMAS)
    for name, make in EXPORTED_SCHEMAS.items():
        assert (folder / name).read_bytes() == make(), f"{name} is stale: run `cartilla schemas`"


def test_a_stale_schema_fails_check_until_schemas_rewrites_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    stale = content / "schema" / "log.schema.json"
    stale.write_text('{"title": "an old schema"}\n')
    done = _cartilla("check", "--content", str(content), "--no-git")
    assert done.returncode == 1
    assert "log.schema.json: error: out of date; run `cartilla schemas`" in done.stderr
    assert _cartilla("schemas", "--content", str(content)).returncode == 0
    assert stale.read_bytes() == EXPORTED_SCHEMAS["log.schema.json"]()
    done = _cartilla("check", "--content", str(content), "--no-git")
    assert done.returncode == 0, done.stdout + done.stderr
