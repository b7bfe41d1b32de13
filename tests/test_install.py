"""A fresh install from the lock: the runtime set alone serves the app, and the lock is whole.

`scripts/serve` is run exactly as the README says, but into a brand-new venv
(`CARTILLA_VENV`) and state folder, so the test proves that requirements.txt (no
pytest, no test tools) is enough to check, build and serve `/` and a pack.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

from server.config import PROJECT_ROOT

#: Each lock file, by the set it holds.
LOCKS = {
    "runtime": PROJECT_ROOT / "requirements.txt",
    "test": PROJECT_ROOT / "requirements-test.txt",
    "uv": PROJECT_ROOT / "requirements-uv.txt",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pins(name: str) -> dict[str, str]:
    text = LOCKS[name].read_text()
    return {
        m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)", text, re.M)
    }


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _direct(spec: str) -> str:
    return _normal(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0])


def test_every_pin_has_a_hash() -> None:
    for name in LOCKS:
        blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCKS[name].read_text())
        for block in blocks:
            if "==" in block.splitlines()[0]:
                assert "--hash=sha256:" in block, f"{name}: {block.splitlines()[0]} has no hash"


def test_the_lock_covers_pyproject_and_keeps_test_tools_out_of_the_runtime() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    runtime = {_normal(k): v for k, v in _pins("runtime").items()}
    test = {_normal(k): v for k, v in _pins("test").items()}
    for spec in project["project"]["dependencies"]:
        assert _direct(spec) in runtime, f"{spec} is not in requirements.txt"
    test_only = {_direct(s) for s in project["dependency-groups"]["test"]} - {
        _direct(s) for s in project["project"]["dependencies"]
    }
    for name in test_only:
        assert name in test, f"{name} is not in requirements-test.txt"
    tools = {"pytest", "hypothesis", "schemathesis", "playwright", "ruff", "mypy", "cogapp"}
    assert tools <= test_only, "the test group lost a tool"
    assert not tools & set(runtime), f"test tools in the runtime lock: {tools & set(runtime)}"
    # One version of each package: the runtime set is resolved inside the test set.
    for name, version in runtime.items():
        assert test.get(name) == version, f"{name}: runtime {version}, test {test.get(name)}"


def test_scripts_serve_runs_from_the_runtime_lock_in_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    state = tmp_path / "state"
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "CARTILLA_"))
    }
    env |= {"CARTILLA_VENV": str(venv), "CARTILLA_STATE_DIR": str(state)}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 240
            while True:
                assert proc.poll() is None, f"scripts/serve exited:\n{log.read_text()}"
                try:
                    with urllib.request.urlopen(f"{base}/", timeout=2) as r:
                        home = r.read()
                        break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
            assert b"<html" in home.lower()
            pack_url = f"{base}/api/v1/packs?state=CA&industry=agriculture&lang=es"
            with urllib.request.urlopen(pack_url, timeout=10) as r:
                assert r.status == 200
                assert b'"guides"' in r.read()
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
    # Only the runtime set: the test tools were never installed there.
    python = venv / "bin" / "python"
    for module in ("pytest", "hypothesis", "playwright", "ruff", "mypy"):
        found = subprocess.run(
            [str(python), "-c", f"import importlib.util as u; print(u.find_spec('{module}'))"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == "None", f"{module} is installed in the runtime venv"
    assert (venv / "bin" / "cartilla").exists()
