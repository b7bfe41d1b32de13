"""The PDF report endpoint under abuse: many at once, ZIP bombs, giant photo headers."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import struct
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundles import factory as f
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.evidence import receipts
from server.evidence.api import MAX_CONCURRENT_REPORTS
from server.evidence.report_pdf import photo_problem

ZIP = {"content-type": "application/zip"}
MiB = 1024 * 1024


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG that declares width x height in its SOF0 header and has no real pixels."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(
        bytes([i, 0x11, 0]) for i in (1, 2, 3)
    )
    sos = bytes([3]) + b"".join(bytes([i, 0]) for i in (1, 2, 3)) + bytes([0, 63, 0])
    return (b"\xff\xd8\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xda"
            + struct.pack(">H", len(sos) + 2) + sos + b"\x00" * 64 + b"\xff\xd9")  # fmt: skip


def test_photo_size_is_read_from_the_header_and_capped() -> None:
    assert photo_problem(jpeg_header(20000, 20000)) == "too_large"  # 400 Mpx, 1.2 GB decoded
    assert photo_problem(jpeg_header(7000, 100)) == "too_large"
    assert photo_problem(jpeg_header(1600, 1200)) is None
    assert photo_problem(b"not an image") == "unreadable"


def test_a_bundle_with_a_giant_photo_is_refused_from_its_header_without_decoding(
    client: TestClient[Litestar], built: Settings
) -> None:
    keys = f.Keys(
        worker=f.new_keys().worker, server=receipts.load_or_create_key(built.receipt_key_path)
    )
    log = f.make_log(keys.server)
    log.photo(999, "2026-06-30T17:00:00.000Z", make=lambda _seed: jpeg_header(30000, 30000))
    answer = client.post("/api/v1/bundles/report", content=f.make_bundle(keys, log), headers=ZIP)
    # 30000 x 30000 px (900 Mpx) is over zipread.Limits' caps: the verifier reads the header
    # and fails the bundle, so the PDF is never drawn and nothing is decoded.
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "photo_too_large" and "30000 × 30000" in error["message"]["en"]


def test_a_small_zip_that_inflates_to_150_mb_is_refused_before_inflating(
    client: TestClient[Litestar],
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for i in range(150):
            z.writestr(f"cartilla-evidence-2026-06-30/data/pad{i}.bin", b"\0" * MiB)
    bomb = out.getvalue()
    assert len(bomb) < 400 * 1024
    answer = client.post("/api/v1/bundles/report", content=bomb, headers=ZIP)
    assert answer.status_code in (413, 422), answer.text
    error = answer.json()["error"]
    assert error["code"] in ("total_too_big", "zip_bomb"), error["code"]
    assert error["message"]["es"] and error["message"]["en"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(built: Settings, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "CARTILLA_CONTENT_DIR": str(built.content_dir),
        "CARTILLA_INDEX": str(built.index_path),
        "CARTILLA_STATE_DIR": str(built.state_dir),
    }
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to ~30 s while it starts
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                # Waiting on the process: returns early (and fails) if the server died.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=0.1)
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        log.close()


def _post(base: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"{base}/api/v1/bundles/report", data=body, headers=ZIP)
    try:
        with urllib.request.urlopen(request, timeout=30) as res:
            return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_more_reports_at_once_than_the_limit_get_503_with_retry_after(live: str) -> None:
    # Hold every slot: uploads that have sent their headers but not their whole body.
    port = int(live.rsplit(":", 1)[1])
    holders = []
    for _ in range(MAX_CONCURRENT_REPORTS):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(
            b"POST /api/v1/bundles/report HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/zip\r\nContent-Length: 1000000\r\n\r\nPK"
        )
        holders.append(s)
    try:
        answers = []
        for _ in range(50):  # the holders reach the handler within a few attempts
            status, headers, body = _post(live, b"not a zip")
            answers.append(status)
            if status == 503:
                break
        assert answers[-1] == 503, answers
        assert headers.get("retry-after") == "5"
        assert b"busy" in body and b"PDF" in body
    finally:
        for s in holders:
            s.close()
    # Slots come back when those uploads go away.
    statuses = []
    for _ in range(50):
        statuses.append(_post(live, b"not a zip")[0])
        if statuses[-1] == 422:
            break
    assert statuses[-1] == 422, statuses
