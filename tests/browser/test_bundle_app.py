"""A worker's month, kept in the real app and carried to the consulate as a bundle.

Everything on the phone side goes through the app itself in Chromium: the profile picker,
the log's forms (a job, shifts, a pay stub with its photo) and, for the bulk of the month,
the log's own store (pwa/js/log/store.js), so every record lives in the app's IndexedDB
journal. Time receipts come from the running server while it is up (the phone asks on its own
after saves and when the consulate screen opens, pwa/js/bundle/receipts.js); then the server is
stopped and the "Prepare for the consulate" screen builds the bundle offline, with the
worker's choices (dates, one employer left out, their name). The downloaded ZIP passes
`cartilla verify`, the `bagit` library and `sha256sum -c`; its wage check is the phone's,
with the pack's wage rules, and equals the Python check on the same records. Staff open it on
the desk in a second browser context, export the CSV, and get the PDF from the server.
"""

# ruff: noqa: E501 -- the JS run inside the page reads better on one line per statement
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
import msgspec
import pytest
from conftest import CartillaServer, add_job, choose_profile, log_form, poll, read_pack, save, show
from conftest import wait_until_offline_ready as offline_ready

from server.content.schema import WageJurisdiction
from server.wages.check import LogRecords, check

pytestmark = pytest.mark.browser

RANCHO = "Rancho Los Pinos"
OTHER = "Empacadora Norte"
UI_SHIFTS = ["2025-06-02", "2025-06-03", "2025-06-04"]
# The rest of June, Monday to Saturday, logged through the store: 2 + 3 x 6 days.
BULK_SHIFTS = ["2025-06-05", "2025-06-06"] + [
    (dt.date(2025, 6, 9) + dt.timedelta(days=7 * w + d)).isoformat()
    for w in range(3)
    for d in range(6)
]
WEEKS = [("2025-06-02", "2025-06-08"), ("2025-06-09", "2025-06-15"),
         ("2025-06-16", "2025-06-22"), ("2025-06-23", "2025-06-29")]  # fmt: skip

READ_JOURNAL = "async () => (await import('/js/log/store.js')).readJournal()"

BULK_JS = """
async ({ shifts, rancho, other }) => {
  const store = await import('/js/log/store.js');
  const { state } = await store.currentState();
  const employer = [...state.employer.values()].find((e) => e.name === rancho);
  const job = [...state.job.values()].find((j) => j.employer_id === employer.id);
  const shift = (job_id, date, extra = {}) => store.addRecord({ type: 'shift', job_id, date, start: '07:00', end: '17:00',
    break_minutes: 30, from_memory: false, photo_ids: [], ...extra });
  for (const date of shifts) await shift(job.id, date);
  const stub = (pay_date, period_start, period_end, gross_cents) => store.addRecord({ type: 'pay_stub', job_id: job.id, pay_date,
    period_start, period_end, gross_cents, net_cents: gross_cents, minutes_paid: null, rates: [{ rate_cents: 1800, per: 'hour' }],
    deductions: [], method: 'check', statement_given: true, statement_items: ['employer_name', 'pay_period', 'hours_worked', 'rate', 'gross', 'net'],
    from_memory: false, photo_ids: [] });
  await stub('2025-06-20', '2025-06-09', '2025-06-15', 100000);
  await stub('2025-06-27', '2025-06-16', '2025-06-22', 100000);
  await store.addRecord({ type: 'expense', kind: 'recruitment_fee', amount_cents: 50000, date: '2025-06-01', job_id: job.id,
    paid_to: 'Reclutador en Zacatecas', reimbursed_cents: 0, from_memory: true, photo_ids: [] });
  await store.addRecord({ type: 'incident', kind: 'injury', date: '2025-06-18', job_id: job.id,
    notes: 'Me corté la mano con el cuchillo de cosecha', from_memory: false, photo_ids: [] });
  await store.addRecord({ type: 'incident', kind: 'threat', date: '2025-06-25', job_id: job.id,
    notes: 'El mayordomo dijo que nos iba a reportar si nos quejábamos del pago', from_memory: false, photo_ids: [] });
  await shift(job.id, '2025-05-30');  // before the dates the worker will choose
  const otherEmployer = await store.addRecord({ type: 'employer', name: other });
  const otherJob = await store.addRecord({ type: 'job', employer_id: otherEmployer.data.id, state: 'CA', industry: 'agriculture',
    status: 'h2a', pay_type: 'hourly', workweek_start: 'monday' });
  await shift(otherJob.data.id, '2025-06-07', { start: '18:00', end: '22:00', break_minutes: 0 });
  await shift(otherJob.data.id, '2025-06-14', { start: '18:00', end: '22:00', break_minutes: 0 });
}
"""


