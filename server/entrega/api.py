"""The relay's HTTP routes under /api/v1/entrega (docs/entrega.md, "The relay's API").

The phone uploads ciphertext to a published office (or an open window) in chunks it can
resume, and gets a pickup code; the desk proves it holds the office's private key (a
challenge encrypted to the office's recipients), gets a 15-minute desk token for that
office, and only then looks up a code and downloads the ciphertext. Every refusal is the
project's bilingual error JSON; nothing here sees plaintext or stores who asked.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
import msgspec
import pyrage
from litestar import Litestar, Request, Response, Router, delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Parameter,
    RequestBody,
    Schema,
)
from litestar.params import Body, FromPath
from litestar.response import Stream

from server.catalog import Catalog, IndexMissing
from server.config import Settings
from server.entrega import codes, envelope, limits, store
from server.entrega.offices import Office, valid_offices
from server.http import BODY_MEDIA_TYPE, ApiError, ErrorBody, error_body, http_error_handler

log = logging.getLogger("cartilla")
NO_STORE = {"Cache-Control": "no-store"}
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_PATTERN = r"^[0-9a-f]{32}$"
WINDOW_CODE_PATTERN = r"^[0-9A-Za-z]{3}-?[0-9A-Za-z]{3}$"
PICKUP_CODE_PATTERN = r"^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$"
ANSWER_PATTERN = r"^[A-Za-z0-9+/]{43}=$"
#: How often the server process sweeps expired uploads, windows, challenges and sessions.
SWEEP_SECONDS = 3600

# --- request and answer bodies --------------------------------------------------------------


class UploadRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    size: Annotated[int, msgspec.Meta(ge=len(envelope.AGE_FIRST_LINE), le=envelope.MAX_CIPHERTEXT)]
    office: Annotated[str, msgspec.Meta(pattern=SLUG, max_length=80)] | None = None
    window: Annotated[str, msgspec.Meta(pattern=WINDOW_CODE_PATTERN)] | None = None


class UploadCreated(msgspec.Struct):
    id: str
    token: str
    chunk_size: int
    expires: str


class Received(msgspec.Struct):
    received: int


class UploadStatus(msgspec.Struct):
    received: int
    size: int
    state: str
    expires: str


class Completed(msgspec.Struct):
    code: str
    expires: str


class Empty(msgspec.Struct, forbid_unknown_fields=True):
    """`{}`: complete and ack carry no data, but every POST body is JSON."""


class ChallengeRequest(msgspec.Struct, forbid_unknown_fields=True):
    office: Annotated[str, msgspec.Meta(pattern=SLUG, max_length=80)]


class Challenge(msgspec.Struct):
    id: str
    ciphertext: str
    expires: str


class SessionRequest(msgspec.Struct, forbid_unknown_fields=True):
    challenge: Annotated[str, msgspec.Meta(pattern=ID_PATTERN)]
    answer: Annotated[str, msgspec.Meta(pattern=ANSWER_PATTERN)]


class Session(msgspec.Struct):
    token: str
    office: str
    expires: str


class Pickup(msgspec.Struct):
    id: str
    size: int
    created: str
    expires: str


class Acked(msgspec.Struct):
    state: str


class WindowRequest(msgspec.Struct, forbid_unknown_fields=True):
    recipient: Annotated[str, msgspec.Meta(pattern=r"^age1[02-9ac-hj-np-z]{58}$")]


class WindowCreated(msgspec.Struct):
    id: str
    code: str
    expires: str


class WindowInfo(msgspec.Struct):
    recipient: str
    office: str


class WindowUpload(msgspec.Struct):
    upload: str | None


class OfficeInfo(msgspec.Struct):
    id: str
    city: str
    state: str
    recipients: list[str]
    fingerprints: list[str]


class Offices(msgspec.Struct):
    offices: list[OfficeInfo]


def _json(kind: type[msgspec.Struct]) -> Any:
    return Annotated[
        kind,
        Body(media_type=RequestEncodingType.JSON, schema_extra={"additionalProperties": False}),
    ]


# --- shared pieces --------------------------------------------------------------------------

_stores: dict[str, store.DatabaseRelayStore] = {}
_stores_lock = threading.Lock()


def relay(settings: Settings) -> store.DatabaseRelayStore:
    """The store for this server's database or state folder (opened once per process)."""
    where = settings.database_url or str(settings.state_dir / "entrega")
    with _stores_lock:
        found = _stores.get(where)
        if found is None:
            found = _stores[where] = store.open_store(settings)
        return found


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _store(request: Request[Any, Any, Any]) -> store.DatabaseRelayStore:
    return relay(_settings(request))


