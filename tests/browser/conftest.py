"""Shared browser-test fixtures: the real server in a subprocess and Debian's Chromium.

- `CartillaServer`: builds an index over a private copy of content/ and runs `cartilla serve`
  on a fixed free port (so a restart keeps the same origin: the service worker, caches and
  IndexedDB survive it, as on a phone). `stop()` kills it; `build()` rebuilds after editing
  `server.content_dir`.
- `live_server`: one running server for the session, its base URL (read-only tests).
- `server_factory`: make private servers (tests that stop, edit or restart them).
- `browser`: Chromium at /usr/bin/chromium (never a downloaded browser); `context`/`page`: a
  fresh profile per test with service workers allowed.
- Helpers for the app: `choose_profile`, `wait_until_offline_ready`.

CARTILLA_TEST_CONTENT=<dir> builds over another content folder (default: the repo's content/).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROFILE_CA = {"state": "CA", "industry": "agriculture", "status": "h2a", "lang": "es"}


def content_source() -> Path:
    return Path(os.environ.get("CARTILLA_TEST_CONTENT", ROOT / "content"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class CartillaServer:
    """`cartilla serve` over a private content copy, index and state dir under `root`."""

    def __init__(
        self, root: Path, content: Path | None = None, port: int | None = None,
        pwa_dir: Path | None = None,
    ):  # fmt: skip
        self.root = root
        self.pwa_dir = pwa_dir or ROOT / "pwa"
        self.content_dir = root / "content"
        if not self.content_dir.exists():
            shutil.copytree(content or content_source(), self.content_dir)
        self.state_dir = root / "state"
        self.state_dir.mkdir(exist_ok=True)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = root / "server.log"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "CARTILLA_CONTENT_DIR": str(self.content_dir),
            "CARTILLA_STATE_DIR": str(self.state_dir),
            "CARTILLA_INDEX": str(self.state_dir / "index.db"),
            "CARTILLA_PWA_DIR": str(self.pwa_dir),
            "CARTILLA_TEST_MODE": "1",
        }

    def build(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", "build"],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, f"cartilla build failed:\n{done.stdout}\n{done.stderr}"

    def start(self) -> CartillaServer:
        if not (self.state_dir / "index.db").exists():
            self.build()
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.base_url}/asset-manifest.json", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:  # waiting on the process doubles as the polling interval
                code = self.proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                code = None
            if code is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., CartillaServer]]:
    made: list[CartillaServer] = []

    def make(
        name: str = "server", content: Path | None = None, pwa_dir: Path | None = None
    ) -> CartillaServer:
        server = CartillaServer(tmp_path / name, content=content, pwa_dir=pwa_dir)
        made.append(server)
        return server.start()

    yield make
    for server in made:
        server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = CartillaServer(tmp_path_factory.mktemp("live")).start()
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Lets the context see (and route) the service worker's own requests.
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(service_workers="allow", viewport={"width": 360, "height": 740})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def poll(page: Any, script: str, arg: Any = None, timeout: float = 30) -> Any:
    """Evaluate an async `script` in the page until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout}s: {script}")
        page.wait_for_timeout(100)


def wait_until_offline_ready(page: Any) -> None:
    """Until the service worker controls the page and its shell cache is complete."""
    poll(
        page,
        """async () => {
            const reg = await navigator.serviceWorker.getRegistration();
            if (!reg || !reg.active || reg.active.state !== "activated") return false;
            if (!navigator.serviceWorker.controller) return false;
            return (await caches.keys()).some((n) => n.startsWith("cartilla-shell-"));
        }""",
    )


READ_PACK = """() => new Promise((ok) => {
    const open = indexedDB.open("cartilla");
    open.onsuccess = () => {
        const get = open.result.transaction("packs").objectStore("packs").get("current");
        get.onsuccess = () => ok(get.result);
    };
})"""


def read_pack(page: Any) -> Any:
    """The offline pack as the app stored it in IndexedDB."""
    return page.evaluate(READ_PACK)


def show(page: Any, hash_: str) -> None:
    """Go to a screen and wait until the app has rendered it."""
    page.evaluate("(h) => { location.hash = h; }", hash_)
    page.wait_for_function("(h) => document.querySelector('main').dataset.screen === h", arg=hash_)


def api_json(base_url: str, path: str) -> Any:
    """GET a JSON API path from the running server."""
    with urllib.request.urlopen(base_url + path, timeout=10) as res:
        return json.load(res)


def choose_profile(page: Any, profile: dict[str, str] = PROFILE_CA) -> None:
    """Fill the profile picker and wait for the guide list."""
    page.locator(f"input[name=lang][value={profile['lang']}]").check()
    # Choosing a language re-labels the form at once: fill in the re-labelled one.
    page.wait_for_selector(f"form.profile[data-lang={profile['lang']}]")
    page.select_option("#state", profile["state"])
    page.locator(f"input[name=industry][value={profile['industry']}]").check()
    page.locator(f"input[name=status][value={profile['status']}]").check()
    page.locator("form.profile button[type=submit]").click()
    page.wait_for_selector("ul.cards li.card")


def log_form(page: Any, base_url: str, view: str) -> Any:
    """Open one of the log's forms (job, shift, pay, ...) and wait for it."""
    page.goto(f"{base_url}/#/log/{view}")
    form = page.locator("form.log-form")
    form.wait_for()
    return form


def save(page: Any, form: Any) -> None:
    """Submit a log form and wait for the log's own screen."""
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")


def add_job(page: Any, base_url: str, employer: str, address: str | None = None) -> None:
    """A job through the phone's own form: `employer` in California, H-2A farm work, paid by
    the hour ($18.00 promised), weekly, weeks starting on Monday; `address` when given."""
    form = log_form(page, base_url, "job")
    form.locator("[data-field=employer] input").fill(employer)
    form.locator("[data-field=state] select").select_option("CA")
    form.locator("[data-field=industry] select").select_option("agriculture")
    form.locator("[data-field=status] select").select_option("h2a")
    form.locator("[data-field=pay_type] select").select_option("hourly")
    form.locator("[data-field=promised] input").fill("18.00")
    form.locator("[data-field=pay_frequency] select").select_option("weekly")
    form.locator("[data-field=workweek_start] select").select_option("monday")
    if address is not None:
        form.locator("[data-field=address] input").fill(address)
    save(page, form)
