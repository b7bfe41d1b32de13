"""Texts the phone, the desk and the server must share stay identical."""

from __future__ import annotations

import json
from pathlib import Path

from server.evidence.build import README_TEXT
from server.evidence.errors import CHECK_LABELS, MESSAGES

PWA = Path(__file__).resolve().parent.parent / "pwa"


def test_readme_in_the_phone_builder_equals_the_reference() -> None:
    source = (PWA / "js" / "bundle" / "readme.js").read_text("utf-8")
    literal = source.split("export const README_TEXT = ", 1)[1].rstrip().rstrip(";")
    assert json.loads(literal) == README_TEXT
    assert "sha256sum -c" in README_TEXT and "no prueba" in README_TEXT.lower()


def test_desk_messages_cover_every_error_code_in_both_languages() -> None:
    for index, lang in enumerate(("es", "en")):
        staff = json.loads((PWA / "i18n" / lang / "staff.json").read_text("utf-8"))["staff"]
        assert staff["error"] == {code: pair[index] for code, pair in MESSAGES.items()}
        assert staff["check"] == {cid: pair[index] for cid, pair in CHECK_LABELS.items()}
