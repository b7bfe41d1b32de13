"""One ZIP reading: Python (server/evidence/zipread.py) and the desk (pwa/staff/unzip.js).

Every crafted archive here goes through both verifiers, which must give the same verdict
and the same error codes. Each archive is one a lenient ZIP library would read one way
and another library another way; a bundle never has any of them, so both refuse it by name.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from bundles import factory as f
from bundles import rawzip
from bundles.desk import both_verify
from bundles.rawzip import Entry

from server.evidence import build
from server.evidence.verify import verify_bundle
from server.evidence.zipread import fold_name, name_char_allowed

ROOT = f.ROOT.encode()
UNZIP_JS = Path(__file__).resolve().parent.parent / "pwa" / "staff" / "unzip.js"


@pytest.fixture(scope="module")
def keys() -> f.Keys:
    return f.new_keys()


@pytest.fixture(scope="module")
def good(keys: f.Keys) -> bytes:
    return f.make_bundle(keys)


def codes_of(bundles: list[bytes], keys: f.Keys) -> list[dict[str, list[str]]]:
    return [v.codes for v in both_verify(bundles, keys.known)]


def test_our_own_layout_of_a_good_bundle_verifies_in_both(keys: f.Keys, good: bytes) -> None:
    stored = rawzip.write(rawzip.bundle_entries(good, method=0))
    deflated = rawzip.write(rawzip.bundle_entries(good))
    verdicts = both_verify([good, stored, deflated], keys.known)
    assert [v.ok for v in verdicts] == [True, True, True]


def test_bytes_before_after_and_between(keys: f.Keys, good: bytes) -> None:
    entries = rawzip.bundle_entries(good)
    gap = rawzip.bundle_entries(good)
    gap[2].gap = b"hidden text"
    fake_first = [Entry(ROOT + b"/data/x.txt", b"decoy"), *rawzip.bundle_entries(good)]
    decoy = rawzip.write(fake_first)
    # The same archive with the decoy's central entry dropped: its bytes sit before entry 0.
    first_cd = decoy.find(b"PK\x01\x02")
    second_cd = decoy.find(b"PK\x01\x02", first_cd + 4)
    eocd = decoy.rfind(b"PK\x05\x06")
    dropped = bytearray(decoy[:first_cd] + decoy[second_cd:])
    end = dropped.rfind(b"PK\x05\x06")
    n = len(entries)
    struct.pack_into("<HHI", dropped, end + 8, n, n, eocd - second_cd)
    assert codes_of(
        [
            rawzip.write(entries, before=b"MZ self-extractor "),
            rawzip.write(entries, after=b"appended"),
            rawzip.write(entries, comment=b"a comment nobody hashes"),
            rawzip.write(gap),
            bytes(dropped),
        ],
        keys,
    ) == [
        {"zip": ["leading_bytes"]},
        {"zip": ["trailing_bytes"]},
        {"zip": ["trailing_bytes"]},
        {"zip": ["hidden_bytes"]},
        {"zip": ["leading_bytes"]},
    ]


def test_zip64_records_and_extra_fields(keys: f.Keys, good: bytes) -> None:
    entries = rawzip.bundle_entries(good)
    zip64_extra = rawzip.bundle_entries(good)
    zip64_extra[0].extra = struct.pack("<HHQ", 1, 8, len(zip64_extra[0].data))
    unicode_path = rawzip.bundle_entries(good)
    unicode_path[0].extra = struct.pack("<HHB", 0x7075, 1, 1)
    assert codes_of(
        [
            rawzip.write(entries, zip64_locator=True),
            rawzip.write(zip64_extra),
            rawzip.write(unicode_path),
        ],
        keys,
    ) == [{"zip": ["zip64"]}, {"zip": ["zip64"]}, {"zip": ["unsupported_entry"]}]


def test_local_headers_that_disagree_with_the_central_directory(keys: f.Keys, good: bytes) -> None:
    def changed(**local: object) -> bytes:
        entries = rawzip.bundle_entries(good)
        for name, value in local.items():
            setattr(entries[1], name, value)
        return rawzip.write(entries)

    journal = ROOT + b"/data/journal.jsonl"
    assert (
        codes_of(
            [
                changed(local_name=journal),
                changed(local_size=5),
                changed(local_method=0),
                changed(local_extra=struct.pack("<HH", 0x5455, 0)),
            ],
            keys,
        )
        == [{"zip": ["local_header_mismatch"]}] * 4
    )


def test_two_central_entries_for_the_same_bytes(keys: f.Keys, good: bytes) -> None:
    data = bytearray(rawzip.write(rawzip.bundle_entries(good)))
    cds = [m.start() for m in re.finditer(b"PK\x01\x02", data)]
    # Point the second central entry at the first local header.
    struct.pack_into("<I", data, cds[1] + 42, 0)
    assert codes_of([bytes(data)], keys) == [{"zip": ["overlapping_entries"]}]


def test_flags_comments_and_data_descriptors(keys: f.Keys, good: bytes) -> None:
    descriptor = rawzip.bundle_entries(good)
    descriptor[0].flags |= 0x0008
    commented = rawzip.bundle_entries(good)
    commented[0].comment = b"note"
    assert codes_of(
        [rawzip.write(descriptor), rawzip.write(commented)],
        keys,
    ) == [{"zip": ["unsupported_entry"]}, {"zip": ["unsupported_entry"]}]


def test_deflate_stream_with_junk_after_its_end(keys: f.Keys, good: bytes) -> None:
    """Bytes after the end of a deflate stream are refused, as Chromium's DecompressionStream
    refuses them ("Junk found after end of compressed data"). Node 20's DecompressionStream
    ignores them, so this case is checked in Python only (the desk runs in Chromium)."""
    entries = rawzip.bundle_entries(good)
    real = entries[0].data
    packed = entries[0].packed() + b"JUNK"
    entries[0].method = 0
    entries[0].data = packed
    data = bytearray(rawzip.write(entries))
    crc = zlib.crc32(real)
    struct.pack_into("<HHHIII", data, 8, 8, 0, 0x5C21, crc, len(packed), len(real))
    cd = data.find(b"PK\x01\x02")
    struct.pack_into("<HHHIII", data, cd + 10, 8, 0, 0x5C21, crc, len(packed), len(real))
    assert verify_bundle(bytes(data), keys.known).error_codes == {"zip": ["damaged"]}
    cut = bytearray(data)
    # A deflate stream cut short (no final block) is damaged in both readers.
    short = rawzip.bundle_entries(good)
    short_packed = short[0].packed()[:-3]
    short[0].method = 0
    short[0].data = short_packed
    cut = bytearray(rawzip.write(short))
    struct.pack_into("<HHHIII", cut, 8, 8, 0, 0x5C21, crc, len(short_packed), len(real))
    cd = cut.find(b"PK\x01\x02")
    struct.pack_into("<HHHIII", cut, cd + 10, 8, 0, 0x5C21, crc, len(short_packed), len(real))
    assert codes_of([bytes(cut)], keys) == [{"zip": ["damaged"]}]


NAMES = [
    ("/data/ok\x01.txt", "unsafe_name"),
    ("/data/ok\u0085.txt", "unsafe_name"),
    ("/data/Cafe\u0301.txt", "unsafe_name"),  # not NFC
    ("/data/\u202etxt.exe", "confusing_name"),  # right-to-left override
    ("/data/pay\u200bstub.jpg", "confusing_name"),  # zero-width space
    ("/data/summ\u0430ry.json", "confusing_name"),  # Cyrillic а
    ("/data/notes.txt.", "confusing_name"),
    ("/data/notes.txt ", "confusing_name"),
    ("/data /notes.txt", "confusing_name"),
    ("/data/\ufeffnotes.txt", "confusing_name"),
    ("/data/a\u034fb.txt", "confusing_name"),
]


@pytest.mark.parametrize(("suffix", "code"), NAMES)
def test_names_that_hide_or_confuse(keys: f.Keys, good: bytes, suffix: str, code: str) -> None:
    entries = [*rawzip.bundle_entries(good), Entry(ROOT + suffix.encode(), b"x")]
    assert codes_of([rawzip.write(entries)], keys) == [{"zip": [code]}]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/data/Straße.txt", "/data/STRASSE.txt"),
        ("/data/ſ.txt", "/data/S.txt"),
        ("/data/Ñandú.txt", "/data/ñANDÚ.txt"),
        ("/data/ǅ.txt", "/data/ǆ.txt"),
        ("/DATA/journal.jsonl", "/data/journal.jsonl"),
    ],
)
def test_names_equal_after_nfc_and_case_folding(
    keys: f.Keys, good: bytes, first: str, second: str
) -> None:
    entries = [
        *rawzip.bundle_entries(good),
        Entry(ROOT + first.encode(), b"x"),
        Entry(ROOT + second.encode(), b"y"),
    ]
    if first == "/DATA/journal.jsonl":
        entries = entries[:-1]
    assert codes_of([rawzip.write(entries)], keys) == [{"zip": ["duplicate_name"]}]


def test_names_that_are_not_utf8(keys: f.Keys, good: bytes) -> None:
    cp437 = [*rawzip.bundle_entries(good), Entry(ROOT + b"/data/caf\x82.txt", b"x", flags=0)]
    bad_utf8 = [*rawzip.bundle_entries(good), Entry(ROOT + b"/data/caf\xc3.txt", b"x")]
    ascii_no_flag = rawzip.bundle_entries(good)
    for e in ascii_no_flag:
        e.flags = 0
    assert codes_of(
        [rawzip.write(cp437), rawzip.write(bad_utf8), rawzip.write(ascii_no_flag)], keys
    ) == [{"zip": ["name_not_utf8"]}, {"zip": ["name_not_utf8"]}, {}]


def test_a_file_outside_data_must_be_in_the_tag_manifest(keys: f.Keys, good: bytes) -> None:
    entries = [*rawzip.bundle_entries(good), Entry(ROOT + b"/extra/instructions.txt", b"x")]
    assert codes_of([rawzip.write(entries)], keys) == [{"tags": ["not_in_manifest"]}]


def test_the_desk_folds_names_exactly_as_python() -> None:
    """The table in unzip.js is Python's str.casefold for every character a name may hold."""
    source = UNZIP_JS.read_text("utf-8")
    literal = source.split("const FOLD = ", 1)[1].split(";\n", 1)[0]
    table = json.loads(literal)
    expected = {
        chr(cp): chr(cp).casefold()
        for cp in range(0x370)
        if name_char_allowed(cp) and chr(cp).casefold() != chr(cp)
    }
    assert table == expected, "regenerate FOLD in pwa/staff/unzip.js from str.casefold"
    assert fold_name("Root/Straße/") == "root/strasse"


