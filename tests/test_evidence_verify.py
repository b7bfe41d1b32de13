"""Verifying evidence bundles in Python: good bundles pass, each kind of bad bundle is named.

Every bad bundle is made here from a good one, changing one thing, and must fail with its
own code and a message in Spanish and English, never an exception.
"""

from __future__ import annotations

import base64
import io
import json
import os
import warnings
import zipfile

import pytest
from bundles import factory as f
from cryptography.hazmat.primitives.asymmetric import ed25519

from server import log_format
from server.evidence import build, receipts
from server.evidence.verify import verify_bundle
from server.evidence.zipread import Limits


@pytest.fixture(scope="module")
def keys() -> f.Keys:
    return f.new_keys()


@pytest.fixture(scope="module")
def good(keys: f.Keys) -> bytes:
    return f.make_bundle(keys)


def codes(report_codes: dict[str, list[str]]) -> set[str]:
    return {code for found in report_codes.values() for code in found}


def test_good_bundle_passes_every_check(keys: f.Keys, good: bytes) -> None:
    report = verify_bundle(good, keys.known)
    assert report.ok, report.error_codes
    assert all(check.ok for check in report.checks.values())
    assert report.summary is not None and report.summary.employers[0].name == "Rancho Los Pinos"
    assert report.key_algorithm == "Ed25519"
    assert len(report.receipts) == 4 and all(r.error is None for r in report.receipts)
    body = report.as_json()
    assert body["chain"]["head"] == report.summary.chain.head
    json.dumps(body)  # the JSON form is serialisable as is


def test_ecdsa_p256_bundle_passes() -> None:
    keys = f.new_keys(ecdsa=True)
    report = verify_bundle(f.make_bundle(keys), keys.known)
    assert report.ok, report.error_codes
    assert report.key_algorithm == "ECDSA-P256-SHA256"


def test_receipts_without_a_known_server_key_are_not_claimed_as_checked(good: bytes) -> None:
    report = verify_bundle(good, None)
    assert report.checks["receipts"].ok is None
    assert any("could not be checked" in en for _, en in report.checks["receipts"].notes)


def failing(data: bytes, keys: f.Keys, limits: Limits | None = None) -> dict[str, list[str]]:
    report = verify_bundle(data, keys.known, limits or Limits())
    assert not report.ok
    error = report.first_error()
    assert error is not None and error.es and error.en and error.es != error.en
    return report.error_codes


# --- not a bundle at all -------------------------------------------------------------------


