"""Content as static files: `cartilla build --static DIR`, for nginx or a CDN.

This module owns the static export: which GETs of the read-only API and of the web app
depend only on the published index and `pwa/` (and so can be files), the tree they are
written to, and the nginx configuration that serves that tree exactly as the Python
server answers: the same bytes (identity, brotli, gzip), ETag, Cache-Control, Content-Type,
Vary and security headers, and a 304 for a matching If-None-Match.

The answers are not re-made here: the export asks the real app (in process, over ASGI) for
every URL, once per encoding, and writes what it answered. So the files cannot drift from
what `cartilla serve` sends, whatever the handlers do.

What is exported (the PWA's own requests, for every state, industry and served language):

- `/api/v1/catalog`; `/api/v1/packs` and `/api/v1/packs/manifest` as the app asks for them
  (`?state=CA&industry=agriculture&lang=es`, in that order); `/api/v1/packs/data` with
  `?state=CA&lang=es` and with `?state=CA` (the staff desk); `/api/v1/guides/<id>` with no
  query and with `?lang=<lang>`; every `/api/v1/content/<hash>` (current and past versions);
- every file of the web app, `/`, `/asset-manifest.json` and `/shell-bundle`.

Everything else goes to the Python server behind nginx (`try_files ... @cartilla_app`): other
query strings (a status, another order, `lang=es-MX`, a bad value, which gets the server's
own 400), search, guide histories, `/vendor/`, push, receipts and reports.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from server import __version__
from server.catalog import Catalog
from server.config import Settings
from server.content.schema import INDUSTRIES, STATES
from server.http import SECURITY_HEADERS
from server.static import BUNDLE_URL, StaticSite

IMMUTABLE = "public, max-age=31536000, immutable"
#: The tree's listing: every exported URL with its file and headers (for CDNs and tests).
LISTING = "cartilla-static.json"
#: Content-independent nginx includes, and the generated, content-dependent maps.
HTTP_CONF = "nginx/cartilla-http.conf"
SERVER_CONF = "nginx/cartilla-server.conf"
FILE_CONF = "nginx/cartilla-file.conf"
PROXY_CONF = "nginx/cartilla-proxy.conf"
ETAGS_MAP = "nginx/cartilla-etags.map"
#: Files with a Content-Security-Policy of their own (the page: its inline stylesheet's hash).
POLICIES_MAP = "nginx/cartilla-policies.map"
SITE_FILES_MAP = "nginx/cartilla-site-files.map"
TYPES_CONF = "nginx/cartilla-types.conf"
TYPES_MAP = "nginx/cartilla-types.map"
EXAMPLE_CONF = "nginx.conf.example"
ENCODINGS = {"br": ".br", "gzip": ".gz"}
#: Debian's package libnginx-mod-http-brotli-static puts its module here.
BROTLI_MODULE = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"


class ExportError(Exception):
    """The export cannot be made; said in Spanish and English. Nothing was replaced."""

    def __init__(self, es: str, en: str) -> None:
        super().__init__(en)
        self.es = es
        self.en = en


class ExportedFile(msgspec.Struct, frozen=True):
    """One URL as files: `root` ("site" or "api"), the path under it, the server's headers."""

    root: str
    file: str
    etag: str
    content_type: str
    cache_control: str
    encodings: list[str]
    extra_headers: dict[str, str] = {}


class Listing(msgspec.Struct):
    version: str
    states: list[str]
    languages: list[str]
    urls: dict[str, ExportedFile]


@dataclass
class ExportSummary:
    out: Path
    urls: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)


# --- which URLs, and where their files go ---------------------------------------------------


