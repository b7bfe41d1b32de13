"""`cartilla wages LOG.json`: run the wage check on an exported log and print JSON.

Rules come from the built index's `data` table when there is one, else from
content/data/wage_rules.yaml (or `--rules FILE`). Bad input gets a Spanish and English message
on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import msgspec

from server.config import get_settings
from server.log_format import LogFormatError, decode_log
from server.wages import rules as R
from server.wages.check import check


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "wages",
        help="run the wage check on an exported log (prints JSON per week and pay period)",
        description="Run the wage check on an exported worker's log and print the result as JSON.",
    )
    parser.add_argument("log", type=Path, help="the exported log.json")
    parser.add_argument("--as-of", help="check as of this date (YYYY-MM-DD); default today")
    parser.add_argument("--rules", type=Path, help="a wage_rules.yaml to use instead")
    parser.set_defaults(func=run)


def _fail(es: str, en: str) -> int:
    print(f"Error: {es}\nError: {en}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        raw = args.log.read_bytes()
    except OSError as exc:
        return _fail(
            f"No se pudo leer el archivo {args.log} ({exc.strerror}).",
            f"Could not read the file {args.log} ({exc.strerror}).",
        )
    try:
        log, _ = decode_log(raw)
    except LogFormatError as exc:
        return _fail(exc.es, exc.en)
    as_of = dt.date.today()
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            return _fail(
                f"La fecha --as-of «{args.as_of}» no es válida; use AAAA-MM-DD.",
                f"The --as-of date '{args.as_of}' is not valid; use YYYY-MM-DD.",
            )
    settings = get_settings()
    try:
        if args.rules:
            jurisdictions = R.jurisdictions_from_file(args.rules)
        else:
            from_index = R.jurisdictions_from_index(settings.index_path)
            jurisdictions = (
                from_index
                if from_index is not None
                else R.jurisdictions_from_file(settings.content_dir / "data" / "wage_rules.yaml")
            )
    except OSError as exc:
        return _fail(
            f"No se pudieron leer las reglas de salario ({exc}).",
            f"Could not read the wage rules ({exc}).",
        )
    except Exception as exc:  # ContentError or a bad index row: say so plainly
        return _fail(
            f"Las reglas de salario no son válidas: {exc}",
            f"The wage rules are not valid: {exc}",
        )
    report = check(log, jurisdictions, as_of)
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(report), indent=2).decode() + "\n")
    return 0