def _now() -> int:
    return int(time.time())


def _iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def _offices(request: Request[Any, Any, Any]) -> dict[str, Office]:
    catalog: Catalog | None = getattr(request.app.state, "catalog", None)
    if catalog is None:
        return {}
    try:
        snap = catalog.snapshot()
    except (IndexMissing, OSError):
        return {}
    return valid_offices(snap, dt.datetime.now(dt.UTC).date())


def _bearer(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "no_token",
            "Falta la credencial (Authorization: Bearer ...).",
            "The credential is missing (Authorization: Bearer ...).",
        )
    return token.strip()


def _desk_office(request: Request[Any, Any, Any]) -> str:
    office = _store(request).session_office(_bearer(request), _now())
    if office is None:
        raise ApiError(
            401,
            "desk_session_invalid",
            "La sesión del escritorio no es válida o venció: abra de nuevo la llave de la oficina.",
            "The desk session is not valid or has expired: load the office key again.",
        )
    return office


def _phone_upload(request: Request[Any, Any, Any], upload_id: str) -> store.Upload:
    token = _bearer(request)
    upload = _store(request).upload_for_token(upload_id, token)
    if upload is None or upload.expires <= _now():
        raise _upload_not_found()
    return upload


def _upload_not_found() -> ApiError:
    return ApiError(
        404,
        "upload_not_found",
        "No hay un envío con ese identificador y esa credencial (quizás venció o se borró).",
        "There is no upload with that id and credential (perhaps it expired or was deleted).",
    )


def _rate_limited(wait: float) -> ApiError:
    seconds = int(wait + 0.999)
    return ApiError(
        429,
        "rate_limited",
        f"Demasiados intentos. Inténtelo de nuevo en {seconds} segundos.",
        f"Too many attempts. Try again in {seconds} seconds.",
        headers={"Retry-After": str(seconds)},
        retry_after=seconds,
    )


def _busy() -> ApiError:
    return ApiError(
        503,
        "busy",
        "El servidor está ocupado. Inténtelo de nuevo en unos segundos.",
        "The server is busy. Try again in a few seconds.",
        headers={"Retry-After": "5"},
        retry_after=5,
    )


_REFUSALS: dict[str, tuple[int, str, str]] = {
    "relay_full": (503, "El servidor no tiene espacio para más envíos ahora; guarde el archivo.",
                   "The server has no room for more uploads now; save the file instead."),
    "window_taken": (409, "Esta ventanilla ya recibió un envío.",
                     "This window has already received an upload."),
    "already_complete": (409, "Este envío ya está completo.", "This upload is already complete."),
    "beyond_size": (400, "El trozo pasa del tamaño anunciado del envío.",
                    "The chunk goes past the upload's declared size."),
    "incomplete": (409, "Faltan bytes: termine de subir antes de completar.",
                   "Bytes are missing: finish uploading before completing."),
    "not_age": (422, "Lo subido no es un archivo age cifrado (falta la línea "
                "age-encryption.org/v1).",
                "What was uploaded is not an age-encrypted file (the line "
                "age-encryption.org/v1 is missing)."),
    "not_found": (404, "No se encontró el envío.", "The upload was not found."),
}  # fmt: skip


def _refused(exc: store.Refused) -> ApiError:
    status, es, en = _REFUSALS.get(exc.code, (400, "Solicitud rechazada.", "Request refused."))
    return ApiError(status, exc.code, es, en)


def _errors(**described: str) -> dict[int, ResponseSpec]:
    return {
        int(status.removeprefix("e")): ResponseSpec(
            data_container=ErrorBody, description=text, generate_examples=False
        )
        for status, text in described.items()
    }