def _api_urls(
    catalog: Catalog, states: Sequence[str], langs: Sequence[str]
) -> Iterator[tuple[str, str]]:
    """(URL, file under api/) for every exported API answer."""
    snap = catalog.snapshot()
    yield "/api/v1/catalog", "/api/v1/catalog.json"
    for st in states:
        for ind in (*INDUSTRIES, "any"):
            for lang in langs:
                q = f"state={st}&industry={ind}&lang={lang}"
                yield f"/api/v1/packs?{q}", f"/api/v1/packs/{st}/{ind}/{lang}.json"
                yield (
                    f"/api/v1/packs/manifest?{q}",
                    f"/api/v1/packs/manifest/{st}/{ind}/{lang}.json",
                )
        yield f"/api/v1/packs/data?state={st}", f"/api/v1/packs/data/{st}/_all.json"
        for lang in langs:
            yield (
                f"/api/v1/packs/data?state={st}&lang={lang}",
                f"/api/v1/packs/data/{st}/{lang}.json",
            )
    for gid in sorted({gid for (gid, _lang) in snap.guides}):
        yield f"/api/v1/guides/{gid}", f"/api/v1/guides/{gid}/_default.json"
        for lang in langs:
            yield f"/api/v1/guides/{gid}?lang={lang}", f"/api/v1/guides/{gid}/{lang}.json"
    for doc_hash in sorted(snap.by_hash):
        yield f"/api/v1/content/{doc_hash}", f"/api/v1/content/{doc_hash}.json"


def _site_urls(site: StaticSite) -> Iterator[str]:
    """The web app's URLs: the page, the asset manifest, the shell bundle, every file the site
    serves, and a folder's address for each index.html below the root."""
    yield "/"
    yield "/asset-manifest.json"
    yield BUNDLE_URL
    for url in site.urls():
        yield url
        if url.endswith("/index.html") and url != "/index.html":
            yield url.removesuffix("index.html")


def _site_file(url: str) -> str:
    return url + "index.html" if url.endswith("/") else url


# --- asking the app --------------------------------------------------------------------------


def _is_text_safe(path: str) -> bool:
    """Only plain path characters end up in file names (no `..`, no control characters)."""
    parts = PurePosixPath(path).parts
    return all(c.isalnum() or c in "/._-" for c in path) and ".." not in parts


def _ask(client: Any, url: str) -> dict[str, tuple[bytes, dict[str, str]]] | None:
    """The app's answer to `url` in each encoding it offers: {"identity"|"br"|"gzip": ...},
    as the bytes it sent (the test client would otherwise decode br and gzip)."""
    answers: dict[str, tuple[bytes, dict[str, str]]] = {}
    # Asked twice in identity: the first answer comes from the handler, the rest from the
    # server's fast path (server/fastpath.py), which is what every later client gets.
    for coding in ("identity", "identity", *ENCODINGS):
        with client.stream("GET", url, headers={"Accept-Encoding": coding}) as res:
            if res.status_code != 200:
                return None
            body = b"".join(res.iter_raw())
            headers = {k.lower(): v for k, v in res.headers.items()}
        if coding == "identity" or headers.get("content-encoding") == coding:
            answers[coding] = (body, headers)
    return answers


# --- writing ---------------------------------------------------------------------------------


def export_static(
    settings: Settings, out: Path, states: Sequence[str] | None = None
) -> ExportSummary:
    """Write the static tree for the current index and `pwa/` to `out`, atomically.

    The tree is made in `out.tmp` and renamed into place; a failure leaves `out` as it was.
    """
    started = time.perf_counter()
    chosen = list(states) if states else list(STATES)
    unknown = [s for s in chosen if s not in STATES]
    if unknown:
        raise ExportError(
            f"Estado desconocido: {', '.join(unknown)}. Use códigos USPS como CA, TX.",
            f"Unknown state: {', '.join(unknown)}. Use USPS codes such as CA, TX.",
        )
    out = out.resolve()
    work = out.with_name(out.name + ".tmp")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    summary = ExportSummary(out=out)
    try:
        _export_into(work, out, settings, chosen, summary)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _swap_into_place(work, out)
    summary.seconds = time.perf_counter() - started
    return summary


