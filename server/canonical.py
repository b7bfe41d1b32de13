"""One strict JSON reading and one canonical JSON form, for everything that is hashed or signed.

The JS twin is pwa/js/canonical.js; both pass the shared vectors in tests/canonical_vectors.json.

Strict reading (`loads`) accepts RFC 8259 JSON and refuses, with a stable code, what two
parsers could read differently or what cannot be hashed the same way in JS and Python:

- `json_too_deep`: arrays/objects nested deeper than `MAX_DEPTH` (counted on the text, with
  strings skipped, before parsing, so the answer never depends on a parser's recursion limit);
- `json_syntax`: not JSON (also NaN/Infinity, a byte-order mark, raw control characters);
- `json_lone_surrogate`: a `\\uD800`-style escape that is not half of a pair;
- `json_number`: a number that is not a canonical integer: fractions, exponents, `-0`, or
  beyond ±(2**53 - 1) (JavaScript cannot hold it exactly);
- `json_duplicate_key`: an object with the same key twice (readers keep the first or the last).

When a text has several problems the code is the first in the list above, in both languages.

Canonical form (`canonical_json`): RFC 8785 (JCS) restricted to that value set: no
whitespace, object keys sorted by UTF-16 code units, strings escaped as JSON.stringify does
(only `"`, `\\`, and control characters; everything else as UTF-8), integers in plain
decimal. Where JCS would write a fraction or a large number, Cartilla refuses the value.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1

#: The order in which problems are reported when a text has more than one.
CODES = ("json_too_deep", "json_syntax", "json_lone_surrogate", "json_number", "json_duplicate_key")

_DEPTH_TOKENS = re.compile(r'"(?:[^"\\]|\\[\s\S])*"?|[\[\]{}]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class JsonError(ValueError):
    """A text refused by the strict reading or a value with no canonical form."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


def nesting_depth(text: str) -> int:
    """The deepest array/object nesting in `text`, brackets inside strings skipped."""
    depth = deepest = 0
    for match in _DEPTH_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse `data` strictly, or raise JsonError with the first problem's code."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonError("json_syntax", "not UTF-8") from exc
    else:
        text = data
    if nesting_depth(text) > max_depth:
        raise JsonError("json_too_deep", f"more than {max_depth} levels")
    found: set[str] = set()

    def on_int(token: str) -> int:
        if len(token) > 20:  # int() would refuse past 4300 digits; JS cannot hold it anyway
            found.add("json_number")
            return 0
        value = int(token)
        if token == "-0" or abs(value) > MAX_SAFE_INTEGER:
            found.add("json_number")
        return value

    def on_float(token: str) -> float:
        found.add("json_number")
        return 0.0

    def on_constant(token: str) -> None:
        found.add("json_syntax")

    def on_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            found.add("json_duplicate_key")
        for key in result:
            if _SURROGATE.search(key):
                found.add("json_lone_surrogate")
        return result

    try:
        value = json.loads(
            text,
            parse_int=on_int,
            parse_float=on_float,
            parse_constant=on_constant,
            object_pairs_hook=on_object,
        )
    except RecursionError as exc:  # cannot happen below MAX_DEPTH; kept as a guard
        raise JsonError("json_too_deep") from exc
    except (json.JSONDecodeError, ValueError) as exc:
        raise JsonError("json_syntax", str(exc)) from exc
    if _has_lone_surrogate(value):
        found.add("json_lone_surrogate")
    for code in CODES:
        if code in found:
            raise JsonError(code)
    return value


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_SURROGATE.search(value))
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(v) for v in value.values())
    return False


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of `value`, or JsonError for a value that has none."""
    return "".join(_canonical(value, 0)).encode("utf-8")


def _canonical(value: Any, depth: int) -> list[str]:
    if isinstance(value, (list, tuple, dict)) and depth >= MAX_DEPTH:
        raise JsonError("json_too_deep")
    if value is None:
        return ["null"]
    if value is True:
        return ["true"]
    if value is False:
        return ["false"]
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise JsonError("json_number", str(value))
        return [str(value)]
    if isinstance(value, float):
        raise JsonError("json_number", repr(value))
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise JsonError("json_lone_surrogate")
        return [json.dumps(value, ensure_ascii=False)]
    if isinstance(value, (list, tuple)):
        out = ["["]
        for i, item in enumerate(value):
            if i:
                out.append(",")
            out.extend(_canonical(item, depth + 1))
        out.append("]")
        return out
    if isinstance(value, dict):
        out = ["{"]
        for i, key in enumerate(sorted(value, key=_checked_key)):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            out.extend(_canonical(value[key], depth + 1))
        out.append("}")
        return out
    raise JsonError("json_syntax", f"unsupported value {type(value).__name__}")


def _checked_key(key: object) -> bytes:
    if not isinstance(key, str):
        raise JsonError("json_syntax", "object keys must be strings")
    if _SURROGATE.search(key):
        raise JsonError("json_lone_surrogate")
    return _utf16_key(key)
