"""Offline packs: everything one profile (state, industry, status, language) needs offline.

A pack is one response: the profile's guides (rendered), the agencies and consulates for the
state, the wage rules and the triage data, plus a manifest of content hashes. After a
content change the phone asks for the small manifest and fetches only the guides whose hash
changed, from immutable content-addressed URLs (`/api/v1/content/<hash>`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import msgspec

from server.catalog import Catalog, GuideEntry, Snapshot
from server.content.schema import INDUSTRIES, STATES, STATUSES
from server.http import ApiError

LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?(-[a-z0-9]{5,8})*$")


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """Who the pack is for. `any` means the worker chose not to say."""

    state: str
    industry: str
    status: str
    lang: str


def _bad(field: str, value: str, allowed: list[str]) -> ApiError:
    return ApiError(
        400,
        f"unknown_{field}",
        f"'{value[:40]}' no es un valor válido para {field}. Valores permitidos: "
        + ", ".join(allowed),
        f"'{value[:40]}' is not a valid {field}. Allowed values: " + ", ".join(allowed),
        field=field,
        allowed=allowed,
    )


def check_state(value: str | None, allow_any: bool) -> str:
    if value is None:
        return "any"
    allowed = [*STATES, "any"] if allow_any else list(STATES)
    if value not in allowed:
        raise _bad("state", value, allowed)
    return value


def check_industry(value: str | None) -> str:
    if value is None:
        return "any"
    allowed = [*INDUSTRIES, "any"]
    if value not in allowed:
        raise _bad("industry", value, allowed)
    return value


def check_status(value: str | None) -> str:
    if value is None:
        return "any"
    allowed = [*STATUSES, "any"]
    if value not in allowed:
        raise _bad("status", value, allowed)
    return value


def check_lang(value: str | None, default: str = "es") -> str:
    if value is None:
        return default
    if len(value) > 35 or not LANG_RE.match(value):
        raise ApiError(
            400,
            "unknown_lang",
            f"'{value[:40]}' no es un código de idioma válido (por ejemplo es, en, mix).",
            f"'{value[:40]}' is not a valid language code (for example es, en, mix).",
            field="lang",
            allowed=["a BCP-47 language tag, e.g. es, en, mix, zap, trs"],
        )
    return value


#: The language an answer is for when the index has no guide in the one asked for: every
#: such request gets the same answer (each guide in its fallback, marked as a fallback).
UNDETERMINED = "und"


def served_lang(snap: Snapshot, requested: str) -> str:
    """The language an answer is made for: what is served, not what was asked.

    Asked languages the index has guides in are kept; `es-MX` becomes `es` when the index
    has `es`; any other well-formed tag becomes `und`. So there are only as many distinct
    answers (and cache entries) as the content has languages, whatever clients send.
    """
    languages = snap.cache.get("languages")
    if languages is None:
        languages = frozenset(lang for (_gid, lang) in snap.guides)
        snap.cache["languages"] = languages
    if requested in languages:
        return requested
    primary = requested.split("-", 1)[0]
    return primary if primary in languages else UNDETERMINED


def profile_guides(snap: Snapshot, profile: Profile) -> list[tuple[GuideEntry, bool]]:
    """The profile's guides, one per id, in its language or a fallback, and if it fell back."""
    ids = sorted({gid for (gid, _lang) in snap.guides})
    out: list[tuple[GuideEntry, bool]] = []
    for gid in ids:
        entry, fallback = snap.pick_lang(gid, profile.lang)
        if entry is not None and entry.applies(profile.state, profile.industry, profile.status):
            out.append((entry, fallback))
    kind_order = {"status": 0, "state": 1, "industry": 2, "topic": 3}
    out.sort(key=lambda e: (kind_order.get(e[0].kind, 9), e[0].title.lower()))
    return out


def profile_data(snap: Snapshot, state: str, lang: str | None = None) -> dict[str, Any]:
    """Agencies (federal + the state's), consulates serving the state, wage rules, triage.

    With `lang` (the phone's pack), each text shown on the phone's screens keeps only the
    language the phone reads it in (see `_one_language`); so do wage rules' notes, which no
    finding uses. Everything a finding is made of keeps every language.
    """

    def data(name: str) -> Any:
        return snap.data.get(name, ("", {}))[1]

    agencies = data("agencies").get("agencies", [])
    consulates = data("consulates")
    wage_rules = data("wage_rules").get("jurisdictions", [])
    triage = data("triage").get("problems", [])
    in_state = state == "any"
    result = {
        "agencies": [a for a in agencies if a["jurisdiction"] in ("federal", state) or in_state],
        # Only the state's county lists travel: the first-visit byte budget (design principle 2).
        "consulates": [
            {**c, "counties": [k for k in c.get("counties", []) if in_state or k["state"] == state]}
            for c in consulates.get("consulates", []) if in_state or state in c["serves"]
        ],
        "hotlines": consulates.get("hotlines", []),
        "wage_rules": [j for j in wage_rules if j["id"] in ("federal", state) or in_state],
        # Each route keeps only this state's own deadline: the other states' travel nowhere.
        "triage": triage if in_state else [_triage_for(problem, state) for problem in triage],
        "reviewed": {
            name: {"reviewed": data(name).get("reviewed"),
                   "review_status": data(name).get("review_status")}
            for name in ("agencies", "consulates", "wage_rules", "triage")
        },
    }  # fmt: skip
    if lang is not None:
        for name in ("agencies", "consulates", "hotlines", "triage"):
            result[name] = _one_language(result[name], lang)
        # A rule's `note` is for reading, never part of a finding (the wage check's bilingual
        # explanations come from its own messages and the rules' names): one language will do.
        result["wage_rules"] = _notes_in_one_language(result["wage_rules"], lang)
    return result


