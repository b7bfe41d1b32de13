"""The bundle's own JSON files as msgspec Structs: `data/summary.json` and `data/guides.json`.

These Structs are the single source of truth for those files; docs/evidence-bundle.md
describes them and the phone's builder (pwa/js/bundle/) writes exactly these fields.
The journal lines themselves are the log's format (server/log_format.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from server.evidence.receipts import Hex64, UtcTime

BUNDLE_FORMAT = "cartilla-evidence"
BUNDLE_VERSION = 1

Short = Annotated[str, Meta(max_length=200)]
LeftOut = Literal["photos", "notes", "name", "other_employers", "other_dates"]
PhotoPath = Annotated[
    str, Meta(pattern=r"^data/photos/[0-9a-f]{64}\.(jpg|jpeg|png|webp)$", max_length=120)
]


class Period(Struct, forbid_unknown_fields=True, kw_only=True):
    """The dates the worker chose to include, both ends included."""

    start: dt.date
    end: dt.date


class EmployerSummary(Struct, forbid_unknown_fields=True, kw_only=True):
    """An employer included in the bundle, as the worker recorded it."""

    id: Annotated[str, Meta(max_length=100)]
    name: Short
    state: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] | None = None
    industry: Short | None = None
    status: Short | None = None
    address: Annotated[str, Meta(max_length=500)] | None = None
    work_site: Annotated[str, Meta(max_length=500)] | None = None


class ChainSummary(Struct, forbid_unknown_fields=True, kw_only=True):
    """The journal's hash chain as the phone saw it when the bundle was made."""

    head: Hex64
    length: Annotated[int, Meta(ge=1)]
    included: Annotated[int, Meta(ge=0)]
    withheld: Annotated[int, Meta(ge=0)]


class PhotoSummary(Struct, forbid_unknown_fields=True, kw_only=True):
    """A photo in `data/photos/`, named by its SHA-256, and the journal entry it belongs to."""

    path: PhotoPath
    sha256: Hex64
    entry: Hex64 | None = None
    kind: Short | None = None


class Counts(Struct, forbid_unknown_fields=True, kw_only=True):
    shifts: Annotated[int, Meta(ge=0)] = 0
    pay: Annotated[int, Meta(ge=0)] = 0
    expenses: Annotated[int, Meta(ge=0)] = 0
    incidents: Annotated[int, Meta(ge=0)] = 0
    photos: Annotated[int, Meta(ge=0)] = 0


class Summary(Struct, forbid_unknown_fields=True, kw_only=True):
    """`data/summary.json`: what the bundle covers and the wage check result."""

    format: Literal["cartilla-evidence"]
    version: Literal[1]
    created: UtcTime
    app_version: Short
    worker_name: Short | None = None
    employers: list[EmployerSummary]
    period: Period
    chain: ChainSummary
    counts: Counts = msgspec.field(default_factory=Counts)
    left_out: list[LeftOut] = msgspec.field(default_factory=list)
    photos: list[PhotoSummary] = msgspec.field(default_factory=list)
    #: The wage check result exactly as the phone's pwa/js/wages.js returned it.
    wage_check: dict[str, Any] | None = None


class GuideRead(Struct, forbid_unknown_fields=True, kw_only=True):
    """A guide version the worker had on the phone (the law as the app told it)."""

    id: Annotated[str, Meta(max_length=80)]
    lang: Annotated[str, Meta(max_length=35)]
    version: Annotated[int, Meta(ge=1)]
    hash: Annotated[str, Meta(max_length=64)]
    title: Short | None = None
    reviewed: dt.date | None = None
    review_status: Short | None = None


class GuidesFile(Struct, forbid_unknown_fields=True, kw_only=True):
    """`data/guides.json`: which guide versions and which data the worker was reading."""

    guides: list[GuideRead] = msgspec.field(default_factory=list)
    pack_hash: Annotated[str, Meta(max_length=64)] | None = None
    data_hash: Annotated[str, Meta(max_length=64)] | None = None
    profile: dict[str, str] | None = None


def decode_strict(struct: type[Any], data: bytes) -> Any:
    """Decode JSON into `struct`; msgspec's error names the field and the problem."""
    return msgspec.json.decode(data, type=struct)
