"""The PDF case summary for staff, made from a verified bundle with fpdf2.

Owns the layout an officer reads: the verdict and checks; any place where the phone's
summary disagrees with the journal; the employer block; dates, counts and totals; what each
claim is worth; referrals with deadlines; the wage check week by week; a timeline with hours
per day; the worker's own words; the photos in a grid, each captioned by its record.

Every fact comes from the verified journal (server/evidence/facts.py), never from
summary.json, and the wage check is recomputed from the journal with server/wages (the same
check `cartilla wages` runs), then compared with the phone's figures. Everything happens in
memory; nothing is written to disk. The font is DejaVu Sans from Debian's fonts-dejavu-core
(the core PDF fonts only cover Latin-1); a character it has no glyph for is written as its
code point, e.g. [U+519C], so nothing a worker wrote silently disappears. Tables wrap long
text instead of cutting it.
"""

from __future__ import annotations

import functools
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import msgspec
from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont
from PIL import Image

from server import log_format
from server.config import PROJECT_ROOT, get_settings
from server.evidence import facts as F
from server.evidence import referral as R
from server.evidence.errors import CHECK_LABELS
from server.evidence.verify import PHOTO_EXT, Report
from server.wages.messages import date_words

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MAX_PHOTOS = 80
#: Photos are shrunk on the phone (about 1600 px); anything much bigger is refused from its
#: header, before a decoder allocates width x height x channels bytes for it.
MAX_PHOTO_SIDE = 6000
MAX_PHOTO_PIXELS = 24_000_000
#: Photo grid: columns per row and each picture's box, in mm.
GRID_COLUMNS = 3
PHOTO_BOX = (58.0, 44.0)
LABELS_FILE = Path("staff") / "labels.json"
#: Unicode categories never drawn as is: controls and format characters (zero-width spaces,
#: bidi overrides and isolates) could hide text or make a note read differently.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


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


def hours_words(minutes: int) -> str:
    """`10 h 30 min`, as the phone shows hours."""
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if m else f"{h} h"


@functools.cache
def labels(pwa_dir: Path | None = None) -> dict[str, Any]:
    """pwa/staff/labels.json: the words desk and PDF show for the log's codes."""
    for folder in (pwa_dir, get_settings().pwa_dir, PROJECT_ROOT / "pwa"):
        if folder is None:
            continue
        try:
            doc: dict[str, Any] = json.loads((folder / LABELS_FILE).read_text("utf-8"))
            return doc
        except (OSError, ValueError):
            continue
    return {"missing": ["no anotado", "not recorded"]}


def word(group: str, code: str | None) -> str:
    """`es / en` for a code (an unknown code is shown as written, never dropped)."""
    if code is None:
        return ""
    pair = (labels().get(group) or {}).get(code)
    return f"{pair[0]} / {pair[1]}" if pair and pair[0] != pair[1] else (pair[0] if pair else code)


@functools.lru_cache(maxsize=4)
def _wage_rules(index: Path, content: Path, stamp: tuple[float, float]) -> list[Any] | None:
    """The wage rules `cartilla wages` uses: the built index's, else content/data's YAML
    (cached while neither file changes: `stamp` is their modification times)."""
    from server.wages import rules as W

    try:
        found = W.jurisdictions_from_index(index)
        return found if found is not None else W.jurisdictions_from_file(content)
    except Exception:  # no rules: the PDF says the check could not be recomputed
        return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def wage_rules() -> list[Any] | None:
    settings = get_settings()
    index, content = settings.index_path, settings.content_dir / "data" / "wage_rules.yaml"
    return _wage_rules(index, content, (_mtime(index), _mtime(content)))


class CasePdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"Cartilla — {self.page_no()}/{{nb}}", align="C")


