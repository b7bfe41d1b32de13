"""A cheap request stays quick while the server builds packs and PDF reports for others.

Packs used to be built and compressed on the event loop, so while one phone's pack was being
made every other request waited (0.5-1.5 s stalls, issue 12 item 3; on that code this test
measures p95 ~800 ms, max ~1.2 s). Here the real server
(`cartilla serve`, its own process) on 127.0.0.1 gets a stream of distinct pack requests that
all miss the cache, and PDF reports, while another client times GET /api/v1/catalog. No sleeps:
every figure is measured.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from bundles import factory as f

from server.config import Settings
from server.content.build import build_index

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
STATES = ["CA", "TX", "IL", "NY", "FL", "GA", "NC", "AZ", "WA", "NE", "OR", "CO", "NV", "NM"]
INDUSTRIES = ["agriculture", "construction", "restaurants", "cleaning", "meatpacking",
              "landscaping", "domestic", "hospitality"]  # fmt: skip
STATUSES = ["h2a", "h2b", "undocumented"]
#: Probes of the cheap request, and the bound on their 95th percentile.
PROBES = 40
P95_LIMIT_S = 0.200


def write_content(root: Path, guides: int) -> None:
    """The fixture content plus `guides` synthetic guides (es and en) spread over states,
    industries and statuses, so each profile's pack is real work to build and compress."""
    shutil.copytree(FIXTURE_CONTENT, root)
    para = ("Usted tiene derecho a recibir su pago completo por cada hora trabajada. "
            "Guarde sus talones de pago y anote sus horas cada día. ") * 8  # fmt: skip
    for g in range(guides):
        # Most guides are for every state (as the federal ones are), so each profile's
        # pack carries dozens of guides, the size of a real pack.
        state = STATES[g % len(STATES)] if g % 4 == 0 else "all"
        industry = INDUSTRIES[(g // len(STATES)) % len(INDUSTRIES)]
        status = STATUSES[g % len(STATUSES)]
        states = "all" if state == "all" else f"[{state}]"
        for lang in ("es", "en"):
            (root / "guides" / f"synthetic-{g:04d}.{lang}.md").write_text(
                f"---\nid: synthetic-{g:04d}\nlang: {lang}\ntitle: Guía de prueba {g}\n"
                f"summary: Resumen de la guía {g}.\nversion: 1\nreviewed: 2026-11-01\n"
                f"review_status: draft\nkind: industry\napplies_to:\n  states: {states}\n"
                f"  industries: [{industry}]\n  statuses: [{status}]\ntopics: [wages]\n"
                "sources:\n  - title: WHD\n    url: https://www.dol.gov/agencies/whd\n---\n"
                f"# Guía {g}\n\n{para}\n\n## Qué guardar {g}\n\n- Talones {g}\n- Horas\n\n"
                f"| Horas | Pago |\n|---|---|\n| 40 | {g} |\n"
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(content: Path, index: Path, state: Path, log_path: Path) -> Iterator[str]:
    """`cartilla serve` in its own process on a free loopback port; its base URL."""
    port = free_port()
    env = {**os.environ, "CARTILLA_CONTENT_DIR": str(content), "CARTILLA_INDEX": str(index),
           "CARTILLA_STATE_DIR": str(state)}  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent,
        )  # fmt: skip
        try:
            for _ in range(300):  # up to ~30 s while it starts
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=0.1)
                        raise AssertionError(log_path.read_text()) from None
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def fetch(url: str, body: bytes | None = None, content_type: str = "") -> tuple[int, int]:
    """(status, body bytes) for one request; brotli accepted, as a phone would."""
    headers = {"Accept-Encoding": "br, gzip"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as res:
            return res.status, len(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, len(exc.read())


def pack_urls(base: str) -> list[str]:
    """Distinct profiles: each one a cache miss the server must build and compress."""
    return [
        f"{base}/api/v1/packs?state={s}&industry={i}&lang={lang}"
        for lang in ("es", "en") for i in INDUSTRIES for s in STATES[:7]
    ]  # fmt: skip


@dataclass
class Figures:
    """Seconds per probe of the cheap request, and what the load was."""

    p50: float
    p95: float
    max: float
    during: int  # probes that ran while the load was still running
    load_statuses: list[int]
    load_seconds: float
    packs: int


def measure(base: str, bundle: bytes, reports: int = 2) -> Figures:
    """Time the cheap request while distinct packs and PDF reports are being made."""
    urls = pack_urls(base)
    status, _ = fetch(f"{base}/api/v1/catalog")
    assert status == 200
    done = threading.Event()
    load_statuses: list[int] = []

    def load() -> None:
        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                jobs = [pool.submit(fetch, u) for u in urls]
                jobs += [
                    pool.submit(fetch, f"{base}/api/v1/bundles/report", bundle, "application/zip")
                    for _ in range(reports)
                ]
                load_statuses.extend(job.result()[0] for job in jobs)
        finally:
            done.set()

    loader = threading.Thread(target=load)
    started = time.perf_counter()
    loader.start()
    timings: list[float] = []
    during = 0
    while len(timings) < PROBES:
        t0 = time.perf_counter()
        status, _ = fetch(f"{base}/api/v1/catalog")
        timings.append(time.perf_counter() - t0)
        assert status == 200
        if not done.is_set():
            during += 1
    loader.join()
    load_seconds = time.perf_counter() - started
    ordered = sorted(timings)
    return Figures(
        p50=ordered[len(ordered) // 2],
        p95=ordered[int(len(ordered) * 0.95) - 1],
        max=ordered[-1],
        during=during,
        load_statuses=load_statuses,
        load_seconds=load_seconds,
        packs=len(urls),
    )


@pytest.fixture
def big(tmp_path: Path) -> Settings:
    content = tmp_path / "content"
    write_content(content, guides=320)
    state = tmp_path / "state"
    state.mkdir()
    result = build_index(content, state / "index.db")
    assert result.status == "built", result.problems
    return Settings(content_dir=content, index_path=state / "index.db",
                    pwa_dir=Path(__file__).parent.parent / "pwa", state_dir=state,
                    test_mode=False)  # fmt: skip


def test_a_cheap_request_answers_quickly_while_packs_and_reports_are_built(
    big: Settings, tmp_path: Path
) -> None:
    bundle = f.make_bundle(f.new_keys())
    with serve(big.content_dir, big.index_path, big.state_dir, tmp_path / "server.log") as base:
        figures = measure(base, bundle)
    statuses = figures.load_statuses
    assert statuses.count(200) == len(statuses), sorted(set(statuses))
    print(
        f"catalog latency under load: p50 {figures.p50 * 1000:.0f} ms, "
        f"p95 {figures.p95 * 1000:.0f} ms, max {figures.max * 1000:.0f} ms; "
        f"{figures.during} of {PROBES} probes while {figures.packs} packs and 2 reports "
        f"were made in {figures.load_seconds:.1f} s"
    )
    # The probes really ran while the server was busy (not after the load had finished).
    assert figures.during >= PROBES // 2, figures
    assert figures.p95 < P95_LIMIT_S, figures
