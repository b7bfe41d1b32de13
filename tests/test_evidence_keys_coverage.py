"""The phone's key bound into the chain, what no receipt covers, a signature over every file,
"could not check" for an unknown receipt key, and version-1 bundles refused (issue 11).

Every crafted bundle goes through the Python verifier and the desk's (pwa/staff/verify.js in
Node): same verdict, same codes, same `uncovered` range and the same verdict per receipt.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from bundles import factory as f
from bundles.desk import desk_reports
from cryptography.hazmat.primitives.asymmetric import ed25519

from server.evidence import bag, build, receipts
from server.evidence.verify import Report, verify_bundle


def judged(bundles: list[bytes], keys: f.Keys, known: Any = "server") -> list[Report]:
    """Python's reports; asserts the desk says exactly the same about each bundle."""
    trusted = keys.known if known == "server" else known
    desk = desk_reports(bundles, trusted)
    reports = []
    for index, bundle in enumerate(bundles):
        report = verify_bundle(bundle, trusted)
        mine = report.as_json()
        theirs = desk[index]
        assert (report.ok, report.error_codes) == (theirs["ok"], theirs["codes"]), index
        assert mine["uncovered"] == theirs["uncovered"], index
        assert [r["verdict"] for r in mine["receipts"]] == theirs["verdicts"], index
        reports.append(report)
    return reports


def notes(report: Report, check: str) -> list[str]:
    return [en for _, en in report.checks[check].notes]


@pytest.fixture(scope="module")
def keys() -> f.Keys:
    return f.new_keys()


@pytest.fixture(scope="module")
def log(keys: f.Keys) -> f.LogBuilder:
    return f.make_log(keys.server)


def _later(log: f.LogBuilder) -> str:
    return str(log.entries[-1]["time"])  # same time as the last entry: never "backwards"


def _extra_pay_stub(log: f.LogBuilder) -> None:
    """What a forger adds: a pay stub that was never there."""
    log.create(
        {
            "type": "pay_stub",
            "id": "forged",
            "job_id": "job1",
            "pay_date": "2026-06-30",
            "period_start": "2026-06-27",
            "period_end": "2026-06-30",
            "gross_cents": 1000,
        },
        _later(log),
    )


def test_the_key_is_in_the_chain_before_the_first_receipt(keys: f.Keys, log: f.LogBuilder) -> None:
    first_receipt = next(i for i, e in enumerate(log.entries) if e["kind"] == "receipt")
    key_at = [i for i, e in enumerate(log.entries) if e["kind"] == "key"]
    assert key_at == [0] and key_at[0] < first_receipt
    assert log.entries[0]["key"] == build.key_binding(keys.worker)
    (report,) = judged([f.make_bundle(keys, log)], keys)
    assert report.ok
    assert report.bag_info["Cartilla-Bundle-Version"] == "2"


def test_resigned_with_a_key_the_chain_does_not_name(keys: f.Keys, log: f.LogBuilder) -> None:
    stranger = f.new_keys().worker
    (report,) = judged([f.bundle_of(log, stranger)], keys)
    assert not report.ok
    assert report.error_codes == {"chain": ["key_not_in_chain"]}
    assert "signed again with another key" in report.checks["chain"].errors[0].en


def test_edited_after_the_last_receipt_and_resigned_with_a_new_key(
    keys: f.Keys, log: f.LogBuilder
) -> None:
    """The forgery of the issue: it must never show VERIFIED, with or without a fake receipt."""
    forger = ed25519.Ed25519PrivateKey.generate()
    forged = copy.deepcopy(log)
    _extra_pay_stub(forged)
    forged.bind_key(forger, _later(forged))
    # ... and, to look anchored, a receipt under a key no Cartilla server ever had.
    with_fake_receipt = copy.deepcopy(forged)
    with_fake_receipt.receipt(ed25519.Ed25519PrivateKey.generate(), _later(forged))
    bundles = [f.bundle_of(forged, forger), f.bundle_of(with_fake_receipt, forger)]
    reports = judged(bundles, keys)
    for report in reports:
        assert not report.ok
        assert report.error_codes == {"receipts": ["key_changed_after_receipt"]}
    assert reports[1].receipts[-1].verdict == "unchecked"
    # With no receipt keys at all nothing can be proven either way, but the change still is.
    (unknown,) = judged(bundles[:1], keys, known=None)
    assert unknown.error_codes == {"receipts": ["key_changed_after_receipt"]}


