"""Pickup codes, window codes, key fingerprints and the two words, as docs/entrega.md says.

All use Crockford's base32 alphabet (no I, L, O, U). A code is random symbols plus one check
symbol, Luhn mod 32 over the random ones, so a typed code with one wrong symbol or two
neighbours swapped is caught on the device ("this code has a typo") before any request.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import cache
from pathlib import Path

from server.config import PROJECT_ROOT

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
#: How a typed code is read: the letters people confuse with digits count as those digits.
_ALIASES = {"O": "0", "I": "1", "L": "1"}

PICKUP_RANDOM = 9  # 45 bits
WINDOW_RANDOM = 5  # 25 bits, for 30 minutes and rate-limited
FINGERPRINT_SYMBOLS = 10  # 50 bits

WORDS_PATH = PROJECT_ROOT / "pwa" / "js" / "entrega" / "words.json"


class CodeError(ValueError):
    """A typed code that cannot be right, said in Spanish and English."""

    def __init__(self, code: str, es: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.es = es
        self.en = en


def luhn32_check(symbols: str) -> str:
    """The Luhn mod 32 check symbol for `symbols` (all in ALPHABET)."""
    factor = 2
    total = 0
    for ch in reversed(symbols):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def luhn32_valid(symbols_with_check: str) -> bool:
    return len(symbols_with_check) >= 2 and (
        luhn32_check(symbols_with_check[:-1]) == symbols_with_check[-1]
    )


def _random_symbols(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def _group(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def new_pickup_code() -> str:
    """`XXXXX-XXXXX`: 9 random symbols and the check symbol."""
    body = _random_symbols(PICKUP_RANDOM)
    return _group(body + luhn32_check(body))


def new_window_code() -> str:
    """`XXX-XXX`: 5 random symbols and the check symbol."""
    body = _random_symbols(WINDOW_RANDOM)
    return _group(body + luhn32_check(body))


def normalize(typed: str, length: int) -> str:
    """A typed code as its `length` symbols (no dash), or CodeError.

    Upper-cased; spaces and `-` dropped; O read as 0, I and L as 1. A wrong check symbol is
    the error "typo".
    """
    text = typed.strip().upper().replace(" ", "").replace("-", "")
    text = "".join(_ALIASES.get(c, c) for c in text)
    if len(text) != length or any(c not in _VALUE for c in text):
        raise CodeError(
            "bad_code",
            f"El código debe tener {length} letras o números (por ejemplo {_group('0' * length)}).",
            f"The code must have {length} letters or digits (for example {_group('0' * length)}).",
        )
    if not luhn32_valid(text):
        raise CodeError(
            "code_typo",
            "Este código tiene un error de escritura: revise cada letra y número.",
            "This code has a typo: check each letter and digit.",
        )
    return text


def normalize_pickup(typed: str) -> str:
    return normalize(typed, PICKUP_RANDOM + 1)


def normalize_window(typed: str) -> str:
    return normalize(typed, WINDOW_RANDOM + 1)


def show(code: str) -> str:
    """A normalised code as people see it: grouped with a dash."""
    return _group(code)


def fingerprint(recipient: str) -> str:
    """`K7QX2-M9D4P`: the first 50 bits of SHA-256 over the recipient, in Crockford base32."""
    digest = hashlib.sha256(recipient.encode("ascii")).digest()
    bits = int.from_bytes(digest[:7], "big") >> (56 - 5 * FINGERPRINT_SYMBOLS)
    symbols = "".join(
        ALPHABET[(bits >> (5 * (FINGERPRINT_SYMBOLS - 1 - i))) & 31]
        for i in range(FINGERPRINT_SYMBOLS)
    )
    return _group(symbols)


@cache
def words(path: Path = WORDS_PATH) -> tuple[str, ...]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, list) or len(loaded) != 256:
        raise ValueError(f"{path}: expected a list of 256 words")
    return tuple(str(w) for w in loaded)


def two_words(recipient: str) -> tuple[str, str]:
    """The two words both screens show in the window flow (first two bytes of SHA-256)."""
    digest = hashlib.sha256(recipient.encode("ascii")).digest()
    table = words()
    return table[digest[0]], table[digest[1]]