class Writer:
    """Text that always renders: missing glyphs become [U+XXXX], controls are shown."""

    def __init__(self, pdf: CasePdf) -> None:
        self.pdf = pdf
        # A character is written only if both the regular and the bold font can draw it.
        fonts = [pdf.fonts[key] for key in ("dejavu", "dejavuB") if key in pdf.fonts]
        maps = [set(f.cmap) for f in fonts if isinstance(f, TTFFont)]
        self.cmap: set[int] = set.intersection(*maps) if maps else set(range(0x20, 0x7F))

    def safe(self, text: object) -> str:
        out = []
        for ch in str(text):
            # Format characters (zero-width, bidi) are named even where the font has them:
            # they can hide or reorder what a note says.
            if ch == "\n" or (ord(ch) in self.cmap and unicodedata.category(ch) not in _HIDDEN):
                out.append(ch)
            elif ch in "\t\r":
                out.append(" ")
            else:  # no glyph, a control or a bidi override: visible, never silently dropped
                out.append(f"[U+{ord(ch):04X}]")
        return "".join(out)

    def heading(self, es: str, en: str) -> None:
        pdf = self.pdf
        pdf.ln(2)
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, self.safe(f"{es} / {en}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def line(self, text: str, bold: bool = False, size: float = 9) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.55, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def table(self, head: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        """A table whose cells wrap (fpdf2's table): nothing is cut, headings repeat."""
        pdf = self.pdf
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=4.2,
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD"),
            padding=0.8,
        ) as table:
            heading = table.row()
            for text in head:
                heading.cell(self.safe(text))
            for cells in rows:
                row = table.row()
                for text in cells:
                    row.cell(self.safe(text))
        pdf.set_font("DejaVu", "", 9)
        pdf.ln(1)


def render(
    report: Report,
    data: dict[str, Any],
    referral_map: dict[str, Any],
    jurisdictions: list[Any] | None = None,
) -> bytes:
    """The PDF bytes for a bundle that passed verification (or was read, at least).

    `jurisdictions`: the wage rules to recompute the wage check with; by default the ones
    `cartilla wages` reads (the built index, else content/data/wage_rules.yaml).
    """
    folder = font_dir()
    pdf = CasePdf(format="Letter")
    pdf.set_auto_page_break(True, margin=15)
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(folder / name))
    pdf.alias_nb_pages()
    pdf.add_page()
    w = Writer(pdf)
    summary = report.summary
    entries = report.journal.full() if report.journal else []

    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, "Resumen del caso / Case summary", new_x="LMARGIN", new_y="NEXT")
    verdict = (
        "VERIFICADO: ninguna comprobación falló / VERIFIED: no check failed"
        if report.ok
        else "NO VERIFICADO / NOT VERIFIED"
    )
    w.line(verdict, bold=True, size=11)
    for check in report.checks.values():
        es, en = CHECK_LABELS[check.id]
        mark = {True: "OK", False: "FALLA / FAIL", None: "—"}[check.ok]
        w.line(f"[{mark}] {es} / {en}")
        for error in check.errors[:5]:
            w.line(f"    {error.es} / {error.en}")
        for note_es, note_en in check.notes:
            w.line(f"    {note_es} / {note_en}")
    w.line(
        "Esto prueba que los registros no cambiaron desde que se hicieron y firmaron; no prueba "
        "que sean verdad. / This proves the records did not change after they were made and "
        "signed; it does not prove they are true."
    )
    if summary is None:
        return bytes(pdf.output())

    found = F.facts(entries)
    summary_json: dict[str, Any] = msgspec.to_builtins(summary)
    flags = F.disagreements(found, summary_json)
    phone_wage = summary.wage_check if isinstance(summary.wage_check, dict) else None
    rules = jurisdictions if jurisdictions is not None else wage_rules()
    wage: dict[str, Any] | None = None
    if rules is not None and found["employers"]:
        try:
            as_of = F.as_of_date(summary_json["created"], phone_wage)
            wage = F.recompute_wages(entries, rules, as_of)
            flags += F.wage_disagreement(phone_wage, wage)
        except Exception:  # the PDF still tells everything else; the claims section says so
            wage, rules = None, None

    if flags:
        w.heading("El resumen del teléfono no coincide", "The phone's summary disagrees")
        for flag in flags:
            w.line(f"⚠ {flag.es}", bold=True)
            w.line(f"   {flag.en}")
        w.line(
            "Lo que sigue se calculó del registro firmado, no del resumen. / What follows is "
            "computed from the signed journal, not from the summary."
        )

    sections: list[tuple[Any, tuple[Any, ...]]] = [
        (_who, (w, report, found, summary.worker_name)),
        (_claims, (w, wage, phone_wage, rules is not None)),
        (_referrals, (w, entries, found, wage, data, referral_map)),
        (_wage_weeks, (w, wage)),
        (_timeline, (w, entries, found)),
        (_words, (w, found)),
        (_changes, (w, found)),
        (_photos, (w, report, entries, found)),
    ]
    for draw, args in sections:
        try:
            draw(*args)
        except Exception as exc:  # hostile input never costs the officer the whole PDF (or a 500)
            pdf.set_x(pdf.l_margin)
            w.line(
                f"(Esta parte no se pudo dibujar / This part could not be drawn: "
                f"{type(exc).__name__})",
                bold=True,
            )
    return bytes(pdf.output())