def _ok(kind: Any, text: str) -> ResponseSpec:
    return ResponseSpec(data_container=kind, description=text, generate_examples=False)


_PHONE = {"e401": "No phone token (Authorization: Bearer)",
          "e404": "No upload with this id and token, or it expired"}  # fmt: skip
_DESK = {"e401": "No desk token, or it expired (make a new desk session)"}
_BUSY = {"e503": "The relay's database is busy (see Retry-After)"}

# --- offices --------------------------------------------------------------------------------


@get(
    "/offices",
    sync_to_thread=True,
    summary="Offices receiving Entrega today, with their age recipients and fingerprints",
    responses={200: _ok(Offices, "Every office with a key valid today")},
)
def list_offices(request: Request[Any, Any, Any]) -> Response[Offices]:
    found = _offices(request)
    return Response(
        Offices(
            offices=[
                OfficeInfo(o.id, o.city, o.state, list(o.recipients), list(o.fingerprints))
                for o in sorted(found.values(), key=lambda o: o.id)
            ]
        ),
        headers={"Cache-Control": "no-cache"},
    )


# --- phone: uploads -------------------------------------------------------------------------


@post(
    "/uploads",
    sync_to_thread=True,
    status_code=201,
    request_max_body_size=4096,
    summary="Start an upload of ciphertext to an office (or an open window)",
    responses={
        201: _ok(UploadCreated, "The upload's id, its token (shown once), chunk size, expiry"),
        **_errors(
            e400="Malformed body, or both/neither of office and window",
            e404="No published office with a valid key, or no open window, by that name",
            e409="This window already received an upload",
            e413=f"The declared size is over {envelope.MAX_CIPHERTEXT} bytes",
            e415="The body is not application/json",
            e503="The relay is full or busy (see Retry-After)",
        ),
    },
)
def create_upload(
    request: Request[Any, Any, Any],
    data: _json(UploadRequest),  # type: ignore[valid-type]
) -> Response[UploadCreated]:
    body: UploadRequest = data
    relay_store = _store(request)
    now = _now()
    if (body.office is None) == (body.window is None):
        raise ApiError(
            400,
            "office_or_window",
            "Indique la oficina (office) o la ventanilla (window), una sola.",
            "Name the office or the window, exactly one.",
        )
    window_id: str | None = None
    if body.office is not None:
        office = body.office
        if office not in _offices(request):
            raise ApiError(
                404,
                "unknown_office",
                "Esa oficina no recibe envíos por Entrega (no tiene una llave publicada y "
                "vigente). Guarde el archivo y llévelo.",
                "That office does not receive Entrega uploads (it has no published, valid "
                "key). Save the file and take it there.",
            )
    else:
        window = _open_window(request, str(body.window))
        office, window_id = window.office, window.id
    try:
        upload_id, token, expires = relay_store.create_upload(
            office=office, window_id=window_id, size=body.size, now=now
        )
    except store.Refused as exc:
        raise _refused(exc) from None
    except store.RelayBusy:
        raise _busy() from None
    return Response(
        UploadCreated(upload_id, token, store.CHUNK_SIZE, _iso(expires)),
        status_code=201,
        headers=NO_STORE,
    )


_RANGE = re.compile(r"bytes ([0-9]{1,10})-([0-9]{1,10})/([0-9]{1,10})")


