"""`cartilla verify BUNDLE.zip [--json]`: check an evidence bundle and print its summary;
the receipt-key half of `cartilla keys` (`--rotate`, `--list`; the command itself is
registered with the push commands, which own its VAPID half).

Exit codes: 0 every check passed; 1 the bundle was read but a check failed (changed,
re-signed or incomplete); 2 the file could not be read as a bundle (not a ZIP, cut short,
over a limit, unsafe names). Messages are in Spanish and English; never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from server.config import get_settings
from server.evidence import keys as receipt_keys
from server.evidence.errors import CHECK_LABELS, BundleError
from server.evidence.verify import Report, verify_bundle


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "verify",
        help="verify an evidence bundle and print its summary",
        description="Verifica un paquete de evidencia / Verify an evidence bundle.",
    )
    parser.add_argument("bundle", type=Path, help="the bundle's .zip file")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument(
        "--receipt-key",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a server receipt key to trust (PEM, or the JSON from "
        "/.well-known/cartilla-receipt-key); the local server's key is trusted when present",
    )
    parser.set_defaults(func=run)


def _known_keys(files: list[Path]) -> dict[str, ed25519.Ed25519PublicKey] | None:
    known: dict[str, ed25519.Ed25519PublicKey] = {}
    settings = get_settings()
    local = receipt_keys.local_public_key(settings.receipt_key_path, settings.database_url)
    if local is not None:
        known.update(local)
    for path in files:
        known.update(receipt_keys.read_public_key_file(path))
    return known or None


def _printable_streams() -> None:
    """A terminal that cannot show "ó" gets "\\xf3", never a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def run(args: argparse.Namespace) -> int:
    _printable_streams()
    try:
        known = _known_keys(args.receipt_key)
    except BundleError as error:
        print(f"{error.es}\n{error.en}", file=sys.stderr)
        return 2
    except Exception as exc:  # a key file we cannot read at all: say so, in both languages
        print(
            f"No se pudo leer la llave del servidor ({type(exc).__name__}).\n"
            f"The server key could not be read ({type(exc).__name__}).",
            file=sys.stderr,
        )
        return 2
    report = verify_bundle(args.bundle, known)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(render_text(report))
    if report.checks["zip"].ok is not True:
        return 2
    return 0 if report.ok else 1


# --- cartilla keys: the time-receipt key ----------------------------------------------------


def add_receipt_key_options(parser: argparse.ArgumentParser) -> argparse._MutuallyExclusiveGroup:
    """`--rotate` and `--list` on `cartilla keys` (mutually exclusive, also with --force)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--rotate",
        action="store_true",
        help="replace the time-receipt key; the old public key stays in the published "
        "history, so receipts made before still verify",
    )
    group.add_argument(
        "--list",
        action="store_true",
        help="print every time-receipt key: id, created and retired dates, fingerprint",
    )
    return group


def _key_problem(exc: BaseException) -> tuple[str, str]:
    """What went wrong with the key files, in plain words (never a traceback)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    code = cause.errno if isinstance(cause, OSError) else None
    where = get_settings().state_dir
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (
            f"El disco está lleno: no se pudo escribir la llave de recibos en {where}. "
            "No se cambió nada.",
            f"The disk is full: the receipt key could not be written in {where}. "
            "Nothing was changed.",
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"No se puede escribir en {where} (solo lectura o sin permiso). No se cambió nada.",
            f"Cannot write in {where} (read-only or no permission). Nothing was changed.",
        )
    return (
        f"No se pudo crear ni leer la llave de recibos: {exc}",
        f"Could not create or read the receipt key: {exc}",
    )


def _current_key_id(path: Path) -> str:
    """The id of the key in this server's key file (ReceiptKeyError if it cannot be read)."""
    from server.evidence import receipts

    return receipts.key_id_of(receipts.load_or_create_key(path).public_key())


def ensure_receipt_key_command() -> int:
    """Plain `cartilla keys`: make the receipt key once (as start-up does); say which it is."""
    settings = get_settings()
    path = settings.receipt_key_path
    existed = path.exists()
    try:
        receipt_keys.ensure_receipt_key(path, settings.database_url)
        key_id = _current_key_id(path)
    except (receipt_keys.ReceiptKeyError, OSError) as exc:
        es, en = _key_problem(exc)
        print(f"Error: {es}\nError: {en}", file=sys.stderr)
        return 1
    state = "ya existía, sin cambios / already there, unchanged" if existed else "creada / created"
    print(f"Llave de recibos / Receipt key {key_id}: {state} ({path})", file=sys.stderr)
    return 0


