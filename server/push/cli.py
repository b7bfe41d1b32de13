"""`cartilla keys` and `cartilla notify`: the push commands.

`cartilla keys [--force]` creates the VAPID key pair once (state folder, mode 0600) and
prints the public key. `cartilla notify [--dry-run] [--json]` sends guide-update
notifications and prints the counts; with --dry-run it prints what it would send and changes
nothing. Problems are printed in Spanish and English, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys

from server.config import get_settings
from server.evidence import cli as evidence_cli
from server.push.changes import IndexError_
from server.push.keys import KeyExistsError, VapidKeyError, create_vapid
from server.push.notify import NotifyError, NotifyOptions, NotifyReport, run_notify


def _problem(es: str, en: str) -> None:
    print(f"Error: {es}\nError: {en}", file=sys.stderr)


def cmd_keys(args: argparse.Namespace) -> int:
    # The time-receipt key is the other server key: --rotate/--list are about it alone, and
    # plain `cartilla keys` also makes it once (server/evidence/cli.py).
    if args.rotate or args.list:
        return evidence_cli.receipt_keys_command(args)
    receipt_code = evidence_cli.ensure_receipt_key_command()
    settings = get_settings()
    try:
        public_key = create_vapid(settings.vapid_key_path, force=bool(args.force))
    except KeyExistsError as exc:
        _problem(exc.es, exc.en)
        return 1
    except (OSError, VapidKeyError) as exc:
        es = getattr(exc, "es", f"No se pudo escribir la clave: {exc}")
        en = getattr(exc, "en", f"Could not write the key: {exc}")
        _problem(es, en)
        return 1
    print(
        f"Clave VAPID creada en {settings.vapid_key_path} (solo legible por usted).\n"
        f"VAPID key created at {settings.vapid_key_path} (readable only by you).\n"
        "Clave pública / public key:",
        file=sys.stderr,
    )
    print(public_key)
    return receipt_code


def _print_report(report: NotifyReport) -> None:
    if report.dry_run:
        total = sum(group.subscribers for group in report.would_send)
        print(
            f"Simulación: se enviarían {total} avisos; no se cambió nada.\n"
            f"Dry run: {total} notifications would be sent; nothing was changed."
        )
        for group in report.would_send:
            guides = ", ".join(
                f"{g['id']} ({g['lang']} v{g['version']})" for g in group.payload["guides"]
            )
            more = f" +{group.payload['more']}" if group.payload.get("more") else ""
            print(
                f"  {group.subscribers} × [{group.payload['lang']}] "
                f"{group.payload['body']}\n      {guides}{more}"
            )
    else:
        print(
            f"Enviados / sent: {report.sent}  "
            f"Eliminados / removed: {report.removed}  "
            f"Fallidos / failed: {report.failed}  "
            f"Sin cambios / up to date: {report.unchanged}"
        )
    for problem, count in sorted(report.problems.items()):
        print(f"  {count} × {problem}", file=sys.stderr)


def cmd_notify(args: argparse.Namespace) -> int:
    settings = get_settings()
    options = NotifyOptions(
        subject=args.subject or os.environ.get("CARTILLA_VAPID_SUBJECT"),
        dry_run=bool(args.dry_run),
        concurrency=args.concurrency,
    )
    try:
        report = run_notify(settings, options)
    except (NotifyError, IndexError_) as exc:
        _problem(exc.es, exc.en)
        return 1
    except sqlite3.Error as exc:
        path = settings.push_db_path
        _problem(
            f"No se puede usar la base de datos de avisos {path}: {exc}. No se envió nada.",
            f"Cannot use the push database {path}: {exc}. Nothing was sent.",
        )
        return 1
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 1 if report.failed else 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(
            f"debe ser un número entre 1 y 256 / must be a number from 1 to 256: {text!r}"
        )
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser(
        "keys",
        help="create the server keys once (Web Push VAPID, time receipts); rotate or list the "
        "receipt keys",
        description="Create the VAPID key pair and the time-receipt key in the state folder "
        "(mode 0600) if missing, and print the VAPID public key. Refuses to replace an "
        "existing VAPID key unless --force: phones subscribed with the old key would have to "
        "subscribe again. --rotate replaces the receipt key and keeps the old public key in "
        "the published history; --list prints the receipt keys.",
    )
    group = evidence_cli.add_receipt_key_options(keys)
    group.add_argument("--force", action="store_true", help="replace an existing VAPID key")
    keys.set_defaults(func=cmd_keys)

    notify = sub.add_parser(
        "notify",
        help="send guide-update notifications to subscribed phones",
        description="Compare the content index with what was last announced and send each "
        "affected subscriber one notification, in their language. Running it again sends "
        "nothing. Exit code 1 if any notification failed (it is retried on the next run).",
    )
    notify.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; change nothing"
    )
    notify.add_argument(
        "--subject",
        help="VAPID contact, mailto:... or https://... (default: $CARTILLA_VAPID_SUBJECT)",
    )
    notify.add_argument(
        "--concurrency", type=_positive, default=16, help="sends at the same time (default 16)"
    )
    notify.add_argument("--json", action="store_true", help="print the counts as JSON")
    notify.set_defaults(func=cmd_notify)