@put(
    "/uploads/{upload_id:str}/data",
    request_max_body_size=store.CHUNK_SIZE,
    opt={BODY_MEDIA_TYPE: "application/octet-stream"},
    summary="One chunk of ciphertext, at the offset the relay has received so far",
    responses={
        200: _ok(Received, "Bytes received so far"),
        **_errors(
            **_PHONE,
            e400="Content-Range missing or not `bytes a-b/size` matching the body and upload",
            e409="The chunk does not start at `received` (resume from there), or the upload "
            "is already complete",
            e413=f"The chunk is over {store.CHUNK_SIZE} bytes",
            e415="The body is not application/octet-stream",
            **_BUSY,
        ),
    },
)
async def put_chunk(
    request: Request[Any, Any, Any], upload_id: FromPath[str]
) -> Response[Received]:
    upload = await anyio.to_thread.run_sync(_phone_upload, request, upload_id)
    header = request.headers.get("content-range", "")
    match = _RANGE.fullmatch(header.strip())
    body = await request.body()
    bad = ApiError(
        400,
        "bad_content_range",
        "Envíe cada trozo con Content-Range: bytes inicio-fin/total, que coincida con el "
        "trozo y el tamaño del envío.",
        "Send each chunk with Content-Range: bytes start-end/total, matching the chunk and "
        "the upload's size.",
        received=upload.received,
    )
    if match is None or not body:
        raise bad
    start, end, total = (int(g) for g in match.groups())
    if total != upload.size or end < start or end - start + 1 != len(body):
        raise bad
    try:
        received = await anyio.to_thread.run_sync(
            _store(request).append, upload_id, start, body, _now()
        )
    except store.WrongOffset as exc:
        raise ApiError(
            409,
            "wrong_offset",
            f"Este trozo no empieza donde quedó el envío: siga desde el byte {exc.received}.",
            f"This chunk does not start where the upload stands: resume from byte {exc.received}.",
            received=exc.received,
        ) from None
    except store.Refused as exc:
        raise _refused(exc) from None
    except store.RelayBusy:
        raise _busy() from None
    return Response(Received(received), headers=NO_STORE)


@get(
    "/uploads/{upload_id:str}",
    sync_to_thread=True,
    summary="How far the upload is, and whether the office picked it up",
    responses={200: _ok(UploadStatus, "received, size, state, expires"), **_errors(**_PHONE)},
)
def upload_status(
    request: Request[Any, Any, Any], upload_id: FromPath[str]
) -> Response[UploadStatus]:
    upload = _phone_upload(request, upload_id)
    return Response(
        UploadStatus(upload.received, upload.size, upload.state, _iso(upload.expires)),
        headers=NO_STORE,
    )


@post(
    "/uploads/{upload_id:str}/complete",
    sync_to_thread=True,
    status_code=200,
    request_max_body_size=64,
    summary="Finish the upload: the size and the age header are checked; the pickup code",
    responses={
        200: _ok(Completed, "The pickup code (shown once) and when it expires (7 days)"),
        **_errors(
            **_PHONE,
            e400="The body is not {}",
            e413="The body is over 64 bytes",
            e409="Bytes are missing, or the upload is already complete",
            e415="The body is not application/json",
            e422="The bytes are not an age file",
            **_BUSY,
        ),
    },
)
def complete_upload(
    request: Request[Any, Any, Any],
    upload_id: FromPath[str],
    data: _json(Empty),  # type: ignore[valid-type]
) -> Response[Completed]:
    _phone_upload(request, upload_id)
    try:
        code, expires = _store(request).complete(upload_id, _now())
    except store.Refused as exc:
        raise _refused(exc) from None
    except store.RelayBusy:
        raise _busy() from None
    return Response(Completed(code, _iso(expires)), headers=NO_STORE)


@delete(
    "/uploads/{upload_id:str}",
    sync_to_thread=True,
    status_code=204,
    summary="Delete the upload: ciphertext and record, at once",
    responses=_errors(**_PHONE, **_BUSY),
)
def delete_upload(request: Request[Any, Any, Any], upload_id: FromPath[str]) -> None:
    _phone_upload(request, upload_id)
    try:
        _store(request).delete_upload(upload_id)
    except store.RelayBusy:
        raise _busy() from None


# --- desk: proving the office key -----------------------------------------------------------


