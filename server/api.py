"""The read-only guides API under /api/v1: catalog, filtered lists, guides, history, search, packs.

Every content response carries a weak ETag derived from content hashes and answers 304 to a
matching If-None-Match. Bad parameters are 400s that list the allowed values; an unknown
guide is a JSON 404; nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
import msgspec
import msgspec.structs
from litestar import Request, Response, Router, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter

from server.catalog import Catalog, GuideEntry, IndexDamaged, IndexMissing, Snapshot
from server.content.build import GuideDocument
from server.content.schema import INDUSTRIES, STATES, STATUSES
from server.http import ApiError, Body, BodyCache, ErrorBody, api_error_handler, make_body, send
from server.packs import (
    LANG_RE,
    Profile,
    check_industry,
    check_lang,
    check_state,
    check_status,
    content_hash,
    data_language,
    full_pack,
    manifest,
    profile_data,
    profile_guides,
    served_lang,
)

JSON = "application/json"
IMMUTABLE = "public, max-age=31536000, immutable"
OWN_COMPRESSION = {"skip_compression": True}

# The schema lists the allowed values; the handlers check them themselves so a wrong value
# gets an answer that names the allowed ones (see server.packs).
StateParam = Annotated[
    str | None,
    QueryParameter(
        name="state", description="US state by USPS code, e.g. CA, or any", max_length=40,
        schema_extra={"enum": [*STATES, "any"]},
    ),
]  # fmt: skip
PackStateParam = Annotated[
    str | None,
    QueryParameter(
        name="state", description="US state by USPS code, e.g. CA (required)", max_length=40,
        required=True,
        schema_extra={"enum": list(STATES)},
    ),
]  # fmt: skip
IndustryParam = Annotated[
    str | None,
    QueryParameter(
        description="kind of work, e.g. agriculture, or any", max_length=40,
        schema_extra={"enum": [*INDUSTRIES, "any"]},
    ),
]  # fmt: skip
StatusParam = Annotated[
    str | None,
    QueryParameter(
        description="h2a, h2b, undocumented or any", max_length=40,
        schema_extra={"enum": [*STATUSES, "any"]},
    ),
]  # fmt: skip
LangParam = Annotated[
    str | None,
    QueryParameter(
        description="BCP-47 language tag; default es", max_length=35,
        schema_extra={"pattern": LANG_RE.pattern},
    ),
]  # fmt: skip


def index_unavailable(exc: IndexMissing) -> ApiError:
    """The 503 for a missing or damaged index, in Spanish and English."""
    if isinstance(exc, IndexDamaged):
        return ApiError(
            503,
            "index_damaged",
            "El índice de guías del servidor está dañado. Intente más tarde; quien administra "
            "el servidor debe ejecutar `cartilla build`.",
            "The server's guide index is damaged. Try again later; the server's operator "
            "needs to run `cartilla build`.",
            headers={"Retry-After": "60"},
        )
    return ApiError(
        503,
        "no_index",
        "Todavía no hay guías publicadas. Ejecute `cartilla build`.",
        "No guides are published yet. Run `cartilla build`.",
    )


def index_error_handler(request: Request[Any, Any, Any], exc: IndexMissing) -> Response[Any]:
    """An index that goes missing or turns out damaged mid-request: a 503, never a 500."""
    return api_error_handler(request, index_unavailable(exc))


# --- what the answers look like, for the OpenAPI schema ------------------------------------
# Handlers send prepared bytes (compressed once, see server.http); these Structs only
# document those bytes, so the schema says what a client really gets.


class AppliesTo(msgspec.Struct):
    states: list[str] | str  # "all" or USPS codes
    industries: list[str] | str  # "all" or industries
    statuses: list[str]


class GuideSummary(msgspec.Struct):
    id: str
    lang: str
    version: int
    hash: str
    title: str
    summary: str
    kind: str
    topics: list[str]
    applies_to: AppliesTo
    reviewed: str
    review_status: str
    stale: bool


class ProfileGuide(GuideSummary):
    fallback: bool
    requested_lang: str


class CatalogBody(msgspec.Struct):
    guides: list[GuideSummary]


class ProfileBody(msgspec.Struct):
    state: str
    industry: str
    status: str
    lang: str


class GuidesBody(msgspec.Struct):
    profile: ProfileBody
    guides: list[ProfileGuide]


class Source(msgspec.Struct):
    title: str
    url: str
    accessed: str | None = None


# A rendered guide as stored under its content hash: the build's own Struct, so the
# OpenAPI description cannot drift from what the build writes.
DocumentBody = GuideDocument


class GuideBody(GuideDocument, kw_only=True):
    hash: str
    fallback: bool
    requested_lang: str


class VersionInfo(msgspec.Struct):
    version: int
    hash: str
    reviewed: str
    review_status: str
    commit: str | None
    committed_at: str | None
    url: str


class VersionsBody(msgspec.Struct):
    id: str
    lang: str
    current: int
    versions: list[VersionInfo]


class SearchResult(msgspec.Struct):
    id: str
    lang: str
    title: str
    summary: str
    snippet: str


class SearchBody(msgspec.Struct):
    q: str
    results: list[SearchResult]


class ManifestGuide(msgspec.Struct):
    id: str
    lang: str
    version: int
    hash: str
    title: str
    fallback: bool
    url: str


class ManifestInner(msgspec.Struct):
    guides: list[ManifestGuide]
    data_hash: str


class ManifestBody(msgspec.Struct):
    profile: ProfileBody
    pack_hash: str
    manifest: ManifestInner


class PackData(msgspec.Struct):
    agencies: list[dict[str, Any]]
    consulates: list[dict[str, Any]]
    hotlines: list[dict[str, Any]]
    wage_rules: list[dict[str, Any]]
    triage: list[dict[str, Any]]
    reviewed: dict[str, Any]


class PackManifestGuide(msgspec.Struct):
    """A whole pack's manifest entry: its document beside it has the title, and the URL is
    made of the hash (server.packs.full_pack)."""

    id: str
    lang: str
    version: int
    hash: str
    fallback: bool


class PackManifestInner(msgspec.Struct):
    guides: list[PackManifestGuide]
    data_hash: str


class PackBody(msgspec.Struct):
    profile: ProfileBody
    pack_hash: str
    manifest: PackManifestInner
    guides: list[DocumentBody]
    data: PackData


class DataBody(msgspec.Struct):
    state: str
    data_hash: str
    data: PackData


def _answers(body: type, *errors: int) -> dict[int, ResponseSpec]:
    """OpenAPI: the 200 body, and the error answers (always ErrorBody) a handler gives."""
    described = {
        400: "A parameter is not valid; the error lists the allowed values",
        404: "No such guide, version or document",
        503: "No index is published yet, or it is damaged",
    }
    out = {200: ResponseSpec(body, description="OK", generate_examples=False)}
    for status in (*errors, 503):
        out[status] = ResponseSpec(
            ErrorBody, description=described[status], generate_examples=False
        )
    return out


def _snapshot(request: Request[Any, Any, Any]) -> tuple[Catalog, Snapshot]:
    catalog: Catalog = request.app.state.catalog
    try:
        return catalog, catalog.snapshot()
    except IndexMissing as exc:
        raise index_unavailable(exc) from None


def _bodies(snap: Snapshot) -> BodyCache:
    """The snapshot's prepared bodies (bounded by bytes; see server.http.BodyCache)."""
    bodies: BodyCache | None = snap.cache.get("bodies")
    if bodies is None:
        bodies = snap.cache.setdefault("bodies", BodyCache())
    return bodies


