"""The bundle made by the real app code in Chromium, checked by everything that checks it.

A month of records (journaled as the phone journals them, with time receipts from the
running server) is turned into a bundle by pwa/js/bundle/build.js inside Chromium; the ZIP
then passes `cartilla verify`, the `bagit` library and `sha256sum -c`, and opens verified on
the staff desk in a second browser context. Bad bundles get the same error codes from the
desk's verifier and from the Python one.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import bagit
import msgspec
import pytest
from bundles import factory as f

from server.config import PROJECT_ROOT
from server.content.check import load_content
from server.evidence import referral as R
from server.evidence.keys import read_public_key_file
from server.evidence.verify import verify_bundle

pytestmark = pytest.mark.browser


def server_receipt(base_url: str) -> Any:
    def ask(head: str) -> dict[str, str]:
        request = urllib.request.Request(
            f"{base_url}/api/v1/receipts",
            data=json.dumps({"hash": head}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as res:
            return dict(json.loads(res.read()))

    return ask


def real_jpeg(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 7 % 255, 120, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


KEY_JS = """
async () => {
  const k = await import('/js/bundle/keys.js');
  return k.keyBinding(await k.signingKey());
}
"""

BUILD_JS = """
async ([journal, photos, selection]) => {
  const m = await import('/js/bundle/build.js');
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const photoBytes = async (p) => (photos[p.sha256] ? bytes(photos[p.sha256]) : null);
  const log = { journal, photoBytes };
  const out = await m.buildBundle({ log, selection, workerName: 'María López',
                                     now: new Date('2026-06-30T18:00:00Z') });
  const buf = new Uint8Array(await out.blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < buf.length; i += 0x8000) {
    s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  }
  return { zip: btoa(s), filename: out.filename };
}
"""

VERIFY_JS = """
async (b64) => {
  const m = await import('/staff/verify.js');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const r = await m.verifyBundle(bytes, await m.serverReceiptKeys());
  return r.errorCodes;
}
"""


@pytest.fixture(scope="module")
def key_file(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "server-key.json"
    with urllib.request.urlopen(f"{live_server}/.well-known/cartilla-receipt-key") as res:
        path.write_bytes(res.read())
    return path


def build_in_browser(page: Any, live_server: str, selection: dict[str, Any]) -> bytes:
    page.goto(f"{live_server}/staff/")
    # The journal binds this browser's own signing key first, as the phone's log does.
    binding = page.evaluate(KEY_JS)
    log = f.make_log(server_receipt(live_server), photo=real_jpeg, worker=binding)
    photos = {
        path.split("/")[-1].split(".")[0]: base64.b64encode(data).decode()
        for path, data in log.photos.items()
    }
    result = page.evaluate(BUILD_JS, [log.entries, photos, selection])
    assert result["filename"] == "cartilla-evidence-2026-06-30.zip"
    return base64.b64decode(result["zip"])


def test_month_bundle_from_the_browser_passes_every_checker(
    browser: Any, live_server: str, key_file: Path, tmp_path: Path
) -> None:
    maker = browser.new_context()
    page = maker.new_page()
    selection = {"employerIds": ["emp1"], "start": "2026-06-01", "end": "2026-06-30"}
    bundle = build_in_browser(page, live_server, selection)
    maker.close()
    path = tmp_path / "cartilla-evidence-2026-06-30.zip"
    path.write_bytes(bundle)

    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(path), "--json",
         "--receipt-key", str(key_file)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert all(c["ok"] for c in report["checks"]), report["checks"]
    assert len(report["receipts"]) == 4 and all(r["ok"] for r in report["receipts"])
    assert report["summary"]["counts"]["shifts"] == 30

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0].endswith("data/summary.html")
        archive.extractall(tmp_path / "out")
    folder = tmp_path / "out" / "cartilla-evidence-2026-06-30"
    bagit.Bag(str(folder)).validate()
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        check = subprocess.run(["sha256sum", "-c", manifest], cwd=folder, capture_output=True,
                               text=True, timeout=30)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
    readme = (folder / "LEEME-README.txt").read_text("utf-8")
    assert "sha256sum -c" in readme and "no prueba" in readme.lower()
    summary_html = (folder / "data" / "summary.html").read_text("utf-8")
    assert "Rancho Los Pinos" in summary_html and "Evidence summary" in summary_html

    # Staff open it in another browser (a second context: nothing shared with the phone).
    desk = browser.new_context()
    staff = desk.new_page()
    staff.goto(f"{live_server}/staff/")
    staff.wait_for_selector("body[data-ready=yes]")
    staff.set_input_files("#file", str(path))
    staff.wait_for_selector("body[data-verified]")
    assert staff.get_attribute("body", "data-verified") == "yes"
    assert "VERIFICADO" in staff.inner_text("#verdict")
    assert staff.locator("#checks li[data-ok=true]").count() == 10
    # The entries after the last receipt (the last days of the month) are named.
    assert "se hicieron después del último recibo de hora" in staff.inner_text("#result")
    assert "Rancho Los Pinos" in staff.inner_text("#result")
    assert staff.locator("[data-intake]").count() >= 1
    desk.close()


def test_leaving_out_dates_and_photos_still_verifies(
    browser: Any, live_server: str, key_file: Path
) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    selection = {"employerIds": ["emp1"], "start": "2026-06-08", "end": "2026-06-21",
                 "leaveOut": {"photos": True, "notes": True, "name": True}}  # fmt: skip
    bundle = build_in_browser(page, live_server, selection)
    ctx.close()
    report = verify_bundle(bundle, read_public_key_file(key_file))
    assert report.ok, report.error_codes
    assert report.summary is not None and report.summary.worker_name is None
    assert report.journal is not None and report.journal.withheld > 0
    files = f.unzip(bundle)
    assert not any(n.startswith("data/photos/") for n in files)
    assert b"Cosecha" not in files["data/journal.jsonl"]  # notes left out


def _bad_bundles(good: bytes, keys: f.Keys) -> dict[str, bytes]:
    files = f.unzip(good)
    cases: dict[str, bytes] = {
        "truncated": good[: len(good) // 2],
        "not_zip": b"%PDF-1.7 not a zip",
        "empty": b"",
    }
    photo = sorted(n for n in files if n.startswith("data/photos/"))[0]
    changed = dict(files)
    changed[photo] = changed[photo][:-3] + b"\0\0\0"
    cases["photo_byte"] = f.rezip(changed)
    edited = dict(files)
    edited["data/journal.jsonl"] = edited["data/journal.jsonl"].replace(b"16:30", b"18:30", 1)
    cases["edited_line"] = f.rezip(edited)
    cases["edited_resealed"] = f.reseal(edited, keys.worker)
    lines = files["data/journal.jsonl"].splitlines(keepends=True)
    lines[4], lines[5] = lines[5], lines[4]
    cases["reordered"] = f.reseal({**files, "data/journal.jsonl": b"".join(lines)}, keys.worker)
    cases["wrong_signature"] = f.rezip(
        {**files, "tagmanifest-sha256.txt.sig": base64.b64encode(b"\1" * 64) + b"\n"}
    )
    summary = files["data/summary.json"].replace(b'"version":1', b'"version":7')
    cases["bad_schema"] = f.reseal({**files, "data/summary.json": summary}, keys.worker)
    entries = [(f"{f.ROOT}/{n}", d) for n, d in files.items()]

    def raw(extra: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
        buffer = io.BytesIO()
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(buffer, "w", compression=method) as archive:
                for name, data in [*entries, *extra]:
                    archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
        return buffer.getvalue()

    cases["traversal"] = raw([(f"{f.ROOT}/../evil.txt", b"x")])
    cases["duplicate"] = raw([(f"{f.ROOT}/data/journal.jsonl", b"{}")])
    cases["bomb"] = raw([(f"{f.ROOT}/data/photos/z.jpg", b"\0" * (12 * 2**20))])
    cases["huge"] = raw([(f"{f.ROOT}/data/photos/h.jpg", b"\1" * (17 * 2**20))], zipfile.ZIP_STORED)
    many = [(f"{f.ROOT}/data/photos/{i}.jpg", b"") for i in range(4001)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in many:
            archive.writestr(name, data)
    cases["too_many"] = buffer.getvalue()
    return cases


def test_desk_and_python_agree_on_every_test_bundle(
    browser: Any, live_server: str, key_file: Path
) -> None:
    known = read_public_key_file(key_file)
    keys = f.new_keys()
    live = f.make_log(server_receipt(live_server), photo=real_jpeg, worker=keys.worker)
    good = f.make_bundle(keys, live)
    # Receipts from a server the desk does not know: "could not check", not a failure.
    other_server = f.make_log(keys.server, photo=real_jpeg)
    cases = {"good": good, "unknown_receipt_key": f.make_bundle(keys, other_server)}
    cases.update(_bad_bundles(good, keys))
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{live_server}/staff/")
    for name, data in cases.items():
        python = verify_bundle(data, known).error_codes
        desk = page.evaluate(VERIFY_JS, base64.b64encode(data).decode())
        assert desk == python, name
        assert (python == {}) == (name in ("good", "unknown_receipt_key")), name
    ctx.close()


VERDICTS_JS = """
async (b64) => {
  const m = await import('/staff/verify.js');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const keys = await m.serverReceiptKeys();
  const r = await m.verifyBundle(bytes, keys);
  return { codes: r.errorCodes, verdicts: r.receipts.map((x) => x.verdict),
           keys: Object.keys(keys || {}).sort() };
}
"""


def test_receipts_made_before_a_key_rotation_are_checked_on_the_desk(
    browser: Any, server_factory: Any, tmp_path: Path
) -> None:
    """The desk imports every key the server publishes (`keys`), not only the current one."""
    server = server_factory("rotating")
    keys = f.new_keys()
    bundle = f.make_bundle(keys, f.make_log(server_receipt(server.base_url), worker=keys.worker))
    rotated = subprocess.run(
        [sys.executable, "-m", "server.cli", "keys", "--rotate"],
        env=server.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    with urllib.request.urlopen(f"{server.base_url}/.well-known/cartilla-receipt-key") as res:
        doc = json.loads(res.read())
    old = {k["key_id"] for k in doc["keys"]} - {doc["key_id"]}
    assert len(old) == 1 and len(doc["keys"]) == 2
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server.base_url}/staff/")
    desk = page.evaluate(VERDICTS_JS, base64.b64encode(bundle).decode())
    ctx.close()
    assert desk["keys"] == sorted(k["key_id"] for k in doc["keys"])
    assert desk["codes"] == {} and desk["verdicts"] == ["genuine"] * 4
    key_file = tmp_path / "published.json"
    key_file.write_text(json.dumps(doc))
    report = verify_bundle(bundle, read_public_key_file(key_file))
    assert report.ok and [r.verdict for r in report.receipts] == ["genuine"] * 4


REFERRALS_JS = """
async ([wageCheck, data, state, map]) =>
  (await import('/staff/referral.js')).referrals(wageCheck, [], data, state, map)
"""


def test_desk_and_python_use_the_job_state_own_deadline(browser: Any, live_server: str) -> None:
    """Texas: TWC's 180 days become the same date on the desk and in the PDF's referral."""
    cs = load_content(PROJECT_ROOT / "content", check_git=False)
    data = {name: msgspec.to_builtins(cs.data[f"{name}.yaml"])[key]
            for name, key in (("triage", "problems"), ("agencies", "agencies"))}  # fmt: skip
    wage_check = {
        "jobs": [{"periods": [{"pay_date": "2025-03-14", "findings": [{"code": "underpaid"}]}]}]
    }
    mapping = {"findings": {"underpaid": "unpaid-wages"}, "incidents": {}}
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{live_server}/staff/")
    for state in ("TX", "CA", "IL"):
        python = R.referrals(R.events(wage_check, [], mapping), data, state)
        desk = page.evaluate(REFERRALS_JS, [wage_check, data, state, mapping])
        assert desk == [dataclasses.asdict(r) for r in python], state
        if state == "TX":
            assert desk[0]["routes"][0]["deadline_date"] == "2025-09-10"  # + 180 days
    ctx.close()