def receipt_keys_command(args: argparse.Namespace) -> int:
    """`cartilla keys --rotate` / `--list`."""
    settings = get_settings()
    path = settings.receipt_key_path
    if args.list:
        try:
            rows = receipt_keys.list_receipt_keys(path, settings.database_url)
        except receipt_keys.ReceiptKeyError as exc:
            es, en = _key_problem(exc)
            print(f"Error: {es}\nError: {en}", file=sys.stderr)
            return 1
        if not rows:
            print(
                f"No hay llave de recibos en {path}; la crea `cartilla keys` o el servidor.\n"
                f"There is no receipt key at {path}; `cartilla keys` or the server makes it.",
                file=sys.stderr,
            )
            return 1
        print("key_id            created               retired               fingerprint")
        for row in rows:
            retired = "(actual / current)" if row.current else (row.retired or "-")
            print(f"{row.key_id}  {row.created or '-':<20}  {retired:<20}  {row.fingerprint}")
        return 0
    try:
        old = _current_key_id(path) if path.exists() else "-"
    except receipt_keys.ReceiptKeyError:
        old = "-"  # a damaged key: replacing it is the repair
    try:
        history = receipt_keys.rotate_receipt_key(path, settings.database_url)
        new_id = _current_key_id(path)
    except (receipt_keys.ReceiptKeyError, OSError) as exc:
        es, en = _key_problem(exc)
        print(f"Error: {es}\nError: {en}", file=sys.stderr)
        return 1
    # With a shared history (several instances) the last record may be another instance's.
    new = next(k for k in history.keys if k.key_id == new_id)
    print(
        f"Nueva llave de recibos / New receipt key: {new.key_id} (desde / from {new.valid_from})\n"
        f"La anterior ({old}) sigue publicada para verificar recibos antiguos.\n"
        f"The previous one ({old}) stays published so older receipts still verify."
    )
    return 0


def _mark(ok: bool | None) -> str:
    return {True: "[OK]", False: "[FALLA / FAIL]", None: "[--]"}[ok]


def render_text(report: Report) -> str:
    """The report for a person at a terminal: both languages, one fact per line."""
    lines: list[str] = []
    if report.root:
        lines.append(f"Paquete / Bundle: {report.root}")
    verdict = (
        "VERIFICADO: ninguna comprobación falló / VERIFIED: no check failed"
        if report.ok
        else "NO VERIFICADO / NOT VERIFIED"
    )
    lines.append(f"Resultado / Result: {verdict}")
    for check in report.checks.values():
        es, en = CHECK_LABELS[check.id]
        lines.append(f"  {_mark(check.ok):<15} {es} / {en}")
        for error in check.errors[:20]:
            lines.append(f"      - {error.es}")
            lines.append(f"        {error.en}")
        if len(check.errors) > 20:
            lines.append(f"      ... (+{len(check.errors) - 20})")
        for note_es, note_en in check.notes:
            lines.append(f"      · {note_es}")
            lines.append(f"        {note_en}")
    summary = report.summary
    if summary is not None:
        lines.append("")
        for employer in summary.employers:
            extra = ", ".join(x for x in (employer.state, employer.industry, employer.status) if x)
            lines.append(
                f"Empleador / Employer: {employer.name}" + (f" ({extra})" if extra else "")
            )
        lines.append(f"Periodo / Period: {summary.period.start} – {summary.period.end}")
        if summary.worker_name:
            lines.append(f"Trabajador(a) / Worker: {summary.worker_name}")
        counts = summary.counts
        lines.append(
            f"Turnos / Shifts: {counts.shifts}   Pagos / Pay: {counts.pay}   "
            f"Gastos / Expenses: {counts.expenses}   Incidentes / Incidents: {counts.incidents}   "
            f"Fotos / Photos: {counts.photos}"
        )
        lines.extend(_wage_lines(summary.wage_check))
    if report.journal is not None:
        lines.append(
            f"Cadena / Chain: {len(report.journal.entries)} entradas / entries; "
            f"huella final / head {report.journal.head}"
        )
    if report.key_fingerprint:
        fp = report.key_fingerprint[:16]
        grouped = " ".join(fp[i : i + 4] for i in range(0, 16, 4))
        lines.append(f"Llave del teléfono / Phone key: {report.key_algorithm} {grouped}")
    for receipt in report.receipts:
        state = {
            "genuine": "OK",
            "unchecked": "no se pudo comprobar / could not check",
        }.get(receipt.verdict, f"FALLA / FAIL: {receipt.error}")
        reach = (
            f"entradas / entries #{receipt.anchored_from}–#{receipt.entry_seq}"
            if receipt.anchored_from is not None
            else "-"
        )
        lines.append(f"Recibo / Receipt {receipt.receipt.time}: {reach} [{state}]")
    return "\n".join(lines)


def _wage_lines(wage_check: dict[str, Any] | None) -> list[str]:
    if not wage_check:
        return []
    totals = wage_check.get("totals")
    if not isinstance(totals, dict):
        return []
    owed = totals.get("owed_cents", totals.get("difference_cents"))
    if isinstance(owed, int):
        return [f"Diferencia de salario / Wage difference: ${owed / 100:,.2f}"]
    return []