async def _cached_json(
    snap: Snapshot, key: Any, make: Callable[[], Any], by_pack: bool = False
) -> Body:
    """The JSON body for `key` in this snapshot, made once. With `by_pack`, its ETag is the
    pack hash, so a pack and its manifest revalidate by what they describe.

    Making and compressing happen in a worker thread, never on the event loop."""
    bodies = _bodies(snap)
    body = bodies.get(key)
    if body is not None:
        return body

    def build() -> Body:
        value = make()
        etag = f'W/"{value["pack_hash"][:16]}"' if by_pack else None
        return make_body(msgspec.json.encode(value), JSON, etag=etag)

    return await anyio.to_thread.run_sync(bodies.get_or_make, key, build)


def _find_guide(
    request: Request[Any, Any, Any], guide_id: str, lang: str | None
) -> tuple[Catalog, Snapshot, GuideEntry, bool, str]:
    """The guide in the requested language or its fallback, or a JSON 404."""
    catalog, snap = _snapshot(request)
    requested = served_lang(snap, check_lang(lang))
    entry, fallback = snap.pick_lang(guide_id, requested)
    if entry is None:
        raise _not_found(guide_id)
    return catalog, snap, entry, fallback, requested


def _not_found(guide_id: str, lang: str | None = None) -> ApiError:
    what = f"{guide_id[:80]}" + (f" ({lang[:40]})" if lang else "")
    return ApiError(
        404,
        "guide_not_found",
        f"No existe la guía {what}.",
        f"There is no guide {what}.",
    )


