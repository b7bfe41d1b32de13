"""The push endpoints under /api/v1/push: the VAPID public key and (un)subscribing.

- GET /api/v1/push/key -> {"public_key": base64url}
- POST /api/v1/push/subscriptions {"subscription": PushSubscription.toJSON(), "profile":
  {states, language}} -> 201 (new) or 200 (updated), echoing what is kept. `industries` and
  `statuses` from older app versions are accepted and thrown away (never stored).
- DELETE /api/v1/push/subscriptions {"endpoint"} -> 204, or 404 if it was not subscribed

Bodies are small (MAX_BODY_BYTES), strictly typed and rate-limited; endpoints must belong to a
real push service (loopback only in test mode). Subscribing is limited per client (a keyed
hash of the address, never the address) and overall. Unsubscribing has its own budget, per
endpoint, so nobody can spend it for someone else: a DELETE is always answered unless that
very endpoint was sent many times in a minute, and a DELETE for an endpoint that is not
subscribed only reads the database. Every error is a 4xx (503 when push is not
set up) in the shape {"error": {"code", "message": {"es", "en"}, "field"?, "allowed"?}}.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from server.catalog import Catalog, IndexMissing
from server.config import Settings
from server.http import ApiError, error_body, http_error_handler
from server.push import store
from server.push.changes import snapshot_from_rows
from server.push.endpoints import EndpointRefused, auth_problem, p256dh_problem, parse_endpoint
from server.push.keys import PublicKeyCache, VapidKeyError
from server.push.ratelimit import RateLimiter, client_identity
from server.push.schema import (
    INDUSTRY_CHOICES,
    MAX_BODY_BYTES,
    STATE_CHOICES,
    STATUS_CHOICES,
    ErrorBody,
    PublicKeyResponse,
    PushSubscriptionJSON,
    SubscribeRequest,
    SubscribeResponse,
    UnsubscribeRequest,
)

#: Stop accepting new subscriptions beyond this many (protects the disk, not a real limit).
MAX_SUBSCRIPTIONS = 1_000_000

RATE_LIMITER = RateLimiter()
#: Unsubscribes, counted per endpoint (keyed hash) with no shared overall budget.
UNSUBSCRIBE_LIMITER = RateLimiter(per_client=10, overall=None)
_public_keys = PublicKeyCache()
_baselines: dict[tuple[str, str], int] = {}
_baselines_lock = threading.Lock()


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def rate_limit_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuse with 429 before the body is even read.

    The client is the peer, or behind a trusted proxy the last untrusted forwarding hop
    (ratelimit.client_identity); the limiter keeps only a keyed hash of it.
    """
    settings: Settings = connection.app.state.settings
    client = client_identity(
        connection.client.host if connection.client else None,
        connection.headers.getall("x-forwarded-for", []),
        connection.headers.getall("forwarded", []),
        settings.trusted_proxies,
    )
    wait = RATE_LIMITER.check(client)
    if wait is not None:
        raise _rate_limited(wait)


def _rate_limited(wait: float) -> ApiError:
    seconds = int(wait + 0.999)
    error = ApiError(
        429,
        "rate_limited",
        f"Demasiadas solicitudes. Inténtelo de nuevo en {seconds} segundos.",
        f"Too many requests. Try again in {seconds} seconds.",
        retry_after=seconds,
    )
    error.headers = {"Retry-After": str(seconds)}
    return error


def _busy() -> ApiError:
    """The push database stayed locked beyond the bounded wait: try again shortly."""
    error = ApiError(
        503,
        "busy",
        "El servidor está ocupado. Inténtelo de nuevo en unos segundos.",
        "The server is busy. Try again in a few seconds.",
        retry_after=5,
    )
    error.headers = {"Retry-After": "5"}
    return error


# --- turning validation failures into specific, bilingual messages --------------------------

_FIELD_MESSAGES: list[tuple[str, str, str, str, tuple[str, ...] | None]] = [
    # key prefix, code, es, en, allowed values
    (
        "subscription.endpoint",
        "invalid_endpoint",
        "La dirección de la suscripción (endpoint) falta o no es un texto válido.",
        "The subscription endpoint is missing or not valid text.",
        None,
    ),
    (
        "subscription.keys",
        "invalid_keys",
        "Faltan las claves de la suscripción (p256dh y auth) o no son base64url.",
        "The subscription keys (p256dh and auth) are missing or not base64url.",
        None,
    ),
    (
        "subscription",
        "invalid_subscription",
        "La suscripción debe ser lo que da PushSubscription.toJSON(): endpoint y keys.",
        "The subscription must be what PushSubscription.toJSON() returns: endpoint and keys.",
        None,
    ),
    (
        "profile.states",
        "invalid_state",
        "Elige uno o más estados por su código de dos letras (por ejemplo CA), o any.",
        "Choose one or more states by their two-letter code (for example CA), or any.",
        STATE_CHOICES,
    ),
    (
        "profile.industries",
        "invalid_industry",
        "Elige uno o más tipos de trabajo de la lista, o any.",
        "Choose one or more kinds of work from the list, or any.",
        INDUSTRY_CHOICES,
    ),
    (
        "profile.statuses",
        "invalid_status",
        "Elige una o más situaciones de la lista (h2a, h2b, undocumented), o any.",
        "Choose one or more statuses from the list (h2a, h2b, undocumented), or any.",
        STATUS_CHOICES,
    ),
    (
        "profile.language",
        "invalid_language",
        "El idioma debe ser una etiqueta como es, en, mix o zap.",
        "The language must be a tag such as es, en, mix or zap.",
        None,
    ),
    (
        "profile",
        "invalid_profile",
        "El perfil lleva solo estados e idioma.",
        "The profile carries only states and language.",
        None,
    ),
    (
        "endpoint",
        "invalid_endpoint",
        "Falta la dirección de la suscripción (endpoint) o no es válida.",
        "The subscription endpoint is missing or not valid.",
        None,
    ),
]

