"""`cartilla keys`, `cartilla notify` and `cartilla worker`: the push commands.

`cartilla keys [--force]` creates the VAPID key pair once (state folder, mode 0600) and
prints the public key. `cartilla notify [--dry-run] [--json]` sends guide-update
notifications and prints the counts; with --dry-run it prints what it would send and changes
nothing. With CARTILLA_DATABASE_URL set it queues batches instead (server/push/fanout.py)
and `cartilla worker` processes send them; `--in-process` sends from the notify process as
without a database URL. Problems are printed in Spanish and English, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TypeVar

from server import storage
from server.config import Settings, get_settings
from server.evidence import cli as evidence_cli
from server.push import fanout
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


def _database_problem(settings: Settings, exc: BaseException) -> None:
    where = "PostgreSQL (CARTILLA_DATABASE_URL)" if settings.database_url else settings.push_db_path
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    _problem(
        f"No se puede usar la base de datos de avisos {where}: {detail}. No se envió nada.",
        f"Cannot use the push database {where}: {detail}. Nothing was sent.",
    )


_Result = TypeVar("_Result")


def _guarded(settings: Settings, action: Callable[[], _Result]) -> _Result | None:
    """Run a push command's work; its known failures print one bilingual line (then None)."""
    try:
        return action()
    except (NotifyError, IndexError_, fanout.QueueError) as exc:
        _problem(exc.es, exc.en)
    except storage.database_errors() as exc:
        _database_problem(settings, exc)
    return None


def _print_queued(report: fanout.QueuedReport) -> None:
    if report.already_queued:
        print(
            f"Ya hay {report.already_queued} lotes en cola para este contenido; no se añadió "
            "nada.\n"
            f"{report.already_queued} batches for this content are already queued; nothing "
            "was added."
        )
        return
    print(
        f"En cola / queued: {report.batches} lotes / batches, {report.subscriptions} "
        "suscripciones / subscriptions. Los envía / sent by: cartilla worker"
    )


def cmd_notify(args: argparse.Namespace) -> int:
    settings = get_settings()
    options = NotifyOptions(
        subject=args.subject or os.environ.get("CARTILLA_VAPID_SUBJECT"),
        dry_run=bool(args.dry_run),
        concurrency=args.concurrency,
        batch_size=args.batch_size,
    )
    queued = bool(settings.database_url) and not args.in_process and not args.dry_run
    if queued:
        queued_report = _guarded(settings, lambda: fanout.enqueue_notify(settings, options))
        if queued_report is None:
            return 1
        if args.json:
            print(json.dumps(queued_report.as_dict(), ensure_ascii=False, indent=2))
        else:
            _print_queued(queued_report)
        return 0
    report = _guarded(settings, lambda: run_notify(settings, options))
    if report is None:
        return 1
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 1 if report.failed else 0


def cmd_worker(args: argparse.Namespace) -> int:
    settings = get_settings()
    options = NotifyOptions(
        subject=args.subject or os.environ.get("CARTILLA_VAPID_SUBJECT"),
        concurrency=args.concurrency,
    )
    try:
        totals = _guarded(
            settings,
            lambda: fanout.run_worker(
                settings,
                options,
                until_empty=bool(args.until_empty),
                stalled_after=args.stalled_after,
                jobs=args.jobs,
            ),
        )
    except KeyboardInterrupt:
        print("Detenido / stopped.", file=sys.stderr)
        return 130
    if totals is None:
        return 1
    if args.json:
        print(json.dumps(totals.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Lotes / batches: {totals.batches}  ", end="")
        _print_report(totals.report)
    return 1 if totals.report.failed else 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1.0 <= value <= 3600.0:
        raise argparse.ArgumentTypeError(
            f"debe ser un número de segundos entre 1 y 3600 / must be a number of seconds "
            f"from 1 to 3600: {text!r}"
        )
    return value


def _number_from(low: int, high: int) -> Callable[[str], int]:
    """An argparse type for a whole number from `low` to `high`, refused in both languages."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"debe ser un número entre {low} y {high} / must be a number from {low} to "
                f"{high}: {text!r}"
            )
        return value

    return parse


_positive = _number_from(1, 256)
_batch_size = _number_from(1, 10_000)


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
    notify.add_argument(
        "--batch-size",
        type=_batch_size,
        default=500,
        help="subscriptions per queued batch, 1-10000 (default 500)",
    )
    notify.add_argument(
        "--in-process",
        action="store_true",
        help="with CARTILLA_DATABASE_URL: send from this process instead of queueing batches "
        "for `cartilla worker`",
    )
    notify.add_argument("--json", action="store_true", help="print the counts as JSON")
    notify.set_defaults(func=cmd_notify)

    worker = sub.add_parser(
        "worker",
        help="send the queued guide-update notifications (needs CARTILLA_DATABASE_URL)",
        description="Run a push queue worker: take the batches `cartilla notify` queued in "
        "PostgreSQL and send them, a bounded number at a time, honouring each push "
        "service's Retry-After. Start as many as you need, on any machine with the same "
        "release, content index and VAPID key. A killed worker's batch is taken up by "
        "another once its heartbeat is older than --stalled-after; nothing already "
        "delivered is sent again. Runs until stopped (SIGTERM, Ctrl-C), or with "
        "--until-empty until no batch is waiting. Exit code 1 if any send failed.",
    )
    worker.add_argument(
        "--concurrency",
        type=_positive,
        default=16,
        help="sends at the same time in this worker (default 16)",
    )
    worker.add_argument(
        "--jobs", type=_positive, default=2, help="batches at the same time (default 2)"
    )
    worker.add_argument(
        "--until-empty",
        action="store_true",
        help="stop when no batch is waiting or running (Retry-After waits included)",
    )
    worker.add_argument(
        "--stalled-after",
        type=_seconds,
        default=30.0,
        help="seconds without a heartbeat before another worker's batch is taken over (default 30)",
    )
    worker.add_argument(
        "--subject",
        help="VAPID contact, mailto:... or https://... (default: $CARTILLA_VAPID_SUBJECT)",
    )
    worker.add_argument("--json", action="store_true", help="print the counts as JSON")
    worker.set_defaults(func=cmd_worker)
