"""The agency directory reaches a person: each covered state's wage, safety, workers'
compensation and civil-rights agency is listed, every phone can be dialled from the directory
(`tel:`), and every phone is quoted by the dated official page it comes from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import yaml

from server.catalog import Snapshot
from server.config import PROJECT_ROOT
from server.content.schema import AgenciesFile, Agency
from server.packs import profile_data

#: States with no state agency for private-sector discrimination complaints: the EEOC is the
#: route there (180 days), and docs/content-sources.md says so.
NO_STATE_CIVIL_RIGHTS_AGENCY = {"GA", "NC"}

#: Letters on a phone keypad, so "1-866-4-USWAGE" in a source title reads as its digits.
KEYPAD = str.maketrans(
    {**{c: "2" for c in "ABC"}, **{c: "3" for c in "DEF"}, **{c: "4" for c in "GHI"},
     **{c: "5" for c in "JKL"}, **{c: "6" for c in "MNO"}, **{c: "7" for c in "PQRS"},
     **{c: "8" for c in "TUV"}, **{c: "9" for c in "WXYZ"}}
)  # fmt: skip


def real_agencies() -> list[Agency]:
    text = (PROJECT_ROOT / "content/data/agencies.yaml").read_text()
    return msgspec.convert(yaml.safe_load(text), AgenciesFile).agencies


def covered_states() -> list[str]:
    rules = yaml.safe_load((PROJECT_ROOT / "content/data/wage_rules.yaml").read_text())
    return [j["id"] for j in rules["jurisdictions"] if j["id"] != "federal"]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text.upper().translate(KEYPAD))


def official(url: str) -> bool:
    """A government host: .gov, a state's .us domain, or Florida's official myflorida.com."""
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return (
        host.endswith((".gov", ".us")) or host == "myflorida.com" or host.endswith(".myflorida.com")
    )


def test_each_covered_state_lists_its_wage_safety_comp_and_civil_rights_agency() -> None:
    agencies = real_agencies()
    states = covered_states()
    assert len(states) == 10
    for state in states:
        areas = {area for a in agencies if a.jurisdiction == state for area in a.areas}
        wanted = {"wages", "safety", "workers_comp", "discrimination"}
        if state in NO_STATE_CIVIL_RIGHTS_AGENCY:
            wanted.discard("discrimination")
        assert wanted <= areas, (state, wanted - areas)
    # Where no state agency exists, the directory still has the federal one to call.
    eeoc = next(a for a in agencies if a.id == "eeoc")
    assert eeoc.phone and eeoc.complaint_url


def test_where_no_state_civil_rights_agency_exists_the_docs_say_so() -> None:
    docs = (PROJECT_ROOT / "docs/content-sources.md").read_text()
    line = next(x for x in docs.splitlines() if "no state civil-rights agency" in x)
    assert all(state in line for state in ("Georgia", "North Carolina"))


def test_every_agency_phone_makes_a_tel_link_a_us_phone_can_dial() -> None:
    for agency in real_agencies():
        if agency.phone is None:
            continue
        # What pwa/js/ui.js telHref() puts after "tel:": digits only.
        dialled = re.sub(r"[^0-9+]", "", agency.phone)
        assert re.fullmatch(r"1?[2-9]\d{2}[2-9]\d{6}", dialled), (agency.id, agency.phone)


def test_every_agency_phone_is_quoted_by_the_dated_official_page_it_comes_from() -> None:
    """A reviewer sees which page gives which number, and that the page is a government one."""
    for agency in real_agencies():
        if agency.phone is None:
            continue
        number = digits(agency.phone)[-10:]
        quoting = [s for s in agency.sources if number in digits(s.title)]
        assert quoting, f"{agency.id}: no source title quotes {agency.phone}"
        assert any(s.accessed is not None and official(s.url) for s in quoting), (
            f"{agency.id}: {agency.phone} is quoted only by undated or non-official pages"
        )


def test_sources_that_only_restate_a_book_are_not_the_only_source_for_a_state_agency() -> None:
    """A state agency is described from its own pages, not only from the reference book."""
    for agency in real_agencies():
        if agency.jurisdiction == "federal":
            continue
        assert any(official(s.url) for s in agency.sources), agency.id


def snapshot_of(doc: dict[str, Any]) -> Snapshot:
    return Snapshot(
        path=Path("/nonexistent"), mtime_ns=0, guides={}, by_hash={},
        data={"agencies": ("hash", doc)}, fingerprint="x",
    )  # fmt: skip


def test_a_states_pack_carries_the_numbers_its_directory_calls() -> None:
    doc = yaml.safe_load((PROJECT_ROOT / "content/data/agencies.yaml").read_text())
    expected = {
        "CA": {"ca-alrb": "1-800-449-3699"},
        "IL": {"il-idol": "312-793-2800"},
        "NY": {"ny-dhr": "1-888-392-3644"},
        "FL": {"fl-fchr": "850-488-7082"},
    }
    for state, phones in expected.items():
        pack = profile_data(snapshot_of(doc), state, "es")["agencies"]
        by_id = {a["id"]: a for a in pack}
        assert {a["jurisdiction"] for a in pack} == {"federal", state}
        for agency_id, phone in phones.items():
            assert by_id[agency_id]["phone"] == phone
        # The phone reads the Spanish text only, and it names the state agency's work.
        assert all(set(a["what_it_does"]) == {"es"} for a in pack)