@get(
    "/catalog",
    opt=OWN_COMPRESSION,
    summary="Every current guide in every language",
    responses=_answers(CatalogBody),
)
async def catalog_view(request: Request[Any, Any, Any]) -> Response[bytes]:
    _, snap = _snapshot(request)
    body = await _cached_json(
        snap,
        "catalog",
        lambda: {"guides": [g.summary_json() for _, g in sorted(snap.guides.items())]},
    )
    return send(request, body)


@get(
    "/guides",
    opt=OWN_COMPRESSION,
    summary="Guides for a profile, with language fallback",
    responses=_answers(GuidesBody, 400),
)
async def guides_for_profile(
    request: Request[Any, Any, Any],
    state_code: StateParam = None,
    industry: IndustryParam = None,
    status: StatusParam = None,
    lang: LangParam = None,
) -> Response[bytes]:
    asked = Profile(
        state=check_state(state_code, allow_any=True),
        industry=check_industry(industry),
        status=check_status(status),
        lang=check_lang(lang),
    )
    _, snap = _snapshot(request)
    profile = _served(snap, asked)

    def make() -> dict[str, Any]:
        return {
            "profile": msgspec.to_builtins(profile),
            "guides": [
                {**g.summary_json(), "fallback": fb, "requested_lang": profile.lang}
                for g, fb in profile_guides(snap, profile)
            ],
        }

    return send(request, await _cached_json(snap, ("guides", profile), make))


async def _document_response(
    request: Request[Any, Any, Any],
    catalog: Catalog,
    snap: Snapshot,
    doc_hash: str,
    fallback: bool,
    requested: str,
) -> Response[bytes]:
    def make() -> Any:
        raw = catalog.document(snap, doc_hash)
        if raw is None:
            raise _not_found(doc_hash)
        doc = msgspec.json.decode(raw)
        doc["hash"] = doc_hash
        doc["fallback"] = fallback
        doc["requested_lang"] = requested
        return doc

    return send(request, await _cached_json(snap, ("doc", doc_hash, fallback, requested), make))


@get(
    "/guides/{guide_id:str}",
    opt=OWN_COMPRESSION,
    summary="One guide, rendered, with its metadata",
    responses=_answers(GuideBody, 400, 404),
)
async def guide_view(
    request: Request[Any, Any, Any],
    guide_id: Annotated[str, PathParameter(max_length=100)],
    lang: LangParam = None,
) -> Response[bytes]:
    catalog, snap, entry, fallback, requested = _find_guide(request, guide_id, lang)
    return await _document_response(request, catalog, snap, entry.hash, fallback, requested)


@get(
    "/guides/{guide_id:str}/versions",
    opt=OWN_COMPRESSION,
    summary="A guide's published versions",
    responses=_answers(VersionsBody, 400, 404),
)
async def guide_versions(
    request: Request[Any, Any, Any],
    guide_id: Annotated[str, PathParameter(max_length=100)],
    lang: LangParam = None,
) -> Response[bytes]:
    catalog, snap, entry, _, _ = _find_guide(request, guide_id, lang)
    body = await _cached_json(
        snap,
        ("versions", entry.id, entry.lang),
        lambda: {
            "id": entry.id,
            "lang": entry.lang,
            "current": entry.version,
            "versions": catalog.versions(snap, entry.id, entry.lang),
        },
    )
    return send(request, body)


@get(
    "/guides/{guide_id:str}/versions/{version:int}",
    opt=OWN_COMPRESSION,
    summary="A past version of a guide",
    responses=_answers(GuideBody, 400, 404),
)
async def guide_version(
    request: Request[Any, Any, Any],
    guide_id: Annotated[str, PathParameter(max_length=100)],
    version: Annotated[int, PathParameter(ge=1, le=1_000_000)],
    lang: LangParam = None,
) -> Response[bytes]:
    catalog, snap, entry, fallback, requested = _find_guide(request, guide_id, lang)
    match = [v for v in catalog.versions(snap, entry.id, entry.lang) if v["version"] == version]
    if not match:
        raise ApiError(
            404,
            "version_not_found",
            f"La guía {guide_id} no tiene versión {version}.",
            f"The guide {guide_id} has no version {version}.",
        )
    return await _document_response(request, catalog, snap, match[0]["hash"], fallback, requested)


