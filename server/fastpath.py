"""A raw-ASGI front for repeat requests of published content: packs, guides, static files.

Content only changes when a new index is built or a file in `pwa/` changes, so once a
handler has answered a GET for an exact URL, the answer (body, ETag, compressed variants)
is remembered for that content generation. Repeat requests, and above all revalidations
that end in a 304, are then answered here without routing, parameter parsing or handler
code. Anything not remembered, and every error, goes through Litestar as usual.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from server.http import SECURITY_HEADERS, Body, body_bytes

#: Scope key: the content generation a request started in (set by FastPath).
GENERATION_KEY = "cartilla.generation"

_SECURITY = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


@dataclass(frozen=True)
class Remembered:
    """A successful answer to one exact URL, valid while `generation` is current.

    `headers` are the handler's own (without ETag, encoding or length); the full header
    lists for a 304 and for each encoding are built once, here, not per request.
    """

    generation: object
    body: Body
    headers: list[tuple[bytes, bytes]]
    etag: bytes = field(init=False)
    not_modified: list[tuple[bytes, bytes]] = field(init=False)
    by_encoding: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = field(init=False)

    def __post_init__(self) -> None:
        etag = self.body.etag.encode()
        own = {k for k, _ in self.headers}  # a page's own policy (server/static.py)
        base = [*(h for h in _SECURITY if h[0] not in own), *self.headers, (b"etag", etag)]
        variants: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {
            "identity": (self.body.raw, [])
        }
        if self.body.br is not None:
            variants["br"] = (self.body.br, [(b"content-encoding", b"br")])
        if self.body.gz is not None:
            variants["gzip"] = (self.body.gz, [(b"content-encoding", b"gzip")])
        by_encoding = {
            name: ([*base, *extra, (b"content-length", str(len(content)).encode())], content)
            for name, (content, extra) in variants.items()
        }
        object.__setattr__(self, "etag", etag)
        object.__setattr__(self, "not_modified", base)
        object.__setattr__(self, "by_encoding", by_encoding)


class ContentGeneration:
    """A token that stays the same object while neither the index nor pwa/ has changed."""

    def __init__(self, current: Callable[[], tuple[object, ...]]):
        self._current = current
        self._key: tuple[object, ...] | None = None
        self._token = object()

    def __call__(self) -> object:
        key = self._current()
        if key != self._key:
            self._key = key
            self._token = object()
        return self._token


#: Bytes of bodies the answer memory may point at (bodies shared by several URLs count
#: once per URL, so the real figure is lower).
ANSWER_MEMORY_BYTES = 48 * 1024 * 1024


class AnswerMemory:
    """A map of URL -> Remembered, filled by handlers through `remember`, bounded both by
    entries and by the bytes of the bodies it keeps alive (oldest dropped first)."""

    def __init__(self, size: int = 4096, max_bytes: int = ANSWER_MEMORY_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[bytes, Remembered] = OrderedDict()
        self._shared: weakref.WeakValueDictionary[tuple[Any, ...], Remembered] = (
            weakref.WeakValueDictionary()
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def remember(self, key: bytes, item: Remembered) -> None:
        size = body_bytes(item.body)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= body_bytes(old.body)
            self._items[key] = item
            self.bytes += size
            while len(self._items) > self.size or self.bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= body_bytes(dropped.body)

    def get(self, key: bytes) -> Remembered | None:
        return self._items.get(key)

    def shared(
        self, generation: object, body: Body, headers: list[tuple[bytes, bytes]]
    ) -> Remembered:
        """One Remembered per distinct answer, however many URLs lead to it (many `lang`
        values get the same fallback answer): its header lists are built and kept once."""
        key = (id(generation), id(body), tuple(headers))
        with self._lock:
            item = self._shared.get(key)
        if item is None or item.body is not body or item.generation is not generation:
            item = Remembered(generation, body, headers)
            with self._lock:
                self._shared[key] = item
        return item


def request_key(scope: Mapping[str, Any]) -> bytes:
    return str(scope["path"]).encode() + b"?" + bytes(scope.get("query_string", b""))


def _header(scope: Mapping[str, Any], name: bytes) -> bytes:
    for k, v in scope.get("headers", ()):
        if k == name:
            return bytes(v)
    return b""


def _etag_matches(header: bytes, etag: bytes) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix(b"W/")
    return header.strip() == b"*" or any(
        t.strip().removeprefix(b"W/") == wanted for t in header.split(b",")
    )


def _accepts(accept: bytes, coding: bytes) -> bool:
    for part in accept.split(b","):
        name, _, params = part.strip().partition(b";")
        if name.strip().lower() == coding:
            return b"q=0" not in params.replace(b" ", b"") or b"q=0." in params.replace(b" ", b"")
    return False


class FastPath:
    """Wraps the app's ASGI handler: answers remembered GET/HEAD requests directly.

    It reads `answer_memory` and `content_generation` from the app's state, which the app
    factory sets at start-up.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http = cast("dict[str, Any]", scope)
        if http["type"] != "http":
            await self.app(scope, receive, send)
            return
        if http["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, _with_security_headers(send))
            return
        state = http["litestar_app"].state
        memory = getattr(state, "answer_memory", None)  # None until start-up has run
        if memory is None:
            await self._through(http, receive, send)
            return
        # Taken before any handler code runs: a body made from this request can only be as
        # new as this generation or newer, never older, so remembering it under this token
        # can never keep pre-build content alive after a build (see server.http._remember).
        generation = state.content_generation()
        http[GENERATION_KEY] = generation
        item = memory.get(request_key(http))
        if item is None or item.generation is not generation:
            await self._through(http, receive, send)
            return
        if _etag_matches(_header(http, b"if-none-match"), item.etag):
            status, headers, content = 304, item.not_modified, b""
        else:
            accept = _header(http, b"accept-encoding")
            encoding = "identity"
            if "br" in item.by_encoding and _accepts(accept, b"br"):
                encoding = "br"
            elif "gzip" in item.by_encoding and _accepts(accept, b"gzip"):
                encoding = "gzip"
            status = 200
            headers, content = item.by_encoding[encoding]
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": status,
            "headers": headers,
        }
        await send(start)
        end: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": b"" if http["method"] == "HEAD" else content,
            "more_body": False,
        }
        await send(end)

    async def _through(self, http: dict[str, Any], receive: Receive, send: Send) -> None:
        """Not remembered: Litestar answers. A HEAD is routed as the GET it asks about
        (every GET route answers HEAD), and the body is dropped on the way out."""
        out = _with_security_headers(send)
        if http["method"] != "HEAD":
            await self.app(cast("Scope", http), receive, out)
            return

        async def headless(message: Any) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await out(message)

        await self.app(cast("Scope", {**http, "method": "GET"}), receive, headless)


def _with_security_headers(send: Send) -> Send:
    """Every answer, errors included, carries the security headers (CORP among them)."""

    async def wrapped(message: Any) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            present = {bytes(k).lower() for k, _ in headers}
            missing = [(k, v) for k, v in _SECURITY if k not in present]
            if missing:
                message = {**message, "headers": [*headers, *missing]}
        await send(message)

    return cast("Send", wrapped)
