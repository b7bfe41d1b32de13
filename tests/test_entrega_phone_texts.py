"""The phone's Entrega texts (pwa/i18n/{es,en}/entrega.json): every text the screen asks for
exists in Spanish and English, and every refusal the worker can meet has its own words."""

from __future__ import annotations

import json
import re
from typing import Any

from server.config import PROJECT_ROOT

SCREEN = PROJECT_ROOT / "pwa" / "js" / "entrega" / "screen.js"
#: What can go wrong on the phone, each said specifically (issue 15): a typo, a wrong or
#: expired window code, an office not receiving, too large, the connection lost (resume), no
#: vendor build, no camera, a QR code that is not the window's.
REFUSALS = (
    "code_typo", "bad_code", "window_not_found", "window_taken", "unknown_office", "too_large",
    "offline", "connection_lost", "vendor_missing", "qr_mismatch", "camera_denied", "no_camera",
    "upload_not_found", "rate_limited", "busy", "relay_full", "failed",
)  # fmt: skip


def _flat(obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def _texts(lang: str) -> dict[str, str]:
    path = PROJECT_ROOT / "pwa" / "i18n" / lang / "entrega.json"
    return _flat(json.loads(path.read_text(encoding="utf-8")))


def test_spanish_and_english_have_the_same_texts_none_empty() -> None:
    es, en = _texts("es"), _texts("en")
    assert set(es) == set(en)
    assert all(v.strip() for v in [*es.values(), *en.values()])
    # The same {placeholders} in both languages.
    for key in es:
        assert set(re.findall(r"\{(\w+)\}", es[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_every_text_the_screen_asks_for_exists() -> None:
    used = set(re.findall(r'\btr\("([a-zA-Z_.]+)"', SCREEN.read_text(encoding="utf-8")))
    assert used, "the screen asks for no texts?"
    missing = used - set(_texts("es"))
    assert not missing, missing


def test_every_refusal_has_its_own_words_in_both_languages() -> None:
    for lang in ("es", "en"):
        texts = _texts(lang)
        for code in REFUSALS:
            assert f"error.{code}" in texts, (lang, code)
        assert len({texts[f"error.{c}"] for c in REFUSALS}) == len(REFUSALS)


def test_the_spanish_says_usted_not_tu() -> None:
    text = " ".join(_texts("es").values()).lower()
    for informal in (" tú ", " tu ", " tienes", " puedes", " quieres", " envía ", " guarda "):
        assert informal not in f" {text} ", informal
