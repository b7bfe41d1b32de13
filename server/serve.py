"""`cartilla serve`: run the app with uvicorn on 127.0.0.1:8000, with no access log.

Access logs would record client IPs; workers' safety matters more than request logs, so
they are off and not configurable from here.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn

from server.config import get_settings


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.index_path.exists():
        print(
            f"No hay índice en {settings.index_path}: ejecute `cartilla build` primero.\n"
            f"No index at {settings.index_path}: run `cartilla build` first.",
            file=sys.stderr,
        )
        return 1
    print(f"Cartilla: http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(
        "server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run the app (default 127.0.0.1:8000)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(func=cmd_serve)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m server.serve")
    subs = parser.add_subparsers()
    register(subs)
    sys.exit(cmd_serve(parser.parse_args(["serve", *sys.argv[1:]])))
