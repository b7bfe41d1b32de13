"""HTTP details shared by every handler: conditional GET, compression, errors, headers.

Litestar's static files and response cache never answer 304, and its compression
middleware would recompress the same bytes on every request. Content here is immutable
per index build, so each body is compressed once (brotli and gzip), kept beside its weak
ETag, and served with 304s when the client already has it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import brotli
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR


def content_security_policy(style_hashes: tuple[str, ...] = ()) -> str:
    """The policy of every answer; `style_hashes` ("sha256-<base64>") are the only inline
    styles a page may have (the web app's page carries its stylesheet, server/static.py)."""
    styles = "".join(f" '{h}'" for h in style_hashes)
    # 'wasm-unsafe-eval' lets the page compile WebAssembly (Entrega's QR reader, served from
    # /vendor/ on this origin); it allows no eval() of JavaScript.
    return (
        f"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'{styles}; "
        "img-src 'self' data: blob:; "
        "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


SECURITY_HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": (
        "geolocation=(), microphone=(), camera=(self), payment=(), usb=(), "
        "interest-cohort=(), browsing-topics=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
    # No other site may embed or read our answers (packs, keys, PDFs) as a subresource.
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

COMPRESSIBLE_PREFIXES = ("text/", "application/json", "application/javascript",
                         "application/manifest+json", "image/svg+xml")  # fmt: skip
MIN_COMPRESS = 256


@dataclass(frozen=True)
class Body:
    """One response body with its weak ETag and compressed variants made once."""

    raw: bytes
    etag: str
    media_type: str
    br: bytes | None
    gz: bytes | None


def weak_etag(data: bytes) -> str:
    return 'W/"' + hashlib.sha256(data).hexdigest()[:16] + '"'


def make_body(raw: bytes, media_type: str, etag: str | None = None) -> Body:
    """Compress `raw` once (when it is text and worth it) and attach its ETag."""
    compress = len(raw) >= MIN_COMPRESS and media_type.startswith(COMPRESSIBLE_PREFIXES)
    return Body(
        raw=raw,
        etag=etag or weak_etag(raw),
        media_type=media_type,
        br=brotli.compress(raw, quality=11) if compress else None,
        gz=gzip.compress(raw, compresslevel=9, mtime=0) if compress else None,
    )


def body_bytes(body: Body) -> int:
    """What a prepared body holds in memory: the raw bytes and both compressed copies."""
    return len(body.raw) + len(body.br or b"") + len(body.gz or b"")


#: The prepared bodies one snapshot may keep: enough for every pack a region asks for,
#: small enough that a flood of distinct requests cannot grow the server without limit.
BODY_CACHE_BYTES = 48 * 1024 * 1024


class BodyCache:
    """An LRU of prepared bodies bounded by their bytes, keyed by what is served."""

    def __init__(self, max_bytes: int = BODY_CACHE_BYTES):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Any, Body] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Any, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Any) -> Body | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: Any, body: Body) -> Body:
        size = body_bytes(body)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= body_bytes(old)
            if size > self.max_bytes:
                return body  # larger than the whole budget: serve it, do not keep it
            self._items[key] = body
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= body_bytes(dropped)
        return body

    def get_or_make(self, key: Any, make: Callable[[], Body]) -> Body:
        """The body for `key`, made at most once at a time (concurrent askers wait for it).

        Meant to run in a worker thread: making a pack and compressing it is CPU work that
        must not stall the event loop.
        """
        body = self.get(key)
        if body is not None:
            return body
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            body = self.get(key)
            if body is None:
                body = self.put(key, make())
        with self._lock:
            self._making.pop(key, None)
        return body


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == wanted for t in header.split(","))


def _accepts(request: Request[Any, Any, Any], coding: str) -> bool:
    header = request.headers.get("accept-encoding", "")
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            return "q=0" not in params.replace(" ", "") or "q=0." in params.replace(" ", "")
    return False


def send(
    request: Request[Any, Any, Any],
    body: Body,
    cache_control: str = "no-cache",
    extra_headers: dict[str, str] | None = None,
    remember: bool = True,
) -> Response[bytes]:
    """Answer with `body`: 304 when the client's copy is current, else the best encoding.

    With `remember`, the answer is kept for the fast path; pass False for answers that are
    not a pure function of the URL and the published content (search results).
    """
    headers = {"ETag": body.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if extra_headers:
        headers.update(extra_headers)
    if _etag_matches(request.headers.get("if-none-match"), body.etag):
        return Response(b"", status_code=304, headers=headers, media_type=body.media_type)
    content = body.raw
    if body.br is not None and _accepts(request, "br"):
        content, headers["Content-Encoding"] = body.br, "br"
    elif body.gz is not None and _accepts(request, "gzip"):
        content, headers["Content-Encoding"] = body.gz, "gzip"
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(content))
        content = b""
    if remember:
        _remember(request, body, headers)
    return Response(content, headers=headers, media_type=body.media_type)