@post(
    "/challenge",
    sync_to_thread=True,
    status_code=201,
    request_max_body_size=1024,
    summary="32 random bytes encrypted to the office's valid recipients (2 minutes)",
    responses={
        201: _ok(Challenge, "The challenge id and its age ciphertext (base64)"),
        **_errors(
            e400="Malformed body",
            e404="No published office with a valid key by that name",
            e413="The body is over 1 KB",
            e415="The body is not application/json",
            e429="Too many challenges for this office (see Retry-After)",
            **_BUSY,
        ),
    },
)
def create_challenge(
    request: Request[Any, Any, Any],
    data: _json(ChallengeRequest),  # type: ignore[valid-type]
) -> Response[Challenge]:
    body: ChallengeRequest = data
    office = _offices(request).get(body.office)
    if office is None:
        raise ApiError(
            404,
            "unknown_office",
            "Esa oficina no tiene una llave de Entrega publicada y vigente.",
            "That office has no published, valid Entrega key.",
        )
    wait = limits.CHALLENGES.blocked(office.id)
    if wait is not None:
        raise _rate_limited(wait)
    limits.CHALLENGES.count(office.id)
    secret = secrets.token_bytes(32)
    recipients = [pyrage.x25519.Recipient.from_str(r) for r in office.recipients]
    ciphertext = pyrage.encrypt(secret, recipients)
    try:
        challenge_id, expires = _store(request).create_challenge(office.id, secret, _now())
    except store.RelayBusy:
        raise _busy() from None
    return Response(
        Challenge(challenge_id, base64.b64encode(ciphertext).decode(), _iso(expires)),
        status_code=201,
        headers=NO_STORE,
    )


@post(
    "/desk-session",
    sync_to_thread=True,
    status_code=201,
    request_max_body_size=1024,
    summary="Answer a challenge with its decrypted bytes: a 15-minute desk token",
    responses={
        201: _ok(Session, "The desk token (office-scoped) and when it expires"),
        **_errors(
            e400="Malformed body",
            e403="Wrong answer, or the challenge expired or was already used",
            e413="The body is over 1 KB",
            e415="The body is not application/json",
            **_BUSY,
        ),
    },
)
def create_session(
    request: Request[Any, Any, Any],
    data: _json(SessionRequest),  # type: ignore[valid-type]
) -> Response[Session]:
    body: SessionRequest = data
    relay_store = _store(request)
    try:
        answer = base64.b64decode(body.answer)
        office = relay_store.take_challenge(body.challenge, answer, _now())
        if office is None:
            raise ApiError(
                403,
                "challenge_failed",
                "La respuesta no es la del desafío, o el desafío venció o ya se usó: pida uno "
                "nuevo con la llave de la oficina.",
                "The answer is not the challenge's, or the challenge expired or was already "
                "used: ask for a new one with the office key.",
            )
        token, expires = relay_store.create_session(office, _now())
    except store.RelayBusy:
        raise _busy() from None
    return Response(Session(token, office, _iso(expires)), status_code=201, headers=NO_STORE)


# --- desk: pickup ---------------------------------------------------------------------------


@get(
    "/pickup/{code:str}",
    sync_to_thread=True,
    summary="Find this office's upload by its pickup code (wrong guesses are limited)",
    responses={
        200: _ok(Pickup, "The upload's id, size, created and expiry"),
        **_errors(
            **_DESK,
            e404="No upload of this office with this code (code_typo, code_not_found), or it "
            "expired (expired; until the hourly sweep deletes it, then code_not_found)",
            e429="Too many wrong codes for this office (see Retry-After)",
        ),
    },
)
def pickup(request: Request[Any, Any, Any], code: FromPath[str]) -> Response[Pickup]:
    office = _desk_office(request)
    wait = limits.PICKUP_MISSES.blocked(office)
    if wait is not None:
        raise _rate_limited(wait)
    try:
        normal = codes.normalize_pickup(code)
    except codes.CodeError as exc:
        limits.PICKUP_MISSES.count(office)
        raise ApiError(404, exc.code, exc.es, exc.en) from None
    now = _now()
    upload = _store(request).find_pickup(office, normal, now)
    if upload is not None and upload.expires <= now:
        raise ApiError(
            404,
            "expired",
            "Ese código ya venció (un código dura 7 días). Pida a la persona que envíe el "
            "paquete otra vez.",
            "That code has expired (a code lasts 7 days). Ask the person to send the bundle again.",
        )
    if upload is None:
        limits.PICKUP_MISSES.count(office)
        raise ApiError(
            404,
            "code_not_found",
            "No hay ningún envío para esta oficina con ese código (puede haber vencido). "
            "Revise el código con la persona.",
            "There is no upload for this office with that code (it may have expired). "
            "Check the code with the person.",
        )
    return Response(
        Pickup(upload.id, upload.size, _iso(upload.created), _iso(upload.expires)),
        headers=NO_STORE,
    )


