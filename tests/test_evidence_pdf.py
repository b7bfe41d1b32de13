"""The PDF an officer reads (server/evidence/report_pdf.py), read back as text.

Real signed bundles (tests/bundles/factory.py), the real verifier and the real wage rules of
content/data; the PDF's text is read back with tests/pdftext.py (its fonts' ToUnicode maps),
so each test checks what a person would see on the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import msgspec
import pytest
from bundles import factory as f
from bundles.officer import LONG_NOTE, honest, officer_log
from litestar import Litestar
from litestar.testing import TestClient
from pdftext import text as pdf_text

from server import log_format
from server.config import Settings
from server.evidence import facts as F
from server.evidence import receipts, referral, report_pdf
from server.evidence.verify import verify_bundle
from server.wages import rules as W

ROOT = Path(__file__).resolve().parent.parent
MAP = referral.load_map(ROOT / "pwa")
RULES = W.jurisdictions_from_file(ROOT / "content" / "data" / "wage_rules.yaml")


def render(bundle: bytes, keys: f.Keys, data: dict[str, Any] | None = None) -> str:
    report = verify_bundle(bundle, keys.known)
    assert report.ok, report.error_codes
    return pdf_text(report_pdf.render(report, data or {}, MAP, RULES))


@pytest.fixture(scope="module")
def keys() -> f.Keys:
    return f.new_keys()


def test_the_employer_block_comes_from_the_log_with_not_recorded_for_the_rest(
    keys: f.Keys,
) -> None:
    log = officer_log(keys.server, keys.worker)
    page = render(f.make_bundle(keys, log, **honest(log)), keys)
    block = page.split("Employer, from the log", 1)[1].split("Fechas en el registro", 1)[0]
    for shown in (
        "Empresa / Company Rancho Los Pinos Agrícola Internacional de la Costa Central S. de R.L.",
        "Supervisor(a) / Supervisor Roberto «Don Beto» Salgado",
        "Mayordomo o jefe de cuadrilla / Crew leader Juan Pérez",
        "Contratista / Contractor AgriLabor Contratistas LLC",
        "Placa / Vehicle plate 7ABC123",
        "Lugar de trabajo / Work site Campo 12 (fresa), junto al canal",
        "Pago prometido / Promised rate $19.00 por hora / per hour",
        "Vehículo / Vehicle no anotado / not recorded",
        "Inicio del contrato / Contract start no anotado / not recorded",
    ):
        assert shown in block, shown
    # Text DejaVu Sans can draw is kept; what it cannot (Chinese) is named, never dropped.
    assert "Ñuu Savi: ndakuaa ña. Кирилл [U+519C][U+573A]" in block


def test_the_workers_words_wrap_whole_and_photos_are_captioned_by_their_record(
    keys: f.Keys,
) -> None:
    log = officer_log(keys.server, keys.worker)
    page = render(f.make_bundle(keys, log, **honest(log)), keys)
    words = page.split("In the worker's own words", 1)[1]
    assert LONG_NOTE in words  # whole, across wrapped lines: nothing cut at 60 characters
    assert "Incidente / Incident 2026-06-06 (inc2)" in page.split("Fotos / Photos", 2)[-1]
    assert "Talón de pago / Pay stub 2026-06-05 (p4)" in page


def test_a_deleted_shift_counts_nowhere_and_each_day_shows_its_hours(keys: f.Keys) -> None:
    log = officer_log(keys.server, keys.worker)
    page = render(f.make_bundle(keys, log, **honest(log)), keys)
    assert "Turnos / Shifts: 7 ·" in page
    assert "18:00–21:00" not in page
    changes = page.split("Edits and deletions", 1)[1]
    assert "borrado / deleted Turno / Shift (s-dup) lo anoté dos veces" in changes
    assert "corregido / edited Empleador / Employer (emp1) datos completos" in changes
    assert "2026-06-03 Turno / Shift 10 h 06:00–16:30, descanso / break 30 min = 10 h" in page
    assert "Horas trabajadas / Hours worked: 70 h" in page
    assert "El resumen del teléfono no coincide" not in page


def test_a_summary_that_disagrees_with_the_journal_is_flagged_and_not_believed(
    keys: f.Keys,
) -> None:
    log = f.make_log(keys.server, days=7, worker=keys.worker)
    lying = f.make_bundle(
        keys,
        log,
        employers=[{"id": "emp1", "name": "Otra Empresa"}],
        counts={"shifts": 40, "pay": 1, "expenses": 0, "incidents": 1, "photos": 1},
        period={"start": "2026-06-02", "end": "2026-06-30"},
        wage_check={"as_of": "2026-06-30", "jobs": [], "total_owed_cents": 100},
    )
    page = render(lying, keys)
    flags = page.split("The phone's summary disagrees", 1)[1].split("Employer, from the log")[0]
    for said in (
        "empleadores «Otra Empresa» en el resumen, «Rancho Los Pinos» en el registro.",
        "turnos: 40 en el resumen, 7 en el registro.",
        "periodo 2 de junio de 2026 – 30 de junio de 2026 en el resumen; el registro tiene "
        "fechas del 1 de junio de 2026 al 11 de junio de 2026.",  # the incident of 06-11 too
        "lo que se debería: $1.00 según el teléfono,",
        "The phone's summary disagrees with the journal: shifts: 40 in the summary, 7 in the "
        "journal.",
    ):
        assert said in flags, said
    assert "it does NOT match the phone" in page
    assert "Empresa / Company Rancho Los Pinos" in page  # the journal's name, not the claim
    assert "Otra Empresa" not in page.split("Employer, from the log", 1)[1]


def test_the_recomputed_wage_check_matches_the_phones_and_claims_add_up(keys: f.Keys) -> None:
    log = f.make_log(keys.server, days=14, worker=keys.worker)
    raw = [e for e in log.entries if not e.get("withheld")]
    entries = msgspec.convert(raw, list[log_format.JournalEntry])
    phone = F.recompute_wages(entries, RULES, F.as_of_date(f.CREATED, None))
    assert phone["total_owed_cents"] > 0
    page = render(f.make_bundle(keys, log, wage_check=phone), keys)
    assert "it matches the phone" in page
    assert "El resumen del teléfono no coincide" not in page
    claims = page.split("What is owed, by claim", 1)[1].split("Consular category", 1)[0]
    total = report_pdf.money(phone["total_owed_cents"])
    assert f"Total / Total {total}" in claims
    rows = report_pdf.claim_rows(phone)
    assert sum(cents for *_, cents in rows) == phone["total_owed_cents"]
    for _, es, en, cents in rows:
        assert f"{es} / {en} {report_pdf.money(cents)}" in claims


def test_the_claims_table_splits_what_is_owed_by_kind_with_overtime_and_a_fee(
    keys: f.Keys,
) -> None:
    """A week of 10-hour days paid as straight 40 hours, and a recruitment fee: the table's
    rows are the recomputed check's owed_by_kind (unpaid overtime and the straight-time short
    split by the check's own arithmetic), the fee on its own row, money with separators."""
    log = officer_log(keys.server, keys.worker)
    log.create(
        {"type": "expense", "id": "fee1", "job_id": "job1", "date": "2026-05-20",
         "kind": "recruitment_fee", "amount_cents": 45000, "paid_to": "Reclutador"},
        "2026-06-08T20:00:00.000Z",
    )  # fmt: skip
    page = render(f.make_bundle(keys, log, **honest(log)), keys)
    claims = page.split("What is owed, by claim", 1)[1].split("Consular category", 1)[0]
    for row in (
        "Horas extra no pagadas / Unpaid overtime $874.00",
        "Salario mínimo o tarifa prometida / Minimum wage or promised rate $120.00",
        "Descuentos / Deductions $0.00",
        "Cobros y gastos no reembolsados / Fees and unreimbursed costs $450.00",
        "Garantía de tres cuartas partes / Three-fourths guarantee $0.00",
        "Total / Total $1,444.00",
    ):
        assert row in claims, (row, claims)
    assert "Otros / Other" not in claims  # nothing owed of another kind


