"""Serving the web app in `pwa/` at `/`, and the asset manifest its service worker precaches.

Every file is served with a content-hash ETag and `Cache-Control: no-cache`, so the service
worker and the shell always revalidate (a 304 costs a few bytes). A request that names the
file's current hash (`/js/app.js?v=<hash16>`) is cached for a year: that is how the service
worker fetches hashed assets. Files are read, minified (server/minify.py) and compressed
once, and re-read when they change on disk.

The shell bundle (`/shell-bundle`, listed in the asset manifest under `bundle`) carries the
files the first screen never needs (BUNDLED: above all the log, the evidence bundle and search)
as one response: brotli compresses them together far better than one by one (about 16 KB less
on the first visit). Its format: one line of JSON, `[[path, byte length], …]`, then the files'
bytes one after another in that order, exactly as they are served one by one. The asset
manifest's `files` leaves them out (the bundle's index names them); the service worker checks
the whole bundle against its hash, then puts each file into the same cache entry
(`path?v=hash16`) it would otherwise fetch one at a time. Each file is still served on its own.

A few small files are served inside the one file that loads them (INLINED: the stylesheet in
the page, the app database's code in js/store.js and in the worker, the worker's push code in
the worker), so the first screen needs six requests, what a browser sends at once over
HTTP/1.1. They are still served on their own (an older worker's update check asks for them)
but not listed in the asset manifest: nothing of the phone's app asks for them any more.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get
from litestar.params import PathParameter

from server.http import ApiError, Body, BodyCache, content_security_policy, send
from server.http import make_body as _compress_body
from server.minify import minify
from server.vendor import vendor_files

MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
    ".woff2": "font/woff2",
}
IMMUTABLE = "public, max-age=31536000, immutable"
BUNDLE_URL = "/shell-bundle"
#: Which files travel in the shell bundle: those the worker keeps that the first visit's page
#: never loads itself (js/app.js's imports, the profile picker): the log's and the evidence
#: bundle's modules, texts and styles, the modules only they use, and the screens a worker
#: opens later (the guide list and a guide with their icons and pack.js, "¿Qué me pasó?",
#: search with its phrasings, the consulate, erase), and the Spanish interface texts other than
#: app.json and push.json (the alerts screen loads that itself, sw.js LAZY): js/i18n.js asks
#: for those only once a screen after the picker needs them, by when the worker has them from
#: this bundle. The asset manifest does not list these files one by one: the bundle's index
#: names them, and the bundle's hash covers their bytes.
BUNDLED = re.compile(
    r"^/js/(log|bundle)/[^/]+\.(js|css)$|^/js/(wages|canonical|erase|pack|search)\.js$"
    r"|^/js/screens/(guides?|triage|directory|search)\.js$|^/js/search-words\.json$"
    r"|^/icons/topics\.svg$"
    r"|^/i18n/es/(wages|log|bundle)\.json$|^/neutral\.html$|^/css/neutral\.css$"
)
#: Files under pwa/ that are no part of the phone's app: the staff desk (pwa/staff/sw.js keeps
#: its own list) and its texts. A change to them is no update for the phone.
NOT_THE_PHONES = re.compile(r"^/staff/|^/i18n/[^/]+/staff\.json$")
HIDDEN_PARTS = {"node_modules", "__pycache__"}
#: index.html's empty data block that the server fills with what the first screen reads before
#: anything else: the language folders and the Spanish interface texts (js/i18n.js BOOT). On a
#: slow first visit those are then two requests fewer before the picker (6 connections, 400 ms
#: each round); /i18n/es/app.json is only fetched if a page ever lacks the block (sw.js LAZY).
BOOT_MARK = b'<script type="application/json" id="boot-data"></script>'


@dataclass(frozen=True)
class Inline:
    """`file`'s served bytes put in place of `line` (the line that loads it) in another file,
    inside an `element` ("style") or, for a script into a script, as they are."""

    file: str
    line: bytes
    element: str | None = None


#: Which files are served inside which (see the module docstring). On a slow first visit the
#: browser opens six connections: the page's stylesheet and seven modules took two rounds of
#: 400 ms before the picker. The page's modules import db.js only for the code, and the worker
#: loads the same code with importScripts, so each carries its own copy (byte for byte the
#: served db.js): about as many bytes as before, since db.js was fetched once by each.
INLINED: dict[str, tuple[Inline, ...]] = {
    "/index.html": (
        Inline("/css/app.css", b'<link rel="stylesheet" href="/css/app.css">', "style"),
    ),
    "/js/store.js": (Inline("/js/db.js", b'import "./db.js";'),),
    "/sw.js": (
        Inline("/js/db.js", b'importScripts("/js/db.js");'),
        Inline("/sw-push.js", b'importScripts("/sw-push.js");'),
    ),
}  # fmt: skip
_APP_TEXTS = re.compile(r"^/i18n/([^/]+)/app\.json$")


@dataclass(frozen=True)
class StaticFile:
    url: str  # "/js/app.js"
    hash16: str
    stamp: tuple[int, ...]  # (mtime_ns, size) of the file and of each file served inside it
    body: Body
    carries: tuple[str, ...] = ()  # the INLINED files it is served with
    #: Its own Content-Security-Policy when it has inline styles (allowed by their hash).
    policy: str | None = None


#: Compressed web-app bodies shared by every StaticSite in this process, keyed by their exact
#: bytes: brotli at quality 11 over the whole app takes seconds, and a process that starts
#: the app more than once (the tests, a reload) should pay it once per version of a file.
_COMPRESSED = BodyCache(16 * 1024 * 1024)


def make_body(raw: bytes, media_type: str, etag: str | None = None) -> Body:
    """server.http.make_body, remembered for the same bytes, type and ETag."""
    key = (hashlib.sha256(raw).digest(), media_type, etag)
    return _COMPRESSED.get_or_make(key, lambda: _compress_body(raw, media_type, etag))


def _stamp(url: str, scanned: dict[str, tuple[Path, int, int]]) -> tuple[int, ...]:
    """What says a served file is unchanged: its own and its INLINED files' mtime and size."""
    urls = [url, *(i.file for i in INLINED.get(url, ()))]
    return tuple(n for u in urls if u in scanned for n in scanned[u][1:])


