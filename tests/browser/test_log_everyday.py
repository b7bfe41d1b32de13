"""The log's everyday screens in Chromium at 360 px in Spanish, against the real server:
logging a different day in three taps (quick days and times, the hours before saving, times in
words), the week view, photos (gallery or camera, thumbnails, remove, several pages), the wage
check's arithmetic per week with the total by kind, and plain words instead of codes.

Tap counts (from the log's first screen; add one tap, "Mi registro", from anywhere else):
- log today: 1 tap ("Igual que el último día");
- log a different day: 3 taps ("Anotar un turno", the day, e.g. "Ayer", then "Guardar"), because
  a new shift starts with the last shift's times; another time is one more tap each (a usual
  time or ±15 min)."""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import re
import struct
import zlib
from typing import Any

import pytest
from conftest import choose_profile
from test_log_flow import add_job, open_log

pytestmark = pytest.mark.browser

STATE_JS = """async () => { const store = await import('/js/log/store.js'); const { state } = await store.currentState();
  return { shifts: [...state.shift.values()], stubs: [...state.pay_stub.values()], jobs: [...state.job.values()] }; }"""

ADD_JS = """async (records) => { const store = await import('/js/log/store.js'); const { state } = await store.currentState();
  const job = [...state.job.values()][0];
  for (const r of records) await store.addRecord({ job_id: job.id, from_memory: false, photo_ids: [], ...r }); }"""