def test_a_new_key_anchored_by_a_genuine_receipt_is_fine(keys: f.Keys, log: f.LogBuilder) -> None:
    """A phone that lost its key makes a new one, binds it and gets a receipt: verified."""
    new_key = ed25519.Ed25519PrivateKey.generate()
    rekeyed = copy.deepcopy(log)
    rekeyed.bind_key(new_key, _later(rekeyed))
    rekeyed.receipt(keys.server, _later(rekeyed))
    (report,) = judged([f.bundle_of(rekeyed, new_key)], keys)
    assert report.ok, report.error_codes
    assert report.uncovered is None  # the last receipt covers everything before it


def test_which_entries_no_receipt_covers(keys: f.Keys, log: f.LogBuilder) -> None:
    last_receipt = max(
        i for i, e in enumerate(log.entries) if e["kind"] == "receipt"
    )  # its target is the entry before it; the receipt entry itself is not counted
    (report,) = judged([f.make_bundle(keys, log)], keys)
    first, last = last_receipt + 1, len(log.entries) - 1
    assert report.uncovered == (first, last)
    assert report.as_json()["uncovered"] == {"from": first, "to": last}
    assert f"Entries #{first}–#{last} were made after the last time receipt." in notes(
        report, "receipts"
    )
    es = [es for es, _ in report.checks["receipts"].notes]
    assert f"Las entradas n.º {first} a {last} se hicieron después del último recibo de hora." in es


def test_no_receipts_means_no_entry_is_covered(keys: f.Keys, log: f.LogBuilder) -> None:
    bare = f.LogBuilder(photos=dict(log.photos))
    for entry in log.entries:
        if entry["kind"] == "receipt":
            continue
        body = {k: v for k, v in entry.items() if k not in ("seq", "prev_hash", "hash")}
        bare.append(body)
    (report,) = judged([f.make_bundle(keys, bare)], keys)
    assert report.ok
    assert report.uncovered == (0, len(bare.entries) - 1)
    assert any("No entry is covered by a receipt" in n for n in notes(report, "receipts"))


def test_unknown_receipt_key_is_could_not_check(keys: f.Keys) -> None:
    """Receipts from a server whose key is not in the published history: "could not check"."""
    other_server = ed25519.Ed25519PrivateKey.generate()
    log = f.make_log(other_server, worker=keys.worker)
    (report,) = judged([f.make_bundle(keys, log)], keys)
    assert report.ok and report.error_codes == {}
    assert report.checks["receipts"].ok is None
    assert {r.verdict for r in report.receipts} == {"unchecked"}
    assert all(r["ok"] is None for r in report.as_json()["receipts"])
    seqs = [r.seq for r in report.receipts]
    assert [n for n in notes(report, "receipts") if "could not be checked" in n] == [
        f"Receipt #{seq}: could not be checked. It is signed with a key "
        f"({receipts.key_id_of(other_server.public_key())}) that is not in the server's "
        "published key list; this does not mean it is forged."
        for seq in seqs
    ]


def _retagged(files: dict[str, bytes]) -> bytes:
    """Tag manifest recomputed but not re-signed: what someone without the phone's key does."""
    skip = (bag.TAGMANIFEST, bag.SIGNATURE)
    tags = [(n, d) for n, d in files.items() if "/" not in n and n not in skip]
    return f.rezip({**files, bag.TAGMANIFEST: bag.manifest_text(tags)})


