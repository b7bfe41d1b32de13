"""Entrega's front-end libraries, served under `/vendor/` from the one generated folder.

`scripts/build-vendor.mjs` bundles them from `node_modules` (installed from package-lock.json
at set-up time; third-party code is never in git) into `build/vendor/` in the project, or the
folder CARTILLA_VENDOR_DIR names: `age.js`, `qr.js`, `barcode.js`, `zxing_reader.wasm`. They
live beside the source, not in the state folder, because they are made from the lockfile like
`.venv`, not by running the server (and each test run points the state folder elsewhere).

`GET /vendor/manifest.json` lists `{name: hash16}` of what is there now (no-cache); a file
asked for with its current hash (`/vendor/age.js?v=<hash16>`) is cached for a year, like the
rest of the app. The phone's screens that need them (Entrega) load them when they open, and
the service worker keeps them then, never on the first visit (the 100 KB budget).

A server set up from a source tree without the build answers the manifest with a 404 whose
message says so (`vendor_missing`), so the Entrega screen can tell the worker plainly.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
import msgspec
from litestar import Request

from server.config import PROJECT_ROOT
from server.http import ApiError, Body, make_body

DEFAULT_DIR = PROJECT_ROOT / "build" / "vendor"
MEDIA_TYPES = {
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
}
#: Flat names only: nothing under /vendor/ reaches outside the folder.
NAME = re.compile(r"^[a-z0-9_]+\.(js|wasm)$")
MISSING_ES = (
    "Este servidor se instaló sin los archivos de Entrega (cifrado y códigos QR). "
    "Quien lo administra debe ejecutar scripts/serve para instalarlos."
)
MISSING_EN = (
    "This server was set up without Entrega's files (encryption and QR codes). "
    "Whoever runs it should run scripts/serve to install them."
)


@dataclass(frozen=True)
class VendorFile:
    hash16: str
    body: Body


class VendorFiles:
    """The built files, read once and again when the build's manifest changes on disk."""

    def __init__(self, root: Path, check_interval: float = 1.0) -> None:
        self.root = root
        self.check_interval = check_interval
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._files: dict[str, VendorFile] = {}
        self._manifest: Body | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_interval and self._stamp is not None:
            return
        with self._lock:
            self._checked = now
            try:
                st = (self.root / "manifest.json").stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                self._stamp, self._files, self._manifest = (0, 0), {}, None
                return
            if stamp == self._stamp:
                return
            files: dict[str, VendorFile] = {}
            for path in sorted(self.root.iterdir()):
                if not NAME.match(path.name) or not path.is_file():
                    continue
                # Already minified by esbuild; served exactly as built (the wasm's hash is
                # written into barcode.js, so its bytes must not change here).
                raw = path.read_bytes()
                digest = hashlib.sha256(raw).hexdigest()[:16]
                media = MEDIA_TYPES[path.suffix]
                etag = f'W/"{digest}"'
                if path.suffix == ".wasm":
                    # ~1 MB that brotli takes to ~400 KB; quality 9 (0.4 s, once) rather than
                    # 11 (9 s) so the first request after start does not stall.
                    body = Body(raw, etag, media, brotli.compress(raw, quality=9),
                                gzip.compress(raw, compresslevel=6, mtime=0))  # fmt: skip
                else:
                    body = make_body(raw, media, etag=etag)
                files[path.name] = VendorFile(digest, body)
            listing = {name: f.hash16 for name, f in files.items()}
            self._files = files
            self._manifest = make_body(msgspec.json.encode({"files": listing}), "application/json")
            self._stamp = stamp

    def manifest(self) -> Body:
        self._refresh()
        if self._manifest is None:
            raise ApiError(404, "vendor_missing", MISSING_ES, MISSING_EN)
        return self._manifest

    def get(self, name: str) -> VendorFile:
        self._refresh()
        found = self._files.get(name) if NAME.match(name) else None
        if found is None:
            if self._manifest is None:
                raise ApiError(404, "vendor_missing", MISSING_ES, MISSING_EN)
            raise ApiError(404, "not_found", "No se encontró ese archivo.", "No such file.")
        return found


_LOCK = threading.Lock()


def vendor_files(request: Request[Any, Any, Any]) -> VendorFiles:
    """The app's VendorFiles (made on first use, from CARTILLA_VENDOR_DIR or build/vendor)."""
    state = request.app.state
    with _LOCK:
        found = state.get("vendor_files")
        if not isinstance(found, VendorFiles):
            root = Path(os.environ.get("CARTILLA_VENDOR_DIR", "") or DEFAULT_DIR)
            found = VendorFiles(root)
            state["vendor_files"] = found
        return found
