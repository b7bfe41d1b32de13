"""What changed for whom: content snapshots, profile matching and the push payload.

A snapshot is the set of guides (id, lang, version, hash, title, who they apply to) in one
content build. `cartilla notify` compares each subscriber's last announced snapshot with the
current one and keeps the guides of the subscriber's state, read in the subscriber's language
(falling back to Spanish, then English, as the API does). The server knows no status and no
industry, so each listed guide carries its own audience and the phone keeps what applies.
Stored (old) snapshots keep only id, lang, version and hash; that is all a comparison needs.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec

from server.push.schema import ChangedGuide, GuidesUpdatedPayload, PushProfile

#: Encoded payload budget. Push services accept 4096 bytes of *encrypted* body; aes128gcm
#: adds a 86-byte header, padding and a 16-byte tag, so stay well below.
MAX_PAYLOAD_BYTES = 3000
#: Languages the server writes notification text in; others get Spanish.
NOTIFICATION_LANGUAGES = ("es", "en")
FALLBACK_LANGUAGES = ("es", "en")


class IndexError_(Exception):
    """The content index is missing or unreadable; `.en` and `.es` say why."""

    def __init__(self, en: str, es: str) -> None:
        super().__init__(en)
        self.en = en
        self.es = es


@dataclass(frozen=True, slots=True)
class GuideState:
    """One guide in one language as a snapshot records it."""

    id: str
    lang: str
    version: int
    hash: str
    title: str
    states: frozenset[str] | None  # None: every state
    industries: frozenset[str] | None  # None: every industry
    statuses: frozenset[str]

    def applies_to(self, profile: PushProfile) -> bool:
        """Whether a worker with `profile` would get this guide in their pack."""
        if (
            self.states is not None
            and "any" not in profile.states
            and not self.states.intersection(profile.states)
        ):
            return False
        # A profile without industries or statuses (what the server keeps) matches them all.
        if (
            self.industries is not None
            and profile.industries is not None
            and "any" not in profile.industries
            and not self.industries.intersection(profile.industries)
        ):
            return False
        return (
            profile.statuses is None
            or "any" in self.statuses
            or "any" in profile.statuses
            or bool(self.statuses.intersection(profile.statuses))
        )

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "version": self.version,
            "hash": self.hash,
            "title": self.title,
            "states": _dump_set(self.states),
            "industries": _dump_set(self.industries),
            "statuses": json.dumps(sorted(self.statuses)),
        }


def _dump_set(values: frozenset[str] | None) -> str:
    return json.dumps("all" if values is None else sorted(values))


def _parse_set(raw: object) -> frozenset[str] | None:
    """A JSON list or "all" (as the index stores states and industries) -> set or None."""
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
    if value is None or value == "all":
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None if "all" in value else frozenset(value)
    raise ValueError(f"expected a JSON list of names or 'all', got {raw!r}")


class Snapshot:
    """Guides by id, then by language, with a fingerprint of the whole state."""

    def __init__(self, guides: Iterable[GuideState]) -> None:
        self.by_id: dict[str, dict[str, GuideState]] = {}
        for guide in guides:
            self.by_id.setdefault(guide.id, {})[guide.lang] = guide
        digest = hashlib.sha256()
        for guide in sorted(self.guides(), key=lambda g: (g.id, g.lang)):
            digest.update(json.dumps(guide.as_row(), sort_keys=True).encode())
            digest.update(b"\n")
        self.fingerprint = digest.hexdigest()

    def guides(self) -> Iterable[GuideState]:
        for langs in self.by_id.values():
            yield from langs.values()

    def read_in(self, guide_id: str, language: str) -> GuideState | None:
        """The version of `guide_id` a reader of `language` gets, as the API picks it:
        theirs, else Spanish, else English, else the first other language."""
        langs = self.by_id.get(guide_id)
        if not langs:
            return None
        for lang in (language, *FALLBACK_LANGUAGES):
            if lang in langs:
                return langs[lang]
        return langs[min(langs)]


def snapshot_from_rows(rows: Iterable[Mapping[str, Any]]) -> Snapshot:
    """A snapshot from index or push-DB rows; malformed rows raise ValueError."""
    guides = []
    for row in rows:
        try:
            # Stored snapshots have no title or audience: only what a comparison needs.
            statuses = _parse_set(row.get("statuses", "all"))
            guides.append(
                GuideState(
                    id=str(row["id"]),
                    lang=str(row["lang"]),
                    version=int(row["version"]),
                    hash=str(row["hash"]),
                    title=str(row.get("title", "")),
                    states=_parse_set(row.get("states", "all")),
                    industries=_parse_set(row.get("industries", "all")),
                    statuses=frozenset({"any"}) if statuses is None else statuses,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"guide {row.get('id')!r}/{row.get('lang')!r}: {exc}") from exc
    return Snapshot(guides)


def read_index(index_path: Path) -> Snapshot:
    """The current content state from the index `cartilla build` wrote (read-only)."""
    if not index_path.is_file():
        raise IndexError_(
            f"No content index at {index_path}. Run `cartilla build` first.",
            f"No hay índice de contenido en {index_path}. Ejecute primero `cartilla build`.",
        )
    try:
        conn = sqlite3.connect(f"{index_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.row_factory = sqlite3.Row
            rows = conn.execute(
                "SELECT id, lang, version, hash, title, states, industries, statuses FROM guides"
            ).fetchall()
        finally:
            conn.close()
        return snapshot_from_rows(dict(row) for row in rows)
    except (sqlite3.Error, ValueError) as exc:
        raise IndexError_(
            f"The content index {index_path} cannot be read ({exc}). Run `cartilla build` again.",
            f"No se puede leer el índice de contenido {index_path} ({exc}). "
            "Ejecute otra vez `cartilla build`.",
        ) from None


def changes_for(profile: PushProfile, old: Snapshot, new: Snapshot) -> list[ChangedGuide]:
    """Guides that are new or different for this profile, in the profile's language."""
    changed = []
    for guide_id in sorted(new.by_id):
        now = new.read_in(guide_id, profile.language)
        if now is None or not now.applies_to(profile):
            continue
        before = old.read_in(guide_id, profile.language)
        if before is not None and before.hash == now.hash and before.lang == now.lang:
            continue
        changed.append(
            ChangedGuide(
                id=now.id,
                lang=now.lang,
                version=now.version,
                hash=now.hash,
                title=now.title,
                new=before is None,
                industries=_audience(now.industries),
                statuses=_audience(None if "any" in now.statuses else now.statuses),
            )
        )
    return changed