def _export_into(
    work: Path, out: Path, settings: Settings, chosen: list[str], summary: ExportSummary
) -> None:
    # Imported here: the app (and its test client) are only needed once an export runs.
    from litestar.testing import TestClient

    from server.app import create_app

    # The app is made for reading only: its state folder (receipt key, push database) is a
    # throwaway one, so an export never creates keys beside the real ones.
    with tempfile.TemporaryDirectory(prefix="cartilla-export-") as scratch:
        app_settings = dataclasses.replace(settings, state_dir=Path(scratch))
        catalog = Catalog(settings.index_path)
        try:
            snap = catalog.snapshot()
        except Exception as exc:
            raise ExportError(
                f"No hay índice utilizable en {settings.index_path}; ejecute `cartilla build`.",
                f"No usable index at {settings.index_path}; run `cartilla build`.",
            ) from exc
        langs = sorted({lang for (_gid, lang) in snap.guides})
        urls: dict[str, ExportedFile] = {}
        with TestClient(create_app(app_settings), raise_server_exceptions=True) as client:
            shell = client.get("/asset-manifest.json").headers.get("etag")
            wanted = [(u, "api", f) for u, f in _api_urls(catalog, chosen, langs)] + [
                (u, "site", _site_file(u)) for u in _site_urls(client.app.state.static_site)
            ]
            for url, root, file in wanted:
                if not _is_text_safe(file):
                    summary.skipped.append(url)
                    continue
                answers = _ask(client, url)
                if answers is None:
                    summary.skipped.append(url)
                    continue
                raw, headers = answers["identity"]
                target = work / root / file.lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    _write(target, raw, summary)
                    for coding, (body, _h) in answers.items():
                        if coding != "identity":
                            _write(Path(str(target) + ENCODINGS[coding]), body, summary)
                extra = {}
                if "service-worker-allowed" in headers:
                    extra["Service-Worker-Allowed"] = headers["service-worker-allowed"]
                policy = headers.get("content-security-policy")
                if policy and policy != SECURITY_HEADERS["Content-Security-Policy"]:
                    extra["Content-Security-Policy"] = policy
                urls[url] = ExportedFile(
                    root=root,
                    file=file,
                    etag=headers["etag"],
                    content_type=headers["content-type"],
                    cache_control=headers["cache-control"],
                    encodings=sorted(c for c in answers if c != "identity"),
                    extra_headers=extra,
                )
                summary.urls += 1
            # One content generation, or none: a build or an edit of pwa/ during the export
            # would leave files from before and after it side by side.
            if (
                catalog.snapshot().fingerprint != snap.fingerprint
                or client.get("/asset-manifest.json").headers.get("etag") != shell
            ):
                raise ExportError(
                    "El índice o pwa/ cambió durante la exportación; ejecútela de nuevo.",
                    "The index or pwa/ changed during the export; run it again.",
                )
        listing = Listing(version=__version__, states=chosen, languages=langs, urls=urls)
        _rename_for_types(work, listing)
        (work / LISTING).write_bytes(msgspec.json.format(msgspec.json.encode(listing)))
        write_nginx_files(work, out, listing)


def _write(path: Path, data: bytes, summary: ExportSummary) -> None:
    path.write_bytes(data)
    summary.files += 1
    summary.bytes += len(data)


def _rename_for_types(work: Path, listing: Listing) -> None:
    """nginx picks Content-Type by file extension. A file whose extension already stands
    for another type (or that has none, like /shell-bundle) gets a `._t<n>` suffix."""
    by_ext: dict[str, str] = {}
    for url, f in sorted(listing.urls.items()):
        ext = PurePosixPath(f.file).suffix
        if ext and by_ext.setdefault(ext, f.content_type) == f.content_type:
            continue
        types = sorted({x.content_type for x in listing.urls.values()})
        new = f"{f.file}._t{types.index(f.content_type)}"
        by_ext[f"._t{types.index(f.content_type)}"] = f.content_type
        old_path = work / f.root / f.file.lstrip("/")
        new_path = work / f.root / new.lstrip("/")
        if old_path.exists():
            for suffix in ("", *ENCODINGS.values()):
                src = Path(str(old_path) + suffix)
                if src.exists():
                    src.rename(Path(str(new_path) + suffix))
        listing.urls[url] = msgspec.structs.replace(f, file=new)


