"""`cartilla check`: an advocate is told the file, the line and the field of each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import git

from server.cli import main
from server.config import PROJECT_ROOT
from server.content.check import load_content


def problems(root: Path, check_git: bool = False) -> list[str]:
    return [str(p) for p in load_content(root, check_git=check_git).errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_fixture_content_is_clean_but_reports_a_stale_translation(content_dir: Path) -> None:
    cs = load_content(content_dir, check_git=False)
    assert cs.errors == []
    assert [str(w) for w in cs.warnings] == [
        "guides/basic-rights.en.md:19: warning [translation_of.version]: stale translation: "
        "it translates version 1 of guides/basic-rights.es.md, which is now at version 2"
    ]


def test_wrong_type_names_file_line_and_field(content_dir: Path) -> None:
    edit(content_dir / "guides/overtime.es.md", "version: 1", "version: 1.10")
    assert problems(content_dir) == [
        "guides/overtime.es.md:6: error [version]: expected a whole number here, "
        "but found a number with decimals"
    ]


def test_missing_field_and_unknown_value(content_dir: Path) -> None:
    path = content_dir / "guides/h2a-basics.es.md"
    edit(path, "review_status: draft\n", "")
    assert problems(content_dir) == [
        "guides/h2a-basics.es.md:2: error [review_status]: the required field "
        "'review_status' is missing"
    ]
    edit(path, "reviewed: 2026-11-01\n", "reviewed: 2026-11-01\nreview_status: maybe\n")
    assert problems(content_dir) == [
        "guides/h2a-basics.es.md:8: error [review_status]: 'maybe' is not one of the allowed values"
    ]


def test_nested_field_line(content_dir: Path) -> None:
    edit(content_dir / "guides/overtime.es.md", "url: https://www.dir.ca.gov/dlse/", "url: ftp://x")
    assert problems(content_dir) == [
        "guides/overtime.es.md:16: error [sources[0].url]: this text does not have the right "
        "form (an https:// URL)"
    ]


def test_duplicate_id_and_lang(content_dir: Path) -> None:
    src = content_dir / "guides/overtime.es.md"
    (content_dir / "guides/copy").mkdir()
    (content_dir / "guides/copy/overtime.es.md").write_text(src.read_text())
    found = problems(content_dir)
    assert any("another guide already has id 'overtime' in language 'es'" in p for p in found), (
        found
    )


def test_broken_link_and_anchor(content_dir: Path) -> None:
    path = content_dir / "guides/basic-rights.es.md"
    edit(path, "(overtime.es.md#horas-extra)", "(overtime.es.md#no-such-heading)")
    assert problems(content_dir) == [
        "guides/basic-rights.es.md:22: error [body]: broken link: overtime.es.md has no "
        "heading '#no-such-heading'"
    ]
    edit(path, "(overtime.es.md#no-such-heading)", "(missing.es.md)")
    assert problems(content_dir) == [
        "guides/basic-rights.es.md:22: error [body]: broken link: there is no guide missing.es.md"
    ]


def test_raw_html_and_unsafe_links_are_errors(content_dir: Path) -> None:
    path = content_dir / "guides/h2a-basics.es.md"
    path.write_text(path.read_text() + "\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n")
    found = problems(content_dir)
    assert (
        "guides/h2a-basics.es.md:21: error [body]: raw HTML is not allowed in guides; use Markdown"
        in found
    )
    assert any("this link is not allowed: javascript:alert(1" in p for p in found)


def test_guide_without_sources(content_dir: Path) -> None:
    path = content_dir / "guides/h2a-basics.es.md"
    text = path.read_text()
    start = text.index("sources:")
    path.write_text(text[:start] + "sources: []\n---\n# H-2A\n")
    assert problems(content_dir) == [
        "guides/h2a-basics.es.md:13: error [sources]: a guide must cite at least one source "
        "(title and https URL)"
    ]


def test_data_file_errors_name_the_record(content_dir: Path) -> None:
    edit(content_dir / "data/triage.yaml", "agency: whd", "agency: nobody")
    edit(content_dir / "data/agencies.yaml", "en: Minimum wage and overtime.}", "}")
    assert problems(content_dir) == [
        "data/agencies.yaml:9: error [agencies[0].what_it_does]: text must be given in "
        "Spanish and English; missing: en",
        "data/triage.yaml:9: error [problems[0].routes[0].agency]: no agency with id 'nobody' "
        "in data/agencies.yaml",
    ]


def test_body_changed_without_version_bump(content_dir: Path) -> None:
    git(content_dir, "init", "-q")
    git(content_dir, "add", ".")
    git(content_dir, "commit", "-qm", "start")
    path = content_dir / "guides/overtime.es.md"
    edit(path, "más de 8 al día", "más de 8 horas al día")
    assert problems(content_dir, check_git=True) == [
        "guides/overtime.es.md:6: error [version]: the guide changed since the last commit but "
        "its version is still 1; raise it to 2"
    ]
    edit(path, "version: 1", "version: 2")
    assert problems(content_dir, check_git=True) == []


def test_cli_exit_codes(content_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(content_dir), "--no-git"]) == 0
    edit(content_dir / "guides/overtime.es.md", "kind: state", "kind: county")
    assert main(["check", "--content", str(content_dir), "--no-git"]) == 1
    err = capsys.readouterr().err
    assert "guides/overtime.es.md:9: error [kind]: 'county' is not one of the allowed values" in err


def test_exported_schemas_are_current() -> None:
    """content/schema/*.json must match the Structs; run `cartilla schemas` to refresh."""
    from server.content.schema import SCHEMAS, schema_json

    for name, struct in SCHEMAS.items():
        path = PROJECT_ROOT / "content" / "schema" / name
        assert path.exists(), f"{path} missing: run `cartilla schemas`"
        assert path.read_bytes() == schema_json(struct), f"{path} is stale: run `cartilla schemas`"


def test_real_content_passes_check() -> None:
    cs = load_content(PROJECT_ROOT / "content", check_git=False)
    assert [str(p) for p in cs.errors] == []


STATE_DEADLINE = """      - agency: state:wages
        state_deadlines:
          TX:
            days: 180
            text: {es: 180 días desde el día de pago., en: 180 days from payday.}
            source:
              title: TWC, Texas Payday Law
              url: https://www.twc.texas.gov/programs/wage-and-hour/texas-payday-law
"""


def test_state_deadlines_validate_and_name_the_state(content_dir: Path) -> None:
    """A route's per-state deadline is checked like any deadline, and its key must be a state."""
    path = content_dir / "data/triage.yaml"
    edit(path, "      - agency: state:wages\n", STATE_DEADLINE)
    assert problems(content_dir) == []
    edit(path, ", en: 180 days from payday.}", "}")
    assert problems(content_dir) == [
        "data/triage.yaml:14: error [problems[0].routes[1].state_deadlines.TX.text]: text must "
        "be given in Spanish and English; missing: en"
    ]
    edit(path, "          TX:", "          XX:")
    edit(path, "{es: 180 días desde el día de pago.}", "{es: 180 días, en: 180 days}")
    assert problems(content_dir) == [
        "data/triage.yaml:12: error [problems[0].routes[1].state_deadlines.XX]: 'XX' is not one "
        "of the allowed keys (a two-letter state code such as TX or CA)"
    ]
