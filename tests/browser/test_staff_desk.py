"""The staff desk in Chromium, as an officer uses it (issues 11 and 14).

Signed bundles are made in Python (tests/bundles) with time receipts from the running server;
the desk (pwa/staff/desk.js) verifies them in the browser and shows the case from the
journal. What is checked is what an officer sees: the summary's disagreements flagged, the
employer block, hours per day, the worker's own words, captioned photos, referrals led by
what happened, exports at the top, one language at a time, receipts that could not be checked
marked on their own row, and axe's contrast and other serious checks in both languages.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import msgspec
import pytest
from bundles import factory as f
from bundles.officer import LONG_NOTE, honest, officer_log
from cryptography.hazmat.primitives.asymmetric import ed25519

from server import log_format
from server.config import PROJECT_ROOT
from server.evidence import facts as F
from server.wages import rules as W

pytestmark = pytest.mark.browser


def server_receipt(base_url: str) -> Any:
    def ask(head: str) -> dict[str, str]:
        request = urllib.request.Request(
            f"{base_url}/api/v1/receipts",
            data=json.dumps({"hash": head}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as res:
            answer: dict[str, str] = json.loads(res.read())
            return answer

    return ask


def open_on_desk(browser: Any, base_url: str, bundle: bytes, tmp_path: Path) -> tuple[Any, Any]:
    path = tmp_path / "cartilla-evidence-2026-06-30.zip"
    path.write_bytes(bundle)
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 800})
    page = ctx.new_page()
    page.goto(f"{base_url}/staff/")
    page.wait_for_selector("body[data-ready=yes]")
    page.set_input_files("#file", str(path))
    page.wait_for_selector("body[data-verified]")
    return ctx, page


def serious_axe(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_an_officer_reads_the_case_from_the_journal_in_one_language_at_a_time(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    keys = f.new_keys()
    log = officer_log(server_receipt(live_server), keys.worker)
    # A recruitment fee, so the claims table has a fee row next to the unpaid overtime.
    log.create(
        {"type": "expense", "id": "fee1", "job_id": "job1", "date": "2026-05-20",
         "kind": "recruitment_fee", "amount_cents": 45000, "paid_to": "Reclutador"},
        "2026-06-08T20:00:00.000Z",
    )  # fmt: skip
    # The phone's summary says another company and too many shifts: the desk must not believe it.
    lying = {**honest(log), "employers": [{"id": "emp1", "name": "Otra Empresa", "state": "CA"}]}
    lying["counts"] = {**lying["counts"], "shifts": 40}
    ctx, page = open_on_desk(browser, live_server, f.make_bundle(keys, log, **lying), tmp_path)
    try:
        assert page.get_attribute("body", "data-verified") == "yes"
        assert "VERIFICADO" in page.inner_text("#verdict")
        # The exports come first, above the verdict, and are on the first screen.
        assert page.evaluate(
            "() => !!(document.querySelector('#exports').compareDocumentPosition("
            "document.querySelector('#verdict')) & Node.DOCUMENT_POSITION_FOLLOWING)"
        )
        for button in ("#export-pdf", "#export-csv", "#export-referral"):
            box = page.locator(button).bounding_box()
            assert box is not None and box["y"] + box["height"] < 800, button
        flags = page.locator("#disagreements")
        assert flags.locator("li[data-code=employers]").count() == 1
        assert "«Otra Empresa» en el resumen, «Rancho Los Pinos Agrícola" in flags.inner_text()
        assert "turnos: 40 en el resumen, 7 en el registro" in flags.inner_text()
        employer = page.inner_text("#employer")
        for shown in ("Juan Pérez", "AgriLabor Contratistas LLC", "7ABC123",
                      "Campo 12 (fresa), junto al canal", "Roberto «Don Beto» Salgado",
                      "$19.00 por hora", "no anotado", "Turnos: 7 ·"):  # fmt: skip
            assert shown in employer, shown
        assert "Otra Empresa" not in employer
        assert "18:00–21:00" not in page.inner_text("#timeline")  # the deleted shift
        day = page.locator("#timeline-table tr", has_text="2026-06-03").first.inner_text()
        assert "10 h" in day and "06:00–16:30" in day
        # No garbled rows: a date or a kind never breaks inside; only details wrap.
        broken = page.evaluate(
            """() => [...document.querySelectorAll('#timeline-table tbody tr')].flatMap((tr) =>
                 [...tr.cells].slice(0, 2).filter((td) => {
                   const text = document.createRange();
                   text.selectNodeContents(td);
                   return text.getClientRects().length !== 1;  // one line of text, unbroken
                 }).map((td) => td.textContent))"""
        )
        assert broken == []
        assert LONG_NOTE in page.inner_text("#words")
        assert "lo anoté dos veces" in page.inner_text("#changes")  # why the shift was deleted
        figure = page.locator(".photos figure[data-photo]", has_text="inc2")
        assert "Incidente 2026-06-06 (inc2)" in figure.inner_text()
        assert figure.locator("img").evaluate("(img) => img.complete && img.naturalWidth > 0")
        # The threat comes with pay problems (the wage check recomputed here finds them), so
        # retaliation goes to California's Labor Commissioner first, OSHA after.
        retaliation = page.locator("#referrals [data-problem=retaliation]")
        agencies = retaliation.locator("li[data-agency]").evaluate_all(
            "(items) => items.map((li) => li.dataset.agency)"
        )
        assert agencies[:2] == ["ca-labor-commissioner", "whd"], agencies
        assert "osha" in agencies
        assert "(contada desde el 6 de junio de 2026)" in retaliation.inner_text()
        # The per-claim table is the recomputed check's owed_by_kind: 10-hour days paid as
        # 40 straight hours are unpaid overtime plus a straight-time short, and the fee.
        claim_rows = page.locator("#claims tbody tr").evaluate_all(
            "(rows) => rows.map((r) => "
            "[r.dataset.claim || '', r.innerText.replace(/\\s+/g, ' ').trim()])"
        )
        assert claim_rows == [
            ["overtime", "Horas extra no pagadas $874.00"],
            ["minimum_wage", "Salario mínimo o tarifa prometida $120.00"],
            ["deductions", "Descuentos $0.00"],
            ["fees", "Cobros y gastos no reembolsados $450.00"],
            ["guarantee", "Garantía de tres cuartas partes $0.00"],
            ["", "Total $1,444.00"],
        ], claim_rows
        assert serious_axe(page) == []
        # Spanish only: no English line doubles it.
        assert "Employer, from the log" not in page.inner_text("#result")

        page.click("button[data-lang=en]")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert "VERIFIED" in page.inner_text("#verdict")
        text = page.inner_text("#result")
        assert "Employer, from the log" in text and "not recorded" in text
        assert "shifts: 40 in the summary, 7 in the journal" in text
        assert "Empleador, según el registro" not in text and "no anotado" not in text
        assert "Incident 2026-06-06 (inc2)" in page.inner_text(".photos")
        claims_en = page.inner_text("#claims")
        assert "Unpaid overtime\t$874.00" in claims_en
        assert "Fees and unreimbursed costs\t$450.00" in claims_en
        assert serious_axe(page) == []
        with page.expect_download() as info:
            page.click("#export-referral")
        letter = Path(info.value.path()).read_text("utf-8")
        assert "California" in letter or "Labor Commissioner" in letter
        assert "counted from June 6, 2026" in letter
        # The choice is remembered on this computer.
        page.reload()
        page.wait_for_selector("body[data-ready=yes]")
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        ctx.close()


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_referrals_and_the_letter_say_dates_in_words_in_each_language(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    """Issue 14: the threat of 2026-06-06 gives OSHA's 30 days. The officer reads "Fecha límite:
    6 de julio de 2026 (contada desde el 6 de junio de 2026)" or "Deadline: July 6, 2026
    (counted from June 6, 2026)", never 2026-07-06, on the screen and in the referral letter;
    only the timeline table keeps 2026-06-06 under its "Fecha" heading."""
    keys = f.new_keys()
    log = officer_log(server_receipt(live_server), keys.worker)
    ctx, page = open_on_desk(
        browser, live_server, f.make_bundle(keys, log, **honest(log)), tmp_path
    )

    def sentences() -> list[str]:
        return [
            *page.locator("#referrals h3").all_inner_texts(),
            *page.locator("#referrals li[data-agency] strong").all_inner_texts(),
        ]

    def letter() -> str:
        with page.expect_download() as info:
            page.click("#export-referral")
        return Path(info.value.path()).read_text("utf-8")

    try:
        assert page.get_attribute("body", "data-verified") == "yes"
        osha = page.locator("#referrals [data-problem=retaliation] li[data-agency=osha]")
        retaliation = page.locator("#referrals [data-problem=retaliation] h3").inner_text()
        assert "(desde el 6 de junio de 2026)" in retaliation
        assert (
            "Fecha límite: 6 de julio de 2026 (contada desde el 6 de junio de 2026)"
            in osha.inner_text()
        )
        assert "Fechas en el registro: 1 de junio de 2026 – 11 de junio de 2026" in (
            page.inner_text("#employer")
        )
        said = sentences()
        assert len(said) >= 3 and all("desde el" in s or "Fecha límite" in s for s in said), said
        assert [s for s in said if ISO_DATE.search(s)] == []
        text = letter()
        assert "Fecha límite: 6 de julio de 2026 (contada desde el 6 de junio de 2026)" in text
        assert "Fechas en el registro: 1 de junio de 2026 – 11 de junio de 2026" in text
        assert re.search(
            r"Hecho en el escritorio del personal el \d{1,2} de [a-z]+ de \d{4}\.", text
        )
        assert [line for line in text.splitlines() if ISO_DATE.search(line)] == []
        assert "2026-06-06" in page.inner_text("#timeline-table")  # a labelled table cell

        page.click("button[data-lang=en]")
        assert (
            "(since June 6, 2026)"
            in page.locator("#referrals [data-problem=retaliation] h3").inner_text()
        )
        assert "Deadline: July 6, 2026 (counted from June 6, 2026)" in osha.inner_text()
        assert "Dates in the journal: June 1, 2026 – June 11, 2026" in page.inner_text("#employer")
        said = sentences()
        assert len(said) >= 3 and all("since" in s or "Deadline" in s for s in said), said
        assert [s for s in said if ISO_DATE.search(s)] == []
        text = letter()
        assert "Deadline: July 6, 2026 (counted from June 6, 2026)" in text
        assert re.search(r"Made on the staff desk on [A-Z][a-z]+ \d{1,2}, \d{4}\.", text)
        assert [line for line in text.splitlines() if ISO_DATE.search(line)] == []
    finally:
        ctx.close()


def test_a_receipt_under_an_unknown_key_could_not_be_checked_and_the_wage_check_agrees(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    keys = f.new_keys()
    stranger = ed25519.Ed25519PrivateKey.generate()  # a key this server never published
    log = f.make_log(stranger, days=7, worker=keys.worker)
    # The phone's wage check, as Python's check computes it from the same records: the desk
    # recomputes it in JS with the pack's rules and must find the same figures.
    entries = msgspec.convert(log.entries, list[log_format.JournalEntry])
    rules = W.jurisdictions_from_file(PROJECT_ROOT / "content" / "data" / "wage_rules.yaml")
    phone = F.recompute_wages(entries, rules, F.as_of_date(f.CREATED, None))
    assert phone["total_owed_cents"] > 0
    bundle = f.make_bundle(keys, log, wage_check=phone, **honest(log))
    ctx, page = open_on_desk(browser, live_server, bundle, tmp_path)
    try:
        assert page.get_attribute("body", "data-verified") == "yes"
        assert "NO VERIFICADO" not in page.inner_text("#verdict")
        assert page.locator("#disagreements").count() == 0
        assert "coincide con el teléfono" in page.inner_text("#wages")
        rows = page.locator("#receipts [data-receipt]")
        assert rows.count() >= 1
        for i in range(rows.count()):
            assert rows.nth(i).get_attribute("data-status") == "unchecked"
            assert "no se pudo comprobar" in rows.nth(i).inner_text()
        page.click("button[data-lang=en]")
        assert "could not check" in page.locator("#receipts [data-receipt]").first.inner_text()
    finally:
        ctx.close()


def test_an_edited_bundle_says_what_blocks_the_pdf_next_to_its_button(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    keys = f.new_keys()
    files = f.unzip(
        f.make_bundle(keys, f.make_log(server_receipt(live_server), 7, worker=keys.worker))
    )
    files["data/summary.html"] = files["data/summary.html"].replace(b"Rancho", b"Ranch0")
    ctx, page = open_on_desk(browser, live_server, f.rezip(files), tmp_path)
    try:
        assert page.get_attribute("body", "data-verified") == "no"
        assert "NO VERIFICADO" in page.inner_text("#verdict")
        assert page.locator("#export-pdf").is_disabled()
        blocked = page.inner_text("#pdf-blocked")
        assert "summary.html" in blocked and "PDF" in blocked
        assert page.get_attribute("#export-pdf", "aria-describedby") == "pdf-blocked"
        assert serious_axe(page) == []
    finally:
        ctx.close()


def test_an_entry_changed_after_it_was_made_is_marked_on_its_own_timeline_row(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    keys = f.new_keys()
    log = f.make_log(server_receipt(live_server), days=7, worker=keys.worker)
    files = f.unzip(f.make_bundle(keys, log, **honest(log)))
    lines = files["data/journal.jsonl"].decode().splitlines()
    seq = next(i for i, line in enumerate(lines) if '"record_id":"s2"' in line.replace(" ", ""))
    lines[seq] = lines[seq].replace('"16:30"', '"19:30"')  # three more hours, after the fact
    files["data/journal.jsonl"] = ("\n".join(lines) + "\n").encode()
    ctx, page = open_on_desk(browser, live_server, f.reseal(files, keys.worker), tmp_path)
    try:
        assert "NO VERIFICADO" in page.inner_text("#verdict")
        row = page.locator("#timeline-table tr", has_text="2026-06-03").first
        assert row.locator("[data-code=chain_edited]").count() == 1
        assert f"#{seq}" in row.inner_text()
        other = page.locator("#timeline-table tr", has_text="2026-06-04").first
        assert other.locator(".error").count() == 0
    finally:
        ctx.close()
