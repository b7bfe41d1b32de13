"""Reading back the text of a PDF made by fpdf2 with an embedded TrueType font (tests only).

No PDF reader is installed, and what matters is what an officer sees: each `Tj` string of the
page streams is mapped back to Unicode through its font's ToUnicode CMap, in drawing order.
Handles what fpdf2 writes (Identity-H fonts, literal strings, Flate streams), nothing more.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _stream(body: bytes) -> bytes | None:
    found = _STREAM.search(body)
    if not found:
        return None
    raw = found.group(1)
    try:
        return zlib.decompress(raw) if b"/FlateDecode" in body[: found.start()] else raw
    except zlib.error:
        return raw


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The bytes of the literal string starting after '(' at i, and the index after ')'."""
    out = bytearray()
    depth = 0
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            i += 1
            n = data[i]
            if n in _ESCAPES:
                out.append(_ESCAPES[n])
            elif 0x30 <= n <= 0x37:
                digits = data[i : i + 3]
                m = re.match(rb"[0-7]{1,3}", digits)
                assert m
                out.append(int(m.group(0), 8) & 0xFF)
                i += len(m.group(0)) - 1
            elif n in (0x0A, 0x0D):
                pass
            else:
                out.append(n)
        elif c == 0x28:
            depth += 1
            out.append(c)
        elif c == 0x29:
            if depth == 0:
                return bytes(out), i + 1
            depth -= 1
            out.append(c)
        else:
            out.append(c)
        i += 1
    return bytes(out), i


def pieces(pdf: bytes) -> list[str]:
    """Every piece of text drawn, in order, as Unicode."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(pdf)}
    cmaps: dict[str, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            font_obj = objects.get(int(ref), b"")
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_obj)
            if not to_unicode:
                continue
            cmap_data = _stream(objects[int(to_unicode.group(1))]) or b""
            mapping = {
                int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be")
                for a, b in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap_data)
            }
            cmaps[name.decode()] = mapping
    out: list[str] = []
    for body in objects.values():
        if b"/FontFile2" in body or b"/Length1" in body:
            continue
        data = _stream(body)
        if not data or b"Tj" not in data:
            continue
        font: dict[int, str] = {}
        i = 0
        while i < len(data):
            tf = re.compile(rb"/(F\d+) [\d.]+ Tf").match(data, i)
            if tf:
                font = cmaps.get(tf.group(1).decode(), {})
                i = tf.end()
                continue
            if data[i] == 0x28:
                raw, i = _literal(data, i + 1)
                codes = [int.from_bytes(raw[k : k + 2], "big") for k in range(0, len(raw) - 1, 2)]
                out.append("".join(font.get(code, "\ufffd") for code in codes))
                continue
            i += 1
    return out


def text(pdf: bytes) -> str:
    """All the text, pieces joined by single spaces (wrapped lines read as one)."""
    return re.sub(r"\s+", " ", " ".join(pieces(pdf)))