def _served_bytes(
    url: str, scanned: dict[str, tuple[Path, int, int]]
) -> tuple[bytes, tuple[str, ...], str | None]:
    """The bytes served for `url` (its INLINED files in place, minified), which it carries,
    and its own Content-Security-Policy if it then has an inline style (allowed by hash).
    A file whose loading line is gone, or whose bytes could end the element they would go
    in, is not put in: the file then loads it as written."""
    path = scanned[url][0]
    raw = path.read_bytes()
    carries: list[str] = []
    styles: list[str] = []
    for inline in INLINED.get(url, ()):
        if inline.file not in scanned or inline.line not in raw:
            continue
        inner_path = scanned[inline.file][0]
        inner = minify(inner_path.suffix, inner_path.read_bytes())
        if inline.element:
            if b"</" in inner:
                continue  # it could close its element and go on as markup
            tag = inline.element.encode()
            raw = raw.replace(inline.line, b"<" + tag + b">" + inner + b"</" + tag + b">", 1)
        else:
            raw = raw.replace(inline.line, inner, 1)
        carries.append(inline.file)
        if inline.element == "style":
            styles.append("sha256-" + base64.b64encode(hashlib.sha256(inner).digest()).decode())
    policy = content_security_policy(tuple(styles)) if styles else None
    return minify(path.suffix, raw), tuple(carries), policy


def _carried_everywhere(files: dict[str, StaticFile]) -> set[str]:
    """The INLINED files that every file meant to carry them does carry: nothing of the app
    loads them on their own, so the worker need not keep them."""
    meant: dict[str, list[str]] = {}
    for into, inlines in INLINED.items():
        for inline in inlines:
            if into in files and inline.file in files:
                meant.setdefault(inline.file, []).append(into)
    return {f for f, intos in meant.items() if all(f in files[i].carries for i in intos)}


def _bundle_order(url: str) -> tuple[bool, str, str]:
    suffix = PurePosixPath(url).suffix
    return (suffix != ".json", suffix, url)


