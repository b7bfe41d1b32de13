"""Rendering a guide's Markdown body to safe HTML, and the facts `cartilla check` needs from it.

Uses markdown-it-py's `js-default` preset, so raw HTML is escaped and unsafe link schemes
(javascript:, vbscript:, file:, most data:) are refused. Heading anchors are ASCII slugs, so
an anchor reads the same in every translation and is easy to type in a link. Links to other
guides are written by advocates as file links (`minimum-wage.es.md#overtime`) and rendered
as app links (`#/guide/minimum-wage/overtime`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin

GUIDE_LINK_RE = re.compile(
    r"^(?:\./)?(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-zA-Z0-9-]+)\.md(?:#(?P<anchor>.*))?$"
)
RAW_HTML_RE = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9-]*[\s/>]|/[a-zA-Z]|!--)")


def slugify(text: str) -> str:
    """ASCII heading slug: 'Horas extra (overtime)' -> 'horas-extra-overtime'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def plain_text(text: str) -> str:
    """Lower-case text with accents removed, for accent-insensitive matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass
class GuideLink:
    """A link from one guide to another, found while rendering."""

    target_id: str
    target_lang: str
    anchor: str
    line: int


@dataclass
class Rendered:
    """A rendered guide body and what was learnt while rendering it."""

    html: str
    text: str
    anchors: list[str] = field(default_factory=list)
    guide_links: list[GuideLink] = field(default_factory=list)
    raw_html_lines: list[int] = field(default_factory=list)
    refused_links: list[tuple[int, str]] = field(default_factory=list)


def _link_open(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    m = GUIDE_LINK_RE.match(href)
    if m:
        target = f"#/guide/{m['id']}" + (f"/{m['anchor']}" if m["anchor"] else "")
        token.attrSet("href", target)
        token.attrSet("data-guide", m["id"])
    elif href.startswith(("http://", "https://")):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _make_md() -> MarkdownIt:
    md = (
        MarkdownIt("js-default", {"linkify": True, "typographer": False})
        .enable(["linkify", "table", "strikethrough"])
        .use(anchors_plugin, min_level=1, max_level=3, slug_func=slugify)
    )
    md.add_render_rule("link_open", _link_open)
    return md


_MD = _make_md()


def _walk(tokens: Sequence[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        if token.children:
            out.extend(_walk(token.children))
    return out


def render_markdown(body: str, body_line: int = 1) -> Rendered:
    """Render `body` (which starts at file line `body_line`) to safe HTML."""
    env: dict[str, Any] = {}
    tokens = _MD.parse(body, env)
    result = Rendered(html="", text="")
    texts: list[str] = []
    current_line = body_line
    for token in _walk(tokens):
        if token.map:
            current_line = body_line + token.map[0]
        if token.type in ("html_block", "html_inline") or (
            token.type == "text" and RAW_HTML_RE.search(token.content)
        ):
            result.raw_html_lines.append(current_line)
        if token.type == "heading_open" and token.attrGet("id"):
            result.anchors.append(str(token.attrGet("id")))
        if token.type == "text":
            texts.append(token.content)
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            m = GUIDE_LINK_RE.match(href)
            if m:
                result.guide_links.append(
                    GuideLink(m["id"], m["lang"], m["anchor"] or "", current_line)
                )
    # Links markdown-it refused stay as literal "[text](url)"; find them so check can say so.
    for offset, line in enumerate(body.splitlines()):
        for bad in re.findall(r"\]\(\s*((?:javascript|vbscript|file|data):[^)]*)\)", line, re.I):
            result.refused_links.append((body_line + offset, bad))
    result.html = _MD.renderer.render(tokens, _MD.options, env)
    result.text = " ".join(texts)
    return result
