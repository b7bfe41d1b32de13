"""HTTP for evidence: time receipts, the receipt key, and the stateless PDF report.

- POST /api/v1/receipts {"hash"} -> a receipt signed with the server's Ed25519 key. Nothing
  about the request is stored or logged (see docs/evidence-bundle.md for why).
- GET /api/v1/receipts/key and /.well-known/cartilla-receipt-key -> the public key.
- POST /api/v1/bundles/report (raw ZIP body, <= 64 MB) -> a PDF case summary, or a 4xx
  JSON error naming what failed, in Spanish and English. The bundle stays in memory.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import unicodedata
import urllib.parse
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    RequestBody,
    Schema,
)
from litestar.params import Body

from server.config import Settings
from server.evidence import keys as receipt_keys
from server.evidence import receipts, referral
from server.evidence.errors import BundleError
from server.evidence.report_pdf import FontMissing, render
from server.evidence.verify import verify_bundle
from server.evidence.zipread import DEFAULT_LIMITS, Limits
from server.http import BODY_MEDIA_TYPE, ApiError, ErrorBody, error_body, http_error_handler

MAX_REPORT_BODY = DEFAULT_LIMITS.max_bundle_bytes
NO_STORE = {"Cache-Control": "no-store"}
MiB = 1024 * 1024

#: PDFs made at once by one server process; more get a 503 with Retry-After, at once,
#: before their body is read (each PDF holds a whole bundle, inflated, in memory).
MAX_CONCURRENT_REPORTS = 2
REPORT_RETRY_AFTER = "5"
_report_slots = threading.BoundedSemaphore(MAX_CONCURRENT_REPORTS)


def report_limits(body_size: int) -> Limits:
    """Inflation limits for one report, scaled to what was sent: a real bundle is mostly
    JPEGs (which do not shrink) and a JSON journal (about 10:1), so it inflates to a few
    times its size. Checked from the ZIP's directory, before anything is inflated."""
    return dataclasses.replace(
        DEFAULT_LIMITS,
        max_file_bytes=8 * MiB,
        max_total_bytes=min(DEFAULT_LIMITS.max_total_bytes, 8 * MiB + 8 * body_size),
        max_ratio=30,
        ratio_floor_bytes=64 * 1024,
    )


#: RFC 8187 attr-chars other than letters and digits: kept as they are in `filename*`.
_ATTR_CHARS = "!#$&+-.^_`|~"
_NOT_FALLBACK = re.compile(r"[^A-Za-z0-9._-]+")
#: Characters of the download's name kept (a bag folder name may be 65535 bytes long).
MAX_FILENAME_CHARS = 120


