"""The `cartilla` command line: one subcommand per capability, registered by its module.

Each module in COMMAND_MODULES has `register(subparsers)`, which adds its subcommands and
sets `func` on them; `func(args)` returns the process exit code. Errors a user can cause
are printed in Spanish and English, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from server.config import SettingsError

COMMAND_MODULES = [
    "server.content.cli",
    "server.serve",
    "server.push.cli",
    "server.evidence.cli",
    "server.wages.cli",
    "server.entrega.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cartilla",
        description="Cartilla: rights guides, the worker's log checks, evidence bundles.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except SettingsError as exc:  # a CARTILLA_* variable that cannot be used
        print(f"Error: {exc.es}\nError: {exc.en}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