def _desk_upload(request: Request[Any, Any, Any], upload_id: str) -> store.Upload:
    office = _desk_office(request)
    upload = _store(request).upload(upload_id)
    if (
        upload is None
        or upload.office != office
        or upload.completed is None
        or upload.expires <= _now()
    ):
        raise ApiError(
            404,
            "upload_not_found",
            "Esta oficina no tiene un envío con ese identificador.",
            "This office has no upload with that id.",
        )
    return upload


@get(
    "/uploads/{upload_id:str}/ciphertext",
    opt={"skip_compression": True},  # ciphertext does not compress; Content-Length stays true
    summary="The ciphertext, for the desk of the office it was sent to",
    responses={
        200: ResponseSpec(
            bytes,
            description="The age file",
            media_type="application/octet-stream",
            generate_examples=False,
        ),
        **_errors(
            **_DESK,
            e404="No upload of this office with this id",
            e410="Already picked up: the ciphertext was deleted",
        ),
    },
)
async def ciphertext(request: Request[Any, Any, Any], upload_id: FromPath[str]) -> Stream:
    upload = await anyio.to_thread.run_sync(_desk_upload, request, upload_id)
    if upload.picked_up is not None:
        raise _gone()
    try:
        handle = await anyio.to_thread.run_sync(_store(request).open_ciphertext, upload_id)
    except store.RelayBusy:
        raise _busy() from None
    if handle is None:
        raise _gone()

    async def chunks() -> AsyncIterator[bytes]:
        # Opened already: on SQLite an ack or sweep meanwhile cannot cut the answer short
        # (the file stays readable); on PostgreSQL the answer would end short, never wrong.
        try:
            while block := await anyio.to_thread.run_sync(handle.read, 256 * 1024):
                yield block
        finally:
            handle.close()

    return Stream(
        chunks(),
        media_type="application/octet-stream",
        headers={**NO_STORE, "Content-Length": str(upload.size)},
    )


def _gone() -> ApiError:
    return ApiError(
        410,
        "already_picked_up",
        "Este envío ya se recogió y el servidor borró el archivo cifrado.",
        "This upload was already picked up and the server deleted the ciphertext.",
    )


@post(
    "/uploads/{upload_id:str}/ack",
    sync_to_thread=True,
    status_code=200,
    request_max_body_size=64,
    summary="The desk has the bundle: the ciphertext is deleted, the phone sees it picked up",
    responses={
        200: _ok(Acked, "picked_up"),
        **_errors(
            **_DESK,
            e400="The body is not {}",
            e413="The body is over 64 bytes",
            e404="No upload of this office with this id",
            e415="The body is not application/json",
            **_BUSY,
        ),
    },
)
def ack(
    request: Request[Any, Any, Any],
    upload_id: FromPath[str],
    data: _json(Empty),  # type: ignore[valid-type]
) -> Response[Acked]:
    _desk_upload(request, upload_id)
    try:
        _store(request).ack(upload_id, _now())
    except store.RelayBusy:
        raise _busy() from None
    return Response(Acked("picked_up"), headers=NO_STORE)


# --- windows --------------------------------------------------------------------------------


def _open_window(request: Request[Any, Any, Any], code: str) -> store.Window:
    wait = limits.WINDOW_MISSES.blocked("all")
    if wait is not None:
        raise _rate_limited(wait)
    not_open = ApiError(
        404,
        "window_not_found",
        "No hay una ventanilla abierta con ese código (puede haber vencido: duran 30 "
        "minutos). Pida a la persona del consulado un código nuevo.",
        "No window is open with that code (it may have expired: windows last 30 minutes). "
        "Ask the consulate officer for a new code.",
    )
    try:
        normal = codes.normalize_window(code)
    except codes.CodeError as exc:
        limits.WINDOW_MISSES.count("all")
        raise ApiError(404, exc.code, exc.es, exc.en) from None
    window = _store(request).window_by_code(normal, _now())
    if window is None:
        limits.WINDOW_MISSES.count("all")
        raise not_open
    return window


