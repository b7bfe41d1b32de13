"""Two implementations, one truth: the JS check (pwa/js/wages.js, run in Node) and the Python
check give the same whole report, explanations and sources included, for every shared vector."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import msgspec
import pytest
from test_wages_support import load_vectors, run_vector

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node") or "/usr/bin/node"


@pytest.fixture(scope="module")
def js_reports() -> dict[str, Any]:
    result = subprocess.run(
        [NODE, "tests/js/run_vectors.mjs"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    reports: dict[str, Any] = json.loads(result.stdout)
    return reports


VECTORS = load_vectors()


@pytest.mark.parametrize(
    ("file_rules", "vector"), [v[1:] for v in VECTORS], ids=[v[0] for v in VECTORS]
)
def test_js_and_python_reports_are_identical(
    js_reports: dict[str, Any],
    file_rules: dict[str, Any],
    vector: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    vector_id = request.node.callspec.id
    python_report = msgspec.to_builtins(run_vector(file_rules, vector))
    assert js_reports[vector_id] == python_report