def _who(w: Writer, report: Report, found: dict[str, Any], worker: str | None) -> None:
    lab = labels()
    missing = "{} / {}".format(*lab.get("missing", ["no anotado", "not recorded"]))
    w.heading("Empleador, según el registro", "Employer, from the log")
    if worker:
        w.line(f"Trabajador(a) / Worker: {worker}", bold=True)
    for employer in found["employers"]:
        rows = []
        for key, (es, en) in (lab.get("employer_fields") or {}).items():
            value = employer.get(key)
            rows.append([f"{es} / {en}", str(value) if value not in (None, "") else missing])
        for job in employer["jobs"]:
            rows.append(["—", ""])
            for key, (es, en) in (lab.get("job_fields") or {}).items():
                value = job.get(key)
                if value in (None, ""):
                    text = missing
                elif key == "promised_rate_cents":
                    per = (lab.get("rate_per") or {}).get(job.get("pay_type") or "", ["", ""])
                    text = f"{money(value)} {per[0]} / {per[1]}"
                elif key in ("pay_type", "pay_frequency", "status", "industry"):
                    text = word(key, str(value))
                else:
                    text = str(value)
                rows.append([f"{es} / {en}", text])
        w.table(["", ""], rows, (45, 110))
    if not found["employers"]:
        w.line(f"Empleador / Employer: {missing}")
    period = found["period"]
    w.line(f"Fechas en el registro / Dates in the journal: {journal_dates(period)}")
    c, t = found["counts"], found["totals"]
    w.line(
        f"Turnos / Shifts: {c['shifts']} · Pagos / Pay: {c['pay']} · Gastos / Expenses: "
        f"{c['expenses']} · Incidentes / Incidents: {c['incidents']} · "
        f"Fotos / Photos: {c['photos']}"
    )
    w.line(
        f"Horas trabajadas / Hours worked: {hours_words(t['minutes_worked'])} · Pago bruto / "
        f"Gross pay: {money(t['gross_cents'])} · Neto / Net: {money(t['net_cents'])} · "
        f"Descuentos / Deductions: {money(t['deductions_cents'])} · Gastos / Expenses: "
        f"{money(t['expenses_cents'])} (reembolsado / reimbursed {money(t['reimbursed_cents'])})"
    )
    if report.journal:
        w.line(f"Huella final de la cadena / Chain head: {report.journal.head}")
    w.line(f"Llave del teléfono / Phone key: {report.key_algorithm} {report.key_fingerprint[:32]}")
    for receipt in report.receipts:
        status = "OK" if receipt.error is None else receipt.error
        if receipt.error == "receipt_unknown_key":
            status = "no se pudo comprobar / could not check"
        w.line(
            f"Recibo / Receipt {receipt.receipt.time}: entradas / entries "
            f"#{receipt.anchored_from}–#{receipt.entry_seq} [{status}]"
        )


def _claims(
    w: Writer, wage: dict[str, Any] | None, phone: dict[str, Any] | None, had_rules: bool
) -> None:
    w.heading("Lo que se debería, por reclamo", "What is owed, by claim")
    if wage is None:
        w.line(
            "No se pudo recalcular la revisión de salario en este servidor (faltan las reglas o "
            "el empleador). / The wage check could not be recomputed on this server (no rules "
            "or no employer)."
            if not had_rules
            else "El registro no tiene empleador: no hay revisión de salario. / The journal has "
            "no employer: there is no wage check."
        )
        if phone:
            owed = money(phone.get("total_owed_cents"))
            w.line(f"Según el teléfono / According to the phone: {owed}")
        return
    same = phone is not None and not F.wage_disagreement(phone, wage)
    w.line(
        "Recalculado del registro con la misma revisión que `cartilla wages`"
        + (
            ": coincide con el teléfono. / Recomputed from the journal with the same check as "
            "`cartilla wages`: it matches the phone."
            if same
            else (
                ": NO coincide con el teléfono. / Recomputed from the journal with the same "
                "check as `cartilla wages`: it does NOT match the phone."
                if phone is not None
                else ". El paquete no trae la revisión del teléfono. / Recomputed from the "
                "journal with the same check as `cartilla wages`. The bundle has no phone check."
            )
        ),
        bold=not same,
    )
    by_kind = claim_rows(wage)
    rows = [[f"{es} / {en}", money(cents)] for _, es, en, cents in by_kind]
    rows.append(["Total / Total", money(wage.get("total_owed_cents"))])
    if phone is not None:
        rows.append(
            ["Según el teléfono / According to the phone", money(phone.get("total_owed_cents"))]
        )
    w.table(["Reclamo / Claim", "Monto / Amount"], rows, (125, 30))
    w.line(
        "Montos de la revisión de salario, por tipo: lo que faltó de pagar en cada periodo se "
        "divide entre horas extra y horas normales (salario mínimo o tarifa prometida) con sus "
        "propias cuentas. / Amounts from the wage check, by kind: what was short in each pay "
        "period is split between overtime and straight time (minimum wage or the promised "
        "rate) by the check's own arithmetic.",
        size=7.5,
    )


