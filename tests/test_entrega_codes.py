"""Pickup and window codes, fingerprints and the two words, against the shared vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.entrega import codes, vectors

VECTORS = json.loads((Path(__file__).parent / "entrega_vectors.json").read_text("utf-8"))


def test_vector_and_word_files_are_up_to_date() -> None:
    assert vectors.main(["--check"]) == 0, "run: python -m server.entrega.vectors"


@pytest.mark.parametrize("vec", VECTORS["fingerprints"], ids=lambda v: v["fingerprint"])
def test_fingerprint(vec: dict[str, str]) -> None:
    assert codes.fingerprint(vec["recipient"]) == vec["fingerprint"]


@pytest.mark.parametrize("vec", VECTORS["codes"], ids=lambda v: v["shown"])
def test_check_symbol(vec: dict[str, str]) -> None:
    assert codes.luhn32_check(vec["random"]) == vec["check"]
    assert codes.show(vec["random"] + vec["check"]) == vec["shown"]


@pytest.mark.parametrize("vec", VECTORS["typed"], ids=lambda v: repr(v["typed"]))
def test_typed_code(vec: dict[str, str]) -> None:
    read = codes.normalize_pickup if vec["kind"] == "pickup" else codes.normalize_window
    if "ok" in vec:
        assert read(vec["typed"]) == vec["ok"]
    else:
        with pytest.raises(codes.CodeError) as caught:
            read(vec["typed"])
        assert caught.value.code == vec["error"]
        assert caught.value.es and caught.value.en


def test_every_single_symbol_typo_is_caught() -> None:
    full = VECTORS["codes"][0]["random"] + VECTORS["codes"][0]["check"]
    for i in range(len(full)):
        for sym in codes.ALPHABET:
            if sym != full[i]:
                assert not codes.luhn32_valid(full[:i] + sym + full[i + 1 :])


def test_new_codes_have_the_shown_shape_and_a_valid_check() -> None:
    for _ in range(50):
        pickup = codes.new_pickup_code()
        assert len(pickup) == 11 and pickup[5] == "-"
        assert codes.normalize_pickup(pickup) == pickup.replace("-", "")
        window = codes.new_window_code()
        assert len(window) == 7 and window[3] == "-"
        assert codes.normalize_window(window) == window.replace("-", "")


@pytest.mark.parametrize("vec", VECTORS["two_words"], ids=lambda v: "-".join(v["words"]))
def test_two_words(vec: dict[str, object]) -> None:
    assert list(codes.two_words(str(vec["recipient"]))) == vec["words"]


def test_words_are_256_distinct_short_unaccented_words() -> None:
    words = codes.words()
    assert len(set(words)) == 256
    assert all(w.isascii() and w.isalpha() and w.islower() and len(w) <= 9 for w in words)


def test_window_qr_text_names_the_code_and_recipient() -> None:
    qr = VECTORS["window_qr"]
    assert qr["text"] == f"CARTILLA-W1:{qr['code'].replace('-', '')}:{qr['recipient']}"