class StaticSite:
    """The files of the web app, kept in memory and refreshed when they change."""

    def __init__(self, root: Path, check_interval: float = 1.0):
        self.root = root.resolve()
        self.check_interval = check_interval
        self._files: dict[str, StaticFile] = {}
        self._manifest: Body | None = None
        self._bundle: Body | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.refresh(force=True)

    def _scan(self) -> dict[str, tuple[Path, int, int]]:
        found: dict[str, tuple[Path, int, int]] = {}
        if not self.root.is_dir():
            return found
        for path in self.root.rglob("*"):
            rel = path.relative_to(self.root)
            if any(p.startswith(".") or p in HIDDEN_PARTS for p in rel.parts):
                continue
            if path.is_file():
                st = path.stat()
                found["/" + rel.as_posix()] = (path, st.st_mtime_ns, st.st_size)
        return found

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.check_interval:
            return
        with self._lock:
            self._checked = now
            scanned = self._scan()
            changed = set(scanned) != set(self._files)
            files: dict[str, StaticFile] = {}
            for url, (path, _, _) in scanned.items():
                stamp = _stamp(url, scanned)
                old = self._files.get(url)
                if old and old.stamp == stamp:
                    files[url] = old
                    continue
                changed = True
                raw, carries, policy = _served_bytes(url, scanned)
                digest = hashlib.sha256(raw).hexdigest()[:16]
                media = MEDIA_TYPES.get(path.suffix) or (
                    mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                )
                body = make_body(raw, media, etag=f'W/"{digest}"')
                files[url] = StaticFile(url, digest, stamp, body, carries, policy)
            if changed or self._manifest is None:
                self._with_boot_data(files, scanned)
                self._files = files
                phone = {u: f for u, f in files.items() if not NOT_THE_PHONES.match(u)}
                listing = {url: f.hash16 for url, f in sorted(phone.items())}
                # The version covers every file, bundled, inlined or not.
                version = hashlib.sha256(msgspec.json.encode(listing)).hexdigest()[:16]
                inlined = _carried_everywhere(files)
                self._bundle = self._make_bundle(files)
                self._manifest = make_body(
                    msgspec.json.encode(
                        {
                            "version": version,
                            # The bundle's files are listed inside it, not here (about 430 B
                            # of the first visit): its hash covers their bytes. Inlined files
                            # come inside the files that load them.
                            "files": {
                                u: h
                                for u, h in listing.items()
                                if not BUNDLED.match(u) and u not in inlined
                            },
                            "bundle": {"url": BUNDLE_URL, "hash": self._bundle.etag[3:-1]},
                        }
                    ),
                    "application/json",
                )

    def _with_boot_data(
        self, files: dict[str, StaticFile], scanned: dict[str, tuple[Path, int, int]]
    ) -> None:
        """index.html with BOOT_MARK filled in, served and hashed as the file itself."""
        page = files.get("/index.html")
        texts = files.get("/i18n/es/app.json")
        if page is None:
            return
        raw, _, _ = _served_bytes("/index.html", scanned)
        if BOOT_MARK not in raw:
            return
        data: dict[str, Any] = {"langs": sorted(m[1] for u in files if (m := _APP_TEXTS.match(u)))}
        try:
            if texts is not None:
                data["messages"] = msgspec.json.decode(texts.body.raw)
        except msgspec.DecodeError:
            pass  # not valid JSON: the page asks for the file itself and reports it
        # "<" only occurs inside JSON strings, where \u003c means the same: nothing in the data
        # can end the <script> element or open a comment.
        block = msgspec.json.encode(data).replace(b"<", b"\\u003c")
        body = raw.replace(BOOT_MARK, BOOT_MARK[: -len(b"</script>")] + block + b"</script>")
        digest = hashlib.sha256(body).hexdigest()[:16]
        files["/index.html"] = StaticFile(
            page.url, digest, page.stamp,
            make_body(body, page.body.media_type, etag=f'W/"{digest}"'), page.carries,
            page.policy,
        )  # fmt: skip

    @staticmethod
    def _make_bundle(files: dict[str, StaticFile]) -> Body:
        """The BUNDLED files: a JSON line of [path, length] pairs, then their bytes in order."""
        # Texts first, then by type: brotli finds more to reuse that way (85 B less today).
        order = sorted((u for u in files if BUNDLED.match(u)), key=_bundle_order)
        chosen = [(url, files[url].body.raw) for url in order]
        index = msgspec.json.encode([[url, len(raw)] for url, raw in chosen])
        raw = index + b"\n" + b"".join(body for _, body in chosen)
        digest = hashlib.sha256(raw).hexdigest()[:16]
        # text/plain so that it is compressed like every other text file.
        return make_body(raw, "text/plain", etag=f'W/"{digest}"')

    @property
    def version(self) -> str:
        """Changes whenever any file in pwa/ changes."""
        self.refresh()
        assert self._manifest is not None
        return self._manifest.etag

    def urls(self) -> list[str]:
        """Every file URL this site serves ("/js/app.js"), sorted."""
        self.refresh()
        return sorted(self._files)

    def get(self, url: str) -> StaticFile | None:
        self.refresh()
        return self._files.get(url)

    def manifest(self) -> Body:
        self.refresh()
        assert self._manifest is not None
        return self._manifest

    def bundle(self) -> Body:
        self.refresh()
        assert self._bundle is not None
        return self._bundle