@dataclass
class Built:
    """What the phone made, and the server that is back up for the staff."""

    server: CartillaServer
    bundle: Path
    key_file: Path
    phone_journal: list[dict[str, Any]]
    wage_rules: list[dict[str, Any]]
    preview: str
    included: str


def stub_photo(path: Path) -> None:
    """A photo of a pay stub: a pale page with lines of 'text'."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 1200), (246, 244, 236))
    draw = ImageDraw.Draw(image)
    for y in range(80, 1100, 60):
        draw.rectangle((80, y, 80 + (y * 37) % 700, y + 18), fill=(40, 40, 60))
    image.save(path, "JPEG", quality=90)


def log_through_the_forms(page: Any, base_url: str, photo: Path) -> None:
    add_job(page, base_url, RANCHO, address="1200 Camino Real, Salinas, CA")
    for day in UI_SHIFTS:
        form = log_form(page, base_url, "shift")
        form.locator("[data-field=date] input").fill(day)
        form.locator("[data-field=start] input").fill("07:00")
        form.locator("[data-field=end] input").fill("17:00")
        save(page, form)
    form = log_form(page, base_url, "pay")
    form.locator("[data-field=pay_date] input").fill("2025-06-13")
    form.locator("[data-field=period_start] input").fill("2025-06-02")
    form.locator("[data-field=period_end] input").fill("2025-06-08")
    form.locator("[data-field=gross] input").fill("800")
    form.locator("[data-field=deductions] button").click()
    form.locator(".deduction-row select").select_option("housing")
    form.locator(".deduction-row input").fill("50")
    form.locator("[data-field=photo_ids] [data-photo-input=gallery]").set_input_files(str(photo))
    form.locator("[data-field=photo_ids]", has_text="Foto agregada").wait_for()
    save(page, form)


def receipts_in(page: Any) -> int:
    return sum(1 for e in page.evaluate(READ_JOURNAL) if e["kind"] == "receipt")


def anchor_on_the_bundle_screen(page: Any) -> int:
    """Online, the head gets a receipt (a few seconds after saving, or at once when the screen
    opens); wait until it is journaled and return how many receipts the journal has."""
    show(page, "#/log")
    show(page, "#/bundle")
    poll(
        page,
        f"async () => {{ const j = await ({READ_JOURNAL})(); return j.length && j[j.length - 1].kind === 'receipt'; }}",
    )
    return receipts_in(page)


SMALL_TARGETS = """() => [...document.querySelectorAll('main a, main button, main input, main summary')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el, el.closest('label.check') || el])
  .filter(([el, target]) => target.getBoundingClientRect().height < 44 || el.getBoundingClientRect().width < 24)
  .map(([el]) => `${el.tagName} ${el.name || el.textContent.trim().slice(0, 30)}`)"""


def accessibility_problems(page: Any) -> list[str]:
    """axe's serious or critical findings, sideways scrolling, and taps smaller than 44 px."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    problems = [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    if page.evaluate("() => document.documentElement.scrollWidth > innerWidth"):
        problems.append("wider than the screen")
    return problems + [f"small target {t}" for t in page.evaluate(SMALL_TARGETS)]


