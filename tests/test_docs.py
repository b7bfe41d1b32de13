"""The docs stay current: every command and every content file kind is documented."""

from __future__ import annotations

import argparse

from server.cli import build_parser
from server.config import PROJECT_ROOT
from server.content.schema import DATA_FILES, GuideFrontMatter


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_every_command_is_in_the_readme_with_help() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in _commands():
        assert f"cartilla {name}" in readme, f"README.md does not document `cartilla {name}`"
        assert sub.choices[name].description or any(
            a.dest == name and a.help for a in sub._choices_actions
        ), f"`cartilla {name}` has no help text"


def test_readme_shows_the_two_setup_commands() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "scripts/serve" in readme and "scripts/test" in readme


def test_content_doc_covers_every_field_and_data_file() -> None:
    doc = (PROJECT_ROOT / "docs" / "content.md").read_text()
    for name in DATA_FILES:
        assert f"`{name}`" in doc, f"docs/content.md does not describe {name}"
    for field in GuideFrontMatter.__struct_fields__:
        assert f"{field}:" in doc, f"docs/content.md does not show the field `{field}`"
