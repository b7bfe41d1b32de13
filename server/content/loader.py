"""Reading content files: guides (front matter + Markdown body) and YAML data files.

Owns turning bytes on disk into validated Structs, and turning every problem into a
`Problem` that names the file, the line and the field in plain words, because advocates
fix content from these messages alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from server.content.schema import GuideFrontMatter

T = TypeVar("T", bound=msgspec.Struct)

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content. `level` is `error` (blocks publishing) or `warning`."""

    path: str
    line: int
    message: str
    field: str = ""
    level: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        what = f" [{self.field}]" if self.field else ""
        return f"{where}: {self.level}{what}: {self.message}"


@dataclass
class Guide:
    """A guide file as read from disk: validated front matter, its Markdown body and where."""

    path: str
    front: GuideFrontMatter
    body: str
    body_line: int  # the 1-based line where the Markdown body starts
    raw: bytes = field(repr=False)


class ContentError(Exception):
    """A file could not be read into its Struct; `problems` says why, with lines."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _yaml_line_of(text: str, path: str) -> int:
    """The 1-based line (within `text`) of the YAML node at a msgspec error path like
    `$.sources[0].url`, or of the nearest parent that exists."""
    try:
        node: Any = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return 1
    if node is None:
        return 1
    line = int(node.start_mark.line) + 1
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path.removeprefix("$")):
        key, index = part
        if key and isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    line = int(k.start_mark.line) + 1
                    node = v
                    break
            else:
                return line
        elif index and isinstance(node, yaml.SequenceNode) and int(index) < len(node.value):
            node = node.value[int(index)]
            line = int(node.start_mark.line) + 1
        else:
            return line
    return line


_FIELD_RE = re.compile(r" - at `(\$[^`]*)`$")
# A bad key in a map, e.g. `state_deadlines: {XX: ...}`: msgspec says "- at `key` in `$...`".
_KEY_RE = re.compile(r"^Invalid enum value '(.*)' - at `key` in `(\$[^`]*)`$")
KEY_HINTS = {"state_deadlines": "a two-letter state code such as TX or CA"}


TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number with decimals",
    "str": "text",
    "bool": "true or false",
    "array": "a list",
    "object": "a set of fields",
    "null": "nothing",
    "date": "a date (YYYY-MM-DD)",
}
PATTERN_HINTS = [
    ("https://", "an https:// URL"),
    ("[a-z0-9]+(-[a-z0-9]+)*", "lower-case letters, digits and single hyphens, like wage-theft"),
    ("[a-z]{2,3}", "a language code such as es, en or mix"),
    ("\\+?[0-9]", "a phone number such as 1-866-487-9243"),
]


def _plain(message: str) -> str:
    """msgspec's messages, said in plainer words for advocates."""
    m = re.match(r"^Expected `(\w+)`, got `(\w+)`$", message)
    if m:
        want, got = (TYPE_WORDS.get(x, x) for x in m.groups())
        return f"expected {want} here, but found {got}"
    m = re.match(r"^Expected `str` matching regex '(.*)'$", message)
    if m:
        hint = next((h for key, h in PATTERN_HINTS if key in m.group(1)), "")
        return "this text does not have the right form" + (f" ({hint})" if hint else "")
    replacements = [
        (r"^Object missing required field `(.+)`$", r"the required field '\1' is missing"),
        (r"^Object contains unknown field `(.+)`$", r"'\1' is not a field this file can have"),
        (r"^Invalid enum value '(.*)'$", r"'\1' is not one of the allowed values"),
        (r"^Expected `int` >= (\d+)$", r"must be a whole number of at least \1"),
        (r"^Expected `array` of length >= (\d+)$", r"needs at least \1 item(s)"),
        (r"^Invalid RFC3339 encoded date$", "is not a date; write it as YYYY-MM-DD"),
    ]
    for pattern, repl in replacements:
        new = re.sub(pattern, repl, message)
        if new != message:
            return new
    return message


def decode_yaml(text: str, struct: type[T], path: str, line_offset: int = 0) -> T:
    """Decode YAML `text` into `struct`, or raise ContentError naming the line and field."""
    try:
        return msgspec.yaml.decode(text.encode("utf-8"), type=struct, strict=True)
    except msgspec.ValidationError as exc:
        msg = str(exc)
        bad_key = _KEY_RE.match(msg)
        if bad_key:
            key, parent = bad_key.groups()
            hint = KEY_HINTS.get(parent.rsplit(".", 1)[-1])
            message = f"'{key}' is not one of the allowed keys" + (f" ({hint})" if hint else "")
            line = _yaml_line_of(text, f"{parent}.{key}") + line_offset
            field_name = f"{parent}.{key}".removeprefix("$.")
            raise ContentError([Problem(path, line, message, field=field_name)]) from None
        m = _FIELD_RE.search(msg)
        field_path = m.group(1) if m else "$"
        base = _FIELD_RE.sub("", msg)
        missing = re.match(r"^Object missing required field `(.+)`$", base)
        field_name = field_path.removeprefix("$").lstrip(".")
        if missing:
            field_name = (field_name + "." if field_name else "") + missing.group(1)
        line = _yaml_line_of(text, field_path) + line_offset
        raise ContentError(
            [Problem(path, line, _plain(base), field=field_name or "(top level)")]
        ) from None
    except msgspec.DecodeError as exc:
        line = line_offset + 1
        mark = getattr(exc.__cause__, "problem_mark", None)
        if mark is not None:
            line = int(mark.line) + 1 + line_offset
        detail = str(exc.__cause__ or exc).splitlines()[0]
        raise ContentError([Problem(path, line, f"this is not valid YAML: {detail}")]) from None


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split a guide into (front matter YAML, Markdown body, body's first line), or None."""
    m = FRONT_MATTER_RE.match(text)
    if not m:
        return None
    front = m.group(1) or ""
    body = text[m.end() :]
    body_line = text[: m.end()].count("\n") + 1
    return front, body, body_line


def parse_guide(raw: bytes, path: str) -> Guide:
    """Read one guide file's bytes into a Guide, or raise ContentError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(
            [Problem(path, 1, f"the file is not UTF-8 text (byte {exc.start})")]
        ) from None
    parts = split_front_matter(text.replace("\r\n", "\n"))
    if parts is None:
        raise ContentError(
            [Problem(path, 1, "the guide must start with front matter between two '---' lines")]
        )
    front_text, body, body_line = parts
    front = decode_yaml(front_text, GuideFrontMatter, path, line_offset=1)
    return Guide(path=path, front=front, body=body, body_line=body_line, raw=raw)


def load_guide(path: Path, root: Path) -> Guide:
    """Read the guide at `path`; messages name it relative to `root`."""
    return parse_guide(path.read_bytes(), path.relative_to(root).as_posix())


def guide_paths(content_dir: Path) -> list[Path]:
    """Every guide file, in a stable order."""
    return sorted((content_dir / "guides").glob("**/*.md"))
