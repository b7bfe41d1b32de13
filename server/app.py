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

import msgspec
import msgspec.inspect
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import ResponseHeader
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

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
    "server.entrega.api",
    "server.static",
]

#: Request bodies larger than this are refused with a 413 before they are read whole.
MAX_REQUEST_BODY = 20 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app for `settings` (default: from the environment)."""
    settings = settings or get_settings()
    handlers: list[Any] = []
    static_routes: list[Any] = []
    schema_notes: list[Any] = []
    lifespans: list[Any] = []
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        routes = module.ROUTES
        if hasattr(module, "document_openapi"):  # what Litestar cannot infer
            schema_notes.append(module.document_openapi)
        lifespans.extend(getattr(module, "LIFESPAN", ()))  # background tasks (Entrega's sweep)
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
            ensure_receipt_key(settings.receipt_key_path, settings.database_url)
        except ReceiptKeyError as exc:
            logging.getLogger("cartilla").warning(
                "receipt key unavailable / llave de recibos no disponible: %s", exc
            )

    app = Litestar(
        route_handlers=[*handlers, *static_routes],
        on_startup=[on_startup],
        lifespan=lifespans,
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
    _strict_bodies_in_schema(app)
    _document_body_type_errors(app)
    for note in schema_notes:
        note(app.openapi_schema)
    return app


def _strict_bodies_in_schema(app: Litestar) -> None:
    """Request bodies that refuse unknown fields say so (`additionalProperties: false`).

    Litestar does not carry msgspec's `forbid_unknown_fields` into the OpenAPI schema, so
    without this the schema promises that extra fields are accepted and then they are not.
    """
    strict: set[str] = set()

    def walk(info: msgspec.inspect.Type) -> None:
        if isinstance(info, msgspec.inspect.StructType):
            if info.cls.__name__ in strict:
                return
            if info.forbid_unknown_fields:
                strict.add(info.cls.__name__)
            for f in info.fields:
                walk(f.type)
        for attr in ("item_type", "key_type", "value_type"):
            inner = getattr(info, attr, None)
            if isinstance(inner, msgspec.inspect.Type):
                walk(inner)
        for inner in getattr(info, "types", ()):
            walk(inner)

    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            data = handler.parsed_fn_signature.parameters.get("data")
            kind = data.annotation if data is not None else None
            if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
                walk(msgspec.inspect.type_info(kind))
    components = app.openapi_schema.components.schemas or {}
    for name, schema in components.items():
        if name.rsplit("_", 1)[-1] in strict and not isinstance(schema, Reference):
            schema.additional_properties = False


def _document_body_type_errors(app: Litestar) -> None:
    """Every operation with a request body may answer 415 (see require_body_media_type)."""
    text = Schema(type=OpenAPIType.STRING)
    message = Schema(type=OpenAPIType.OBJECT, required=["es", "en"],
                     properties={"es": text, "en": text})  # fmt: skip
    error = Schema(
        type=OpenAPIType.OBJECT,
        required=["error"],
        properties={
            "error": Schema(type=OpenAPIType.OBJECT, required=["code", "message", "expected"],
                            properties={"code": text, "message": message, "expected": text})
        },
    )  # fmt: skip
    for item in (app.openapi_schema.paths or {}).values():
        for operation in (item.post, item.put, item.patch, item.delete):
            if operation is None or operation.request_body is None:
                continue
            responses = operation.responses if operation.responses is not None else {}
            responses.setdefault(
                "415",
                OpenAPIResponse(
                    description="The body is not of the Content-Type this operation accepts",
                    content={"application/json": OpenAPIMediaType(schema=error)},
                ),
            )
            operation.responses = responses


def app_from_env() -> Litestar:
    """Entry point for uvicorn: `uvicorn --factory server.app:app_from_env`."""
    logging.getLogger("uvicorn.access").disabled = True
    return create_app()
