"""Debian's nginx over `cartilla build --static`, the Python server behind it: same answers.

nginx serves the exported tree on loopback and sends everything else (push, search, bad
parameters, other query strings) to `cartilla serve`. Through nginx, the sampled URLs give
the Python server's bytes and headers in every encoding and its 304s; a bad parameter gets
the server's own 400; and a first visit with the Python server stopped (files only) leaves a
phone that works offline.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ROOT,
    CartillaServer,
    choose_profile,
    free_port,
    read_pack,
    show,
    wait_until_offline_ready,
)

from server.evidence import receipts
from server.evidence.keys import read_public_key_file
from server.http import SECURITY_HEADERS
from server.static_export import BROTLI_MODULE, Listing, nginx_conf, read_listing

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COMPARED = ["etag", "cache-control", "content-type", "content-encoding", "vary",
            "service-worker-allowed", *(k.lower() for k in SECURITY_HEADERS)]  # fmt: skip
ENCODINGS = ["br", "gzip", "gzip, deflate, br", "br;q=0, gzip", "identity", None]


@dataclass
class Stack:
    server: CartillaServer
    nginx_url: str
    listing: Listing
    proc: subprocess.Popen[bytes]
    log: Path


def fetch(base: str, url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """One GET with exactly these headers; the body as sent (never decoded)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.request("GET", url, headers=headers)
        res = conn.getresponse()
        return res.status, res.read(), {k.lower(): v for k, v in res.getheaders()}
    finally:
        conn.close()