def test_tag_files_are_read_the_same_in_both(keys: f.Keys, good: bytes) -> None:
    """Lines, blanks and spaces are ASCII: Python's splitlines()/strip() would also take
    \\x1c, \\x85 or U+2028 as line ends or spaces, JavaScript would not."""
    files = f.unzip(good)

    def bag_info(change: bytes) -> bytes:
        info = files["bag-info.txt"].replace(
            b"Cartilla-Chain-Head: ", b"Cartilla-Chain-Head: " + change
        )
        return rawzip_retag({**files, "bag-info.txt": info}, keys.worker)

    manifest = files["manifest-sha256.txt"]
    bundles = [
        bag_info(b"\x1c"),  # not a space in either: the head no longer matches
        bag_info(b" "),  # a space in both
        rawzip_retag(
            {**files, "bag-info.txt": files["bag-info.txt"] + b":no label\n"}, keys.worker
        ),
        rawzip_retag({**files, "bag-info.txt": files["bag-info.txt"] + b"\xff\n"}, keys.worker),
        f.reseal({**files, "data/summary.html": files["data/summary.html"]}, keys.worker),
        rawzip_retag(
            {**files, "manifest-sha256.txt": manifest.replace(b"\n", "\u2028".encode(), 1)},
            keys.worker,
        ),
        rawzip_retag(
            {**files, "manifest-sha256.txt": manifest.replace(b".json\n", b".json\x85\n", 1)},
            keys.worker,
        ),
    ]
    codes = codes_of(bundles, keys)
    assert codes[0] == {"chain": ["chain_head_mismatch"]}
    assert codes[1] == {}
    assert codes[2] == {"bag": ["bad_bagit"]}
    assert codes[3] == {"bag": ["bad_bagit"]}
    assert codes[4] == {}
    assert codes[5] and codes[6]  # refused the same way in both (both_verify compared them)


def rawzip_retag(files: dict[str, bytes], key: build.SigningKey) -> bytes:
    """Recompute the tag manifest and sign it again with the phone's key (the signature
    covers the tag files, so an edit that is not re-signed fails the signature first)."""
    import base64

    from server.evidence import bag

    skip = (bag.TAGMANIFEST, bag.SIGNATURE)
    tags = [(n, d) for n, d in files.items() if "/" not in n and n not in skip]
    tagmanifest = bag.manifest_text(tags)
    signature = base64.b64encode(build.sign(key, tagmanifest)) + b"\n"
    return f.rezip({**files, bag.TAGMANIFEST: tagmanifest, bag.SIGNATURE: signature})
