"""The phone's wage-check texts are generated from server/wages/messages.py, never edited.

pwa/i18n/<lang>/wages.json is what pwa/js/wages.js says (one language per file, so a phone
downloads only its own). Regenerate with `python -m server.wages.messages`.
"""

from __future__ import annotations

import json

import pytest

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
