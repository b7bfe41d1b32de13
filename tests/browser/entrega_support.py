"""What the Entrega browser tests share: a content copy whose test office publishes a key, the
envelope made in Python (docs/entrega.md, independent of the phone's code), an upload through
the relay's HTTP API as a phone makes it, and a signed bundle with known words in it.

The office key for the main flows is a passphrase-protected age identity made with pyrage (as
`cartilla desk-key new` makes it): the desk's browser-made key cannot be in the content before
the test starts. Its fingerprint is computed here from the contract, not by the server's code.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyrage

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
OFFICE = "los-angeles"
PASSPHRASE = "ventana de prueba 7"
# What must never be readable on the relay: the worker's name, the employer, the notes.
WORKER = "Josefina Quiñónez Test"
SECRET_WORDS = (
    "Rancho Los Pinos Agrícola",
    "AgriLabor Contratistas LLC",
    "Roberto «Don Beto» Salgado",
)


def fingerprint(recipient: str) -> str:
    """SHA-256 over the recipient, first 50 bits as Crockford base32, `XXXXX-XXXXX`."""
    bits = int.from_bytes(hashlib.sha256(recipient.encode("ascii")).digest()[:7], "big") >> 6
    symbols = "".join(ALPHABET[(bits >> (5 * (9 - i))) & 31] for i in range(10))
    return f"{symbols[:5]}-{symbols[5:]}"


def luhn32(symbols: str) -> str:
    """The check symbol (Luhn mod 32) over `symbols`."""
    factor, total = 2, 0
    for ch in reversed(symbols):
        addend = factor * ALPHABET.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def with_typo(code: str) -> str:
    """The same code with one symbol changed: its check symbol no longer fits."""
    plain = code.replace("-", "")
    swapped = ALPHABET[(ALPHABET.index(plain[2]) + 1) % 32]
    typo = plain[:2] + swapped + plain[3:]
    assert luhn32(typo[:9]) != typo[9]
    return f"{typo[:5]}-{typo[5:]}"


def unknown_code() -> str:
    """A well-formed pickup code (right check symbol) that no upload has."""
    body = "7QX2M9D4P"
    return f"{body[:5]}-{body[5:]}{luhn32(body)}"


@dataclass
class OfficeKey:
    identity: pyrage.x25519.Identity
    recipient: str
    fingerprint: str
    file: Path


def office_key(folder: Path) -> OfficeKey:
    """A passphrase-protected identity file, as `cartilla desk-key new` writes one."""
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    text = (
        f"# Cartilla Entrega office key for {OFFICE}, created {date.today()}\n"
        f"# public key: {recipient}\n{identity}\n"
    )
    file = folder / "office-key.age"
    file.write_bytes(pyrage.passphrase.encrypt(text.encode(), PASSPHRASE))
    return OfficeKey(identity, recipient, fingerprint(recipient), file)


OTHER_OFFICE = "san-francisco"


def content_with_key(
    source: Path, target: Path, key: OfficeKey, others: dict[str, OfficeKey] | None = None
) -> Path:
    """A copy of content/ where the test office publishes `key` (valid from yesterday), and each
    office in `others` its own key."""
    shutil.copytree(source, target)
    path = target / "data" / "consulates.yaml"
    text = path.read_text(encoding="utf-8")
    start = date.today() - timedelta(days=1)
    for office, k in {OFFICE: key, **(others or {})}.items():
        block = (
            f"  entrega_keys:\n  - recipient: {k.recipient}\n    fingerprint: {k.fingerprint}\n"
            f"    valid_from: {start}\n    valid_until: {start + timedelta(days=365)}\n"
            f"    added: {start}\n"
        )
        marker = f"- id: {office}\n"
        assert marker in text
        # After the office's `city:` line, so the key is that office's and nothing else moves.
        at = text.index(marker) + len(marker)
        line_end = text.index("\n", text.index("  city:", at)) + 1
        text = text[:line_end] + block + text[line_end:]
    path.write_text(text, encoding="utf-8")
    return target


def bucket(n: int) -> int:
    size = 64 * 1024
    while size < n and size < 32 * 1024 * 1024:
        size *= 2
    if size < n:
        size = 48 * 1024 * 1024
    return size


def envelope(zip_bytes: bytes, name: str = "cartilla-evidence-2026-06-30.zip") -> bytes:
    """The plaintext inside an Entrega age file, padded to its bucket."""
    header = json.dumps({"name": name, "size": len(zip_bytes)}, separators=(",", ":")).encode()
    plain = b"cartilla-entrega/1\n" + header + b"\n" + zip_bytes
    return plain + b"\0" * (bucket(len(plain)) - len(plain))


def seal(zip_bytes: bytes, recipient: str) -> bytes:
    return pyrage.encrypt(envelope(zip_bytes), [pyrage.x25519.Recipient.from_str(recipient)])


def tampered(ciphertext: bytes) -> bytes:
    """The same age file with one payload byte flipped (the header still reads as age)."""
    out = bytearray(ciphertext)
    out[-100] ^= 0x01
    return bytes(out)


class RelayError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def call(
    base: str, method: str, path: str, body: Any = None, token: str | None = None,
    data: bytes | None = None, headers: dict[str, str] | None = None,
) -> Any:  # fmt: skip
    """One request to the relay's API; a refusal raises RelayError with the JSON body."""
    head = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        head["content-type"] = "application/json"
    if token:
        head["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"{base}/api/v1/entrega{path}", data=data, method=method, headers=head
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            raw = res.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        raise RelayError(e.code, parsed) from None


def upload(
    base: str, ciphertext: bytes, office: str = OFFICE, window: str | None = None
) -> dict[str, Any]:
    """What the phone does: start, send every chunk in order, complete. Returns the code and id."""
    start = call(base, "POST", "/uploads", {"window": window, "size": len(ciphertext)} if window
                 else {"office": office, "size": len(ciphertext)})  # fmt: skip
    chunk = int(start["chunk_size"])
    for at in range(0, len(ciphertext), chunk):
        part = ciphertext[at : at + chunk]
        call(base, "PUT", f"/uploads/{start['id']}/data", token=start["token"], data=part, headers={
            "content-type": "application/octet-stream",
            "content-range": f"bytes {at}-{at + len(part) - 1}/{len(ciphertext)}"})  # fmt: skip
    done = call(base, "POST", f"/uploads/{start['id']}/complete", {}, token=start["token"])
    return {**start, **done}


def grep_storage(folder: Path, words: tuple[str, ...]) -> list[str]:
    """Every file under `folder` that holds any of `words` (UTF-8, as typed on the phone)."""
    found = []
    needles = [w.encode() for w in words]
    for path in folder.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            found += [f"{path}: {w.decode()}" for w in needles if w in raw]
    return found


def strip_tags(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def qr_y4m(
    rows: list[str], path: Path, width: int = 640, height: int = 480, frames: int = 2
) -> Path:
    """A Y4M video (I420) of the QR `rows` (strings of 0/1, no margin), black on white with a
    quiet zone, for Chromium's `--use-file-for-fake-video-capture`. Written by hand: the
    header, then per frame `FRAME`, the luma plane and two neutral chroma planes."""
    n = len(rows)
    scale = min(width, height) * 8 // 10 // (n + 8)
    side = scale * (n + 8)
    left, top = (width - side) // 2 + 4 * scale, (height - side) // 2 + 4 * scale
    luma = bytearray(b"\xeb" * (width * height))
    for y, row in enumerate(rows):
        for x, bit in enumerate(row):
            if bit == "1":
                for dy in range(scale):
                    at = (top + y * scale + dy) * width + left + x * scale
                    luma[at : at + scale] = b"\x10" * scale
    chroma = b"\x80" * ((width // 2) * (height // 2) * 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(luma)
            out.write(chroma)
    return path