@post(
    "/windows",
    sync_to_thread=True,
    status_code=201,
    request_max_body_size=1024,
    summary="Open a window session for a fresh one-time recipient (30 minutes)",
    responses={
        201: _ok(WindowCreated, "The window's id, its code and expiry"),
        **_errors(
            **_DESK,
            e400="Malformed body, or the recipient is not an age X25519 recipient",
            e413="The body is over 1 KB",
            e415="The body is not application/json",
            **_BUSY,
        ),
    },
)
def create_window(
    request: Request[Any, Any, Any],
    data: _json(WindowRequest),  # type: ignore[valid-type]
) -> Response[WindowCreated]:
    body: WindowRequest = data
    office = _desk_office(request)
    try:
        pyrage.x25519.Recipient.from_str(body.recipient)
    except (pyrage.RecipientError, ValueError):
        raise ApiError(
            400,
            "bad_recipient",
            "La llave de la ventanilla no es una llave age X25519 válida.",
            "The window's key is not a valid age X25519 recipient.",
        ) from None
    try:
        window_id, code, expires = _store(request).create_window(office, body.recipient, _now())
    except store.Refused as exc:
        raise _refused(exc) from None
    except store.RelayBusy:
        raise _busy() from None
    return Response(WindowCreated(window_id, code, _iso(expires)), status_code=201,
                    headers=NO_STORE)  # fmt: skip


@get(
    "/windows/{code:str}",
    sync_to_thread=True,
    summary="The one-time recipient and office of an open window (for the phone)",
    responses={
        200: _ok(WindowInfo, "recipient and office"),
        **_errors(
            e404="No open window with this code (typo or expired)",
            e429="Too many wrong window codes (see Retry-After)",
        ),
    },
)
def window_info(request: Request[Any, Any, Any], code: FromPath[str]) -> Response[WindowInfo]:
    window = _open_window(request, code)
    return Response(WindowInfo(window.recipient, window.office), headers=NO_STORE)


@get(
    "/windows/{window_id:str}/upload",
    sync_to_thread=True,
    summary="The upload the phone completed to this window, or null",
    responses={
        200: _ok(WindowUpload, "The upload id, or null while the phone has not finished"),
        **_errors(**_DESK, e404="No open window of this office with this id"),
    },
)
def window_upload(
    request: Request[Any, Any, Any], window_id: FromPath[str]
) -> Response[WindowUpload]:
    office = _desk_office(request)
    relay_store = _store(request)
    window = relay_store.window(window_id, _now())
    if window is None or window.office != office:
        raise ApiError(
            404,
            "window_not_found",
            "Esta oficina no tiene una ventanilla abierta con ese identificador.",
            "This office has no open window with that id.",
        )
    return Response(WindowUpload(relay_store.window_upload(window_id)), headers=NO_STORE)


# --- errors, schema, background sweep -------------------------------------------------------