def test_the_signature_covers_every_file_staff_read(keys: f.Keys, log: f.LogBuilder) -> None:
    files = f.unzip(f.make_bundle(keys, log))
    listed = set(bag.parse_manifest(bag.TAGMANIFEST, files[bag.TAGMANIFEST]))
    assert listed == {n for n in files if "/" not in n} - {bag.TAGMANIFEST, bag.SIGNATURE}
    assert "data/summary.html" in bag.parse_manifest(bag.MANIFEST, files[bag.MANIFEST])
    readme = files[bag.README].replace(b"No prueba que lo escrito sea", b"Prueba que lo escrito es")
    assert readme != files[bag.README]
    info = files["bag-info.txt"] + b"Contact-Name: Someone Else\n"
    html = files["data/summary.html"].replace(
        b"Rancho Los Pinos", b"Rancho Las Pinas"
    )  # same size: Oxum holds
    payload = {n: d for n, d in files.items() if n.startswith("data/")}
    payload["data/summary.html"] = html
    bundles = [
        _retagged({**files, bag.README: readme}),
        _retagged({**files, "bag-info.txt": info}),
        _retagged({**files, bag.MANIFEST: bag.manifest_text(payload.items()), **payload}),
    ]
    for report in judged(bundles, keys):
        assert report.error_codes == {"signature": ["signature_invalid"]}


def test_no_file_goes_unlisted(keys: f.Keys, log: f.LogBuilder) -> None:
    files = f.unzip(f.make_bundle(keys, log))
    old_sig = base64.b64encode(build.sign(keys.worker, files[bag.MANIFEST])) + b"\n"
    bundles = [
        f.rezip({**files, "manifest-sha256.txt.sig": old_sig}),
        f.rezip({**files, "notes/extra.txt": b"hello\n"}),
    ]
    reports = judged(bundles, keys)
    assert reports[0].error_codes == {"tags": ["not_in_manifest"]}
    assert reports[1].error_codes == {"tags": ["not_in_manifest"]}


def test_version_1_bundles_are_refused_with_a_way_forward(keys: f.Keys, log: f.LogBuilder) -> None:
    files = f.unzip(f.make_bundle(keys, log))
    info = files["bag-info.txt"]
    bundles = [
        f.reseal(
            {**files, "bag-info.txt": info.replace(b"Bundle-Version: 2", b"Bundle-Version: 1")},
            keys.worker,
        ),
        f.reseal(
            {**files, "bag-info.txt": info.replace(b"Bundle-Version: 2", b"Bundle-Version: 3")},
            keys.worker,
        ),
    ]
    old, newer = judged(bundles, keys)
    assert old.error_codes == {"bag": ["bundle_version_old"]}
    error = old.checks["bag"].errors[0]
    assert "make a new bundle with the updated app" in error.en
    assert "paquete nuevo con la aplicación actualizada" in error.es
    assert newer.error_codes == {"bag": ["bundle_version_unknown"]}


def test_an_exported_log_with_its_key_entry_verifies_and_a_keyless_one_does_not(
    keys: f.Keys,
) -> None:
    """The log's own rules (server/log_format.py): a key entry names a key, no other does."""
    import json

    from server import log_format

    journal: list[dict[str, Any]] = []
    when = "2026-06-01T12:00:00.000Z"
    log_format.append_entry(journal, time=when, kind="key", key=build.key_binding(keys.worker))
    log_format.append_entry(
        journal, time=when, kind="create", data={"type": "employer", "id": "e1", "name": "R"}
    )
    good = log_format.export_from_journal(journal, exported_at=when)
    assert log_format.verify_bytes(json.dumps(good).encode()).ok
    bad: list[dict[str, Any]] = []
    log_format.append_entry(bad, time=when, kind="key")
    report = log_format.verify_bytes(
        json.dumps(log_format.export_from_journal(bad, exported_at=when)).encode()
    )
    assert [p.code for p in report.problems] == ["no_key"]


def test_a_key_entry_without_a_key_in_a_bundle(keys: f.Keys) -> None:
    """Both verifiers apply the log's rule, and the chain then names no signing key."""
    log = f.LogBuilder()
    log.append({"time": "2026-06-01T12:00:00.000Z", "kind": "key"})
    log.create({"type": "employer", "id": "e1", "name": "R"}, "2026-06-01T12:00:00.000Z")
    (report,) = judged([f.make_bundle(keys, log)], keys)
    assert report.error_codes == {"chain": ["key_not_in_chain"], "rules": ["no_key"]}