def _site(request: Request[Any, Any, Any]) -> StaticSite:
    site: StaticSite = request.app.state.static_site
    return site


def _serve(request: Request[Any, Any, Any], url: str) -> Response[bytes]:
    site = _site(request)
    clean = PurePosixPath("/" + url.lstrip("/"))
    if ".." in clean.parts:
        raise ApiError(404, "not_found", "No se encontró.", "Not found.")
    key = str(clean)
    f = site.get(key)
    if f is None and (key.endswith("/") or site.get(key + "/index.html")):
        f = site.get(key.rstrip("/") + "/index.html")
    if f is None:
        if key.startswith("/api/"):
            raise ApiError(404, "not_found", "Esa dirección no existe.", "No such address.")
        raise ApiError(404, "not_found", "No se encontró esa página.", "Page not found.")
    immutable = request.query_params.get("v") == f.hash16
    extra = {"Service-Worker-Allowed": "/"} if key == "/sw.js" else {}
    if f.policy:
        extra["Content-Security-Policy"] = f.policy
    return send(request, f.body, cache_control=IMMUTABLE if immutable else "no-cache",
                extra_headers=extra)  # fmt: skip


@get("/", opt={"skip_compression": True}, include_in_schema=False)
async def index(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _serve(request, "/index.html")


@get("/asset-manifest.json", opt={"skip_compression": True}, include_in_schema=False)
async def asset_manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
    return send(request, _site(request).manifest())


@get(BUNDLE_URL, opt={"skip_compression": True}, include_in_schema=False)
async def shell_bundle(request: Request[Any, Any, Any]) -> Response[bytes]:
    body = _site(request).bundle()
    immutable = request.query_params.get("v") == body.etag[3:-1]
    return send(request, body, cache_control=IMMUTABLE if immutable else "no-cache")


@get("/vendor/manifest.json", opt={"skip_compression": True}, include_in_schema=False)
async def vendor_manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Entrega's libraries (server/vendor.py): what is built now, {name: hash16}."""
    # Not remembered by the fast path: a rebuild changes it without a content generation.
    return send(request, vendor_files(request).manifest(), remember=False)


@get("/vendor/{name:str}", opt={"skip_compression": True}, include_in_schema=False)
async def vendor_file(
    request: Request[Any, Any, Any], name: Annotated[str, PathParameter(max_length=100)]
) -> Response[bytes]:
    f = vendor_files(request).get(name)
    immutable = request.query_params.get("v") == f.hash16
    cache = IMMUTABLE if immutable else "no-cache"
    return send(request, f.body, cache_control=cache, remember=False)


@get("/{file_path:path}", opt={"skip_compression": True}, include_in_schema=False)
async def static_file(
    request: Request[Any, Any, Any], file_path: Annotated[str, PathParameter(max_length=1000)]
) -> Response[bytes]:
    return _serve(request, file_path)


ROUTES = [
    Router(
        path="/",
        route_handlers=[index, asset_manifest, shell_bundle, vendor_manifest, vendor_file,
                        static_file],
    )
]  # fmt: skip