def _ascii(text: str) -> str:
    """Letters without their accents, digits, `.`, `_` and `-`; runs of anything else `_`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_FALLBACK.sub("_", plain).strip("._")


def content_disposition(filename: str, default: str = "cartilla.pdf") -> str:
    """`attachment` with an ASCII-only `filename="..."` and the exact name in `filename*`
    (RFC 6266 section 4.3, RFC 8187), for any name: quotes, backslashes, CR/LF, other
    control, format and bidi characters, non-ASCII letters, names of any length.

    The name comes from the bundle (its folder), so it is hostile input: control and format
    characters (category C, which includes CR, LF and U+202E) are dropped, it is cut to
    `MAX_FILENAME_CHARS` keeping its extension, and the fallback keeps only letters, digits,
    `.`, `_` and `-` (accents removed), so no quoting or escaping is ever needed.
    """
    clean = "".join(c for c in filename if not unicodedata.category(c).startswith("C"))
    stem, dot, ext = clean.rpartition(".")
    if not dot or len(ext) > 8:
        stem, dot, ext = clean, "", ""
    stem = stem[: MAX_FILENAME_CHARS - len(dot + ext)]
    clean = (stem + dot + ext).strip(" .") or default
    stem, dot, ext = clean.rpartition(".") if "." in clean else (clean, "", "")
    fallback = (_ascii(stem) or "cartilla") + ("." + _ascii(ext) if _ascii(ext) else "")
    encoded = urllib.parse.quote(clean, safe=_ATTR_CHARS, encoding="utf-8")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _key_unavailable() -> ApiError:
    return ApiError(
        503,
        "receipt_key_unavailable",
        "El servidor no puede firmar recibos ahora (no puede leer ni crear su llave). "
        "Intente más tarde; su registro en el teléfono no cambia.",
        "The server cannot sign receipts now (it cannot read or make its key). Try again "
        "later; the log on your phone is not affected.",
    )


def _key(request: Request[Any, Any, Any]) -> Any:
    try:
        return receipts.load_or_create_key(_settings(request).receipt_key_path)
    except receipts.ReceiptKeyError as exc:
        raise _key_unavailable() from exc


def _evidence_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 413:
        error = BundleError("request_too_big", detail=f"> {MAX_REPORT_BODY // (1024 * 1024)} MB")
        return Response(error_body(error.code, error.es, error.en), status_code=413)
    if exc.status_code == 400 and not isinstance(exc, ApiError):
        return Response(
            error_body(
                "invalid_hash",
                'Envíe {"hash": "..."} con la huella SHA-256 (64 caracteres hexadecimales, '
                "minúsculas) de la cabeza de su registro.",
                'Send {"hash": "..."} with the SHA-256 (64 lowercase hex characters) of your '
                "log's head.",
            ),
            status_code=400,
        )
    return http_error_handler(request, exc)


def _errors(**described: str) -> dict[int, ResponseSpec]:
    """OpenAPI: error answers are always ErrorBody; `e415="..."` documents a 415."""
    return {
        int(code.removeprefix("e")): ResponseSpec(
            ErrorBody, description=text, generate_examples=False
        )
        for code, text in described.items()
    }


_BODY_TYPE = "The body is not of the one accepted Content-Type"
#: Only `hash` is accepted: the schema says so, so clients are not told extras are fine.
ReceiptBody = Annotated[
    receipts.ReceiptRequest,
    Body(media_type=RequestEncodingType.JSON, schema_extra={"additionalProperties": False}),
]


@post("/api/v1/receipts", request_max_body_size=1024, status_code=200,
      summary="Sign {hash, time} with the server's receipt key; nothing is stored",
      responses={
          200: ResponseSpec(receipts.Receipt, description="The signed receipt",
                            generate_examples=False),
          **_errors(e400="The body is not {\"hash\": <64 lowercase hex>}",
                    e413="The body is over 1 KB", e415=_BODY_TYPE,
                    e503="The server cannot read or make its receipt key"),
      })  # fmt: skip
async def create_receipt(request: Request[Any, Any, Any], data: ReceiptBody) -> Response[Any]:
    receipt = receipts.sign_receipt(_key(request), data.hash)
    return Response(msgspec.to_builtins(receipt), headers=NO_STORE)


@get(["/api/v1/receipts/key", "/.well-known/cartilla-receipt-key"],
     summary="The server's Ed25519 receipt key, and every key it has signed with",
     responses={
         200: ResponseSpec(receipt_keys.PublishedKeys, description="Current key and history",
                           generate_examples=False),
         **_errors(e503="The server cannot read or make its receipt key"),
     })  # fmt: skip
async def receipt_key(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        settings = _settings(request)
        info = await anyio.to_thread.run_sync(
            receipt_keys.published_keys, settings.receipt_key_path, settings.database_url
        )
    except (receipts.ReceiptKeyError, OSError) as exc:
        raise _key_unavailable() from exc
    return Response(msgspec.to_builtins(info), headers={"Cache-Control": "public, max-age=3600"})


@post(
    "/api/v1/bundles/report",
    request_max_body_size=MAX_REPORT_BODY,
    opt={BODY_MEDIA_TYPE: "application/zip"},
    responses={
        200: ResponseSpec(
            bytes, description="The PDF", media_type="application/pdf", generate_examples=False
        ),
        **_errors(
            e413="The bundle is over the size limit",
            e415=_BODY_TYPE,
            e422="The bundle failed a check; `checks` says which",
            e503="The server lacks the PDF font, or is busy making other PDFs",
        ),
    },
    status_code=200,
    summary="A PDF case summary of a verified bundle (nothing kept)",
)
async def bundle_report(request: Request[Any, Any, Any]) -> Response[Any]:
    if not _report_slots.acquire(blocking=False):
        raise ApiError(
            503,
            "busy",
            "El servidor está haciendo otros resúmenes en PDF. Intente de nuevo en unos "
            "segundos; el paquete se puede revisar en esta pantalla sin el PDF.",
            "The server is making other PDF summaries. Try again in a few seconds; the "
            "bundle can be checked on this screen without the PDF.",
            headers={"Retry-After": REPORT_RETRY_AFTER, **NO_STORE},
        )
    try:
        body = await request.body()
        # Verifying and drawing are CPU work: keep the event loop free for other requests.
        return await anyio.to_thread.run_sync(_report, request, body)
    finally:
        _report_slots.release()


def _report(request: Request[Any, Any, Any], body: bytes) -> Response[Any]:
    settings = _settings(request)
    try:
        known = receipt_keys.known_receipt_keys(settings.receipt_key_path, settings.database_url)
    except receipts.ReceiptKeyError as exc:  # the shared key history cannot be read now
        raise _key_unavailable() from exc
    report = verify_bundle(body, known or None, report_limits(len(body)))
    if not report.ok:
        failed = [e for check in report.checks.values() for e in check.errors]
        first = failed[0] if failed else BundleError("bad_schema", name="?", detail="")
        status = 413 if first.code in ("too_big",) else 422
        return Response(
            {
                "error": {
                    **first.as_json(),
                    "checks": [c.as_json() for c in report.checks.values()],
                }
            },
            status_code=status,
            headers=NO_STORE,
        )
    snapshot = request.app.state.catalog
    data: dict[str, Any] = {}
    try:
        snap = snapshot.snapshot()
        data = {
            "triage": snap.data.get("triage", ("", {}))[1].get("problems", []),
            "agencies": snap.data.get("agencies", ("", {}))[1].get("agencies", []),
        }
    except Exception:  # no index built: the PDF still has everything but referrals
        data = {}
    try:
        pdf = render(report, data, referral.load_map(settings.pwa_dir))
    except FontMissing as exc:
        raise ApiError(
            503,
            "font_missing",
            "El servidor no tiene la fuente para el PDF (instale fonts-dejavu-core).",
            "The server lacks the PDF font (install fonts-dejavu-core).",
        ) from exc
    name = f"{report.root or 'cartilla'}-resumen.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**NO_STORE, "Content-Disposition": content_disposition(name)},
    )


def document_openapi(schema: OpenAPI) -> None:
    """The report reads its raw body itself; say in the schema that it is a ZIP."""
    path = (schema.paths or {}).get("/api/v1/bundles/report")
    if path is not None and path.post is not None:
        path.post.request_body = RequestBody(
            content={
                "application/zip": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                )
            },
            description="The evidence bundle, a .zip file",
            required=True,
        )


ROUTES = [
    Router(
        "/",
        route_handlers=[create_receipt, receipt_key, bundle_report],
        exception_handlers={HTTPException: _evidence_error_handler},
        tags=["evidence"],
    )
]
