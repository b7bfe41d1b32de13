"""Content commands: `cartilla check`, `build`, `coverage` and `schemas`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from server.config import Settings, get_settings
from server.content.build import build_index
from server.content.check import load_content
from server.content.coverage import coverage
from server.schemas import EXPORTED_SCHEMAS


def _iso_date(text: str) -> dt.date:
    """`--as-of`: a YYYY-MM-DD date or `today`; anything else is a plain usage error."""
    if text == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"fecha no válida / not a date: {text!r} (YYYY-MM-DD, p. ej. / e.g. 2026-12-01)"
        ) from None


def _content_dir(args: argparse.Namespace) -> Path:
    return Path(args.content) if args.content else get_settings().content_dir


def _show(root: Path, problem: object) -> str:
    # Paths relative to the current folder, so editors can jump to file:line.
    text = str(problem)
    prefix = os.path.relpath(root)
    return f"{prefix}/{text}" if prefix != "." else text


def cmd_check(args: argparse.Namespace) -> int:
    root = _content_dir(args)
    cs = load_content(root, check_git=not args.no_git, as_of=args.as_of)
    for p in cs.problems:
        print(_show(root, p), file=sys.stderr if p.level == "error" else sys.stdout)
    stale_schemas = [
        name for name, make in EXPORTED_SCHEMAS.items() if _schema_stale(root, name, make)
    ]
    for name in stale_schemas:
        print(
            f"{os.path.relpath(root)}/schema/{name}: error: out of date; run `cartilla schemas`",
            file=sys.stderr,
        )
    errors = len(cs.errors) + len(stale_schemas)
    summary = (
        f"{len(cs.guides)} guides, {len(cs.data)} data files: "
        f"{errors} error(s), {len(cs.warnings)} warning(s)"
    )
    print(summary if errors == 0 else summary + " — nothing will be published until fixed")
    return 1 if errors else 0


def _schema_stale(root: Path, name: str, make: Callable[[], bytes]) -> bool:
    # Only a content folder that publishes schemas (the real one) is held to them.
    folder = root / "schema"
    path = folder / name
    return folder.is_dir() and (not path.exists() or path.read_bytes() != make())


def cmd_schemas(args: argparse.Namespace) -> int:
    out = _content_dir(args) / "schema"
    out.mkdir(parents=True, exist_ok=True)
    for name, make in EXPORTED_SCHEMAS.items():
        (out / name).write_bytes(make())
        print(f"wrote {os.path.relpath(out / name)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    settings = get_settings()
    root = _content_dir(args)
    index = Path(args.index) if args.index else settings.index_path
    result = build_index(root, index, force=args.force)
    if result.status == "failed":
        for p in result.problems:
            print(_show(root, p), file=sys.stderr)
        print(
            f"build failed: {len(result.problems)} error(s); the index in use was not changed",
            file=sys.stderr,
        )
        return 1
    if result.status == "unchanged":
        print(f"index is up to date ({index}) in {result.seconds:.2f}s")
        return _export_static(args, settings, index)
    for p in result.problems:
        print(_show(root, p))
    print(
        f"built {index}: {result.guides} guides, {result.versions} versions "
        f"in {result.seconds:.2f}s"
    )
    return _export_static(args, settings, index)


def _export_static(args: argparse.Namespace, settings: Settings, index: Path) -> int:
    """`--static DIR`: the read-only API and the web app as files (server/static_export.py)."""
    if not args.static:
        return 0
    from server.static_export import ExportError, export_static

    states = [s.strip() for s in args.states.split(",") if s.strip()] if args.states else None
    try:
        done = export_static(replace(settings, index_path=index), Path(args.static), states)
    except ExportError as exc:
        print(f"Error: {exc.es}\nError: {exc.en}", file=sys.stderr)
        return 1
    print(
        f"static tree {done.out}: {done.urls} URLs, {done.files} files, "
        f"{done.bytes / 1e6:.1f} MB in {done.seconds:.1f}s; nginx: {done.out}/nginx.conf.example"
    )
    if done.skipped:  # not a 200 from the app: nginx leaves these to the Python server
        print(f"{len(done.skipped)} URL(s) left to the server: {', '.join(done.skipped[:5])}")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    root = _content_dir(args)
    cs = load_content(root, check_git=False)
    cov = coverage(cs)
    if args.json:
        print(json.dumps(cov.to_json(), indent=2))
    else:
        print(
            f"{cov.covered} of {cov.total} profiles covered "
            f"({len(cov.states)} states x 8 industries x 3 statuses x {len(cov.languages)} "
            "languages)"
        )
        for gap in cov.gaps:
            print(
                f"gap: {gap['state']} {gap['industry']} {gap['status']} {gap['lang']}: "
                f"no {', '.join(gap['missing'])} guide"  # type: ignore[arg-type]
            )
    return 0 if not cov.gaps else 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--content", help="content folder (default: ./content)")
        return p

    p = add("check", "validate all of content/; errors name file, line and field")
    p.add_argument("--no-git", action="store_true", help="skip the version-bump check")
    p.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="DATE",
        help="also check the wage figures in force or scheduled near DATE (YYYY-MM-DD or today)",
    )
    p.set_defaults(func=cmd_check)
    p = add("build", "render and index content; never replaces a good index with a bad one")
    p.add_argument("--index", help="index file (default: var/index.db)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument(
        "--static",
        metavar="DIR",
        help="also write the read-only API and the web app as files for nginx or a CDN "
        "(docs/deploy.md)",
    )
    p.add_argument(
        "--states",
        metavar="CA,TX",
        help="with --static: only these states' packs (default: every state)",
    )
    p.set_defaults(func=cmd_build)
    p = add("coverage", "which state x industry x status x language profiles have guides")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_coverage)
    p = add("schemas", "write every JSON Schema in content/schema/ (data and log) from the Structs")
    p.set_defaults(func=cmd_schemas)