@get(
    "/content/{doc_hash:str}",
    opt=OWN_COMPRESSION,
    summary="A guide document by its content hash",
    responses=_answers(DocumentBody, 400, 404),
)
async def content_by_hash(
    request: Request[Any, Any, Any],
    doc_hash: Annotated[str, PathParameter(max_length=64, min_length=64)],
) -> Response[bytes]:
    catalog, snap = _snapshot(request)
    if doc_hash not in snap.by_hash:
        raise _not_found(doc_hash)  # unknown hashes are never made, cached or remembered

    def build() -> Body:
        raw = catalog.document(snap, doc_hash)
        if raw is None:
            raise _not_found(doc_hash)
        return make_body(raw, JSON, etag=f'W/"{doc_hash[:16]}"')

    body = await anyio.to_thread.run_sync(_bodies(snap).get_or_make, ("content", doc_hash), build)
    return send(request, body, cache_control=IMMUTABLE)


@get(
    "/search",
    opt=OWN_COMPRESSION,
    summary="Search guides; accents are ignored",
    responses=_answers(SearchBody, 400),
)
async def search(
    request: Request[Any, Any, Any],
    q: Annotated[str, QueryParameter(description="words to find", max_length=200)],
    lang: LangParam = None,
    limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
) -> Response[bytes]:
    language = check_lang(lang, default="") if lang else None
    catalog, snap = _snapshot(request)
    results = catalog.search(snap, q, language, limit)
    body = make_body(msgspec.json.encode({"q": q, "results": results}), JSON)
    return send(request, body, remember=False)


def _served(snap: Snapshot, profile: Profile) -> Profile:
    """The profile with the language the answer is served in (see packs.served_lang)."""
    return msgspec.structs.replace(profile, lang=served_lang(snap, profile.lang))


def _profile(
    state: str | None, industry: str | None, status: str | None, lang: str | None
) -> Profile:
    if state is None:
        raise ApiError(
            400,
            "missing_state",
            "Falta el estado (state), por ejemplo CA.",
            "The state is missing, for example CA.",
            field="state",
        )
    return Profile(
        state=check_state(state, allow_any=False),
        industry=check_industry(industry),
        status=check_status(status),
        lang=check_lang(lang),
    )


@get(
    "/packs",
    opt=OWN_COMPRESSION,
    summary="Everything a profile needs offline, in one response",
    responses=_answers(PackBody, 400),
)
async def pack(
    request: Request[Any, Any, Any],
    state_code: PackStateParam = None,
    industry: IndustryParam = None,
    status: StatusParam = None,
    lang: LangParam = None,
) -> Response[bytes]:
    catalog, snap = _snapshot(request)
    profile = _served(snap, _profile(state_code, industry, status, lang))
    body = await _cached_json(
        snap, ("pack", profile), lambda: full_pack(catalog, snap, profile), by_pack=True
    )
    return send(request, body)


@get(
    "/packs/manifest",
    opt=OWN_COMPRESSION,
    summary="A pack's manifest of content hashes, for updates",
    responses=_answers(ManifestBody, 400),
)
async def pack_manifest(
    request: Request[Any, Any, Any],
    state_code: PackStateParam = None,
    industry: IndustryParam = None,
    status: StatusParam = None,
    lang: LangParam = None,
) -> Response[bytes]:
    _, snap = _snapshot(request)
    profile = _served(snap, _profile(state_code, industry, status, lang))
    body = await _cached_json(
        snap, ("manifest", profile), lambda: manifest(snap, profile), by_pack=True
    )
    return send(request, body)


@get(
    "/packs/data",
    opt=OWN_COMPRESSION,
    summary="The directory, wage rules and triage for a state",
    responses=_answers(DataBody, 400),
)
async def pack_data(
    request: Request[Any, Any, Any], state_code: PackStateParam = None, lang: LangParam = None
) -> Response[bytes]:
    # With `lang` (the phone's pack update), texts come in that language only, exactly as in
    # the pack; without it (the staff desk), in every language.
    profile = _profile(state_code, None, None, lang)
    _, snap = _snapshot(request)
    st = profile.state
    text_lang = data_language(snap, profile.lang) if lang is not None else None

    def make() -> dict[str, Any]:
        data = profile_data(snap, st, text_lang)
        return {"state": st, "data_hash": content_hash(data), "data": data}

    return send(request, await _cached_json(snap, ("data", st, text_lang), make))


ROUTES = [
    Router(
        path="/api/v1",
        route_handlers=[
            catalog_view,
            guides_for_profile,
            guide_view,
            guide_versions,
            guide_version,
            content_by_hash,
            search,
            pack,
            pack_manifest,
            pack_data,
        ],
        tags=["guides"],
    )
]
