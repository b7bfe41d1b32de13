"""The bundle's own JSON files as msgspec Structs: `data/summary.json` and `data/guides.json`.

These Structs are the single source of truth for those files; docs/evidence-bundle.md
describes them and the phone's builder (pwa/js/bundle/) writes exactly these fields.
The journal lines themselves are the log's format (server/log_format.py).
"""

from __future__ import annotations

import datetime as dt
import re
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


# --- one schema check for Python and the desk ------------------------------------------
#
# msgspec reads patterns with Python's `re` (`\d` takes any Unicode digit, `$` also matches
# before a final newline), so a hash "…\n" or a date in full-width digits would pass here and
# fail on the desk. Both verifiers therefore first check each file against the same JSON
# Schema, generated from the Structs (`bundle_schema()`, embedded in pwa/staff/verify.js),
# with ASCII `\d` and `$` meaning the very end; msgspec then only builds the objects.

_DROP = ("title", "description", "default", "discriminator")


def _strip(value: Any) -> Any:
    """The schema without its prose (titles, descriptions) and hints the check ignores."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _DROP:
                continue
            if key in ("properties", "$defs") and isinstance(item, dict):
                out[key] = {name: _strip(sub) for name, sub in item.items()}
            else:
                out[key] = _strip(item)
        return out
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def bundle_schema() -> dict[str, Any]:
    """{"defs": {...}} for Summary, GuidesFile, WithheldEntry and JournalEntry."""
    from server import log_format
    from server.evidence.chain import WithheldEntry

    _, defs = msgspec.json.schema_components(
        (Summary, GuidesFile, WithheldEntry, log_format.JournalEntry),
        ref_template="#/$defs/{name}",
    )
    return {"defs": {name: _strip(schema) for name, schema in defs.items()}}


_SCHEMA: dict[str, Any] | None = None
_PATTERNS: dict[str, re.Pattern[str]] = {}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)


def _pattern(source: str) -> re.Pattern[str]:
    if source not in _PATTERNS:
        strict = source[:-1] + r"\Z" if source.endswith("$") else source
        _PATTERNS[source] = re.compile(strict, re.ASCII)
    return _PATTERNS[source]


def _valid_date(text: str) -> bool:
    match = _DATE.match(text)
    if not match:
        return False
    try:
        dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def schema_problem(name: str, value: Any) -> str | None:
    """Where `value` breaks the schema of struct `name` ("$.a[0].b: ..."), or None."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = bundle_schema()
    return _check(_SCHEMA["defs"], {"$ref": f"#/$defs/{name}"}, value, "$")


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    return False


def _check(defs: dict[str, Any], schema: dict[str, Any], value: Any, path: str) -> str | None:
    """The same walk as checkSchema() in pwa/staff/verify.js, rule for rule."""
    if "$ref" in schema:
        return _check(defs, defs[schema["$ref"].rsplit("/", 1)[1]], value, path)
    if "anyOf" in schema:
        if any(_check(defs, sub, value, path) is None for sub in schema["anyOf"]):
            return None
        return f"{path}: no allowed form matches"
    if "enum" in schema and not any(type(value) is type(x) and value == x for x in schema["enum"]):
        return f"{path}: not an allowed value"
    kind = schema.get("type")
    if kind is not None and not _type_ok(kind, value):
        return f"{path}: expected {kind}"
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"{path}: too short"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{path}: too long"
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            return f"{path}: wrong form"
        if schema.get("format") == "date" and not _valid_date(value):
            return f"{path}: not a date"
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{path}: too small"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{path}: too large"
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return f"{path}: too few items"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"{path}: too many items"
        items = schema.get("items")
        if items is not None:
            for i, item in enumerate(value):
                problem = _check(defs, items, item, f"{path}[{i}]")
                if problem:
                    return problem
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                return f"{path}.{key}: missing"
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                problem = _check(defs, properties[key], item, f"{path}.{key}")
            elif extra is False:
                problem = f"{path}.{key}: not allowed"
            elif isinstance(extra, dict):
                problem = _check(defs, extra, item, f"{path}.{key}")
            else:
                problem = None
            if problem:
                return problem
    return None
