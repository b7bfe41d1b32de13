"""`cartilla build`: safe rendering, accent-free search, history, atomic and incremental."""

from __future__ import annotations

import sqlite3

from gitrepo import git

from server.config import Settings
from server.content.build import build_index
from server.content.render import render_markdown


def test_rendering_is_safe_and_has_anchors_tables_and_links() -> None:
    r = render_markdown(
        "# Derechos básicos\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "https://www.dol.gov\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[otra](wage-theft.es.md#que-guardar)\n"
    )
    assert '<h1 id="derechos-basicos">Derechos básicos</h1>' in r.html
    assert "<script>" not in r.html and "&lt;script&gt;" in r.html
    assert 'href="javascript' not in r.html
    assert '<a href="https://www.dol.gov" rel="noopener noreferrer">' in r.html
    assert "<table>" in r.html and "<td>1</td>" in r.html
    assert '<a href="#/guide/wage-theft/que-guardar" data-guide="wage-theft">otra</a>' in r.html


def test_search_ignores_accents(built: Settings) -> None:
    conn = sqlite3.connect(built.index_path)
    rows = conn.execute(
        "select g.id, g.lang from guides_fts join guides g on g.rowid = guides_fts.rowid "
        "where guides_fts match 'basicos'"
    ).fetchall()
    assert rows == [("basic-rights", "es")]


def test_no_change_rebuild_is_skipped(built: Settings) -> None:
    before = built.index_path.stat().st_mtime_ns
    result = build_index(built.content_dir, built.index_path)
    assert result.status == "unchanged"
    assert built.index_path.stat().st_mtime_ns == before


def test_failed_build_keeps_the_index_in_use(built: Settings) -> None:
    good = built.index_path.read_bytes()
    guide = built.content_dir / "guides/overtime.es.md"
    guide.write_text(guide.read_text().replace("kind: state", "kind: county"))
    result = build_index(built.content_dir, built.index_path)
    assert result.status == "failed"
    assert "'county' is not one of the allowed values" in str(result.problems[0])
    assert built.index_path.read_bytes() == good
    assert not list(built.index_path.parent.glob(".*.tmp"))


def test_every_published_version_is_kept_from_git_history(settings: Settings) -> None:
    root = settings.content_dir
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "v1")
    guide = root / "guides/overtime.es.md"
    guide.write_text(
        guide.read_text().replace("version: 1", "version: 2").replace("1.5", "tiempo y medio")
    )
    git(root, "commit", "-qam", "v2")
    result = build_index(root, settings.index_path)
    assert result.status == "built"
    conn = sqlite3.connect(settings.index_path)
    rows = conn.execute(
        "select version, html like '%tiempo y medio%', [commit] is not null from guide_versions "
        "where id = 'overtime' and lang = 'es' order by version"
    ).fetchall()
    assert rows == [(1, 0, 1), (2, 1, 1)]