def same_answer(stack: Stack, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    status, body, got = fetch(stack.nginx_url, url, headers)
    # The server's steady answer: its first to a URL comes from the handler, later ones from
    # its fast path (server/fastpath.py), and the two differ for /shell-bundle, whose
    # handler's type is "text/plain; charset=utf-8; charset=utf-8" (server/static.py).
    fetch(stack.server.base_url, url, headers)
    want_status, want_body, want = fetch(stack.server.base_url, url, headers)
    assert status == want_status, (url, headers, status, want_status)
    assert body == want_body, (url, headers, "bodies differ")
    # A 304's Content-Type means nothing (RFC 9110 15.4.5), and the server's own vary by route.
    compared = [k for k in COMPARED if status != 304 or k != "content-type"]
    differ = {k: (got.get(k), want.get(k)) for k in compared if got.get(k) != want.get(k)}
    assert not differ, (url, headers, differ)
    return status, body


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not Path(NGINX).exists() or not Path(BROTLI_MODULE).exists():
        pytest.skip(
            "Debian's nginx and libnginx-mod-http-brotli-static are not installed "
            "(scripts/test installs them when it runs as root or with sudo)"
        )
    root = tmp_path_factory.mktemp("nginx-static")
    # A private copy of the web app: the export and the server must see the same files.
    shutil.copytree(ROOT / "pwa", root / "pwa")
    server = CartillaServer(root / "app", pwa_dir=root / "pwa").start()
    tree = root / "static"
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "build", "--static", str(tree), "--states", "CA"],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    runtime = root / "nginx"
    runtime.mkdir()
    port = free_port()
    conf = runtime / "nginx.conf"
    conf.write_text(
        nginx_conf(
            tree,
            listen=f"127.0.0.1:{port}",
            upstream=f"127.0.0.1:{server.port}",
            runtime=runtime,
            # As root, nginx's workers would drop to www-data, who cannot read pytest's tmp.
            user="root" if os.geteuid() == 0 else None,
            workers="1",
        )
    )
    log = runtime / "error.log"
    proc = subprocess.Popen(
        [NGINX, "-p", str(runtime), "-e", str(log), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if fetch(url, "/asset-manifest.json", {})[0] == 200:
                break
        except OSError:
            pass
        try:  # waiting on the process doubles as the polling interval
            code: int | None = proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None or time.monotonic() > deadline:
            proc.kill()
            server.stop()
            pytest.fail(f"nginx did not start:\n{log.read_text() if log.exists() else ''}")
    yield Stack(server, url, read_listing(tree), proc, log)
    proc.terminate()
    proc.wait(timeout=10)
    server.stop()


def test_files_through_nginx_are_the_servers_answers(stack: Stack) -> None:
    listing = stack.listing
    content = sorted(u for u in listing.urls if u.startswith("/api/v1/content/"))
    guide = next(u for u in listing.urls if u.startswith("/api/v1/guides/") and "?lang=en" in u)
    urls = [
        "/api/v1/catalog",
        "/api/v1/packs?state=CA&industry=agriculture&lang=es",
        "/api/v1/packs?state=CA&industry=restaurants&lang=en",
        "/api/v1/packs/manifest?state=CA&industry=agriculture&lang=es",
        "/api/v1/packs/data?state=CA&lang=es",
        "/api/v1/packs/data?state=CA",
        guide,
        guide.split("?")[0],
        content[0],
        content[-1],
        "/",
        "/sw.js",
        "/js/app.js",
        "/asset-manifest.json",
        "/shell-bundle",
        "/staff/",
        "/manifest.webmanifest",
    ]
    assert set(urls) <= set(listing.urls), "the sample is not all exported"
    for url in urls:
        for coding in ENCODINGS:
            same_answer(stack, url, {} if coding is None else {"Accept-Encoding": coding})
        etag = listing.urls[url].etag
        for match in (etag, etag.removeprefix("W/"), f'"other", {etag}', "*"):
            status, body = same_answer(stack, url, {"If-None-Match": match})
            assert (status, body) == (304, b""), (url, match)
        assert same_answer(stack, url, {"If-None-Match": '"other"'})[0] == 200
        # Never a 304 from the file's time, nor a part of a file: the server does neither.
        assert same_answer(stack, url, {"If-Modified-Since": "Sat, 01 Jan 2050 00:00:00 GMT"})
        assert same_answer(stack, url, {"Range": "bytes=0-10"})[0] == 200
    # A web-app file named with its hash is cached for a year, through nginx as by Python.
    for url in ("/js/app.js", "/shell-bundle"):
        hashed = f"{url}?v={listing.urls[url].etag[3:-1]}"
        same_answer(stack, hashed, {"Accept-Encoding": "br"})
        assert "immutable" in fetch(stack.nginx_url, hashed, {})[2]["cache-control"]


def test_everything_else_is_the_python_servers(stack: Stack) -> None:
    """Bad parameters get the server's own 400s, other forms of a query its answers."""
    bad = [
        "/api/v1/packs?state=XX&industry=agriculture&lang=es",
        "/api/v1/packs?state=CA&industry=mining&lang=es",
        "/api/v1/packs?state=CA&industry=agriculture&lang=..%2F..%2Fetc",
        "/api/v1/packs/manifest?industry=agriculture&lang=es",
        "/api/v1/packs/data?state=CA&lang=",
        "/api/v1/guides/no-such-guide?lang=es",
        "/api/v1/content/" + "0" * 64,
        "/no/such/page.js",
        # The compressed files and renamed ones are no URLs of their own.
        "/js/app.js.br",
        "/api/v1/catalog.json.gz",
        stack.listing.urls["/shell-bundle"].file,
    ]
    for url in bad:
        status, body = same_answer(stack, url, {"Accept-Encoding": "br"})
        assert status in (400, 404), (url, status)
        assert body.startswith(b'{"error":{"code":'), (url, body[:80])
    # Other spellings of a profile than the app's own go to the server, which answers them.
    for url in (
        "/api/v1/packs?lang=es&state=CA&industry=agriculture",
        "/api/v1/packs?state=CA&industry=agriculture&status=h2a&lang=es",
        "/api/v1/packs?state=CA&industry=agriculture&lang=es-MX",
        "/api/v1/packs?state=TX&industry=agriculture&lang=es",  # not exported: CA only
        "/api/v1/search?q=salario",
        "/api/v1/push/key",
    ):
        same_answer(stack, url, {"Accept-Encoding": "gzip"})
    # A POST to a file's URL is the server's to refuse, in its own words.
    host, port = stack.nginx_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    json_type = {"Content-Type": "application/json"}
    conn.request("POST", "/api/v1/catalog", body=b"{}", headers=json_type)
    res = conn.getresponse()
    assert res.status == 405 and res.read().startswith(b'{"error":')
    conn.close()


def test_dynamic_endpoints_work_through_nginx(stack: Stack, tmp_path: Path) -> None:
    """A time receipt asked through nginx is the server's, signed by the key it publishes."""
    head = "cd" * 32
    host, port = stack.nginx_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    body = json.dumps({"hash": head}).encode()
    conn.request(
        "POST", "/api/v1/receipts", body=body, headers={"Content-Type": "application/json"}
    )
    res = conn.getresponse()
    answer = res.read()
    conn.close()
    assert res.status == 200 and res.getheader("Cache-Control") == "no-store"
    receipt = receipts.Receipt(**json.loads(answer))
    assert receipt.hash == head
    status, key, _ = fetch(stack.nginx_url, "/.well-known/cartilla-receipt-key", {})
    assert status == 200 and key == fetch(stack.server.base_url, "/api/v1/receipts/key", {})[1]
    (tmp_path / "key.json").write_bytes(key)
    assert receipts.check_receipt(receipt, read_public_key_file(tmp_path / "key.json")) is None


def test_first_visit_from_files_alone_then_offline(stack: Stack, page: Any) -> None:
    """With the Python server stopped, nginx's files are enough for the first visit; then
    with nginx gone too, the app opens and reads its guides offline."""
    stack.server.stop()
    try:
        page.goto(stack.nginx_url + "/")
        page.wait_for_selector("form.profile")
        choose_profile(page)
        wait_until_offline_ready(page)
        show(page, "#/guides")
        pack = read_pack(page)
        assert pack["request"] == {"state": "CA", "industry": "agriculture", "lang": "es"}
        served = stack.listing.urls["/api/v1/packs?state=CA&industry=agriculture&lang=es"]
        assert pack["pack_hash"][:16] == served.etag[3:-1]
        stack.proc.terminate()
        stack.proc.wait(timeout=10)
        page.reload()
        page.wait_for_selector("ul.cards li.card")
        reached = page.evaluate("() => fetch('/api/v1/catalog').then(() => true, () => false)")
        assert reached is False, "nginx is still answering"
        title = page.locator("ul.cards li.card .card-title").first.inner_text()
        page.locator("ul.cards li.card a").first.click()
        page.wait_for_selector("article.guide-body")
        assert page.locator("h1").inner_text() == title
    finally:
        stack.server.start()