_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]{0,60})`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]{0,60})`")


def _explain(key: str, message: str) -> ApiError:
    unknown = _UNKNOWN_FIELD.search(message)
    if unknown:
        where = f"{key}.{unknown.group(1)}" if key != "data" else unknown.group(1)
        return ApiError(
            400,
            "unknown_field",
            f"El campo {where} no se acepta. Solo se envía la suscripción y el perfil "
            "(estados e idioma).",
            f"The field {where} is not accepted. Only the subscription and the profile "
            "(states and language) are sent.",
            field=where,
        )
    missing = _MISSING_FIELD.search(message)
    if missing:
        key = f"{key}.{missing.group(1)}" if key != "data" else missing.group(1)
    for prefix, code, es, en, allowed in _FIELD_MESSAGES:
        if key == prefix or key.startswith((prefix + ".", prefix + "[")):
            extra: dict[str, Any] = {"field": key}
            if allowed:
                extra["allowed"] = list(allowed)
            return ApiError(400, code, es, en, **extra)
    return ApiError(
        400,
        "invalid_body",
        "El cuerpo debe ser un objeto JSON con subscription y profile.",
        "The body must be a JSON object with subscription and profile.",
    )


def push_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Validation, malformed JSON and size errors, with what exactly was wrong."""
    if isinstance(exc, ValidationException):
        details = exc.extra if isinstance(exc.extra, list) else []
        first = next((d for d in details if isinstance(d, dict)), {})
        error = _explain(str(first.get("key") or "data"), str(first.get("message") or ""))
        return Response(error_body(error.code, error.es, error.en, **error.fields), status_code=400)
    if exc.status_code == 413:
        return Response(
            error_body(
                "too_large",
                f"La solicitud es demasiado grande (máximo {MAX_BODY_BYTES} bytes).",
                f"The request is too large (at most {MAX_BODY_BYTES} bytes).",
            ),
            status_code=413,
        )
    if exc.status_code == 400 and "JSON" in str(exc.detail):
        return Response(
            error_body(
                "invalid_json",
                "El cuerpo no es JSON válido.",
                "The body is not valid JSON.",
            ),
            status_code=400,
        )
    return http_error_handler(request, exc)


# --- handlers -------------------------------------------------------------------------------


def _errors(**described: str) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error answers a handler can give."""
    return {
        int(status.removeprefix("e")): ResponseSpec(
            data_container=ErrorBody, description=text, generate_examples=False
        )
        for status, text in described.items()
    }


_BODY_ERRORS = {
    "e400": "Malformed body, unknown field, or an endpoint that is not a push service",
    "e413": f"Body larger than {MAX_BODY_BYTES} bytes",
    "e429": "Too many requests (see Retry-After)",
}


@get(
    "/key",
    sync_to_thread=True,
    summary="The VAPID public key for pushManager.subscribe",
    responses=_errors(e503="Push is not set up on this server (no VAPID key yet)"),
)
def public_key(request: Request[Any, Any, Any]) -> Response[PublicKeyResponse]:
    path = _settings(request).vapid_key_path
    try:
        key = _public_keys.get(path)
    except (OSError, VapidKeyError):
        raise ApiError(
            503,
            "push_not_configured",
            "Los avisos no están disponibles en este servidor todavía.",
            "Notifications are not available on this server yet.",
        ) from None
    return Response(PublicKeyResponse(public_key=key), headers={"Cache-Control": "no-cache"})


def _current_baseline(request: Request[Any, Any, Any], db: Any) -> int | None:
    """The content state the phone is subscribing from (stored once per content build)."""
    catalog: Catalog | None = getattr(request.app.state, "catalog", None)
    if catalog is None:
        return None
    try:
        snap = catalog.snapshot()
    except (IndexMissing, OSError):
        return None
    cache_key = (str(_settings(request).push_db_path), snap.fingerprint)
    with _baselines_lock:
        known = _baselines.get(cache_key)
    if known is not None and store.snapshot_exists(db, known):
        return known
    snapshot = snapshot_from_rows(
        {
            "id": e.id,
            "lang": e.lang,
            "version": e.version,
            "hash": e.hash,
            "title": e.title,
            "states": e.states,
            "industries": e.industries,
            "statuses": e.statuses,
        }
        for e in snap.guides.values()
    )
    snapshot_id = store.create_snapshot(
        db,
        snapshot.fingerprint,
        [g.as_row() for g in snapshot.guides()],
        now=dt.datetime.now(dt.UTC),
    )
    with _baselines_lock:
        if len(_baselines) > 64:
            _baselines.clear()
        _baselines[cache_key] = snapshot_id
    return snapshot_id


