"""The envelope: the padded plaintext inside an Entrega age file (docs/entrega.md).

    cartilla-entrega/1\n
    {"name":"cartilla-evidence-2026-12-02.zip","size":123456}\n   (canonical JSON)
    <size bytes of the bundle ZIP>
    <NUL bytes up to the bucket>

Padding to a bucket means the relay learns only the bucket, not the bundle's size. Reading
is strict: anything but exactly this shape is refused, with the reason in Spanish and English.
"""

from __future__ import annotations

import json
import re

MAGIC = b"cartilla-entrega/1\n"
KIB = 1024
MIB = 1024 * KIB
#: 64 KiB doubling to 32 MiB, then a last bucket of 48 MiB.
BUCKETS: tuple[int, ...] = (*(64 * KIB << i for i in range(10)), 48 * MIB)
MAX_PLAINTEXT = BUCKETS[-1]

#: age v1's STREAM payload: a 16-byte nonce, then 64 KiB chunks each with a 16-byte tag.
AGE_CHUNK = 64 * KIB
AGE_TAG = 16
AGE_NONCE = 16
#: Room for the age header: a stanza per recipient (a few during a key rotation) and the
#: "grease" stanzas some implementations (rage, so pyrage) add, plus the MAC line.
AGE_HEADER_ALLOWANCE = 8 * KIB


def age_payload_size(plaintext: int) -> int:
    """Bytes of age's payload for `plaintext` bytes (the last chunk may be full, never empty
    unless the plaintext is)."""
    chunks = max(1, -(-plaintext // AGE_CHUNK))
    return AGE_NONCE + plaintext + chunks * AGE_TAG


#: The largest ciphertext the relay accepts: the 48 MiB bucket, encrypted, with header room.
MAX_CIPHERTEXT = age_payload_size(MAX_PLAINTEXT) + AGE_HEADER_ALLOWANCE
#: Every age v1 file starts with this line; the relay checks it on completing an upload.
AGE_FIRST_LINE = b"age-encryption.org/v1\n"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.zip")
MAX_NAME = 100


class EnvelopeError(ValueError):
    """An envelope that is not what the phone makes, said in Spanish and English."""

    def __init__(self, code: str, es: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.es = es
        self.en = en


def bucket_for(length: int) -> int:
    """The smallest bucket that holds `length` plaintext bytes, or EnvelopeError."""
    for bucket in BUCKETS:
        if length <= bucket:
            return bucket
    raise EnvelopeError(
        "too_large",
        "El paquete es demasiado grande para enviarlo (máximo 48 MiB); guarde el archivo.",
        "The bundle is too large to send (at most 48 MiB); save the file instead.",
    )


def header_line(name: str, size: int) -> bytes:
    """The canonical JSON header line (keys sorted, no spaces) and its newline."""
    return json.dumps({"name": name, "size": size}, separators=(",", ":")).encode() + b"\n"


def check_name(name: str) -> None:
    if len(name) > MAX_NAME or not _NAME.fullmatch(name):
        raise EnvelopeError(
            "bad_name",
            "El nombre del archivo dentro del sobre no es válido (letras, números, . _ -; "
            "termina en .zip).",
            "The file name inside the envelope is not valid (letters, digits, . _ -; "
            "ending in .zip).",
        )


def make(name: str, bundle: bytes) -> bytes:
    """The padded plaintext for `bundle` called `name`."""
    check_name(name)
    if not bundle:
        raise EnvelopeError("empty", "El paquete está vacío.", "The bundle is empty.")
    body = MAGIC + header_line(name, len(bundle)) + bundle
    return body + b"\0" * (bucket_for(len(body)) - len(body))


def read(plaintext: bytes) -> tuple[str, bytes]:
    """(name, bundle) from a decrypted envelope, or EnvelopeError saying what is wrong."""
    if not plaintext.startswith(MAGIC):
        raise EnvelopeError(
            "bad_magic",
            "Este archivo no es un sobre de Cartilla (falta la primera línea).",
            "This file is not a Cartilla envelope (the first line is missing).",
        )
    end = plaintext.find(b"\n", len(MAGIC), len(MAGIC) + 512)
    bad_header = EnvelopeError(
        "bad_header",
        "La cabecera del sobre no es válida.",
        "The envelope's header is not valid.",
    )
    if end < 0:
        raise bad_header
    line = plaintext[len(MAGIC) : end + 1]
    try:
        header = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise bad_header from None
    if (
        not isinstance(header, dict)
        or set(header) != {"name", "size"}
        or not isinstance(header["name"], str)
        or type(header["size"]) is not int
    ):
        raise bad_header
    name, size = header["name"], header["size"]
    check_name(name)
    if header_line(name, size) != line:  # strict canonical JSON: one way to write it
        raise bad_header
    start = end + 1
    if size <= 0 or start + size > len(plaintext):
        raise EnvelopeError(
            "bad_size",
            "El tamaño que dice la cabecera no coincide con el contenido.",
            "The size in the header does not match the content.",
        )
    padding = plaintext[start + size :]
    if padding.count(0) != len(padding):
        raise EnvelopeError(
            "bad_padding",
            "El relleno del sobre no es válido (tiene bytes que no son cero).",
            "The envelope's padding is not valid (it has non-zero bytes).",
        )
    return name, plaintext[start : start + size]