def begin(page: Any, base_url: str) -> None:
    """Profile chosen, the log open with one job (California, H-2A, $10.00 promised, weeks from Monday)."""
    page.goto(base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    open_log(page)
    add_job(page)


def records(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(STATE_JS)
    return found


def tap(page: Any, taps: list[str], selector: str, **kw: Any) -> None:
    """Tap `selector` (a visible element), counting the tap."""
    target = page.locator(selector, **kw).first
    target.click()
    taps.append(selector)


def png(width: int = 40, height: int = 30, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG (so the phone's shrinking code decodes it)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_logging_today_takes_one_tap_and_a_different_day_three(page: Any, live_server: str) -> None:
    begin(page, live_server)
    today, yesterday, before = page.evaluate(
        "() => [0, 1, 2].map((i) => { const d = new Date(); d.setDate(d.getDate() - i); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; })"
    )
    # The first shift is typed once; its times become the quick choices and the new form's start.
    page.locator("a[href='#/log/shift']").first.click()
    form = page.locator("form.log-form")
    form.wait_for()
    form.locator(f"[data-date='{before}']").click()
    form.locator("[data-field=start] input").fill("07:00")
    form.locator("[data-field=end] input").fill("16:30")
    # The times in words and the hours, before saving.
    assert form.locator("[data-words=start]").inner_text() == "7:00 de la mañana"
    assert form.locator("[data-words=end]").inner_text() == "4:30 de la tarde"
    assert form.locator("#shift-hours").inner_text() == "9 h 30 min — ¿correcto?"
    form.locator("[data-field=end] [data-step='15']").click()
    assert form.locator("[data-field=end] input").input_value() == "16:45"
    form.locator("[data-field=end] [data-step='-15']").click()
    form.locator("[data-field=end] [data-step='-15']").click()
    assert form.locator("[data-field=end] input").input_value() == "16:15"
    form.locator("[data-field=end] [data-time='17:00']").click()
    assert form.locator("#shift-hours").inner_text() == "10 h 0 min — ¿correcto?"
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")

    # A different day: three taps from the log's first screen.
    taps: list[str] = []
    tap(page, taps, "a[href='#/log/shift']")
    form = page.locator("form.log-form")
    form.wait_for()
    assert form.locator("[data-field=start] input").input_value() == "07:00"
    assert form.locator("#shift-hours").inner_text() == "10 h 0 min — ¿correcto?"
    assert (
        form.locator("[data-field=start] [data-time='07:00']").inner_text()
        == "07:00 · 7:00 de la mañana"
    )
    tap(page, taps, f"[data-date='{yesterday}']")
    tap(page, taps, "form.log-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Mi registro')")
    assert len(taps) == 3
    saved = {(s["date"], s["start"], s["end"]) for s in records(page)["shifts"]}
    assert (yesterday, "07:00", "17:00") in saved

    # Today: one tap.
    taps = []
    tap(page, taps, "button", has_text="Igual que el último día")
    page.locator("#log-message", has_text="Anotado").wait_for()
    assert len(taps) == 1
    saved = {(s["date"], s["start"], s["end"]) for s in records(page)["shifts"]}
    assert saved == {
        (before, "07:00", "17:00"),
        (yesterday, "07:00", "17:00"),
        (today, "07:00", "17:00"),
    }
    # The quick choices are big enough to tap (44 px) and the buttons fit the 360 px screen.
    page.locator("a[href='#/log/shift']").first.click()
    chips = page.locator("form.log-form .chip")
    chips.first.wait_for()
    assert min(chips.nth(i).bounding_box()["height"] for i in range(chips.count())) >= 44
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360


WEEK_RECORDS = [
    {"type": "shift", "date": "2025-03-03", "start": "07:00", "end": "17:00", "break_minutes": 30, "piece_units": 80},
    {"type": "shift", "date": "2025-03-04", "start": "07:00", "end": "15:00", "break_minutes": 0, "piece_units": 40},
    {"type": "shift", "date": "2025-03-11", "start": "06:00", "end": "14:00", "break_minutes": 0},
    {"type": "pay_stub", "pay_date": "2025-03-14", "period_start": "2025-03-03", "period_end": "2025-03-09",
     "gross_cents": 17500, "deductions": [], "rates": [], "method": "check", "statement_given": True},
]  # fmt: skip


def test_the_week_view_shows_days_totals_pieces_and_a_missing_pay_stub(
    page: Any, live_server: str
) -> None:
    begin(page, live_server)
    page.evaluate(ADD_JS, WEEK_RECORDS)
    page.locator("a[href='#/log/week']").click()
    page.wait_for_selector("h1:has-text('Mi semana')")
    weeks = page.locator("li.week")
    assert weeks.count() == 2
    # Newest week first, from Monday (the job's workweek): one day, no pay stub yet.
    newest, older = weeks.nth(0), weeks.nth(1)
    assert (
        "Semana del lunes 10 de marzo de 2025 al domingo 16 de marzo de 2025" in newest.inner_text()
    )
    assert "martes 11 de marzo de 2025 · 06:00–14:00 · 8 h 0 min" in newest.inner_text()
    assert "Total de la semana: 8 h 0 min en 1 día" in newest.inner_text()
    assert newest.locator("[data-missing=pay_stub]").inner_text().startswith("Sin talón de pago")
    # The week with a stub: each day's hours after the break, totals, pieces (plurals right).
    text = older.inner_text()
    assert "lunes 3 de marzo de 2025 · 07:00–17:00 · 9 h 30 min · 80 piezas" in text
    assert "Total de la semana: 17 h 30 min en 2 días · 120 piezas" in text
    assert older.locator("[data-missing]").count() == 0
    # Any day opens for editing; the change shows in the week.
    older.locator("a[data-day='2025-03-04']").click()
    form = page.locator("form.log-form")
    form.wait_for()
    assert "Cambiar" in page.locator("h1").inner_text()
    assert form.locator("[data-field=date] input").input_value() == "2025-03-04"
    form.locator("[data-field=end] [data-step='15']").click()
    assert form.locator("#shift-hours").inner_text() == "8 h 15 min — ¿correcto?"
    form.locator("[data-field=_reason] input").fill("Salí 15 minutos más tarde")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    page.locator("a[href='#/log/week']").click()
    assert (
        "Total de la semana: 17 h 45 min en 2 días" in page.locator("li.week").nth(1).inner_text()
    )


def test_photos_from_the_gallery_or_the_camera_thumbnails_remove_and_several_pages(
    page: Any, live_server: str
) -> None:
    begin(page, live_server)
    page.goto(live_server + "/#/log/pay")
    form = page.locator("form.log-form")
    form.wait_for()
    box = form.locator("[data-field=photo_ids]")
    gallery, camera = (
        box.locator("[data-photo-input=gallery]"),
        box.locator("[data-photo-input=camera]"),
    )
    # The gallery input does not force the camera; the camera is a separate choice.
    assert gallery.get_attribute("capture") is None and gallery.get_attribute("accept") == "image/*"
    assert gallery.get_attribute("multiple") is not None
    assert camera.get_attribute("capture") == "environment"
    assert box.locator("label", has_text="Tomar una foto con la cámara").count() == 1
    pages = [
        {"name": f"talon-{i}.png", "mimeType": "image/png", "buffer": png(rgb=(i * 60, 90, 30))}
        for i in (1, 2)
    ]
    gallery.set_input_files(pages)
    box.locator("li.thumb img").nth(1).wait_for()
    assert box.locator("li.thumb").all_inner_texts()[1].startswith("Foto 2 de 2")
    box.locator("button[aria-label='Quitar la foto 1']").click()
    box.locator("[role=status]", has_text="Se quitó la foto").wait_for()
    assert box.locator("li.thumb").count() == 1
    # A file that is not an image is refused in plain words; nothing is added.
    gallery.set_input_files(
        [{"name": "nota.txt", "mimeType": "text/plain", "buffer": b"no soy una foto"}]
    )
    box.locator("[role=status]", has_text="No se pudo leer esa foto").wait_for()
    assert box.locator("li.thumb").count() == 1
    camera.set_input_files(
        [{"name": "foto.png", "mimeType": "image/png", "buffer": png(rgb=(10, 10, 200))}]
    )
    box.locator("li.thumb img").nth(1).wait_for()
    # The thumbnails are the stored (shrunk, JPEG) photos.
    assert (
        box.locator("li.thumb img").first.evaluate("(img) => img.complete && img.naturalWidth")
        == 40
    )
    form.locator("[data-field=period_start] input").fill("2025-03-03")
    form.locator("[data-field=period_end] input").fill("2025-03-09")
    form.locator("[data-field=pay_date] input").fill("2025-03-14")
    form.locator("[data-field=gross] input").fill("100")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    stub = records(page)["stubs"][0]
    assert len(stub["photo_ids"]) == 2


def test_the_job_order_or_contract_can_be_photographed(page: Any, live_server: str) -> None:
    """What was promised, in the employer's own papers, goes with the job (and so the bundle)."""
    begin(page, live_server)
    job_id = records(page)["jobs"][0]["id"]
    page.goto(live_server + f"/#/log/job/{job_id}")
    form = page.locator("form.log-form")
    box = form.locator("[data-field=photo_ids]")
    box.wait_for()
    assert "orden de trabajo o del contrato" in box.inner_text()
    box.locator("[data-photo-input=gallery]").set_input_files(
        [
            {"name": f"orden-{i}.png", "mimeType": "image/png", "buffer": png(rgb=(30, i * 80, 30))}
            for i in (1, 2)
        ]
    )
    box.locator("li.thumb img").nth(1).wait_for()
    form.locator("[data-field=_reason] textarea, [data-field=_reason] input").first.fill(
        "Agrego la orden de trabajo"
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    assert len(records(page)["jobs"][0]["photo_ids"]) == 2


def test_the_wage_check_shows_each_weeks_arithmetic_and_the_total_by_kind(
    page: Any, live_server: str
) -> None:
    begin(page, live_server)
    days = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"]
    shifts = [
        {"type": "shift", "date": d, "start": "07:00", "end": "17:00", "break_minutes": 0}
        for d in days
    ]
    stub = {"type": "pay_stub", "pay_date": "2025-03-14", "period_start": "2025-03-03", "period_end": "2025-03-09",
            "gross_cents": 50000, "deductions": [{"kind": "housing", "amount_cents": 5000}], "rates": [],
            "method": "check", "statement_given": True}  # fmt: skip
    page.evaluate(ADD_JS, [*shifts, stub])
    page.locator("a[href='#/log/wages']").click()
    page.wait_for_selector("#wages-total")
    week = page.locator("li.week").first
    assert "Semana del lunes 3 de marzo de 2025 al domingo 9 de marzo de 2025" in week.inner_text()
    assert "Horas: 50 h 0 min" in week.inner_text()
    dollars = lambda s: round(float(s.replace("$", "").replace(",", "")) * 100, 1)  # noqa: E731
    lines = week.locator("ul.arith li").all_inner_texts()
    total = 0
    for line in lines[:-3]:  # hours × rate = amount, for each kind of hour
        m = re.fullmatch(
            r"Horas (normales|extra|dobles): (\d+) h (\d+) min × (\$[\d,]+\.\d\d\d?)(?: \((?:1\.5|2) × \$[\d.,]+\))? = (\$[\d,]+\.\d\d)",
            line,
        )
        assert m, line
        minutes = int(m[2]) * 60 + int(m[3])
        assert abs(minutes * dollars(m[4]) / 60 - dollars(m[5])) <= 1
        total += dollars(m[5])
    assert lines[0].startswith("Horas normales:") and lines[1].startswith("Horas extra:")
    expected = re.search(r"Le correspondía: (\$[\d,]+\.\d\d)", lines[-3])
    # The lines are the report's own figures: they add up to the expected pay to the cent.
    assert expected and dollars(expected[1]) == total
    # Money with thousands separators, in the arithmetic and the total.
    assert not re.search(r"\$\d{4}", " ".join(lines) + page.locator("#wages-total").inner_text())
    assert "," in expected[1]  # 50 h at the H-2A floor is over $1,000
    # What was paid is the period's (one stub); its difference is shown.
    period = page.locator("li.period").first.inner_text()
    assert "Le pagaron: $500.00" in period and "Diferencia:" in period
    # The total, by kind: unpaid wages and the housing deduction H-2A forbids.
    kinds = dict(
        (li.get_attribute("data-kind"), li.inner_text())
        for li in page.locator("#wages-kinds li").all()
    )
    assert kinds["deductions"] == "Descuentos que no se permiten: $50.00"
    # $500 does not cover even the 40 straight-time hours at the floor: both kinds are owed,
    # unpaid overtime and the straight-time shortfall, each on its own line.
    assert kinds["overtime"].startswith("Horas extra sin pagar: $")
    assert kinds["minimum"].startswith("Salario mínimo u horas normales sin pagar: $")
    assert "pay" not in kinds
    owed = re.search(
        r"Le podrían deber: (\$[\d,]+\.\d\d)", page.locator("#wages-total").inner_text()
    )
    assert owed and dollars(owed[1]) == sum(dollars(v.split(": ")[1]) for v in kinds.values())
    assert "Revisado el" in page.locator("main").inner_text()
    # Every sentence says its dates in words, the rules applied too (folded under "details");
    # only the sources' own titles (links) are left as their publishers wrote them.
    said = page.evaluate(
        """() => { const m = document.querySelector('main').cloneNode(true);
                   m.querySelectorAll('a').forEach((a) => a.remove()); return m.textContent; }"""
    )
    assert not re.search(r"\d{4}-\d{2}-\d{2}", said), re.findall(r".{40}\d{4}-\d\d-\d\d.{20}", said)
    assert "en vigor el 3 de marzo de 2025" in said


def test_a_missing_aewr_says_what_to_enter_and_opens_the_job(page: Any, live_server: str) -> None:
    begin(page, live_server)
    # H-2A work in a year the data has no AEWR for, and no job-order rate entered.
    page.evaluate(
        ADD_JS,
        [
            {
                "type": "shift",
                "date": "2019-06-03",
                "start": "07:00",
                "end": "15:00",
                "break_minutes": 0,
            }
        ],
    )
    page.locator("a[href='#/log/wages']").click()
    page.wait_for_selector("#wages-total")
    # One day with no payment is named once, in words.
    assert (
        "Día sin pago anotado: lunes 3 de junio de 2019"
        in page.locator("li.period").first.inner_text()
    )
    fix = page.locator("[data-fix=rate]")
    assert (
        "escriba la tarifa por hora que le prometieron o la de su oferta de trabajo"
        in fix.inner_text()
    )
    fix.locator("a").click()
    page.wait_for_selector("form.log-form [data-field=promised]")
    assert "Cambiar" in page.locator("h1").inner_text()


def test_the_log_says_words_not_codes(page: Any, live_server: str) -> None:
    begin(page, live_server)
    page.evaluate(ADD_JS, [
        {"type": "expense", "kind": "recruitment_fee", "amount_cents": 123450, "date": "2025-03-01", "reimbursed_cents": 0},
        {"type": "incident", "kind": "threat", "date": "2025-03-05", "notes": "Nos gritó el mayordomo"},
    ])  # fmt: skip
    page.goto(live_server + "/#/log/history")
    page.wait_for_selector("ol.history")
    text = page.locator("ol.history").inner_text()
    assert "Cuota de reclutamiento" in text and "Me amenazaron" in text
    assert "sábado 1 de marzo de 2025" in text
    for code in ("recruitment_fee", "threat", "log.kinds"):
        assert code not in page.locator("main").inner_text()
    # Written later, from memory: the label reads as past, not as a promise.
    page.goto(live_server + "/#/log/incident")
    page.wait_for_selector("form.log-form")
    assert (
        page.locator("[data-field=from_memory]").inner_text().strip()
        == "Lo anoté después, de memoria"
    )
    options = page.locator("[data-field=kind] option").all_inner_texts()
    assert "Me amenazaron" in options and "threat" not in options
