"""The published content as the server sees it: the index, read-only, kept in memory.

Owns reading the SQLite index built by `cartilla build`. Guide metadata and data files are
held in memory; rendered documents are read on demand. When `cartilla build` swaps in a new
index file, the next request (at most once a second) notices and loads it; if the new file
cannot be read, the server keeps the content it already has.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server import search_terms
from server.content.schema import PRIMARY_LANGUAGES


@dataclass(frozen=True)
class GuideEntry:
    """One current guide: what listings, filters and the pack manifest need."""

    id: str
    lang: str
    version: int
    title: str
    summary: str
    kind: str
    states: list[str] | str
    industries: list[str] | str
    statuses: list[str]
    topics: list[str]
    reviewed: str
    review_status: str
    hash: str
    stale: bool

    def applies(self, state: str, industry: str, status: str) -> bool:
        """Whether this guide is for the profile; `any` in the profile matches everything."""
        return (
            (state == "any" or self.states == "all" or state in self.states)
            and (industry == "any" or self.industries == "all" or industry in self.industries)
            and (status == "any" or "any" in self.statuses or status in self.statuses)
        )

    def summary_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "version": self.version,
            "hash": self.hash,
            "title": self.title,
            "summary": self.summary,
            "kind": self.kind,
            "topics": self.topics,
            "applies_to": {
                "states": self.states,
                "industries": self.industries,
                "statuses": self.statuses,
            },
            "reviewed": self.reviewed,
            "review_status": self.review_status,
            "stale": self.stale,
        }


@dataclass
class Snapshot:
    """One loaded index: immutable once built, replaced whole on reload."""

    path: Path
    mtime_ns: int
    guides: dict[tuple[str, str], GuideEntry]
    by_hash: dict[str, tuple[str, str, int]]  # document hash -> (id, lang, version)
    data: dict[str, tuple[str, Any]]  # name -> (hash, decoded JSON)
    fingerprint: str
    cache: dict[Any, Any] = field(default_factory=dict)  # derived responses, per snapshot

    def languages_of(self, guide_id: str) -> list[str]:
        return sorted(lang for (gid, lang) in self.guides if gid == guide_id)

    def pick_lang(self, guide_id: str, lang: str) -> tuple[GuideEntry | None, bool]:
        """The guide in `lang`, else Spanish, else English, else any; and whether it fell back."""
        for candidate in (lang, *PRIMARY_LANGUAGES):
            entry = self.guides.get((guide_id, candidate))
            if entry:
                return entry, candidate != lang
        others = self.languages_of(guide_id)
        if others:
            return self.guides[(guide_id, others[0])], True
        return None, False


class IndexMissing(Exception):
    """There is no usable index yet (run `cartilla build`)."""


class IndexDamaged(IndexMissing):
    """The index file fails `PRAGMA quick_check` or a read hit a damaged page."""


class Catalog:
    """Thread-safe access to the current snapshot of the index."""

    def __init__(self, index_path: Path, check_interval: float = 1.0):
        self.index_path = index_path
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        self._local = threading.local()

    def _connect(self, path: Path) -> sqlite3.Connection:
        return sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )

    def _load(self) -> Snapshot:
        stat = self.index_path.stat()
        conn = self._connect(self.index_path)
        try:
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise IndexDamaged(str(self.index_path))
            conn.row_factory = sqlite3.Row
            guides: dict[tuple[str, str], GuideEntry] = {}
            for r in conn.execute(
                "select id, lang, version, title, summary, kind, states, industries, statuses, "
                "topics, reviewed, review_status, hash, stale from guides"
            ):
                guides[(r["id"], r["lang"])] = GuideEntry(
                    id=r["id"],
                    lang=r["lang"],
                    version=r["version"],
                    title=r["title"],
                    summary=r["summary"],
                    kind=r["kind"],
                    states=json.loads(r["states"]),
                    industries=json.loads(r["industries"]),
                    statuses=json.loads(r["statuses"]),
                    topics=json.loads(r["topics"]),
                    reviewed=r["reviewed"],
                    review_status=r["review_status"],
                    hash=r["hash"],
                    stale=bool(r["stale"]),
                )
            by_hash = {
                r[0]: (r[1], r[2], r[3])
                for r in conn.execute("select hash, id, lang, version from guide_versions")
            }
            for g in guides.values():
                by_hash[g.hash] = (g.id, g.lang, g.version)
            data = {
                r["name"]: (r["hash"], json.loads(r["json"]))
                for r in conn.execute("select name, hash, json from data")
            }
            fp_row = conn.execute("select value from build where key='fingerprint'").fetchone()
        finally:
            conn.close()
        return Snapshot(
            path=self.index_path,
            mtime_ns=stat.st_mtime_ns,
            guides=guides,
            by_hash=by_hash,
            data=data,
            fingerprint=fp_row[0] if fp_row else "",
        )

    def snapshot(self) -> Snapshot:
        """The current snapshot, reloading if the index file was replaced."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked_at < self.check_interval:
            return snap
        with self._lock:
            self._checked_at = now
            try:
                mtime = self.index_path.stat().st_mtime_ns
            except OSError:
                mtime = None
            if snap is not None and (mtime is None or mtime == snap.mtime_ns):
                return snap
            try:
                self._snapshot = self._load()
                # The snapshot's many small objects live until the next build; moving them
                # out of the collector's sight keeps its pauses short under load.
                gc.collect()
                gc.freeze()
            except IndexDamaged:
                if snap is None:
                    raise
                # Keep serving the last good content (documents already read stay cached).
            except sqlite3.DatabaseError as exc:
                if snap is None:
                    raise IndexDamaged(str(self.index_path)) from exc
            except (OSError, sqlite3.Error, ValueError, KeyError):
                if snap is None:
                    raise IndexMissing(str(self.index_path)) from None
                # Keep serving the last good content.
            assert self._snapshot is not None
            return self._snapshot

    def _conn(self, snap: Snapshot) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "mtime", None) != snap.mtime_ns:
            if conn is not None:
                conn.close()
            conn = self._connect(snap.path)
            self._local.conn = conn
            self._local.mtime = snap.mtime_ns
        return conn

    def _read(self, snap: Snapshot, sql: str, args: tuple[Any, ...], many: bool = False) -> Any:
        """One query on the snapshot's file; a damaged page is IndexDamaged, not a 500."""
        try:
            cursor = self._conn(snap).execute(sql, args)
            return cursor.fetchall() if many else cursor.fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(str(snap.path)) from exc

    def document(self, snap: Snapshot, doc_hash: str) -> bytes | None:
        """The rendered guide document with this content hash (current or past)."""
        key = ("doc", doc_hash)
        cached = snap.cache.get(key)
        if cached is not None:
            return bytes(cached)
        row = self._read(
            snap,
            "select document from guides where hash = ? union all "
            "select document from guide_versions where hash = ? limit 1",
            (doc_hash, doc_hash),
        )
        if row is None:
            return None
        body = str(row[0]).encode()
        snap.cache[key] = body
        return body

    def versions(self, snap: Snapshot, guide_id: str, lang: str) -> list[dict[str, Any]]:
        rows = self._read(
            snap,
            "select version, hash, reviewed, review_status, [commit], committed_at "
            "from guide_versions where id = ? and lang = ? order by version desc",
            (guide_id, lang),
            many=True,
        )
        return [
            {
                "version": r[0],
                "hash": r[1],
                "reviewed": r[2],
                "review_status": r[3],
                "commit": r[4],
                "committed_at": r[5],
                "url": f"/api/v1/content/{r[1]}",
            }
            for r in rows
        ]

    def _vocabulary(self, snap: Snapshot, lang: str | None) -> list[str]:
        """Every word of the index's guides in `lang` (all languages for None), once per index."""
        key = ("vocab", lang)
        cached = snap.cache.get(key)
        if cached is not None:
            return list(cached)
        conn = self._conn(snap)
        try:
            # A temporary table: the index file itself stays read-only.
            conn.execute(
                "create virtual table if not exists temp.guides_vocab "
                "using fts5vocab(main, guides_fts, instance)"
            )
            sql = "select distinct v.term from temp.guides_vocab v "
            args: tuple[Any, ...] = ()
            if lang:
                sql += "join guides g on g.rowid = v.doc where g.lang = ?"
                args = (lang,)
            vocab = sorted(r[0] for r in conn.execute(sql, args))
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(str(snap.path)) from exc
        snap.cache[key] = tuple(vocab)
        return vocab

    def search(
        self, snap: Snapshot, query: str, lang: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Full-text search with the phone's rules (server/search_terms.py): accents, word
        forms, phrasings and one-letter typos. A Spanish search that finds nothing looks in
        the English guides (each result says its language). The query is never FTS syntax:
        it only picks words of the index, which are quoted."""
        results = self._search(snap, query, lang, limit)
        if not results and lang == "es":
            results = self._search(snap, query, "en", limit)
        return results

    def _search(
        self, snap: Snapshot, query: str, lang: str | None, limit: int
    ) -> list[dict[str, Any]]:
        words = search_terms.load_words()
        rules_lang = lang or "es"
        plan = search_terms.plan(query, rules_lang, words)
        if not plan.groups:
            return []
        vocab = self._vocabulary(snap, lang)
        matched: list[set[str]] = []
        for group in plan.groups:
            found = {v for v in vocab if search_terms.group_matches(v, group, rules_lang, words)}
            if not found:
                return []  # every group must match: one with no word in any guide finds nothing
            matched.append(found)
        match = " AND ".join(
            "(" + " OR ".join(f'"{v}"' for v in sorted(found)) + ")" for found in matched
        )
        sql = (
            "select g.id, g.lang, g.title, g.summary, "
            "snippet(guides_fts, 2, '[', ']', '…', 12) from guides_fts "
            "join guides g on g.rowid = guides_fts.rowid where guides_fts match ? "
        )
        args: list[Any] = [match]
        if lang:
            sql += "and g.lang = ? "
            args.append(lang)
        sql += "order by rank"
        try:
            rows = self._conn(snap).execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if "malformed" in str(exc) or "disk" in str(exc):
                raise IndexDamaged(str(snap.path)) from exc
            return []  # a query FTS cannot parse finds nothing
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(str(snap.path)) from exc
        # The phone's order (title and summary hits first); FTS's rank breaks ties.
        ranked = sorted(
            enumerate(rows),
            key=lambda ir: (-search_terms.score(matched, ir[1][2], ir[1][3]), ir[0]),
        )
        return [
            {"id": r[0], "lang": r[1], "title": r[2], "summary": r[3], "snippet": r[4]}
            for _, r in ranked[:limit]
        ]