def test_truncated_zip(keys: f.Keys, good: bytes) -> None:
    assert failing(good[: len(good) // 2], keys) == {"zip": ["truncated"]}


def test_not_a_zip(keys: f.Keys) -> None:
    assert failing(b"%PDF-1.7\n" + b"x" * 500, keys) == {"zip": ["not_zip"]}


def test_empty_file(keys: f.Keys) -> None:
    assert failing(b"", keys) == {"zip": ["empty"]}


def test_damaged_entry_fails_its_crc(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    stored = build.zip_files(f.ROOT, files, deflate=False)
    # Flip one byte inside the stored journal data: the ZIP's own CRC no longer matches.
    at = stored.index(b'"kind":"create"') + 3
    broken = stored[:at] + bytes([stored[at] ^ 1]) + stored[at + 1 :]
    assert failing(broken, keys) == {"zip": ["damaged"]}


# --- tampering -----------------------------------------------------------------------------


def test_changed_byte_in_a_photo(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    photo = sorted(n for n in files if n.startswith("data/photos/"))[0]
    files[photo] = files[photo][:100] + bytes([files[photo][100] ^ 0xFF]) + files[photo][101:]
    assert failing(f.rezip(files), keys) == {
        "payload": ["hash_mismatch"],
        "photos": ["photo_changed"],
    }
    # Resealed with another key, the photo still differs from the hash the journal recorded,
    # and the new key is not the one the chain binds.
    assert failing(f.reseal(files, f.new_keys().worker), keys) == {
        "chain": ["key_not_in_chain"],
        "photos": ["photo_changed"],
    }
    assert failing(f.reseal(files, keys.worker), keys) == {"photos": ["photo_changed"]}


def _journal(files: dict[str, bytes]) -> list[dict[str, object]]:
    return [json.loads(line) for line in files["data/journal.jsonl"].splitlines()]


def _write_journal(files: dict[str, bytes], entries: list[dict[str, object]]) -> None:
    files["data/journal.jsonl"] = build.jsonl(entries)


def test_edited_journal_line(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    entries = _journal(files)
    shift = next(e for e in entries if e.get("record_type") == "shift")
    shift["data"]["end"] = "18:30"  # type: ignore[index]
    _write_journal(files, entries)
    found = failing(f.rezip(files), keys)
    assert found["payload"] == ["hash_mismatch"]
    assert found["chain"] == ["chain_edited"]
    # Even with manifests recomputed and re-signed, the chain shows the edit.
    assert failing(f.reseal(files, keys.worker), keys) == {"chain": ["chain_edited"]}


def test_reordered_chain(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    entries = _journal(files)
    entries[5], entries[6] = entries[6], entries[5]
    _write_journal(files, entries)
    found = failing(f.reseal(files, keys.worker), keys)
    # Out of order, the times go backwards too (entry #6 now comes before a later day's).
    assert set(found) == {"chain", "rules"} and set(found["chain"]) == {"chain_broken"}
    assert found["rules"] == ["time_backwards"]


def test_removed_entry_breaks_the_chain(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    entries = _journal(files)
    del entries[7]
    _write_journal(files, entries)
    assert "chain_broken" in failing(f.reseal(files, keys.worker), keys)["chain"]


def test_wrong_signature(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    other = f.new_keys().worker
    files["tagmanifest-sha256.txt.sig"] = base64.b64encode(
        build.sign(other, files["tagmanifest-sha256.txt"])
    )
    assert failing(f.rezip(files), keys) == {"signature": ["signature_invalid"]}


def test_swapped_public_key_is_caught(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    files["public-key.pem"] = build.public_pem(f.new_keys().worker)
    found = failing(f.rezip(files), keys)
    assert found["signature"] == ["signature_invalid", "key_mismatch"]


def _rechain(entries: list[dict[str, object]], start: int) -> None:
    """Recompute hashes from `start` on, as a forger who edits the journal would."""
    prev = entries[start - 1]["hash"] if start else log_format.GENESIS_HASH
    for entry in entries[start:]:
        entry["prev_hash"] = prev
        entry["hash"] = log_format.entry_hash(entry)
        prev = entry["hash"]


def _with_receipt(keys: f.Keys, good: bytes, change: object) -> bytes:
    files = f.unzip(good)
    entries = _journal(files)
    # The last receipt: rewriting the chain from an earlier one would also orphan the later
    # receipts (their hashes would no longer be in the chain), a different failure.
    index = max(i for i, e in enumerate(entries) if e["kind"] == "receipt")
    change(entries[index]["receipt"])  # type: ignore[operator]
    _rechain(entries, index)
    _write_journal(files, entries)
    summary = json.loads(files["data/summary.json"])
    summary["chain"]["head"] = entries[-1]["hash"]
    files["data/summary.json"] = json.dumps(summary).encode()
    info = files["bag-info.txt"].decode()
    old_head = _journal(f.unzip(good))[-1]["hash"]
    files["bag-info.txt"] = info.replace(str(old_head), str(entries[-1]["hash"])).encode()
    return f.reseal(files, keys.worker)


def test_forged_receipt_time(keys: f.Keys, good: bytes) -> None:
    def backdate(receipt: dict[str, str]) -> None:
        receipt["time"] = "2026-05-01T00:00:00Z"

    # The entries it covers now lie after its (claimed) time too.
    assert failing(_with_receipt(keys, good, backdate), keys) == {
        "rules": ["time_after_receipt"],
        "receipts": ["receipt_forged"],
    }


def test_receipt_resigned_with_another_key(keys: f.Keys, good: bytes) -> None:
    impostor = ed25519_key()

    def resign(receipt: dict[str, str]) -> None:
        fake = receipts.sign_receipt(impostor, receipt["hash"], receipt["time"])
        receipt.update(time=fake.time, key_id=fake.key_id, signature=fake.signature)

    # A key not in the published history is "could not check", not a failure: the bundle
    # is not failed for that alone, and the report says so next to that receipt.
    report = verify_bundle(_with_receipt(keys, good, resign), keys.known)
    assert report.ok and report.error_codes == {}
    last = report.receipts[-1]
    assert (last.verdict, last.error) == ("unchecked", "receipt_unknown_key")
    assert last.as_json()["ok"] is None
    assert report.checks["receipts"].ok is None
    notes = [en for _, en in report.checks["receipts"].notes]
    assert any(f"Receipt #{last.seq}: could not be checked" in n for n in notes), notes


def test_receipt_resigned_claiming_the_real_key_id(keys: f.Keys, good: bytes) -> None:
    impostor = ed25519_key()

    def resign(receipt: dict[str, str]) -> None:
        fake = receipts.sign_receipt(impostor, receipt["hash"], receipt["time"])
        receipt.update(time=fake.time, signature=fake.signature)

    assert failing(_with_receipt(keys, good, resign), keys) == {"receipts": ["receipt_forged"]}


def test_receipt_for_a_hash_not_in_the_chain(keys: f.Keys, good: bytes) -> None:
    def elsewhere(receipt: dict[str, str]) -> None:
        real = receipts.sign_receipt(keys.server, "ab" * 32, receipt["time"])
        receipt.update(hash=real.hash, signature=real.signature)

    found = failing(_with_receipt(keys, good, elsewhere), keys)
    assert found == {"receipts": ["receipt_not_in_chain"]}


def ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


# --- hostile ZIPs --------------------------------------------------------------------------


def raw_zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names; we want them
        with zipfile.ZipFile(buffer, "w", compression=method) as archive:
            for name, data in entries:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def with_extra(good: bytes, name: str, data: bytes = b"x") -> bytes:
    entries = [(f"{f.ROOT}/{n}", d) for n, d in f.unzip(good).items()]
    return raw_zip([*entries, (name, data)])


@pytest.mark.parametrize(
    "name",
    [
        f"{f.ROOT}/../../etc/cron.d/evil",
        "/etc/passwd",
        f"{f.ROOT}/data/..\\..\\evil.txt",
        f"{f.ROOT}/data/./x",
        "C:/Windows/evil.txt",
    ],
)
def test_path_traversal_names(keys: f.Keys, good: bytes, name: str) -> None:
    assert failing(with_extra(good, name), keys) == {"zip": ["unsafe_name"]}


def test_duplicate_names(keys: f.Keys, good: bytes) -> None:
    dup = with_extra(good, f"{f.ROOT}/data/journal.jsonl", b"{}\n")
    assert failing(dup, keys) == {"zip": ["duplicate_name"]}
    # Names differing only in case collide when unzipped on Windows or macOS.
    dup_case = with_extra(good, f"{f.ROOT}/DATA/Journal.jsonl", b"{}\n")
    assert failing(dup_case, keys) == {"zip": ["duplicate_name"]}


def test_zip_bomb_ratio(keys: f.Keys, good: bytes) -> None:
    bomb = with_extra(good, f"{f.ROOT}/data/photos/bomb.jpg", b"\0" * (12 * 1024 * 1024))
    assert len(bomb) < 200_000
    assert failing(bomb, keys) == {"zip": ["zip_bomb"]}


def test_too_many_files(keys: f.Keys) -> None:
    entries = [(f"{f.ROOT}/data/photos/{i}.jpg", b"") for i in range(4001)]
    assert failing(raw_zip(entries, zipfile.ZIP_STORED), keys) == {"zip": ["too_many_files"]}


def test_huge_file(keys: f.Keys, good: bytes) -> None:
    huge = with_extra(good, f"{f.ROOT}/data/photos/huge.jpg", os.urandom(17 * 1024 * 1024))
    assert failing(huge, keys) == {"zip": ["file_too_big"]}


def test_huge_bundle_refused_before_reading(keys: f.Keys, good: bytes) -> None:
    assert failing(good, keys, Limits(max_bundle_bytes=1000)) == {"zip": ["too_big"]}


def test_total_uncompressed_size_limit(keys: f.Keys, good: bytes) -> None:
    assert failing(good, keys, Limits(max_total_bytes=5000)) == {"zip": ["total_too_big"]}


def test_lying_size_header_cannot_make_us_read_more(keys: f.Keys, good: bytes) -> None:
    # Declare 10 bytes for a 5 MB entry in the central directory: the local header disagrees.
    data = bytearray(with_extra(good, f"{f.ROOT}/data/photos/liar.jpg", b"\1" * 5_000_000))
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    assert failing(bytes(data), keys) == {"zip": ["local_header_mismatch"]}
    # Lie in both headers: inflating stops at 10 bytes and the file is named as damaged.
    local = data.rfind(b"PK\x03\x04")
    data[local + 22 : local + 26] = (10).to_bytes(4, "little")
    assert failing(bytes(data), keys) == {"zip": ["damaged"]}


def test_symlink_entry(keys: f.Keys, good: bytes) -> None:
    entries = [(f"{f.ROOT}/{n}", d) for n, d in f.unzip(good).items()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
        link = zipfile.ZipInfo(f"{f.ROOT}/data/photos/link.jpg")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert failing(buffer.getvalue(), keys) == {"zip": ["unsupported_entry"]}


def test_two_top_folders(keys: f.Keys, good: bytes) -> None:
    assert failing(with_extra(good, "other/readme.txt"), keys) == {"zip": ["no_single_folder"]}


# --- bad schema ----------------------------------------------------------------------------


def test_bad_summary_schema(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    summary = json.loads(files["data/summary.json"])
    summary["period"]["start"] = "last spring"
    files["data/summary.json"] = json.dumps(summary).encode()
    report = verify_bundle(f.reseal(files, keys.worker), keys.known)
    assert report.error_codes == {"schema": ["bad_schema"]}
    error = report.first_error()
    assert error is not None and error.name == "data/summary.json" and "period" in error.en


def test_journal_line_not_json(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    files["data/journal.jsonl"] += b"{not json\n"
    report = verify_bundle(f.reseal(files, keys.worker), keys.known)
    assert report.error_codes == {"schema": ["bad_schema"]}
    error = report.first_error()
    assert error is not None and "line" in error.en


def test_missing_summary_file(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    del files["data/summary.json"]
    assert failing(f.reseal(files, keys.worker), keys) == {"schema": ["missing_file"]}


def test_file_added_after_sealing(keys: f.Keys, good: bytes) -> None:
    files = f.unzip(good)
    files["data/photos/" + "0" * 64 + ".jpg"] = b"\xff\xd8extra"
    assert failing(f.rezip(files), keys) == {
        "payload": ["not_in_manifest", "bad_bagit"],
        # No entry records it, and two bytes of JPEG are not a JPEG.
        "photos": ["photo_unrecorded", "photo_type_mismatch"],
    }


# --- selective disclosure ------------------------------------------------------------------


def test_withheld_entries_keep_the_chain_and_limit_what_receipts_vouch_for(keys: f.Keys) -> None:
    log = f.make_log(keys.server)
    hidden = 12
    entry = log.entries[hidden]
    log.entries[hidden] = {
        "seq": entry["seq"],
        "withheld": True,
        "prev_hash": entry["prev_hash"],
        "hash": entry["hash"],
        "time": entry["time"],
    }
    report = verify_bundle(f.make_bundle(keys, log), keys.known)
    assert report.ok, report.error_codes
    assert report.journal is not None and report.journal.withheld == 1
    later = [r for r in report.receipts if r.entry_seq and r.entry_seq > hidden]
    assert later and all(r.anchored_from == hidden + 1 for r in later)
    assert report.checks["chain"].notes


def test_photos_left_out_by_choice(keys: f.Keys) -> None:
    log = f.make_log(keys.server)
    log.photos.clear()
    report = verify_bundle(f.make_bundle(keys, log, left_out=["photos"]), keys.known)
    assert report.ok, report.error_codes
    # Without saying so, missing photos are reported.
    found = failing(f.make_bundle(keys, log), keys)
    assert set(found) == {"photos"} and set(found["photos"]) == {"photo_missing"}