def _remember(request: Request[Any, Any, Any], body: Body, headers: dict[str, str]) -> None:
    """Let the fast path answer the next request for this exact URL (see server.fastpath)."""
    from server.fastpath import GENERATION_KEY, request_key

    state = request.app.state
    memory = getattr(state, "answer_memory", None)
    # The generation the body was built in (taken when the request arrived), not the one
    # current now: a build may have landed while the handler ran.
    generation = request.scope.get(GENERATION_KEY)
    if memory is None or generation is None:
        return
    media = body.media_type
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=utf-8"
    kept = [
        (k.lower().encode(), v.encode())
        for k, v in headers.items()
        if k.lower() not in ("etag", "content-encoding", "content-length")
    ]
    kept.append((b"content-type", media.encode()))
    memory.remember(request_key(request.scope), memory.shared(generation, body, kept))


class ErrorMessage(msgspec.Struct):
    es: str
    en: str


class ErrorDetail(msgspec.Struct):
    """`code` is stable; other keys (field, allowed, details, expected, ...) may follow."""

    code: str
    message: ErrorMessage


class ErrorBody(msgspec.Struct):
    """Every error answer: {"error": {"code", "message": {"es", "en"}, ...}}."""

    error: ErrorDetail


class ApiError(HTTPException):
    """A client error with a stable code and a message in Spanish and English."""

    def __init__(
        self,
        status_code: int,
        code: str,
        es: str,
        en: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(status_code=status_code, detail=en, headers=headers)
        self.code = code
        self.es = es
        self.en = en
        self.fields = extra


def error_body(code: str, es: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": {"es": es, "en": en}, **extra}}


def api_error_handler(request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    return Response(
        error_body(exc.code, exc.es, exc.en, **exc.fields),
        status_code=exc.status_code,
        headers=exc.headers or {},
    )


_STATUS_WORDS = {
    400: ("bad_request", "La solicitud no es válida.", "The request is not valid."),
    401: ("unauthorized", "No autorizado.", "Not authorized."),
    403: ("forbidden", "No permitido.", "Not allowed."),
    404: ("not_found", "No se encontró.", "Not found."),
    405: ("method_not_allowed", "Método no permitido.", "Method not allowed."),
    406: ("not_acceptable", "Formato no aceptable.", "Format not acceptable."),
    413: ("too_large", "La solicitud es demasiado grande.", "The request is too large."),
    415: ("unsupported_media_type", "Tipo de contenido no aceptado.",
          "Content type not accepted."),
    429: ("rate_limited", "Demasiadas solicitudes; espere un momento.",
          "Too many requests; wait a moment."),
}  # fmt: skip


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own 4xx errors, in the same bilingual shape as ours."""
    if isinstance(exc, ApiError):
        return api_error_handler(request, exc)
    status = exc.status_code
    code, es, en = _STATUS_WORDS.get(status, ("error", "Error.", "Error."))
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException):
        code = "invalid_input"
        es = "Los datos enviados no son válidos."
        en = "The data sent is not valid."
        if isinstance(exc.extra, list):
            extra["details"] = [
                {"key": e.get("key"), "message": e.get("message")}
                for e in exc.extra
                if isinstance(e, dict)
            ]
    elif exc.detail and status < 500 and exc.detail not in (en,):
        extra["detail"] = str(exc.detail)
    if status >= 500:
        status = HTTP_500_INTERNAL_SERVER_ERROR
    return Response(
        error_body(code, es, en, **extra), status_code=status, headers=exc.headers or {}
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Anything unexpected: a plain message to the client; the traceback, without any
    request details, to the server's log."""
    logging.getLogger("cartilla").error("internal error", exc_info=exc)
    return Response(
        error_body(
            "internal_error",
            "Algo falló en el servidor. Sus datos en el teléfono no se perdieron.",
            "Something failed on the server. The data on your phone was not lost.",
        ),
        status_code=500,
    )


def json_bytes(value: Any) -> bytes:
    return msgspec.json.encode(value)


#: Methods whose body a handler reads; each must say what it sends.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Route handler `opt` key naming the one media type a handler accepts (default JSON).
BODY_MEDIA_TYPE = "body_media_type"


def _media_type(scope: Any) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value).split(b";", 1)[0].strip().lower().decode("latin-1")
    return ""


def _has_body(scope: Any) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def require_body_media_type(app: Any) -> Any:
    """Middleware: a request body must be the handler's type (415 otherwise).

    Without it a cross-site page could POST `text/plain` (a "simple" request the browser
    sends without asking) and have it read as JSON. A DELETE with no body is fine.
    """

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        method = scope.get("method", "")
        if scope["type"] == "http" and method in BODY_METHODS:
            handler = scope.get("route_handler")
            wanted = getattr(handler, "opt", {}).get(BODY_MEDIA_TYPE, "application/json")
            given = _media_type(scope)
            if given != wanted and (method != "DELETE" or given or _has_body(scope)):
                raise ApiError(
                    415,
                    "unsupported_media_type",
                    f"Envíe el cuerpo con Content-Type: {wanted}"
                    + (f" (llegó {given[:60]})." if given else "."),
                    f"Send the body with Content-Type: {wanted}"
                    + (f" (got {given[:60]})." if given else "."),
                    expected=wanted,
                )
        await app(scope, receive, send)

    return middleware