def codes(literal: Any) -> set[str]:
    """Every value of a Literal, also of a union of Literals (Industry)."""
    out: set[str] = set()
    for arg in get_args(literal):
        out |= codes(arg) if get_args(arg) else {arg}
    return out


def test_every_code_of_the_log_has_words_for_staff() -> None:
    labels = report_pdf.labels()
    for group, literal in (
        ("incident", log_format.IncidentKind),
        ("expense", log_format.ExpenseKind),
        ("method", log_format.PayMethod),
        ("pay_type", log_format.PayType),
        ("pay_frequency", log_format.PayFrequency),
        ("status", log_format.WorkStatus),
        ("industry", log_format.Industry),
    ):
        assert set(labels[group]) == codes(literal), group
    assert set(labels["record"]) >= set(log_format.RECORD_TYPES)
    assert set(labels["employer_fields"]) == set(F.EMPLOYER_FIELDS)
    assert set(labels["job_fields"]) == set(F.JOB_FIELDS)


def test_hostile_text_is_drawn_visibly_and_never_breaks_the_pdf(keys: f.Keys) -> None:
    """Bidi overrides, invisible and control characters are named; words longer than a
    column wrap; a 2000-character note in every field still gives the whole PDF."""
    log = f.make_log(keys.server, days=3, worker=keys.worker)
    nasty = ("\u202eevil\u202c " + "A" * 1500 + " 🌱农场\u200b\x07 " + "ب" * 50)[:2000]
    when = "2026-06-05T12:00:00.000Z"
    log.create(
        {"type": "employer", "id": "emp2", "name": "Z" * 200, "address": nasty, "notes": nasty,
         "supervisor": "S" * 200, "plate": "\u202e321CBA7"},
        when,
    )  # fmt: skip
    log.create(
        {"type": "job", "id": "job2", "employer_id": "emp2", "state": "TX",
         "industry": "construction", "title": "T" * 200},
        when,
    )  # fmt: skip
    for i in range(3):
        log.create(
            {"type": "incident", "id": f"n{i}", "date": "2026-06-02", "kind": "other",
             "notes": nasty},
            when,
        )  # fmt: skip
    page = render(f.make_bundle(keys, log, worker_name="W" * 200, **honest(log)), keys)
    assert "[U+202E]evil[U+202C]" in page
    assert "[U+202E]321CBA7" in page
    # (a run of names can wrap: read it without the line breaks)
    assert "[U+1F331][U+519C][U+573A][U+200B][U+0007]" in page.replace(" ", "")
    assert "could not be drawn" not in page
    assert "In the worker's own words" in page and "Fotos / Photos" in page