def entrega_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Validation, malformed JSON and size errors, with what exactly was wrong."""
    if isinstance(exc, ApiError):
        return http_error_handler(request, exc)
    if isinstance(exc, ValidationException):
        details = exc.extra if isinstance(exc.extra, list) else []
        first = next((d for d in details if isinstance(d, dict)), {})
        key = str(first.get("key") or "")
        message = str(first.get("message") or "")
        if (key == "size" or "size" in message) and "<=" in message:
            return _json_error(413, "too_large",
                               f"El envío es demasiado grande: como máximo "
                               f"{envelope.MAX_CIPHERTEXT} bytes cifrados. Guarde el archivo.",
                               f"The upload is too large: at most {envelope.MAX_CIPHERTEXT} "
                               "encrypted bytes. Save the file instead.",
                               max=envelope.MAX_CIPHERTEXT)  # fmt: skip
        return _json_error(
            400,
            "invalid_body",
            "El cuerpo no es válido" + (f" (campo {key[:40]})." if key else "."),
            "The body is not valid" + (f" (field {key[:40]})." if key else "."),
            field=key[:40] or None,
        )
    if exc.status_code == 413:
        if request.url.path.endswith("/data"):
            return _json_error(
                413,
                "too_large",
                f"El trozo es demasiado grande (como máximo {store.CHUNK_SIZE} bytes).",
                f"The chunk is too large (at most {store.CHUNK_SIZE} bytes).",
            )
        return _json_error(413, "too_large", "La solicitud es demasiado grande.",
                           "The request is too large.")  # fmt: skip
    if exc.status_code == 400 and "JSON" in str(exc.detail):
        return _json_error(400, "invalid_json", "El cuerpo no es JSON válido.",
                           "The body is not valid JSON.")  # fmt: skip
    return http_error_handler(request, exc)


def _json_error(status: int, code: str, es: str, en: str, **extra: Any) -> Response[Any]:
    extra = {k: v for k, v in extra.items() if v is not None}
    return Response(error_body(code, es, en, **extra), status_code=status, headers=NO_STORE)


def document_openapi(schema: OpenAPI) -> None:
    """What Litestar cannot infer: the chunk body, Content-Range, and office xor window."""
    paths = schema.paths or {}
    data = paths.get("/api/v1/entrega/uploads/{upload_id}/data")
    if data is not None and data.put is not None:
        data.put.request_body = RequestBody(
            content={"application/octet-stream": OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))},
            description=f"One chunk of ciphertext, at most {store.CHUNK_SIZE} bytes",
            required=True,
        )  # fmt: skip
        data.put.parameters = [
            *(data.put.parameters or []),
            Parameter(
                name="Content-Range",
                param_in="header",
                required=True,
                schema=Schema(type=OpenAPIType.STRING, pattern=r"^bytes [0-9]+-[0-9]+/[0-9]+$"),
                description="Where this chunk goes: bytes start-end/size",
            ),
        ]
    uploads = paths.get("/api/v1/entrega/uploads")
    if (
        uploads is not None
        and uploads.post is not None
        and isinstance(uploads.post.request_body, RequestBody)
    ):
        size = Schema(type=OpenAPIType.INTEGER, minimum=len(envelope.AGE_FIRST_LINE),
                      maximum=envelope.MAX_CIPHERTEXT)  # fmt: skip
        office = Schema(type=OpenAPIType.STRING, pattern=SLUG, max_length=80)
        window = Schema(type=OpenAPIType.STRING, pattern=WINDOW_CODE_PATTERN)
        uploads.post.request_body.content = {
            "application/json": OpenAPIMediaType(
                schema=Schema(
                    one_of=[
                        Schema(type=OpenAPIType.OBJECT, required=["office", "size"],
                               properties={"office": office, "size": size},
                               additional_properties=False),
                        Schema(type=OpenAPIType.OBJECT, required=["window", "size"],
                               properties={"window": window, "size": size},
                               additional_properties=False),
                    ]
                )
            )
        }  # fmt: skip


async def _sweep_forever(app: Litestar) -> None:
    # Lifespans start before on_startup has put the settings in the app's state.
    while getattr(app.state, "settings", None) is None:
        await asyncio.sleep(0.1)
    settings: Settings = app.state.settings
    while True:
        try:
            # No relay folder yet means nothing to sweep: starting the server must not create
            # the relay's files (they appear with its first use).
            if not settings.database_url and not (settings.state_dir / "entrega").exists():
                counts: dict[str, int] = {}
            else:
                counts = await anyio.to_thread.run_sync(lambda: relay(settings).sweep(_now()))
            if any(counts.values()):
                log.info("entrega sweep: %s", counts)
        except Exception as exc:  # never let the sweep die: try again next hour
            log.warning("entrega sweep failed / barrido falló: %s", type(exc).__name__)
        await asyncio.sleep(SWEEP_SECONDS)


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """The hourly sweep runs as a background task for as long as the app does."""
    task = asyncio.create_task(_sweep_forever(app))
    try:
        yield
    finally:
        task.cancel()
        with _suppress_cancel():
            await task


class _suppress_cancel:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, value: object, tb: object) -> bool:
        return kind is asyncio.CancelledError


LIFESPAN = [lifespan]

ROUTES = [
    Router(
        "/api/v1/entrega",
        route_handlers=[
            list_offices, create_upload, put_chunk, upload_status, complete_upload,
            delete_upload, create_challenge, create_session, pickup, ciphertext, ack,
            create_window, window_info, window_upload,
        ],
        exception_handlers={HTTPException: entrega_error_handler},
        tags=["entrega"],
    )
]  # fmt: skip
