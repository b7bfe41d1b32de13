"""The PDF case summary for staff, made from a verified bundle with fpdf2.

Owns the layout: verification, who and when, consular category and referrals with
deadlines, the wage check week by week, a timeline of shifts, pay and incidents, and the
photos. Everything happens in memory; nothing is written to disk. The font is DejaVu Sans
from Debian's fonts-dejavu-core (the core PDF fonts only cover Latin-1).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fpdf import FPDF
from PIL import Image

from server import log_format
from server.evidence import referral as R
from server.evidence.errors import CHECK_LABELS
from server.evidence.verify import Report

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MAX_PHOTOS = 80
#: Photos are shrunk on the phone (about 1600 px); anything much bigger is refused from its
#: header, before a decoder allocates width x height x channels bytes for it.
MAX_PHOTO_SIDE = 6000
MAX_PHOTO_PIXELS = 24_000_000


def photo_problem(content: bytes) -> str | None:
    """None when the photo may be drawn; else why not (`unreadable`, `too_large`).

    Only the header is read (Pillow's `open` is lazy): the pixels are not decoded here.
    """
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if image.format not in ("JPEG", "PNG", "WEBP"):
                return "unreadable"
    except Image.DecompressionBombError:
        return "too_large"
    except (OSError, ValueError, SyntaxError):
        return "unreadable"
    if max(width, height) > MAX_PHOTO_SIDE or width * height > MAX_PHOTO_PIXELS:
        return "too_large"
    return None


class FontMissing(Exception):
    """DejaVu Sans is not installed (Debian: fonts-dejavu-core)."""


def font_dir() -> Path:
    for folder in FONT_DIRS:
        if all((folder / name).exists() for name in FONT_FILES.values()):
            return folder
    raise FontMissing("DejaVu Sans not found; install the Debian package fonts-dejavu-core")


def money(cents: int | None) -> str:
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def hours(minutes: int | None) -> str:
    return "—" if minutes is None else f"{minutes / 60:.2f}"


class CasePdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"Cartilla — {self.page_no()}/{{nb}}", align="C")


def render(report: Report, data: dict[str, Any], referral_map: dict[str, Any]) -> bytes:
    """The PDF bytes for a bundle that passed verification (or was read, at least)."""
    folder = font_dir()
    pdf = CasePdf(format="Letter")
    pdf.set_auto_page_break(True, margin=15)
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(folder / name))
    pdf.alias_nb_pages()
    pdf.add_page()
    summary = report.summary
    entries = report.journal.full() if report.journal else []

    def heading(es: str, en: str) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, f"{es} / {en}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def line(text: str, bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 9)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def row(cells: list[str], widths: list[int], bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 8)
        for text, width in zip(cells, widths, strict=True):
            pdf.cell(width, 5, text[:60], border="B")
        pdf.ln(5)

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, "Resumen del caso / Case summary", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    verdict = (
        "VERIFICADO: ninguna comprobación falló / VERIFIED: no check failed"
        if report.ok
        else "NO VERIFICADO / NOT VERIFIED"
    )
    line(verdict, bold=True)
    for check in report.checks.values():
        es, en = CHECK_LABELS[check.id]
        mark = {True: "OK", False: "FALLA / FAIL", None: "—"}[check.ok]
        line(f"[{mark}] {es} / {en}")
        for error in check.errors[:5]:
            line(f"    {error.es} / {error.en}")
        for note_es, note_en in check.notes:
            line(f"    {note_es} / {note_en}")
    line(
        "Esto prueba que los registros no cambiaron desde que se hicieron y firmaron; no prueba "
        "que sean verdad. / This proves the records did not change after they were made and "
        "signed; it does not prove they are true."
    )
    if summary is None:
        return bytes(pdf.output())

    heading("Quién y cuándo", "Who and when")
    if summary.worker_name:
        line(f"Trabajador(a) / Worker: {summary.worker_name}")
    for employer in summary.employers:
        extra = ", ".join(x for x in (employer.state, employer.industry, employer.status) if x)
        line(f"Empleador / Employer: {employer.name} ({extra})", bold=True)
        if employer.address:
            line(f"    {employer.address}")
    line(f"Periodo / Period: {summary.period.start} – {summary.period.end}")
    c = summary.counts
    line(
        f"Turnos / Shifts: {c.shifts} · Pagos / Pay: {c.pay} · Gastos / Expenses: {c.expenses}"
        f" · Incidentes / Incidents: {c.incidents} · Fotos / Photos: {c.photos}"
    )
    if report.journal:
        line(f"Huella final de la cadena / Chain head: {report.journal.head}")
    line(f"Llave del teléfono / Phone key: {report.key_algorithm} {report.key_fingerprint[:32]}")
    for receipt in report.receipts:
        status = "OK" if receipt.error is None else receipt.error
        line(
            f"Recibo / Receipt {receipt.receipt.time}: entradas / entries "
            f"#{receipt.anchored_from}–#{receipt.entry_seq} [{status}]"
        )

    state = summary.employers[0].state if summary.employers else None
    found = R.events(summary.wage_check, entries, referral_map)
    items = R.referrals(found, data, state)
    heading("Categoría consular y a dónde referir", "Consular category and referral")
    for cat in R.intake_categories(items):
        es, en = R.INTAKE_LABELS.get(cat, (cat, cat))
        line(f"Categoría / Category: {es} / {en}", bold=True)
    for item in items:
        title = f"{item.title.get('es', '')} / {item.title.get('en', '')}"
        line(f"{title} (desde / since {item.first_date})", bold=True)
        for route in item.routes:
            name = route.agency_name.get("es") or route.agency_id
            phone = f" · {route.phone}" if route.phone else ""
            line(f"  → {name}{phone}")
            if route.deadline_date:
                line(f"     Fecha límite / Deadline: {route.deadline_date}")
            if route.deadline_text:
                line(f"     {route.deadline_text.get('es', '')}")
        if item.bring:
            line("  Traer / Bring: " + "; ".join(b.get("es", "") for b in item.bring))

    wage = summary.wage_check or {}
    jobs = wage.get("jobs", []) if isinstance(wage, dict) else []
    if jobs:
        heading("Revisión de salario, semana por semana", "Wage check, week by week")
        line(f"Total que se debería / Total owed: {money(wage.get('total_owed_cents'))}", True)
        widths = [50, 25, 30, 30, 30]
        for job in jobs:
            line(
                f"{job.get('employer') or ''} · {job.get('state', '')} · {job.get('pay_type', '')}"
            )
            row(["Semana / Week", "Horas / Hours", "Debido / Expected", "Pagado / Paid",
                 "Diferencia / Diff."], widths, bold=True)  # fmt: skip
            for week in job.get("weeks", []):
                row(
                    [f"{week['start']} – {week['end']}", hours(week.get("minutes_worked")),
                     money(week.get("expected_cents")), money(week.get("paid_cents")),
                     money(week.get("difference_cents"))],
                    widths,
                )  # fmt: skip
            for finding in job.get("findings", []):
                text = finding.get("explanation", {})
                line(f"• {text.get('es', '')} / {text.get('en', '')}")
            for period in job.get("periods", []):
                for finding in period.get("findings", []):
                    text = finding.get("explanation", {})
                    line(f"• {period.get('pay_date') or period.get('end')}: {text.get('es', '')}")

    heading("Línea de tiempo", "Timeline")
    widths = [25, 25, 115]
    row(["Fecha / Date", "Tipo / Kind", "Detalle / Detail"], widths, bold=True)
    for date, kind, detail in timeline(entries):
        row([date, kind, detail], widths)

    photos = [p for p in summary.photos if report.files and report.files.get(p.path)]
    if photos:
        heading("Fotos", "Photos")
        for photo in photos[:MAX_PHOTOS]:
            assert report.files is not None
            content = report.files.files[photo.path]
            problem = photo_problem(content)
            if problem == "too_large":
                line("(foto demasiado grande para el PDF / photo too large for the PDF)")
                continue
            try:
                if pdf.get_y() > 200:
                    pdf.add_page()
                pdf.image(io.BytesIO(content), h=60, keep_aspect_ratio=True)
            except Exception:  # a photo Pillow cannot read: say so, keep going
                line("(foto no se puede mostrar / photo cannot be shown)")
            line(f"{photo.path.rsplit('/', 1)[-1][:16]}… ({photo.kind or ''})")
    return bytes(pdf.output())


def timeline(entries: list[log_format.JournalEntry]) -> list[tuple[str, str, str]]:
    """Current records (after edits and deletes) as dated rows, oldest first."""
    state = log_format.replay(entries)
    rows: list[tuple[str, str, str]] = []
    for record in state["shift"].values():
        assert isinstance(record, log_format.Shift)
        memo = " (de memoria / from memory)" if record.from_memory else ""
        detail = f"{record.start}–{record.end}, descanso / break {record.break_minutes} min"
        rows.append((record.date, "Turno / Shift", detail + memo))
    for record in state["pay_stub"].values():
        assert isinstance(record, log_format.PayStub)
        detail = (
            f"{record.period_start}–{record.period_end}: {money(record.gross_cents)} bruto / "
            f"gross, {money(record.net_cents)} neto / net ({record.method})"
        )
        rows.append((record.pay_date, "Pago / Pay", detail))
    for record in state["expense"].values():
        assert isinstance(record, log_format.Expense)
        rows.append(
            (record.date, "Gasto / Expense", f"{record.kind}: {money(record.amount_cents)}")
        )
    for record in state["incident"].values():
        assert isinstance(record, log_format.Incident)
        rows.append((record.date, "Incidente / Incident", record.kind))
    return sorted(rows)