def test_retaliation_with_pay_problems_goes_to_the_labor_commissioner_first(keys: f.Keys) -> None:
    """The threat of 2026-06-06 comes with short paychecks (the recomputed check finds them):
    the wage agency leads, and OSHA's 30 days count from the threat's own date."""
    from test_evidence_referral import real_data

    log = officer_log(keys.server, keys.worker)
    page = render(f.make_bundle(keys, log, **honest(log)), keys, real_data())
    part = page.split("Me castigaron por quejarme", 1)[1].split("Traer / Bring", 1)[0]
    assert "Primero la agencia de salarios" in part
    routes = [line.split("·")[0].strip() for line in part.split("→")[1:]]
    assert routes[0].startswith("Oficina del Comisionado Laboral de California"), routes
    assert routes[1].startswith("División de Horas y Salarios"), routes
    assert (
        "Fecha límite: 6 de julio de 2026 (contada desde el 6 de junio de 2026) / "
        "Deadline: July 6, 2026 (counted from June 6, 2026)"
    ) in part


def test_referrals_and_the_journal_dates_are_in_words_in_both_languages(keys: f.Keys) -> None:
    """Issue 14: an officer reads "desde el 6 de junio de 2026 / since June 6, 2026", not
    2026-06-06, in the referrals and the journal's dates; the same words as the desk
    (server/evidence/referral.py and pwa/staff/referral.js share tests/referral_vectors.json).
    Only the tables keep the compact date, under their "Fecha / Date" heading."""
    import re

    from test_evidence_referral import real_data

    log = officer_log(keys.server, keys.worker)
    page = render(f.make_bundle(keys, log, **honest(log)), keys, real_data())
    flat = " ".join(page.split())  # a long line may wrap
    assert (
        "Fechas en el registro / Dates in the journal: 1 de junio de 2026 – 11 de junio de 2026 "
        "/ June 1, 2026 – June 11, 2026"
    ) in flat
    assert "(desde el 6 de junio de 2026 / since June 6, 2026)" in flat
    referrals = flat.split("Consular category and referral", 1)[1]
    referrals = referrals.split("Wage check, week by week", 1)[0]
    assert "Fecha límite: 6 de julio de 2026" in referrals
    assert re.findall(r"\d{4}-\d{2}-\d{2}", referrals) == []
    timeline = flat.split("Timeline", 1)[1]
    assert "2026-06-06" in timeline  # the table's own column


def test_the_report_endpoint_recomputes_the_wage_check_on_the_server(
    client: TestClient[Litestar], built: Settings
) -> None:
    """Through HTTP, with the server's own receipt key and rules: the PDF has the claims table
    recomputed from the journal, and says the bundle brought no phone check."""
    server = receipts.load_or_create_key(built.receipt_key_path)
    keys = f.Keys(worker=f.new_keys().worker, server=server)
    log = officer_log(keys.server, keys.worker)
    answer = client.post(
        "/api/v1/bundles/report",
        content=f.make_bundle(keys, log, **honest(log)),
        headers={"content-type": "application/zip"},
    )
    assert answer.status_code == 200, answer.text
    page = pdf_text(answer.content)
    assert "Recalculado del registro con la misma revisión que `cartilla wages`" in page
    assert "The bundle has no phone check." in page
    assert "Horas extra no pagadas / Unpaid overtime" in page
    assert "Juan Pérez" in page and "could not be drawn" not in page