#: The wage report's owed_by_kind keys, in the order of the claims table, with the claim each
#: is (facts.CLAIM_KINDS: "straight" is the minimum wage / promised rate claim).
OWED_CLAIM = (
    ("overtime", "overtime"),
    ("straight", "minimum_wage"),
    ("deductions", "deductions"),
    ("fees", "fees"),
    ("guarantee", "guarantee"),
    ("other", "other"),
)


def claim_rows(wage: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """(claim, es, en, cents) for the claims table, from the report's own `owed_by_kind` (the
    check's split of each short paycheck into overtime and straight time, which adds up to
    its total). A phone check from before owed_by_kind falls back to facts.claims' grouping
    of findings. "Other" is shown only when it has an amount; the five claims always are."""
    owed = wage.get("owed_by_kind")
    if isinstance(owed, dict) and all(
        isinstance(owed.get(k), int) and not isinstance(owed.get(k), bool) for k, _ in OWED_CLAIM
    ):
        return [
            (claim, *F.CLAIM_KINDS[claim], int(owed[key]))
            for key, claim in OWED_CLAIM
            if claim != "other" or owed[key]
        ]
    return [(c["kind"], c["es"], c["en"], c["amount_cents"]) for c in F.claims(wage)]


def _referrals(
    w: Writer,
    entries: list[log_format.JournalEntry],
    found: dict[str, Any],
    wage: dict[str, Any] | None,
    data: dict[str, Any],
    referral_map: dict[str, Any],
) -> None:
    jobs = [j for e in found["employers"] for j in e["jobs"]]
    state = jobs[0]["state"] if jobs else None
    events = R.events(wage, entries, referral_map)
    items = R.referrals(events, data, state, referral_map)
    w.heading("Categoría consular y a dónde referir", "Consular category and referral")
    for cat in R.intake_categories(items):
        es, en = R.INTAKE_LABELS.get(cat, (cat, cat))
        w.line(f"Categoría / Category: {es} / {en}", bold=True)
    if not data:
        w.line("Sin datos de agencias en este servidor. / No agency data on this server.")
    for item in items:
        title = f"{item.title.get('es', '')} / {item.title.get('en', '')}"
        since = f"{R.since_text(item.first_date, 'es')} / {R.since_text(item.first_date, 'en')}"
        w.line(f"{title} ({since})", bold=True)
        if item.lead == "wage":
            w.line(
                "  Primero la agencia de salarios: en el mismo caso hay problemas de pago. / The "
                "wage agency first: the same case has pay problems."
            )
        elif item.lead == "safety":
            w.line(
                "  Primero la OSHA: en el mismo caso hay una lesión o trabajo peligroso. / OSHA "
                "first: the same case has an injury or unsafe work."
            )
        for route in item.routes:
            name = route.agency_name.get("es") or route.agency_id
            phone = f" · {route.phone}" if route.phone else ""
            w.line(f"  → {name}{phone}")
            if route.deadline_date:
                es, en = (
                    R.deadline_sentence(route.deadline_date, item.first_date, lang)
                    for lang in ("es", "en")
                )
                w.line(f"     {es} / {en}", bold=True)
            if route.deadline_text:
                w.line(f"     {route.deadline_text.get('es', '')}")
        if item.bring:
            w.line("  Traer / Bring: " + "; ".join(b.get("es", "") for b in item.bring))


def _wage_weeks(w: Writer, wage: dict[str, Any] | None) -> None:
    jobs = (wage or {}).get("jobs") or []
    if not jobs:
        return
    w.heading("Revisión de salario, semana por semana", "Wage check, week by week")
    for job in jobs:
        w.line(f"{job.get('employer') or ''} · {job.get('state', '')} · {job.get('pay_type', '')}")
        w.table(
            ["Semana / Week", "Horas / Hours", "Extra / OT", "Debido / Expected", "Pagado / Paid",
             "Diferencia / Diff."],
            [[f"{wk['start']} – {wk['end']}", hours(wk.get("minutes_worked")),
              hours((wk.get("overtime_minutes") or 0) + (wk.get("double_time_minutes") or 0)),
              money(wk.get("expected_cents")), money(wk.get("paid_cents")),
              money(wk.get("difference_cents"))] for wk in job.get("weeks", [])],
            (40, 20, 20, 28, 28, 28),
        )  # fmt: skip
        for finding in job.get("findings", []):
            text = finding.get("explanation", {})
            w.line(f"• {text.get('es', '')} / {text.get('en', '')}")
        for period in job.get("periods", []):
            for finding in period.get("findings", []):
                text = finding.get("explanation", {})
                when = str(period.get("pay_date") or period.get("end") or "")
                w.line(
                    f"• {date_words(when, 'es')}: {text.get('es', '')} / "
                    f"{date_words(when, 'en')}: {text.get('en', '')}"
                )


def _timeline(w: Writer, entries: list[log_format.JournalEntry], found: dict[str, Any]) -> None:
    w.heading("Línea de tiempo", "Timeline")
    days = {d["date"]: d for d in found["days"]}
    rows: list[list[str]] = []
    shown: set[str] = set()
    for date, kind, detail in timeline(entries):
        day = days.get(date)
        total = ""
        if day and date not in shown and kind.startswith("Turno"):
            shown.add(date)
            total = hours_words(day["minutes"])
            if day["overlap"]:
                total += " ⚠ turnos encimados / overlapping shifts"
        rows.append([date, kind, total, detail])
    w.table(["Fecha / Date", "Tipo / Kind", "Horas del día / Day's hours", "Detalle / Detail"],
            rows, (22, 28, 22, 98))  # fmt: skip


def _words(w: Writer, found: dict[str, Any]) -> None:
    if not found["words"]:
        return
    w.heading("En palabras de la persona", "In the worker's own words")
    rows = [
        [item["date"] or "—", word("record", item["record_type"]), item["text"]]
        for item in found["words"]
    ]
    w.table(["Fecha / Date", "Registro / Record", "Lo que escribió / What they wrote"], rows,
            (22, 30, 118))  # fmt: skip


def _changes(w: Writer, found: dict[str, Any]) -> None:
    if not found["changes"]:
        return
    w.heading("Cambios y borrados", "Edits and deletions")
    w.line(
        "Cada cambio guarda la versión anterior en el registro; la persona dijo por qué. / Each "
        "change keeps the earlier version in the journal; the worker said why.",
        size=7.5,
    )
    rows = [
        [
            str(c["seq"]),
            str(c["time"])[:16].replace("T", " "),
            "corregido / edited" if c["kind"] == "edit" else "borrado / deleted",
            f"{word('record', c['record_type'])} ({c['record_id'] or '—'})",
            c["reason"] or "—",
        ]
        for c in found["changes"]
    ]
    w.table(["#", "Cuándo / When (UTC)", "Cambio / Change", "Registro / Record",
             "Por qué / Why"], rows, (10, 28, 26, 40, 66))  # fmt: skip


def caption(owner: dict[str, Any]) -> str:
    """`Talón de pago / Pay stub 2026-06-05 (p1)`: the record a photo belongs to."""
    if not owner.get("record_type"):
        return "Sin registro / No record"
    return (
        f"{word('record', owner['record_type'])} {owner.get('date') or ''} ({owner['record_id']})"
    )


def _photos(
    w: Writer, report: Report, entries: list[log_format.JournalEntry], found: dict[str, Any]
) -> None:
    if report.files is None:
        return
    records = log_format.replay(entries)["photo"]
    shown = []
    for item in found["photos"]:
        record = records.get(item["photo_id"])
        if not isinstance(record, log_format.Photo):
            continue
        content = report.files.get(f"data/photos/{record.sha256}.{PHOTO_EXT[record.mime]}")
        if content is not None:
            shown.append((item, content))
    if not shown:
        return
    pdf = w.pdf
    w.heading("Fotos", "Photos")
    box_w, box_h = PHOTO_BOX
    gap = 4.0
    row_h = box_h + 12
    top = pdf.get_y()
    for index, (item, content) in enumerate(shown[:MAX_PHOTOS]):
        column = index % GRID_COLUMNS
        if column == 0:
            if index:
                pdf.set_y(top + row_h)
            if pdf.get_y() + row_h > pdf.h - pdf.b_margin:
                pdf.add_page()
            top = pdf.get_y()
        x = pdf.l_margin + column * (box_w + gap)
        problem = photo_problem(content)
        pdf.set_xy(x, top)
        if problem is None:
            try:
                pdf.image(io.BytesIO(content), x=x, y=top, w=box_w, h=box_h, keep_aspect_ratio=True)
            except Exception:  # bytes Pillow cannot draw: say so in the box, keep going
                problem = "unreadable"
        if problem is not None:
            pdf.set_font("DejaVu", "", 8)
            note = (
                "foto demasiado grande para el PDF / photo too large for the PDF"
                if problem == "too_large"
                else "foto no se puede mostrar / photo cannot be shown"
            )
            pdf.multi_cell(box_w, 4, note, border=1)
        pdf.set_xy(x, top + box_h + 1)
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(box_w, 3.4, w.safe(caption(item)), new_x="RIGHT", new_y="TOP")
        pdf.set_font("DejaVu", "", 9)
    pdf.set_xy(pdf.l_margin, top + row_h)
    if len(shown) > MAX_PHOTOS:
        w.line(f"(+{len(shown) - MAX_PHOTOS} fotos más / more photos in the bundle)")


def journal_dates(period: dict[str, Any]) -> str:
    """The journal's first and last dates in words, Spanish then English: "1 de junio de 2026 –
    7 de junio de 2026 / June 1, 2026 – June 7, 2026" (tables keep 2026-06-01 under "Fecha")."""
    first, last = period.get("first"), period.get("last")
    es, en = (
        f"{date_words(first, lang) if first else '—'} – {date_words(last, lang) if last else '—'}"
        for lang in ("es", "en")
    )
    return f"{es} / {en}"


def timeline(entries: list[log_format.JournalEntry]) -> list[tuple[str, str, str]]:
    """Current records (after edits and deletes) as dated rows, oldest first; the worker's
    own notes are in the detail, as they wrote them."""
    state = log_format.replay(entries)
    rows: list[tuple[str, str, str]] = []

    def noted(text: str, notes: str | None) -> str:
        return f"{text} — «{notes}»" if notes and notes.strip() else text

    for record in state["shift"].values():
        assert isinstance(record, log_format.Shift)
        memo = " (de memoria / from memory)" if record.from_memory else ""
        worked = hours_words(F.worked_minutes(record))
        detail = (
            f"{record.start}–{record.end}{' (+1 día / day)' if record.ends_next_day else ''}, "
            f"descanso / break {record.break_minutes} min = {worked}"
        )
        if record.piece_units is not None:
            detail += f", {record.piece_units} unidades / units"
        rows.append((record.date, "Turno / Shift", noted(detail + memo, record.notes)))
    for record in state["pay_stub"].values():
        assert isinstance(record, log_format.PayStub)
        detail = (
            f"{record.period_start}–{record.period_end}: {money(record.gross_cents)} bruto / "
            f"gross, {money(record.net_cents)} neto / net ({word('method', record.method)})"
        )
        rows.append((record.pay_date, "Pago / Pay", noted(detail, record.notes)))
    for record in state["expense"].values():
        assert isinstance(record, log_format.Expense)
        detail = f"{word('expense', record.kind)}: {money(record.amount_cents)}"
        if record.paid_to:
            detail += f" → {record.paid_to}"
        rows.append((record.date, "Gasto / Expense", noted(detail, record.notes)))
    for record in state["incident"].values():
        assert isinstance(record, log_format.Incident)
        rows.append(
            (
                record.date,
                "Incidente / Incident",
                noted(word("incident", record.kind), record.notes),
            )
        )
    return sorted(rows)