def _notes_in_one_language(value: Any, lang: str) -> Any:
    if isinstance(value, list):
        return [_notes_in_one_language(v, lang) for v in value]
    if isinstance(value, dict):
        return {
            k: _one_language(v, lang) if k == "note" else _notes_in_one_language(v, lang)
            for k, v in value.items()
        }
    return value


_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _one_language(value: Any, lang: str) -> Any:
    """`value` with each localized text {es, en, ...} cut down to the one the phone shows.

    The choice is the phone's own (pwa/js/i18n.js `pick`): the language, else Spanish, else
    English. A pack is already per language (its guides are), so the other languages'
    directory and triage text would only cost bytes on the first visit.
    """
    if isinstance(value, list):
        return [_one_language(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    if (
        "es" in value
        and "en" in value
        and all(isinstance(v, str) and _LANG_TAG.match(k) for k, v in value.items())
    ):
        chosen = next(k for k in (lang, "es", "en") if k in value)
        return {chosen: value[chosen]}
    return {k: _one_language(v, lang) for k, v in value.items()}


def data_language(snap: Snapshot, lang: str) -> str:
    """The language the data's texts are shown in for `lang`: itself if some text has it,
    else Spanish (what `_one_language` falls back to). Keys caches by what is served."""
    key = ("data_languages",)
    langs = snap.cache.get(key)
    if langs is None:
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, list):
                for v in value:
                    walk(v)
            elif isinstance(value, dict):
                if (
                    "es" in value
                    and "en" in value
                    and all(isinstance(v, str) for v in value.values())
                ):
                    found.update(k for k in value if _LANG_TAG.match(k))
                else:
                    for v in value.values():
                        walk(v)

        for _name, (_raw, doc) in snap.data.items():
            walk(doc)
        langs = frozenset(found)
        snap.cache[key] = langs
    return lang if lang in langs else "es"


def _triage_for(problem: dict[str, Any], state: str) -> dict[str, Any]:
    routes = [
        {**r, "state_deadlines": {k: v for k, v in r["state_deadlines"].items() if k == state}}
        if r.get("state_deadlines")
        else r
        for r in problem.get("routes", [])
    ]
    return {**problem, "routes": routes}


def content_hash(value: Any) -> str:
    """SHA-256 of a value's JSON: how packs, manifests and data are versioned."""
    return hashlib.sha256(msgspec.json.encode(value)).hexdigest()


def manifest(snap: Snapshot, profile: Profile) -> dict[str, Any]:
    """The small description of a pack: which guide versions, by hash, and the data hash."""
    key = ("manifest", profile)
    cached = snap.cache.get(key)
    if cached is not None:
        return dict(cached)
    data = profile_data(snap, profile.state, profile.lang)
    guides = [
        {
            "id": e.id,
            "lang": e.lang,
            "version": e.version,
            "hash": e.hash,
            "title": e.title,
            "fallback": fallback,
            "url": f"/api/v1/content/{e.hash}",
        }
        for e, fallback in profile_guides(snap, profile)
    ]
    man = {"guides": guides, "data_hash": content_hash(data)}
    result = {
        "profile": msgspec.to_builtins(profile),
        "pack_hash": content_hash(man),
        "manifest": man,
    }
    snap.cache[key] = result
    return dict(result)


#: What the phone reads of a full pack's manifest entries (pwa/js/pack.js, bundle/screen.js):
#: the title is in the guide document beside it and the URL is made of the hash, so neither
#: travels twice on the first visit. The manifest endpoint keeps them (the update check
#: fetches changed guides by `url`), and `pack_hash` is that of the whole manifest.
_PACK_ENTRY_KEYS = ("id", "lang", "version", "hash", "fallback")


def full_pack(catalog: Catalog, snap: Snapshot, profile: Profile) -> dict[str, Any]:
    """The whole pack: manifest, every guide document and the data."""
    man = manifest(snap, profile)
    docs = []
    for g in man["manifest"]["guides"]:
        raw = catalog.document(snap, g["hash"])
        if raw is not None:
            docs.append(msgspec.Raw(raw))
    slim = {
        **man["manifest"],
        "guides": [{k: g[k] for k in _PACK_ENTRY_KEYS} for g in man["manifest"]["guides"]],
    }
    return {
        **man,
        "manifest": slim,
        "guides": docs,
        "data": profile_data(snap, profile.state, profile.lang),
    }