def _audience(values: frozenset[str] | None) -> list[str] | Literal["all"]:
    return "all" if values is None else sorted(values)


_TEXT = {
    "title": {
        "es": "Cartilla: cambiaron sus guías",
        "en": "Cartilla: your guides changed",
    },
    "one": {"es": "Nueva versión: {title}", "en": "New version: {title}"},
    "many": {
        "es": "{count} guías tienen cambios: {titles}",
        "en": "{count} guides changed: {titles}",
    },
}
MAX_BODY_CHARS = 180


def notification_language(language: str) -> str:
    base = language.split("-")[0]
    return base if base in NOTIFICATION_LANGUAGES else "es"


def build_payload(profile: PushProfile, changed: list[ChangedGuide]) -> bytes:
    """The JSON payload for one subscriber, trimmed to fit MAX_PAYLOAD_BYTES."""
    lang = notification_language(profile.language)
    if len(changed) == 1:
        body = _TEXT["one"][lang].format(title=changed[0].title)
    else:
        body = _TEXT["many"][lang].format(
            count=len(changed), titles=", ".join(g.title for g in changed)
        )
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 1].rstrip(" ,") + "…"
    guides = list(changed)
    while True:
        payload = GuidesUpdatedPayload(
            lang=lang,
            title=_TEXT["title"][lang],
            body=body,
            guides=guides,
            more=len(changed) - len(guides),
        )
        encoded = msgspec.json.encode(payload)
        if len(encoded) <= MAX_PAYLOAD_BYTES or not guides:
            return encoded
        guides = guides[:-1]
