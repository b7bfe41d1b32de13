"""`cartilla build`: turn checked content into the SQLite index the server reads.

Owns the index file. The index is derived data: it is always built into a new file and
swapped in with an atomic rename, so a failing build never replaces the index the server
uses. It keeps every published version of each guide, read from git history when git is
there. A rebuild with no content change is detected by a fingerprint and costs only the
hashing of the files; a rebuild after a change reuses the rendering of unchanged files.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from sqlite_utils import Database

from server.content.check import ContentSet, load_content, stale_translations
from server.content.loader import ContentError, Guide, Problem, guide_paths, parse_guide
from server.content.render import render_markdown

#: Raise when the index layout or the rendered document changes, to force a full rebuild.
INDEX_FORMAT = "3"


class GuideDocument(msgspec.Struct, kw_only=True):
    """A rendered guide as the API and the phone see it; its hash addresses it."""

    id: str
    lang: str
    version: int
    title: str
    summary: str
    kind: str
    topics: list[str]
    applies_to: dict[str, Any]
    reviewed: dt.date
    review_status: str
    effective: dt.date | None
    sources: list[dict[str, Any]]
    translation_of: dict[str, Any] | None
    stale: bool
    html: str


@dataclass
class BuildResult:
    """What a build did: `status` is built, unchanged or failed."""

    status: str
    index_path: Path
    guides: int = 0
    versions: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _git(root: Path, *args: str, input_bytes: bytes | None = None) -> bytes | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=True, input=input_bytes
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def fingerprint(content_dir: Path) -> str:
    """A hash of every content file's bytes, the git HEAD and the index format."""
    h = hashlib.sha256(INDEX_FORMAT.encode())
    head = _git(content_dir, "rev-parse", "HEAD") or b""
    h.update(head)
    for path in sorted(p for p in content_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(content_dir).as_posix()
        if rel.startswith("schema/"):
            continue
        h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def index_is_sound(conn: sqlite3.Connection) -> bool:
    """`PRAGMA quick_check`: False for an index damaged in place (a disk error, a bad copy)."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error:
        return False
    return rows == [("ok",)]


def read_fingerprint(index_path: Path) -> str | None:
    """The fingerprint stored in an existing, sound index; None if it cannot be trusted."""
    if not index_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        try:
            if not index_is_sound(conn):
                return None  # damaged: never "up to date", rebuild it
            row = conn.execute("select value from build where key = 'fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temp_files(index_path: Path, max_age: float = 6 * 3600) -> list[Path]:
    """Delete temp indexes left by builds that were killed (their process is gone)."""
    removed: list[Path] = []
    if not index_path.parent.is_dir():
        return removed
    for tmp in index_path.parent.glob(f".{index_path.name}.*.tmp"):
        pid_text = tmp.name.removeprefix(f".{index_path.name}.").removesuffix(".tmp")
        try:
            old = time.time() - tmp.stat().st_mtime > max_age
            if (pid_text.isdigit() and not _pid_alive(int(pid_text))) or old:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def _io_problem(index_path: Path, content_dir: Path, exc: BaseException) -> Problem:
    """A disk-full or I/O error as the plain message `cartilla build` prints."""
    text = str(exc)
    full = getattr(exc, "errno", None) == errno.ENOSPC or "full" in text.lower()
    if full:
        es = "el disco está lleno; libere espacio y vuelva a ejecutar `cartilla build`"
        en = "the disk is full; free some space and run `cartilla build` again"
    else:
        es = "no se pudo escribir o leer el índice (error de disco); revise la carpeta"
        en = "the index could not be written or read (a disk error); check the folder"
    detail = getattr(exc, "strerror", None) or text
    return Problem(
        path=os.path.relpath(index_path, content_dir),
        line=0,
        message=f"{es} / {en} ({detail}). El índice en uso no cambió / "
        "the index in use was not changed.",
        field="index",
    )


#: The heading ids markdown-it's anchors plugin writes (server/content/render.py slugify). The
#: phone makes the same ids from the heading text (pwa/js/screens/guide.js addHeadingIds), so
#: the documents phones download leave them out: about 800 B brotli of the first visit's pack
#: (issue 14). The index keeps them (render_markdown's html, and `anchors` for `cartilla check`).
_HEADING_ID = re.compile(r'(<h[1-3]) id="[^"<>]*">')


def phone_html(html: str) -> str:
    """A guide's HTML as phones get it: without the heading ids they make themselves."""
    return _HEADING_ID.sub(r"\1>", html)


def _document(guide: Guide, html: str, stale: bool) -> bytes:
    f = guide.front
    doc = GuideDocument(
        id=f.id,
        lang=f.lang,
        version=f.version,
        title=f.title,
        summary=f.summary,
        kind=f.kind,
        topics=f.topics,
        applies_to=msgspec.to_builtins(f.applies_to),
        reviewed=f.reviewed,
        review_status=f.review_status,
        effective=f.effective,
        sources=msgspec.to_builtins(f.sources),
        translation_of=msgspec.to_builtins(f.translation_of) if f.translation_of else None,
        stale=stale,
        html=phone_html(html),
    )
    return msgspec.json.encode(doc)


def _render_cache(old_index: Path) -> dict[str, tuple[str, str]]:
    """raw-file sha256 -> (html, text) from the previous index, to skip re-rendering."""
    if not old_index.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{old_index}?mode=ro", uri=True)
        try:
            rows = conn.execute("select raw_sha, html, body_text from guide_versions").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return {r[0]: (r[1], r[2]) for r in rows}


def _history(content_dir: Path) -> list[tuple[bytes, str, str, str]]:
    """Committed versions of guide files: (raw bytes, path, commit, commit date), newest first."""
    top_b = _git(content_dir, "rev-parse", "--show-toplevel")
    if not top_b:
        return []
    top = Path(top_b.decode().strip())
    try:
        guides_rel = (content_dir / "guides").resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return []
    log = _git(
        top,
        "log",
        "--format=commit %H %cI",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--",
        guides_rel,
    )
    if not log:
        return []
    entries: list[tuple[str, str, str, str]] = []  # blob, path, commit, date
    commit = date = ""
    for line in log.decode("utf-8", "replace").splitlines():
        if line.startswith("commit "):
            _, commit, date = line.split(" ", 2)
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            parts = meta.split()
            blob, status = parts[3], parts[4]
            if status != "D" and path.endswith(".md"):
                entries.append((blob, path, commit, date))
    if not entries:
        return []
    blobs = sorted({e[0] for e in entries})
    out = _git(top, "cat-file", "--batch", input_bytes=("\n".join(blobs) + "\n").encode())
    if out is None:
        return []
    contents: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        nl = out.index(b"\n", pos)
        header = out[pos:nl].decode().split()
        if len(header) < 3:  # "<blob> missing"
            pos = nl + 1
            continue
        size = int(header[2])
        contents[header[0]] = out[nl + 1 : nl + 1 + size]
        pos = nl + 1 + size + 1
    return [(contents[b], p, c, d) for b, p, c, d in entries if b in contents]


def _create_schema(db: Database) -> None:
    common: dict[str, Any] = {
        "id": str,
        "lang": str,
        "version": int,
        "title": str,
        "summary": str,
        "kind": str,
        "states": str,
        "industries": str,
        "statuses": str,
        "topics": str,
        "reviewed": str,
        "review_status": str,
        "effective": str,
        "sources": str,
        "translation_of": str,
        "hash": str,
        "document": str,
        "html": str,
        "body_text": str,
        "raw_sha": str,
        "path": str,
    }
    db.table("guides").create({**common, "stale": int}, pk=("id", "lang"))
    db.table("guide_versions").create(
        {**common, "commit": str, "committed_at": str}, pk=("id", "lang", "version")
    )
    db.table("data").create({"name": str, "hash": str, "json": str}, pk="name")
    db.table("build").create({"key": str, "value": str}, pk="key")


def _row(guide: Guide, raw_sha: str, html: str, text: str, stale: bool) -> dict[str, Any]:
    f = guide.front
    document = _document(guide, html, stale)
    return {
        "id": f.id,
        "lang": f.lang,
        "version": f.version,
        "title": f.title,
        "summary": f.summary,
        "kind": f.kind,
        "states": json.dumps(f.applies_to.states),
        "industries": json.dumps(f.applies_to.industries),
        "statuses": json.dumps(f.applies_to.statuses),
        "topics": json.dumps(f.topics),
        "reviewed": f.reviewed.isoformat(),
        "review_status": f.review_status,
        "effective": f.effective.isoformat() if f.effective else None,
        "sources": msgspec.json.encode(f.sources).decode(),
        "translation_of": msgspec.json.encode(f.translation_of).decode()
        if f.translation_of
        else None,
        "hash": _sha256(document),
        "document": document.decode(),
        "html": html,
        "body_text": text,
        "raw_sha": raw_sha,
        "path": guide.path,
    }


def build_index(content_dir: Path, index_path: Path, force: bool = False) -> BuildResult:
    """Check `content_dir` and write the index to `index_path`, atomically.

    Returns status `unchanged` when the content has not changed since the index was built,
    `failed` (with problems, the old index untouched) when the content has errors.
    """
    started = time.perf_counter()
    content_dir = content_dir.resolve()
    try:
        remove_stale_temp_files(index_path)
        return _build(content_dir, index_path, force, started)
    except (OSError, sqlite3.Error) as exc:
        return BuildResult(
            "failed",
            index_path,
            problems=[_io_problem(index_path, content_dir, exc)],
            seconds=time.perf_counter() - started,
        )


def _build(content_dir: Path, index_path: Path, force: bool, started: float) -> BuildResult:
    fp = fingerprint(content_dir)
    if not force and read_fingerprint(index_path) == fp:
        return BuildResult("unchanged", index_path, seconds=time.perf_counter() - started)

    cs: ContentSet = load_content(content_dir, check_git=False)
    if cs.errors:
        return BuildResult(
            "failed", index_path, problems=cs.errors, seconds=time.perf_counter() - started
        )
    stale = stale_translations(cs)
    cache = _render_cache(index_path)

    index_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = index_path.with_name(f".{index_path.name}.{os.getpid()}.tmp")
    tmp_path.unlink(missing_ok=True)
    try:
        db = Database(str(tmp_path))
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        _create_schema(db)
        with db.conn:
            current = []
            for guide in cs.guides:
                raw_sha = _sha256(guide.raw)
                rendered = cs.rendered[guide.path]
                key = (guide.front.id, guide.front.lang)
                current.append(_row(guide, raw_sha, rendered.html, rendered.text, key in stale))
            db.table("guides").insert_all(
                [{**r, "stale": int((r["id"], r["lang"]) in stale)} for r in current]
            )
            versions = _versions(content_dir, cs, current, cache)
            db.table("guide_versions").insert_all(versions)
            for name, value in cs.data.items():
                body = msgspec.json.encode(value)
                db.table("data").insert(
                    {
                        "name": name.removesuffix(".yaml"),
                        "hash": _sha256(body),
                        "json": body.decode(),
                    }
                )
            db.table("build").insert_all(
                [
                    {"key": "fingerprint", "value": fp},
                    {"key": "built_at", "value": dt.datetime.now(dt.UTC).isoformat()},
                    {
                        "key": "git_head",
                        "value": (_git(content_dir, "rev-parse", "HEAD") or b"").decode().strip(),
                    },
                ]
            )
        db.table("guides").enable_fts(
            ["title", "summary", "body_text"],
            tokenize="unicode61 remove_diacritics 2",
            create_triggers=False,
        )
        db.table("guides").populate_fts(["title", "summary", "body_text"])
        db.execute("PRAGMA journal_mode = DELETE")
        db.conn.execute("ANALYZE")
        db.close()
        os.replace(tmp_path, index_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return BuildResult(
        "built",
        index_path,
        guides=len(cs.guides),
        versions=len(versions),
        seconds=time.perf_counter() - started,
        problems=cs.warnings,
    )


def _versions(
    content_dir: Path,
    cs: ContentSet,
    current: list[dict[str, Any]],
    cache: dict[str, tuple[str, str]],
) -> list[dict[str, Any]]:
    """Every published version of every guide: git history, then the working tree."""
    by_key: dict[tuple[str, str, int], dict[str, Any]] = {}
    for raw, path, commit, date in _history(content_dir):
        raw_sha = _sha256(raw)
        try:
            guide = parse_guide(raw, path)
        except ContentError:
            continue  # a broken commit in history is skipped, not fatal
        key = (guide.front.id, guide.front.lang, guide.front.version)
        if key in by_key:
            continue  # history is newest first: keep the newest text of each version
        if raw_sha in cache:
            html, text = cache[raw_sha]
        else:
            rendered = render_markdown(guide.body, guide.body_line)
            html, text = rendered.html, rendered.text
            cache[raw_sha] = (html, text)
        row = _row(guide, raw_sha, html, text, stale=False)
        by_key[key] = {**row, "commit": commit, "committed_at": date}
    for row in current:
        key = (row["id"], row["lang"], row["version"])
        committed = by_key.get(key)
        if committed is None or committed["raw_sha"] != row["raw_sha"]:
            by_key[key] = {**row, "commit": None, "committed_at": None}
            by_key[key].pop("stale", None)
    return list(by_key.values())


def guide_count(content_dir: Path) -> int:
    """How many guide files there are (for messages)."""
    return len(guide_paths(content_dir))
