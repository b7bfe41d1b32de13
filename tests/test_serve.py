"""`cartilla serve` as a newcomer runs it: a real server on loopback, no IPs in its output."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from server.config import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_serves_guides_and_logs_no_client_addresses(built: Settings, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "CARTILLA_CONTENT_DIR": str(built.content_dir),
        "CARTILLA_INDEX": str(built.index_path),
        "CARTILLA_STATE_DIR": str(built.state_dir),
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/api/v1/catalog", timeout=2) as r:
                        assert r.status == 200
                        break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            for path in ("/", "/api/v1/guides/overtime?lang=es", "/api/v1/guides/nope"):
                try:
                    urllib.request.urlopen(base + path, timeout=5).read()
                except urllib.error.HTTPError as exc:
                    assert exc.code == 404
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=15)
    output = log.read_text()
    assert f"Cartilla: http://127.0.0.1:{port}/" in output
    # The startup line is the only place an address may appear: no access log lines.
    assert output.count("127.0.0.1") == 1, output
    assert "GET" not in output, output
