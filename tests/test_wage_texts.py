"""The phone's wage-check texts are generated from server/wages/messages.py, never edited.

pwa/i18n/<lang>/wages.json is what pwa/js/wages.js says (one language per file, so a phone
downloads only its own). Regenerate with `python -m server.wages.messages`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from test_wages_support import load_vectors, run_vector

from server.wages import messages


@pytest.mark.parametrize("lang", messages.PHONE_LANGS)
def test_the_phone_texts_are_current(lang: str) -> None:
    path = messages.PHONE_TEXTS_DIR / lang / "wages.json"
    assert path.read_bytes() == messages.phone_texts(lang), (
        f"{path} is stale: run `python -m server.wages.messages`"
    )


def test_every_message_and_label_is_in_both_languages() -> None:
    es, en = (json.loads(messages.phone_texts(lang)) for lang in messages.PHONE_LANGS)
    assert set(es["messages"]) == set(en["messages"]) == set(messages.MESSAGES)
    assert set(es["labels"]) == set(en["labels"]) == set(messages.LABELS)
    assert es["messages"]["no_overtime_rules"].startswith("No hay reglas")
    assert en["messages"]["no_overtime_rules"].startswith("There are no overtime rules")


def test_money_reads_with_thousands_separators() -> None:
    """The same as pwa/js/wages.js money() (tests/js/wages.test.mjs, and the parity tests)."""
    assert messages.money(123456) == "$1,234.56"
    assert messages.money(99999) == "$999.99"
    assert messages.money(-100000000) == "-$1,000,000.00"


DATE_VECTORS = json.loads((Path(__file__).parent / "wage_text_vectors.json").read_text())["dates"]
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.parametrize("case", DATE_VECTORS, ids=[c["iso"] or "empty" for c in DATE_VECTORS])
def test_dates_are_said_in_words(case: dict[str, str]) -> None:
    """The same vectors as isoDateWords in pwa/js/log/shifts.js (tests/js/wages.test.mjs)."""
    assert messages.date_words(case["iso"], "es") == case["es"]
    assert messages.date_words(case["iso"], "en") == case["en"]


def texts_of(node: Any) -> list[dict[str, str]]:
    """Every {es, en} sentence anywhere in a report (findings, notes, rules applied)."""
    if isinstance(node, dict):
        if set(node) == {"es", "en"}:
            return [node]
        return [t for value in node.values() for t in texts_of(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts_of(value)]
    return []


def test_no_sentence_of_the_wage_check_shows_an_iso_date() -> None:
    """Every shared wage vector, every finding, note and rule the worker reads: dates are in
    words in both languages ("en vigor el 1 de enero de 2026", "from June 2, 2025 to …")."""
    seen = 0
    for _, file_rules, vector in load_vectors():
        for t in texts_of(msgspec.to_builtins(run_vector(file_rules, vector))):
            assert not ISO.search(t["es"]) and not ISO.search(t["en"]), (vector["name"], t)
            seen += bool(re.search(r"\d de [a-z]+ de \d{4}", t["es"]))
    assert seen > 20  # the vectors do have dated sentences
