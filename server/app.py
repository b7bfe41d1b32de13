"""The app factory: builds the Litestar application from the capability modules.

Each module in ROUTE_MODULES exposes `ROUTES`; this module wires them together with the
content catalog, the static site, error handlers that always answer in Spanish and English,
security headers, compression for what is not already compressed, and an OpenAPI schema
served as JSON only (no documentation UI that would load scripts from a CDN).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import ResponseHeader
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from server import __version__
from server.api import index_error_handler
from server.catalog import Catalog, IndexMissing
from server.config import Settings, get_settings
from server.evidence.keys import ReceiptKeyError, ensure_receipt_key
from server.fastpath import AnswerMemory, ContentGeneration, FastPath
from server.http import (
    SECURITY_HEADERS,
    ApiError,
    api_error_handler,
    http_error_handler,
    internal_error_handler,
    require_body_media_type,
)
from server.static import StaticSite

#: Modules whose `ROUTES` make up the app. The static site comes last: it is the catch-all.
ROUTE_MODULES = [
    "server.api",
    "server.push.api",
    "server.evidence.api",
    "server.static",
]

#: Request bodies larger than this are refused with a 413 before they are read whole.
MAX_REQUEST_BODY = 20 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app for `settings` (default: from the environment)."""
    settings = settings or get_settings()
    handlers: list[Any] = []
    static_routes: list[Any] = []
    for name in ROUTE_MODULES:
        routes = importlib.import_module(name).ROUTES
        (static_routes if name == "server.static" else handlers).extend(routes)

    def on_startup(app: Litestar) -> None:
        catalog = Catalog(settings.index_path)
        site = StaticSite(settings.pwa_dir)
        app.state.settings = settings
        app.state.catalog = catalog
        app.state.static_site = site
        app.state.answer_memory = AnswerMemory()

        def current() -> tuple[object, ...]:
            try:
                snap: object = catalog.snapshot()
            except IndexMissing:
                snap = None
            return (snap, site.version)

        app.state.content_generation = ContentGeneration(current)
        # The receipt key is made here, once, not on the first receipt request, so worker
        # processes that start together agree on one key (see server.evidence.keys).
        try:
            ensure_receipt_key(settings.receipt_key_path)
        except ReceiptKeyError as exc:
            logging.getLogger("cartilla").warning(
                "receipt key unavailable / llave de recibos no disponible: %s", exc
            )

    app = Litestar(
        route_handlers=[*handlers, *static_routes],
        on_startup=[on_startup],
        middleware=[require_body_media_type],
        exception_handlers={
            IndexMissing: index_error_handler,
            ApiError: api_error_handler,
            HTTPException: http_error_handler,
            Exception: internal_error_handler,
        },
        response_headers=[ResponseHeader(name=k, value=v) for k, v in SECURITY_HEADERS.items()],
        compression_config=CompressionConfig(
            backend="brotli",
            brotli_gzip_fallback=True,
            minimum_size=500,
            exclude_opt_key="skip_compression",
        ),
        openapi_config=OpenAPIConfig(
            title="Cartilla API",
            version=__version__,
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            description="Read-only rights guides and offline packs, plus a few stateless "
            "endpoints. Errors are JSON with a message in Spanish and English.",
        ),
        logging_config=LoggingConfig(
            log_exceptions="debug",
            disable_stack_trace={404, 400, 405, 413, 429, ApiError},
            configure_root_logger=False,
        ),
        request_max_body_size=MAX_REQUEST_BODY,
        debug=False,
    )
    # The fast path goes in front of routing and the exception middleware: a revalidation
    # of published content is answered before Litestar does any work for it.
    app.asgi_handler = FastPath(app.asgi_handler)
    return app


def app_from_env() -> Litestar:
    """Entry point for uvicorn: `uvicorn --factory server.app:app_from_env`."""
    logging.getLogger("uvicorn.access").disabled = True
    return create_app()
