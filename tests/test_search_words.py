"""Search finds what workers type: the server's search on the index built from content/.

The same vectors (tests/search_vectors.json) run through the phone's offline search in
tests/js/search.test.mjs, so both paths find the same guides for the same phrasings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server import search_terms
from server.catalog import Catalog, Snapshot
from server.content.build import build_index

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((Path(__file__).parent / "search_vectors.json").read_text("utf-8"))["vectors"]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Snapshot]:
    index = tmp_path_factory.mktemp("search") / "index.db"
    build_index(ROOT / "content", index)
    cat = Catalog(index)
    return cat, cat.snapshot()


def ids(catalog: tuple[Catalog, Snapshot], q: str, lang: str) -> list[str]:
    cat, snap = catalog
    return [r["id"] for r in cat.search(snap, q, lang, 50)]


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['lang']}:{v['q']}" for v in VECTORS])
def test_vector(catalog: tuple[Catalog, Snapshot], vector: dict[str, Any]) -> None:
    found = ids(catalog, vector["q"], vector["lang"])
    if vector.get("none"):
        assert found == []
    for want in vector.get("includes", []):
        assert want in found, f"{vector['q']!r} should find {want}: {found}"
    if "first_in" in vector:
        assert found and found[0] in vector["first_in"], found
    if "same_as" in vector:
        assert sorted(found) == sorted(ids(catalog, vector["same_as"], vector["lang"]))


def test_every_word_the_phrasings_point_to_is_in_the_guides(
    catalog: tuple[Catalog, Snapshot],
) -> None:
    """A phrasing that points to a word no guide uses would find nothing: review by test."""
    cat, snap = catalog
    words = search_terms.load_words()
    for entry in words.say:
        vocab = cat._vocabulary(snap, entry["lang"])
        for target in entry["find"]:
            folded = search_terms.fold(target)
            assert any(v.startswith(folded) for v in vocab), (entry["when"][0], target)


def test_the_phrasings_file_is_well_formed() -> None:
    words = search_terms.load_words()
    seen: set[tuple[str, str]] = set()
    for entry in words.say:
        assert entry["lang"] in ("es", "en") and entry.get("from", "en") == "en"
        assert entry["find"] and entry["when"]
        for said in entry["when"]:
            key = (entry["lang"], " ".join(search_terms.tokens(said)))
            assert key not in seen, f"{said!r} is listed twice: which meaning wins?"
            seen.add(key)


def test_word_rules() -> None:
    words = search_terms.load_words()
    stem = search_terms.stem
    assert stem("pagan", "es", words) == stem("pagar", "es", words) == stem("pago", "es", words)
    assert stem("lesiones", "es", words) == stem("lesion", "es", words)
    assert search_terms.one_apart("salario", "salaro")  # a letter left out
    assert search_terms.one_apart("salario", "salraio")  # two swapped
    assert search_terms.one_apart("salario", "salarip")  # one changed
    assert not search_terms.one_apart("salario", "salrpo")
    plan = search_terms.plan("Me corrieron y no me pagan", "es", words)
    assert [g.said for g in plan.groups] == ["me corrieron", "no me pagan"]
    fired = search_terms.plan("fired", "es", words)
    assert fired.english and fired.groups[0].english


def test_a_spanish_search_with_no_spanish_result_looks_in_english(
    catalog: tuple[Catalog, Snapshot],
) -> None:
    cat, snap = catalog
    results = cat.search(snap, "paycheck", "es", 20)
    assert results and {r["lang"] for r in results} == {"en"}


@pytest.mark.parametrize(
    "q",
    ['"unbalanced OR (', "NEAR(a b)", "* ^ - :", "a" * 200, "x " * 100, "'; drop table", "\x00"],
)
def test_hostile_queries_find_nothing_or_something_never_fail(
    catalog: tuple[Catalog, Snapshot], q: str
) -> None:
    cat, snap = catalog
    assert isinstance(cat.search(snap, q, "es", 20), list)