def _swap_into_place(work: Path, out: Path) -> None:
    """`work` becomes `out`. Between the two renames (microseconds) a request for a file
    misses and nginx asks the Python server instead, which answers the same."""
    old = out.with_name(out.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.rename(out, old)
    os.rename(work, out)
    if old.exists():
        shutil.rmtree(old)


# --- the nginx configuration -----------------------------------------------------------------


def _quote(value: str) -> str:
    """A string for nginx's configuration: single-quoted, with `\\` and `'` escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _security_headers() -> str:
    # The policy by file ($cartilla_policy): the page has its own (POLICIES_MAP).
    return "".join(
        f"add_header {k} {'$cartilla_policy' if k == 'Content-Security-Policy' else _quote(v)};\n"
        for k, v in SECURITY_HEADERS.items()
    )


def http_conf(tree: Path) -> str:
    """What goes in nginx's `http {}`: how a request becomes a file and its headers."""
    n = tree / "nginx"
    return f"""\
# Cartilla static content: include in http {{}}. Generated by `cartilla build --static`;
# regenerate, never edit. Only maps: nothing here changes how other sites are served.
# The per-file maps it includes change with the content.
map_hash_max_size 65536;
map_hash_bucket_size 256;

# The file a request is answered from is set per location in $cartilla_file.
map $cartilla_file $cartilla_etag {{
    default "";
    include {n / "cartilla-etags.map"};
}}
# A file without an ETag is none of the exported answers: look for it where nothing is.
map $cartilla_etag $cartilla_unknown {{
    default "";
    "" "/-";
}}
# A matching If-None-Match ("*", or a list that names this ETag, weak or strong): 304.
map "$request_method|$cartilla_etag|$http_if_none_match" $cartilla_not_modified {{
    default 0;
    "~^(GET|HEAD)\\|W/(\\"[^\\"]+\\")\\|(.*,)?\\s*(W/)?\\2\\s*(,.*)?$" 1;
    "~^(GET|HEAD)\\|W/\\"[^\\"]+\\"\\|\\s*\\*\\s*$" 1;
}}
# Web-app files named with their current hash (`?v=<hash16>`) are cached for a year.
map "$cartilla_etag|$arg_v" $cartilla_site_cache {{
    default "no-cache";
    "~^W/\\"([0-9a-f]{{16}})\\"\\|\\1$" "{IMMUTABLE}";
}}
map $cartilla_file $cartilla_policy {{
    default {_quote(SECURITY_HEADERS["Content-Security-Policy"])};
    include {n / "cartilla-policies.map"};
}}
map $cartilla_file $cartilla_sw_allowed {{
    default "";
    /sw.js "/";
}}
# Each web-app URL to its file; any other URL (a .br, a renamed file) to none.
map $uri $cartilla_site_file {{
    default "/-";
    include {n / "cartilla-site-files.map"};
}}
# The app's own query strings, in the order it sends them; anything else: no file ("-").
map $args $cartilla_profile_query {{
    default "-";
    "~^state=([A-Z]{{2}})&industry=([a-z]+)&lang=([a-z]{{2,3}})$" "$1/$2/$3";
}}
map $args $cartilla_data_query {{
    default "-";
    "~^state=([A-Z]{{2}})&lang=([a-z]{{2,3}})$" "$1/$2";
    "~^state=([A-Z]{{2}})$" "$1/_all";
}}
map $args $cartilla_lang_query {{
    default "-";
    "" "_default";
    "~^lang=([a-z]{{2,3}})$" "$1";
}}
map $cartilla_file $cartilla_type {{
    default "";
    include {n / "cartilla-types.map"};
}}
"""


def server_conf(tree: Path) -> str:
    """What goes in the `server {}`: the exported URLs from files, the rest to the app."""
    n = tree / "nginx"
    api, site = tree / "api", tree / "site"
    file_conf = f"include {n / 'cartilla-file.conf'};"
    proxy_conf = f"include {n / 'cartilla-proxy.conf'};"

    def api_location(match: str, file: str, cache: str = "no-cache") -> str:
        return (
            f"location {match} {{\n    root {api};\n    set $cartilla_file {file};\n"
            f'    set $cartilla_cache "{cache}";\n    {file_conf}\n}}\n'
        )

    return (
        "# Cartilla static content: include in the server {}. Generated by\n"
        "# `cartilla build --static`; needs an upstream named cartilla_app (the Python server).\n"
        "etag off;                # the server's own ETag is sent instead ($cartilla_etag)\n"
        "if_modified_since off;   # the server answers If-None-Match only\n"
        "max_ranges 0;            # and never a part of a file: a whole 200, like the server\n"
        "server_tokens off;\n"
        "gzip off;                # never compressed on the fly: the .br/.gz are the server's\n"
        "gzip_static on;\n"
        "gzip_vary off;           # Vary is added with the other headers\n"
        "gzip_http_version 1.0;\n"
        "gzip_proxied any;\n"
        "brotli_static on;        # Debian: libnginx-mod-http-brotli-static\n"
        f"include {n / 'cartilla-types.conf'};\n"
        "default_type application/octet-stream;\n"
        + api_location("= /api/v1/catalog", "/api/v1/catalog.json")
        + api_location("= /api/v1/packs", "/api/v1/packs/$cartilla_profile_query.json")
        + api_location(
            "= /api/v1/packs/manifest", "/api/v1/packs/manifest/$cartilla_profile_query.json"
        )
        + api_location("= /api/v1/packs/data", "/api/v1/packs/data/$cartilla_data_query.json")
        + api_location(
            '~ "^/api/v1/guides/(?<cartilla_guide>[a-z0-9][a-z0-9-]*)$"',
            "/api/v1/guides/$cartilla_guide/$cartilla_lang_query.json",
        )
        + api_location(
            '~ "^/api/v1/content/(?<cartilla_hash>[0-9a-f]{64})$"',
            "/api/v1/content/$cartilla_hash.json",
            IMMUTABLE,
        )
        + f"location /api/ {{\n    {proxy_conf}\n}}\n"
        + f"location /vendor/ {{\n    {proxy_conf}\n}}\n"
        + f"location = /asset-manifest.json {{\n    root {site};\n"
        "    set $cartilla_file /asset-manifest.json;\n"
        '    set $cartilla_cache "no-cache";\n'
        f"    {file_conf}\n}}\n"
        + f"location / {{\n    root {site};\n    set $cartilla_file $cartilla_site_file;\n"
        "    set $cartilla_cache $cartilla_site_cache;\n"
        f"    {file_conf}\n}}\n" + f"location @cartilla_app {{\n    {proxy_conf}\n}}\n"
    )


def file_conf() -> str:
    """The part every file location shares, after it has set $cartilla_file and
    $cartilla_cache. The 304 repeats the headers (an `if` block with its own add_header
    inherits none) and names the file's type, as the server's 304 does."""
    headers = (
        "add_header Cache-Control $cartilla_cache;\n"
        "add_header ETag $cartilla_etag;\n"
        "add_header Vary Accept-Encoding;\n"
        "add_header Service-Worker-Allowed $cartilla_sw_allowed;\n" + _security_headers()
    )
    inner = "".join(f"    {line}\n" for line in headers.splitlines())
    return (
        "# Cartilla: answering from a file, with the Python server's headers.\n"
        "# No type of nginx's own on a 304 (the one added there is the file's).\n"
        'default_type "";\n'
        "if ($cartilla_not_modified) {\n" + inner + "    add_header Content-Type $cartilla_type;\n"
        "    return 304;\n}\n"
        + headers
        + "# The file's time is no validator: the server sends none.\n"
        'add_header Last-Modified "";\n'
        "# Only the exported files, never a .br or .gz (or anything else) at its own URL.\n"
        "try_files $cartilla_unknown$cartilla_file @cartilla_app;\n"
        "error_page 405 = @cartilla_app;\n"
    )


def proxy_conf() -> str:
    """To the Python server, with the request as the client sent it (see docs/deploy.md)."""
    return (
        "# Cartilla: to the Python server (the upstream cartilla_app), as the client asked.\n"
        "proxy_pass http://cartilla_app$request_uri;\n"
        "proxy_http_version 1.1;\n"
        'proxy_set_header Connection "";\n'
        "proxy_set_header Host $host;\n"
        "# For the per-client rate limits only: set, never appended (docs/deployment.md).\n"
        "proxy_set_header X-Forwarded-For $remote_addr;\n"
        'proxy_set_header Forwarded "";\n'
        'proxy_set_header X-Real-IP "";\n'
    )


def nginx_conf(
    tree: Path,
    listen: str = "127.0.0.1:8080",
    upstream: str = "127.0.0.1:8000",
    runtime: Path | None = None,
    user: str | None = None,
    workers: str = "auto",
) -> str:
    """A whole nginx.conf over `tree`: the example an operator starts from, and the one the
    tests run. `runtime` puts the pid file, error log and temp folders there."""
    main = ""
    if user:
        main += f"user {user};\n"
    main += f"load_module {BROTLI_MODULE};\n"
    if runtime:
        main += f"pid {runtime / 'nginx.pid'};\nerror_log {runtime / 'error.log'};\n"
        temps = "".join(
            f"    {name}_temp_path {runtime / name};\n"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
    else:
        temps = ""
    return (
        f"# Cartilla over the static tree {tree}: generated by `cartilla build --static`.\n"
        + main
        + f"worker_processes {workers};\nevents {{ worker_connections 1024; }}\nhttp {{\n"
        + "    access_log off;  # no record of who asked for what\n"
        + temps
        + f"    include {tree / HTTP_CONF};\n"
        + f"    upstream cartilla_app {{\n        server {upstream};\n"
        + "        keepalive 16;\n    }\n"
        + f"    server {{\n        listen {listen};\n"
        + "        client_max_body_size 64m;  # evidence reports (docs/deployment.md)\n"
        + f"        include {tree / SERVER_CONF};\n    }}\n}}\n"
    )


def write_nginx_files(work: Path, final: Path, listing: Listing) -> None:
    """The includes (naming `final`, where the tree will live) and the per-file maps."""
    (work / "nginx").mkdir(exist_ok=True)
    etags: dict[str, str] = {}
    site_files: dict[str, str] = {}
    types: dict[str, set[str]] = {}
    for url, f in listing.urls.items():
        etags[f.file] = f.etag
        types.setdefault(f.content_type, set()).add(PurePosixPath(f.file).suffix.lstrip("."))
        if f.root == "site":
            site_files[url] = f.file
    (work / ETAGS_MAP).write_text(
        "".join(f"{_quote(k)} {_quote(v)};\n" for k, v in sorted(etags.items()))
    )
    policies = {
        f.file: f.extra_headers["Content-Security-Policy"]
        for f in listing.urls.values()
        if "Content-Security-Policy" in f.extra_headers
    }
    (work / POLICIES_MAP).write_text(
        "".join(f"{_quote(k)} {_quote(v)};\n" for k, v in sorted(policies.items()))
    )
    (work / SITE_FILES_MAP).write_text(
        "".join(f"{_quote(k)} {_quote(v)};\n" for k, v in sorted(site_files.items()))
    )
    (work / TYPES_CONF).write_text(
        "types {\n"
        + "".join(f"    {_quote(t)} {' '.join(sorted(e))};\n" for t, e in sorted(types.items()))
        + "}\n"
    )
    (work / TYPES_MAP).write_text(
        "".join(
            f"{_quote('~[.]' + ext + '$')} {_quote(t)};\n"
            for t, e in sorted(types.items())
            for ext in sorted(e)
        )
    )
    (work / HTTP_CONF).write_text(http_conf(final))
    (work / SERVER_CONF).write_text(server_conf(final))
    (work / FILE_CONF).write_text(file_conf())
    (work / PROXY_CONF).write_text(proxy_conf())
    (work / EXAMPLE_CONF).write_text(nginx_conf(final))


def read_listing(tree: Path) -> Listing:
    return msgspec.json.decode((tree / LISTING).read_bytes(), type=Listing)
