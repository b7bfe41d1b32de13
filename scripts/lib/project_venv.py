"""Run a script of scripts/ with the project's Python: `.venv`, holding the test set's lock.

The benchmarks need what the tests need (Playwright, pytest's fixtures, the server's
packages). Started with any other Python, a benchmark makes or updates `.venv` from the
hashed lock exactly as `scripts/test` does (scripts/lib/venv.sh ensure_venv test) and starts
again inside it, so `scripts/bench-phone` works on a fresh clone with only Python 3.11+.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = (ROOT / os.environ.get("CARTILLA_VENV", ".venv")) / "bin" / "python"


def run_in_project_venv(script: str) -> None:
    """Return at once inside `.venv`; otherwise make it and exec `script` there."""
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() == VENV_PYTHON.parents[1].resolve():
        return
    made = subprocess.run(
        ["bash", "-c", "source scripts/lib/venv.sh && ensure_venv test"],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        check=False,
    )
    if made.returncode != 0 or not VENV_PYTHON.exists():
        print(
            "Error: no se pudo preparar .venv (vea el mensaje de arriba).\n"
            "Error: could not prepare .venv (see the message above).",
            file=sys.stderr,
        )
        raise SystemExit(1)
    os.execv(VENV_PYTHON, [str(VENV_PYTHON), script, *sys.argv[1:]])