@pytest.fixture(scope="module")
def built(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("bundle-app")
    server = CartillaServer(root / "server").start()
    base = server.base_url
    key_file = root / "receipt-key.json"
    with urllib.request.urlopen(f"{base}/.well-known/cartilla-receipt-key", timeout=10) as res:
        key_file.write_bytes(res.read())
    photo = root / "talon.jpg"
    stub_photo(photo)
    phone = browser.new_context(
        service_workers="allow", viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    try:
        page = phone.new_page()
        page.goto(base + "/")
        page.wait_for_selector("form.profile")
        choose_profile(page)  # California, agriculture, H-2A, Spanish
        offline_ready(page)
        log_through_the_forms(page, base, photo)
        anchored = anchor_on_the_bundle_screen(page)
        assert anchored >= 1
        page.evaluate(BULK_JS, {"shifts": BULK_SHIFTS, "rancho": RANCHO, "other": OTHER})
        assert anchor_on_the_bundle_screen(page) > anchored

        server.stop()  # from here on the phone has no server at all
        page.reload()
        page.wait_for_selector("main[data-screen]")
        show(page, "#/bundle")
        form = page.locator("#bundle-form")
        # The form is drawn before its employers are read from the log: wait for them.
        form.locator("label", has_text=RANCHO).wait_for()
        assert form.locator("label", has_text=OTHER).count() == 1
        form.locator("label", has_text=OTHER).locator("input").uncheck()
        form.locator("input[name=start]").fill("2025-06-01")
        form.locator("input[name=end]").fill("2025-06-30")
        form.locator("input[name=worker]").fill("María López")
        preview = page.locator("#bundle-preview")
        preview.filter(has_text="23 turnos").wait_for()
        assert accessibility_problems(page) == []
        page.locator("#bundle-included summary").click()
        page.locator("#bundle-included[open] li").first.wait_for()
        included = page.locator("#bundle-included").inner_text()
        page.locator("#bundle-build").click()
        save_link = page.locator("#bundle-save")
        save_link.wait_for()
        with page.expect_download() as info:
            save_link.click()
        download = info.value
        bundle = root / download.suggested_filename
        download.save_as(bundle)
        wage_rules = read_pack(page)["data"]["wage_rules"]
        journal = page.evaluate(READ_JOURNAL)
        assert "Le podrían deber" in page.locator("#bundle-owed").inner_text()
        preview_text = preview.inner_text()
    finally:
        phone.close()
    server.start()  # the consulate's copy of the server, for the desk and the PDF
    yield Built(server, bundle, key_file, journal, wage_rules, preview_text, included)
    server.stop()


def unzip(path: Path, where: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(where)
        top = {n.split("/")[0] for n in archive.namelist()}
    assert len(top) == 1
    return where / top.pop()


def included_records(journal_lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Replay the included journal lines into the check's record lists."""
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for line in journal_lines:
        if line.get("withheld") or line["kind"] in ("receipt", "key"):
            continue
        if line["kind"] == "delete":
            state.pop((line["record_type"], line["record_id"]), None)
        else:
            state[(line["record_type"], line["record_id"])] = line["data"]
    lists: dict[str, list[dict[str, Any]]] = {}
    plural = {"employer": "employers", "job": "jobs", "shift": "shifts", "pay_stub": "pay_stubs",
              "expense": "expenses", "incident": "incidents"}  # fmt: skip
    for (kind, _id), data in state.items():
        if kind in plural:
            lists.setdefault(plural[kind], []).append(data)
    return lists


def test_the_worker_sees_what_goes_in_and_leaves_out_the_other_employer(built: Built) -> None:
    assert "23 turnos, 3 pagos, 1 gasto, 2 incidentes, 1 foto" in built.preview
    # Left out: the second employer (employer, job, 2 shifts) and the shift before June 1.
    assert "Se dejan fuera 5 anotaciones" in built.preview
    assert "2025-06-13 · Pago / Pay" in built.included and "$800.00" in built.included
    assert "2025-05-30" not in built.included and "18:00–22:00" not in built.included


def test_the_phone_bundle_passes_cartilla_verify_bagit_and_sha256sum(
    built: Built, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(built.bundle), "--json",
         "--receipt-key", str(built.key_file)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert all(c["ok"] for c in report["checks"]), report["checks"]
    # Every receipt the phone got while online (at least one after the forms, one after the
    # bulk), each checked against the server's key.
    receipts = sum(1 for e in built.phone_journal if e["kind"] == "receipt")
    assert receipts >= 2
    assert len(report["receipts"]) == receipts and all(r["ok"] for r in report["receipts"])
    summary = report["summary"]
    assert summary["counts"] == {"shifts": 23, "pay": 3, "expenses": 1, "incidents": 2, "photos": 1}
    assert summary["worker_name"] == "María López"
    assert [e["name"] for e in summary["employers"]] == [RANCHO]
    assert summary["period"] == {"start": "2025-06-01", "end": "2025-06-30"}
    assert sorted(summary["left_out"]) == ["other_dates", "other_employers"]
    assert summary["chain"]["head"] == built.phone_journal[-1]["hash"]
    # The phone's key is bound once, before its first receipt (issue 11).
    kinds = [e["kind"] for e in built.phone_journal]
    assert kinds.count("key") == 1 and kinds.index("key") < kinds.index("receipt")
    assert summary["chain"]["length"] == len(built.phone_journal) == 7 + 30 + receipts + 1

    folder = unzip(built.bundle, tmp_path / "out")
    assert bagit.Bag(str(folder)).is_valid()
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        check_sums = subprocess.run(
            ["sha256sum", "-c", manifest], cwd=folder, capture_output=True, text=True, timeout=30
        )
        assert check_sums.returncode == 0, check_sums.stdout + check_sums.stderr
        assert "FAILED" not in check_sums.stdout
    photos = list((folder / "data" / "photos").iterdir())
    assert len(photos) == 1 and photos[0].read_bytes()[:3] == b"\xff\xd8\xff"  # the stub's JPEG
    text = (folder / "data" / "summary.html").read_text("utf-8")
    assert RANCHO in text and OTHER not in text and "María López" in text
    # The printable page says its period in words in each language (issue 14).
    assert "1 de junio de 2025 – 30 de junio de 2025" in text
    assert "June 1, 2025 – June 30, 2025" in text
    assert re.search(r"Hecho con Cartilla el \d{1,2} de [a-z]+ de \d{4} \(\d\d:\d\d UTC\)", text)
    journal_text = (folder / "data" / "journal.jsonl").read_text("utf-8")
    assert OTHER not in journal_text and "2025-05-30" not in journal_text


def test_summary_carries_the_phones_wage_check_with_the_packs_rules(
    built: Built, tmp_path: Path
) -> None:
    folder = unzip(built.bundle, tmp_path / "out")
    summary = json.loads((folder / "data" / "summary.json").read_text("utf-8"))
    wage = summary["wage_check"]
    assert wage is not None and wage["format"] == "cartilla-wage-check"
    today = dt.date.today()  # the phone checks as of its own today (this run may cross midnight)
    assert wage["as_of"] in {today.isoformat(), (today - dt.timedelta(days=1)).isoformat()}
    (job,) = wage["jobs"]
    assert job["employer"] == RANCHO and job["state"] == "CA" and job["status"] == "h2a"
    assert [(w["start"], w["end"]) for w in job["weeks"]] == WEEKS
    # Week 1: 3 days of 10 h (the forms) and 2 of 9.5 h; then 6 days of 9.5 h. The CA H-2A floor is the AEWR, $19.97.
    assert [w["minutes_worked"] for w in job["weeks"]] == [2940, 3420, 3420, 3420]
    # The phone says it in its own language only (it downloads only that language's texts).
    assert any(
        r["code"] == "aewr" and "19.97" in r["explanation"]["es"] and "en" not in r["explanation"]
        for r in job["weeks"][0]["rules"]
    )
    codes = {f["code"] for p in job["periods"] for f in p["findings"]} | {
        f["code"] for f in job["findings"]
    }
    assert {"underpaid", "deduction_not_allowed", "no_pay_recorded", "recruitment_fee"} <= codes
    assert wage["total_owed_cents"] > 0

    # The same records and the pack's rules through the Python check give the same report.
    lines = [
        json.loads(line)
        for line in (folder / "data" / "journal.jsonl").read_text("utf-8").splitlines()
    ]
    records = msgspec.convert(included_records(lines), LogRecords)
    rules = msgspec.convert(built.wage_rules, list[WageJurisdiction])
    python = msgspec.to_builtins(check(records, rules, dt.date.fromisoformat(wage["as_of"])))
    # The phone's texts are in its own language (Spanish here); Python writes both.
    assert wage == spanish_only(python)


def spanish_only(value: Any) -> Any:
    """A report with each {"es", "en"} text reduced to its Spanish, as a Spanish phone makes."""
    if isinstance(value, dict):
        if set(value) == {"es", "en"} and all(isinstance(v, str) for v in value.values()):
            return {"es": value["es"]}
        return {k: spanish_only(v) for k, v in value.items()}
    if isinstance(value, list):
        return [spanish_only(v) for v in value]
    return value


def test_staff_open_it_verified_on_the_desk_with_wages_findings_and_referrals(
    built: Built, browser: Any, tmp_path: Path
) -> None:
    with zipfile.ZipFile(built.bundle) as archive:
        name = next(n for n in archive.namelist() if n.endswith("data/summary.json"))
        summary = json.loads(archive.read(name))
    weeks = summary["wage_check"]["jobs"][0]["weeks"]
    desk = browser.new_context(accept_downloads=True)  # nothing shared with the phone
    try:
        staff = desk.new_page()
        staff.goto(f"{built.server.base_url}/staff/")
        staff.wait_for_selector("body[data-ready=yes]")
        staff.set_input_files("#file", str(built.bundle))
        staff.wait_for_selector("body[data-verified]")
        assert staff.get_attribute("body", "data-verified") == "yes"
        assert "VERIFICADO" in staff.inner_text("#verdict")
        assert staff.locator("#checks li[data-ok=true]").count() == 10
        assert staff.locator("#checks li[data-ok=false]").count() == 0
        result = staff.inner_text("#result")
        assert RANCHO in result and "1200 Camino Real" in result and "María López" in result
        # The wage check week by week: one row per workweek with hours and money.
        table = staff.locator("#weeks")  # recomputed on the desk from the journal
        rows = table.locator("tbody tr")
        assert rows.count() == len(weeks) == 4
        first = rows.first.inner_text()
        assert "2025-06-02 – 2025-06-08" in first and "49.00" in first
        # Findings in both languages, and where to take them, with a deadline from the dates.
        underpaid = next(
            f
            for p in summary["wage_check"]["jobs"][0]["periods"]
            for f in p["findings"]
            if f["code"] == "underpaid"
        )
        assert underpaid["explanation"]["es"] in result  # one language at a time (a switch)
        intake = {
            staff.locator("[data-intake]").nth(i).get_attribute("data-intake")
            for i in range(staff.locator("[data-intake]").count())
        }
        assert intake == {"wage_theft", "workers_comp", "labor_rights_violation"}
        referrals = staff.inner_text("#referrals")
        # The FLSA limit, as the data words it (no number of days there, so no date).
        assert "2 años desde cada pago incompleto" in referrals
        # The job is in California: the Labor Commissioner's own deadline, as text.
        assert "3 años para salario mínimo" in referrals
        # The threat on June 25 is retaliation: OSHA's 30 days are counted from that date.
        # In words (issue 14), never 2025-07-25.
        assert "Fecha límite: 25 de julio de 2025 (contada desde el 25 de junio de 2025)" in (
            referrals
        )
        # The stub's photo is shown.
        assert staff.locator(".photos img").count() == 1
        assert staff.locator(".photos img").evaluate(
            "(img) => img.complete && img.naturalWidth > 0"
        )

        staff.click("button[data-lang=en]")
        # The desk recomputed the check in both languages: English, though the phone sent Spanish.
        assert "You were due $" in staff.inner_text("#result")
        with staff.expect_download() as info:
            staff.locator("#export-csv").click()
        path = tmp_path / "weeks.csv"
        info.value.save_as(path)
        # A name typed on a phone never becomes a spreadsheet formula or a broken row.
        tricky = staff.evaluate(
            """async () => (await import('/staff/desk.js')).weeksCsv([{ employer: '=HYPERLINK("http://x"), "Ltd"',
                 weeks: [{ start: '2025-06-02', end: '2025-06-08', minutes_worked: 600, expected_cents: 100 }] }])"""
        )
    finally:
        desk.close()
    (row,) = list(csv.DictReader(io.StringIO(tricky)))
    assert row["employer"] == '\'=HYPERLINK("http://x"), "Ltd"' and row["hours_worked"] == "10.00"
    table_rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    assert {r["employer"] for r in table_rows} == {RANCHO}
    assert [(r["week_start"], r["week_end"]) for r in table_rows] == WEEKS
    assert [r["hours_worked"] for r in table_rows] == ["49.00", "57.00", "57.00", "57.00"]
    assert [r["paid_usd"] for r in table_rows] == [
        f"{w['paid_cents'] / 100:.2f}" if w["paid_cents"] is not None else "" for w in weeks
    ]
    assert table_rows[1]["paid_usd"] == "1000.00"
    assert [r["expected_usd"] for r in table_rows] == [
        f"{w['expected_cents'] / 100:.2f}" for w in weeks
    ]


def pdf_text(pdf: bytes) -> str:
    """The text a viewer would copy out of an fpdf2 PDF (Type0 fonts with ToUnicode maps)."""
    objects = {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)
    }

    def stream(body: bytes) -> bytes:
        m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        assert m, "object without a stream"
        return zlib.decompress(m.group(1)) if b"/FlateDecode" in body else m.group(1)

    def cmap(num: int) -> dict[int, str]:
        out: dict[int, str] = {}
        for src, dst in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", stream(objects[num])):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        return out

    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, num in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(num)])
            if unicode_ref:
                fonts[name] = cmap(int(unicode_ref.group(1)))
    assert fonts, "no fonts with a ToUnicode map"
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    text: list[str] = []
    for body in objects.values():
        if b"stream" not in body or b"/Length1" in body:
            continue
        content = stream(body)
        if b" Tj" not in content:
            continue
        font: dict[int, str] = {}
        for token in re.finditer(
            rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|(ET)", content, re.S
        ):
            if token.group(1):
                font = fonts[token.group(1)]
            elif token.group(3):
                text.append("\n")
            else:
                raw = re.sub(
                    rb"\\([nrtbf()\\])",
                    lambda m: escapes.get(m.group(1), m.group(1)),
                    token.group(2),
                )
                text.append(
                    "".join(
                        font.get(int.from_bytes(raw[i : i + 2], "big"), "?")
                        for i in range(0, len(raw), 2)
                    )
                )
    return "".join(text)


def test_the_same_bundle_gives_the_pdf_case_summary(built: Built) -> None:
    request = urllib.request.Request(
        f"{built.server.base_url}/api/v1/bundles/report",
        data=built.bundle.read_bytes(),
        headers={"content-type": "application/zip"},
    )
    with urllib.request.urlopen(request, timeout=60) as res:
        pdf = res.read()
        headers = res.headers
    assert headers["content-type"] == "application/pdf"
    assert headers["cache-control"] == "no-store"
    # RFC 6266: an ASCII filename and the exact one in filename* (docs/evidence-bundle.md).
    name = f"{built.bundle.stem}-resumen.pdf"
    assert headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert RANCHO in flat and "María López" in flat and OTHER not in flat
    assert "2025-06-02" in flat and "2025-06-29" in flat
    assert "Robo de salario" in flat or "Wage theft" in flat
    assert "Compensación laboral" in flat or "Workers' compensation" in flat


def test_a_locked_log_asks_for_the_pin_before_anything_is_bundled(
    page: Any, server_factory: Any
) -> None:
    server = server_factory()
    page.goto(server.base_url + "/")
    page.wait_for_selector("form.profile")
    choose_profile(page)
    page.evaluate(
        """async () => { const store = await import('/js/log/store.js');
          const employer = await store.addRecord({ type: 'employer', name: 'Rancho con PIN' });
          await store.addRecord({ type: 'job', employer_id: employer.data.id, state: 'CA', industry: 'agriculture',
            status: 'h2a', pay_type: 'hourly', workweek_start: 'monday' });
          await store.enableLock('4821'); }"""
    )
    page.reload()  # the key lives only in memory: after a reload the log is locked
    page.wait_for_selector("main[data-screen]")
    show(page, "#/bundle")
    page.locator("main a[href='#/log']", has_text="Abrir").click()
    page.fill("#log-pin", "4821")
    page.locator("button", has_text="Abrir").click()
    page.wait_for_selector("h1:has-text('Mi registro')")
    show(page, "#/bundle")
    assert page.locator("#bundle-form label", has_text="Rancho con PIN").count() == 1
