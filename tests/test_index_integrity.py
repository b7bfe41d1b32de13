"""The index on disk: damaged in place, left half-built by a killed build, or on a full disk.

Each case is what an operator meets on a cheap VPS; none may show a phone a 500 or an
operator a traceback, and `cartilla build` must never call a damaged index "up to date".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.config import Settings
from server.content.build import build_index

ROOT = Path(__file__).parent.parent


def _damage_in_place(path: Path) -> None:
    """Overwrite every page but the first with junk, keeping the file (same inode)."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(4096)
        f.write(bytes((i * 37 + 11) % 256 for i in range(size - 4096)))


def test_index_damaged_in_place_is_a_503_then_rebuilt(built: Settings) -> None:
    with TestClient(create_app(built)) as client:
        client.app.state.catalog.check_interval = 0  # notice the change at once
        assert client.get("/api/v1/catalog").status_code == 200
        _damage_in_place(built.index_path)
        paths = ["/api/v1/catalog", "/api/v1/guides/overtime?lang=en",
                 "/api/v1/guides/basic-rights/versions", "/api/v1/search?q=horas",
                 "/api/v1/packs?state=CA"]  # fmt: skip
        statuses = {p: client.get(p).status_code for p in paths}
        assert all(s in (200, 503) for s in statuses.values()), statuses
        assert build_index(built.content_dir, built.index_path).status == "built"
        for p in paths:
            assert client.get(p).status_code == 200, p


def test_server_started_on_a_damaged_index_says_so(built: Settings) -> None:
    _damage_in_place(built.index_path)
    with TestClient(create_app(built)) as client:
        answer = client.get("/api/v1/guides/overtime?lang=es")
        assert answer.status_code == 503, answer.text
        error = answer.json()["error"]
        assert error["code"] == "index_damaged"
        assert "dañado" in error["message"]["es"] and "damaged" in error["message"]["en"]


def test_build_does_not_call_a_damaged_index_up_to_date(built: Settings) -> None:
    _damage_in_place(built.index_path)
    assert build_index(built.content_dir, built.index_path).status == "built"
    assert build_index(built.content_dir, built.index_path).status == "unchanged"


def test_a_killed_builds_temp_file_is_removed_by_the_next_build(built: Settings) -> None:
    # A process writes its temp index and dies, the way a build killed mid-way does.
    folder = built.index_path.parent
    subprocess.run(
        [sys.executable, "-c",
         f"import os; open(os.path.join({str(folder)!r}, "
         f"'.{built.index_path.name}.%d.tmp' % os.getpid()), 'wb').write(b'x' * 4096)"],
        check=True, timeout=30,
    )  # fmt: skip
    left = list(folder.glob(f".{built.index_path.name}.*.tmp"))
    assert len(left) == 1
    assert build_index(built.content_dir, built.index_path).status == "unchanged"
    assert not list(folder.glob("*.tmp"))


@contextlib.contextmanager
def _tiny_disk(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, timeout=30)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here: " + made.stderr.decode()[:200])
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True, timeout=30)


def test_full_disk_is_a_plain_message_and_no_traceback(built: Settings, tmp_path: Path) -> None:
    with _tiny_disk(tmp_path / "small", "24k") as small:
        index = small / "index.db"
        env = {**os.environ, "CARTILLA_CONTENT_DIR": str(built.content_dir),
               "CARTILLA_INDEX": str(index), "CARTILLA_STATE_DIR": str(small)}  # fmt: skip
        run = subprocess.run(
            [sys.executable, "-m", "server.cli", "build"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        out = run.stdout + run.stderr
        assert run.returncode == 1, out
        assert "Traceback" not in out, out
        assert "disco está lleno" in out and "disk is full" in out, out
        assert not list(small.iterdir()), "a failed build leaves nothing behind"
    assert shutil.which("mount")
