"""Consulate phones: `cartilla check` refuses a number without a source, a secondary-only number
must say "confirme", and a profile's pack carries only its own state's county lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import yaml

from server.catalog import Snapshot
from server.config import PROJECT_ROOT
from server.content.check import load_content
from server.content.schema import ConsulatesFile
from server.packs import profile_data

FRESNO = """  - id: fresno
    city: Fresno
    state: CA
    serves: [CA]
"""


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_content(root, check_git=False).errors]


def add_to_fresno(content_dir: Path, yaml_text: str) -> None:
    path = content_dir / "data/consulates.yaml"
    text = path.read_text()
    assert FRESNO in text
    path.write_text(text.replace(FRESNO, FRESNO + yaml_text, 1))


def test_a_phone_without_a_source_fails_check_naming_line_and_field(content_dir: Path) -> None:
    add_to_fresno(content_dir, "    phones:\n      - number: 559-555-0100\n        kind: main\n")
    assert problems(content_dir) == [
        "data/consulates.yaml:9: error [consulates[0].phones[0].source]: the phone "
        "559-555-0100 of 'fresno' has no source: add the page that gives it, or remove the number"
    ]


def test_a_secondary_only_phone_must_be_marked_confirm(content_dir: Path) -> None:
    add_to_fresno(
        content_dir,
        "    phones:\n      - number: 559-555-0100\n        kind: protection\n"
        "        source: {title: A blog, url: 'https://blog.example/consulados'}\n",
    )
    assert problems(content_dir) == [
        "data/consulates.yaml:9: error [consulates[0].phones[0].confirm]: the phone "
        "559-555-0100 of 'fresno' comes only from a secondary page "
        "(https://blog.example/consulados): set confirm: true so the app says to confirm it"
    ]
    path = content_dir / "data/consulates.yaml"
    path.write_text(
        path.read_text().replace("kind: protection\n", "kind: protection\n        confirm: true\n")
    )
    assert problems(content_dir) == []


def test_a_phone_from_an_sre_page_needs_no_confirm(content_dir: Path) -> None:
    add_to_fresno(
        content_dir,
        "    phones:\n      - number: 559-555-0100\n        kind: main\n"
        "        source: {title: SRE, url: 'https://consulmex.sre.gob.mx/fresno/'}\n",
    )
    assert problems(content_dir) == []


def test_a_look_alike_host_is_not_official(content_dir: Path) -> None:
    add_to_fresno(
        content_dir,
        "    phones:\n      - number: 559-555-0100\n        kind: main\n"
        "        source: {title: Fake, url: 'https://sre.gob.mx.example.com/fresno'}\n",
    )
    assert [p.split("]: ", 1)[0] for p in problems(content_dir)] == [
        "data/consulates.yaml:9: error [consulates[0].phones[0].confirm"
    ]


def real_consulates() -> ConsulatesFile:
    text = (PROJECT_ROOT / "content/data/consulates.yaml").read_text()
    return msgspec.convert(yaml.safe_load(text), ConsulatesFile)


def test_every_listed_consulate_phone_in_the_real_content_is_sourced() -> None:
    consulates = real_consulates().consulates
    phones = [p for c in consulates for p in c.phones]
    assert phones, "the directory should reach at least one consulate by phone"
    assert all(p.source is not None for p in phones)
    # Every consulate with a number can be called; CA has at least one per county list named.
    ca = [c for c in consulates if "CA" in c.serves and c.phones]
    assert {c.id for c in ca} >= {"los-angeles", "san-diego", "san-francisco"}


def snapshot_of(doc: dict[str, Any]) -> Snapshot:
    return Snapshot(
        path=Path("/nonexistent"), mtime_ns=0, guides={}, by_hash={},
        data={"consulates": ("hash", doc)}, fingerprint="x",
    )  # fmt: skip


def test_the_pack_carries_only_the_profile_states_county_lists() -> None:
    doc = msgspec.to_builtins(real_consulates())
    ca = profile_data(snapshot_of(doc), "CA")["consulates"]
    sf = next(c for c in ca if c["id"] == "san-francisco")
    assert [k["state"] for k in sf["counties"]] == ["CA"]
    assert all(k["state"] == "CA" for c in ca for k in c["counties"])
    assert all("CA" in c["serves"] for c in ca)
    hi = profile_data(snapshot_of(doc), "HI")["consulates"]
    assert [(c["id"], [k["state"] for k in c["counties"]]) for c in hi] == [
        ("san-francisco", ["HI"])
    ]
