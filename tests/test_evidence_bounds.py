"""Bounded cost and safe answers of the PDF report endpoint (server/evidence/api.py).

Small ZIP entries are held to decompressed-size limits too, the endpoint has a concurrency
limit, and the download's `Content-Disposition` is correct (RFC 6266, RFC 8187) for any
folder name a bundle can carry, including hostile ones. No input gives a 5xx.
"""

from __future__ import annotations

import io
import re
import struct
import urllib.parse
import zipfile

import pytest
from bundles import factory as f
from litestar import Litestar
from litestar.testing import TestClient

from server.config import Settings
from server.evidence import api, receipts
from server.evidence.api import MAX_FILENAME_CHARS, content_disposition, report_limits
from server.evidence.verify import verify_bundle

ZIP = {"content-type": "application/zip"}
HEADER = re.compile(
    r"attachment; filename=\"([A-Za-z0-9._-]+)\"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)"
)


def _parsed(header: str) -> str | None:
    """The name a browser saves as: `filename*` (RFC 8187), which RFC 6266 says wins over
    the ASCII `filename` fallback."""
    match = HEADER.fullmatch(header)
    return urllib.parse.unquote(match[2], errors="strict") if match else None


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("cartilla-evidence-2026-06-30-resumen.pdf", "cartilla-evidence-2026-06-30-resumen.pdf"),
        ("Cañón 'x'; %41 (1)-resumen.pdf", "Cañón 'x'; %41 (1)-resumen.pdf"),
        ('a"b\\c-resumen.pdf', 'a"b\\c-resumen.pdf'),
        ("a\r\nSet-Cookie: x=1-resumen.pdf", "aSet-Cookie: x=1-resumen.pdf"),
        ("\u202efdp.exe-resumen.pdf", "fdp.exe-resumen.pdf"),
        ("日本語-resumen.pdf", "日本語-resumen.pdf"),
        ("x\x00y\x7f\x85z-resumen.pdf", "xyz-resumen.pdf"),
        ("", "cartilla.pdf"),
        ("..", "cartilla.pdf"),
    ],
)
def test_content_disposition_is_safe_and_exact_for_hostile_names(name: str, shown: str) -> None:
    header = content_disposition(name)
    assert header.isascii() and header.isprintable()
    match = HEADER.fullmatch(header)
    assert match, header
    assert match[1].endswith(".pdf") or match[1] == "fdp.exe-resumen.pdf"
    assert _parsed(header) == shown


def test_content_disposition_of_a_very_long_name_is_cut_keeping_the_extension() -> None:
    header = content_disposition("ñ" * 70_000 + "-resumen.pdf")
    assert len(header) < 1500
    name = _parsed(header)
    assert name is not None and name.endswith(".pdf") and len(name) == MAX_FILENAME_CHARS
    assert HEADER.fullmatch(header)


def _server_keys(built: Settings) -> f.Keys:
    return f.Keys(
        worker=f.new_keys().worker, server=receipts.load_or_create_key(built.receipt_key_path)
    )


def test_the_pdf_download_keeps_an_unusual_folder_name_exactly(
    client: TestClient[Litestar], built: Settings
) -> None:
    keys = _server_keys(built)
    files = f.unzip(f.make_bundle(keys, f.make_log(keys.server, days=7)))
    root = "Evidencia de Cañón 'Los Pinos'; 100% (copia)"
    answer = client.post("/api/v1/bundles/report", content=f.rezip(files, root=root), headers=ZIP)
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF")
    header = answer.headers["content-disposition"]
    assert HEADER.fullmatch(header), header
    assert _parsed(header) == f"{root}-resumen.pdf"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            archive.writestr(f"cartilla-evidence-2026-06-30/{name}", data)
    return out.getvalue()


def test_many_small_entries_are_held_to_the_total_before_inflating() -> None:
    # 3000 entries of 60 KB each: every one under the expansion-ratio floor, 180 MB in all.
    bomb = _zip({f"data/pad{i}.bin": b"\0" * 60_000 for i in range(3000)})
    assert len(bomb) < 1_000_000
    report = verify_bundle(bomb, None, report_limits(len(bomb)))
    assert report.error_codes == {"zip": ["total_too_big"]}


def test_a_small_entry_that_lies_about_its_size_is_not_inflated_past_it() -> None:
    honest = _zip({"data/a.bin": b"\0" * 60_000})
    # Say 100 bytes in both headers: the reader stops after 101 and calls the file damaged.
    liar = bytearray(honest)
    local = liar.index(b"PK\x03\x04")
    central = liar.index(b"PK\x01\x02")
    struct.pack_into("<I", liar, local + 22, 100)
    struct.pack_into("<I", liar, central + 24, 100)
    report = verify_bundle(bytes(liar), None, report_limits(len(liar)))
    assert report.error_codes == {"zip": ["damaged"]}


def test_reports_beyond_the_concurrency_limit_are_turned_away_at_once(
    client: TestClient[Litestar],
) -> None:
    # Hold every slot as running reports do; the next request is a 503 before its body is read.
    held = 0
    try:
        while api._report_slots.acquire(blocking=False):
            held += 1
        assert held == api.MAX_CONCURRENT_REPORTS
        answer = client.post("/api/v1/bundles/report", content=b"PK", headers=ZIP)
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == api.REPORT_RETRY_AFTER
        error = answer.json()["error"]
        assert error["code"] == "busy" and error["message"]["es"] and error["message"]["en"]
    finally:
        for _ in range(held):
            api._report_slots.release()
    assert client.post("/api/v1/bundles/report", content=b"", headers=ZIP).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"PK\x05\x06" + b"\0" * 18,
        b"\xff" * 5000,
        _zip({"data/photos/" + "0" * 64 + ".png": b"\x89PNG\r\n\x1a\n" + b"\xff" * 30}),
        _zip({"data/journal.jsonl": b'{"seq":0,' * 2000}),
    ],
)
def test_hostile_bodies_get_a_named_4xx_never_a_5xx(
    client: TestClient[Litestar], body: bytes
) -> None:
    answer = client.post("/api/v1/bundles/report", content=body, headers=ZIP)
    assert 400 <= answer.status_code < 500, answer.text
    error = answer.json()["error"]
    assert error["code"] and error["message"]["es"] != error["message"]["en"]