@post(
    "/subscriptions",
    sync_to_thread=True,
    guards=[rate_limit_guard],
    request_max_body_size=MAX_BODY_BYTES,
    summary="Subscribe to guide-update notifications for a profile",
    description="201 for a new subscription, 200 when the endpoint was already subscribed "
    "(its keys and profile are replaced).",
    status_code=201,
    responses={
        200: ResponseSpec(
            data_container=SubscribeResponse,
            description="Already subscribed: keys and profile updated",
            generate_examples=False,
        ),
        **_errors(
            **_BODY_ERRORS,
            e503="Not accepting more subscriptions, or the push database is busy (Retry-After)",
        ),
    },
)
def subscribe(
    request: Request[Any, Any, Any], data: JSONBody[SubscribeRequest]
) -> Response[SubscribeResponse]:
    settings = _settings(request)
    subscription = data.subscription
    try:
        # Stored (and later sent to) only in the canonical form the check itself produced.
        endpoint = parse_endpoint(subscription.endpoint, test_mode=settings.test_mode).url
    except EndpointRefused as problem:
        raise ApiError(
            400,
            "endpoint_not_allowed",
            "La dirección de la suscripción no es de un servicio de avisos conocido "
            "(Google, Mozilla, Apple o Microsoft).",
            f"The subscription endpoint {problem}: only Google, Mozilla, Apple and Microsoft "
            "push services are accepted.",
            field="subscription.endpoint",
        ) from None
    subscription = PushSubscriptionJSON(
        endpoint=endpoint, keys=subscription.keys, expirationTime=subscription.expirationTime
    )
    if p256dh_problem(subscription.keys.p256dh) or auth_problem(subscription.keys.auth):
        raise ApiError(
            400,
            "invalid_keys",
            "Las claves de la suscripción no son válidas (p256dh debe ser una clave P-256 y "
            "auth 16 bytes).",
            "The subscription keys are not valid (p256dh must be a P-256 key and auth 16 bytes).",
            field="subscription.keys",
        )
    profile = data.profile.normalized()
    try:
        with store.open_push_db(settings) as db:
            # Counted before taking the write lock: a full count must not hold up others.
            if store.subscription_count(db) >= MAX_SUBSCRIPTIONS and not store.has_subscription(
                db, subscription.endpoint
            ):
                raise ApiError(
                    503,
                    "subscriptions_full",
                    "No se aceptan más suscripciones por ahora. Inténtelo más tarde.",
                    "No more subscriptions are accepted right now. Try again later.",
                )
            with store.write(db):
                created = store.save_subscription(
                    db,
                    subscription,
                    profile,
                    baseline=_current_baseline(request, db),
                    today=dt.datetime.now(dt.UTC).date(),
                )
    except store.PushDatabaseBusy:
        raise _busy() from None
    return Response(
        SubscribeResponse(subscribed=True, profile=profile),
        status_code=201 if created else 200,
        headers={"Cache-Control": "no-store"},
    )


@delete(
    "/subscriptions",
    sync_to_thread=True,
    request_max_body_size=MAX_BODY_BYTES,
    summary="Unsubscribe: the subscription is deleted from the server",
    description="Limited per endpoint, not per client: no one can use up the budget of "
    "another phone's unsubscribe.",
    status_code=204,
    responses=_errors(
        **_BODY_ERRORS,
        e404="This endpoint is not subscribed",
        e503="The push database is busy (see Retry-After)",
    ),
)
def unsubscribe(request: Request[Any, Any, Any], data: JSONBody[UnsubscribeRequest]) -> None:
    settings = _settings(request)
    try:
        endpoint = parse_endpoint(data.endpoint, test_mode=settings.test_mode).url
    except EndpointRefused:
        endpoint = data.endpoint  # a row stored before the strict check: still deletable
    wait = UNSUBSCRIBE_LIMITER.check(endpoint)
    if wait is not None:
        raise _rate_limited(wait)
    try:
        with store.open_push_db(settings) as db:
            # Only a subscribed endpoint takes the write lock: a flood of made-up endpoints
            # costs reads, and cannot hold up anyone's subscribe or unsubscribe.
            stored = [e for e in dict.fromkeys((endpoint, data.endpoint))
                      if store.has_subscription(db, e)]  # fmt: skip
            deleted = any([store.delete_subscription(db, e) for e in stored])
    except store.PushDatabaseBusy:
        raise _busy() from None
    if not deleted:
        raise ApiError(
            404,
            "not_subscribed",
            "Esta suscripción no está en el servidor (quizás ya se borró).",
            "This subscription is not on the server (perhaps it was already deleted).",
        )


ROUTES = [
    Router(
        "/api/v1/push",
        route_handlers=[public_key, subscribe, unsubscribe],
        exception_handlers={HTTPException: push_error_handler},
        tags=["push"],
    )
]
