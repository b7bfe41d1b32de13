"""`cartilla check`: everything that must be true of `content/` before it reaches a phone.

Owns the rules beyond the schema: file names, duplicate (id, lang), links and anchors
between guides, raw HTML, sources, translations (missing source, stale), version bumps
against git HEAD, and cross-references inside the data files. Each problem names the file,
the line and the field. Errors block a build; warnings (a stale translation) do not.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from server.content.loader import (
    ContentError,
    Guide,
    Problem,
    _yaml_line_of,
    decode_yaml,
    guide_paths,
    parse_guide,
)
from server.content.render import Rendered, render_markdown
from server.content.schema import (
    DATA_FILES,
    LAW_FIELDS,
    PRIMARY_LANGUAGES,
    AgenciesFile,
    ConsulatesFile,
    DataFileHeader,
    ScheduledChange,
    TriageFile,
    WageJurisdiction,
    WageRulesFile,
)


@dataclass
class ContentSet:
    """Everything read from a content folder, with the problems found on the way."""

    root: Path
    guides: list[Guide] = field(default_factory=list)
    rendered: dict[str, Rendered] = field(default_factory=dict)  # by guide path
    data: dict[str, DataFileHeader] = field(default_factory=dict)  # by file name
    data_text: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # guide file names that failed to parse

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def git_head_file(root: Path, path: Path) -> bytes | None:
    """The bytes of `path` at git HEAD, or None when there is no git, no HEAD or no file."""
    try:
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        rel = path.resolve().relative_to(Path(top).resolve()).as_posix()
        out = subprocess.run(
            ["git", "-C", top, "show", f"HEAD:{rel}"], capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return out.stdout


def _walk_localized(value: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every Localized dict (language -> text) inside a decoded data file, with its path."""
    if isinstance(value, msgspec.Struct):
        for f in msgspec.structs.fields(value):
            item = getattr(value, f.name)
            # An empty map of records (e.g. `state_deadlines: {}`) is not an empty Localized.
            if item == {} and f.default_factory is dict:
                continue
            yield from _walk_localized(item, f"{path}.{f.name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_localized(item, f"{path}[{i}]")
    elif (
        isinstance(value, dict)
        and value
        and all(isinstance(v, msgspec.Struct) for v in value.values())
    ):
        for key, item in value.items():
            yield from _walk_localized(item, f"{path}.{key}")
    elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        yield path, value


def _check_localized(name: str, text: str, value: Any, problems: list[Problem]) -> None:
    for path, loc in _walk_localized(value, "$"):
        missing = [lang for lang in PRIMARY_LANGUAGES if lang not in loc]
        if missing:
            problems.append(
                Problem(
                    f"data/{name}",
                    _yaml_line_of(text, path),
                    f"text must be given in Spanish and English; missing: {', '.join(missing)}",
                    field=path.removeprefix("$."),
                )
            )


def _check_data(cs: ContentSet, as_of: dt.date | None = None) -> None:
    for name, struct in DATA_FILES.items():
        path = cs.root / "data" / name
        rel = f"data/{name}"
        if not path.exists():
            cs.problems.append(Problem(rel, 1, "this data file is missing"))
            continue
        text = path.read_text(encoding="utf-8")
        try:
            value = decode_yaml(text, struct, rel)
        except ContentError as exc:
            cs.problems.extend(exc.problems)
            continue
        cs.data[name] = value
        cs.data_text[name] = text
        _check_localized(name, text, value, cs.problems)

    agencies = cs.data.get("agencies.yaml")
    if isinstance(agencies, AgenciesFile):
        _unique_ids(cs, "agencies.yaml", "agencies", [a.id for a in agencies.agencies])
    consulates = cs.data.get("consulates.yaml")
    if isinstance(consulates, ConsulatesFile):
        _unique_ids(cs, "consulates.yaml", "consulates", [c.id for c in consulates.consulates])
        _check_consulate_phones(cs, consulates)
        _check_entrega_keys(cs, consulates)
    wage_rules = cs.data.get("wage_rules.yaml")
    if isinstance(wage_rules, WageRulesFile):
        _check_wage_law(cs, wage_rules)
        if as_of is not None:
            _check_wage_freshness(cs, wage_rules, as_of)
    triage = cs.data.get("triage.yaml")
    if isinstance(triage, TriageFile):
        _unique_ids(cs, "triage.yaml", "problems", [p.id for p in triage.problems])
        known = {a.id for a in agencies.agencies} if isinstance(agencies, AgenciesFile) else None
        guide_ids = {g.front.id for g in cs.guides}
        text = cs.data_text["triage.yaml"]
        for i, problem in enumerate(triage.problems):
            for j, route in enumerate(problem.routes):
                if route.agency.startswith("state:") or known is None or route.agency in known:
                    continue
                where = f"$.problems[{i}].routes[{j}].agency"
                cs.problems.append(
                    Problem(
                        "data/triage.yaml",
                        _yaml_line_of(text, where),
                        f"no agency with id '{route.agency}' in data/agencies.yaml",
                        field=where.removeprefix("$."),
                    )
                )
            for j, gid in enumerate(problem.guides):
                if gid not in guide_ids:
                    where = f"$.problems[{i}].guides[{j}]"
                    cs.problems.append(
                        Problem(
                            "data/triage.yaml",
                            _yaml_line_of(text, where),
                            f"no guide with id '{gid}' in guides/",
                            field=where.removeprefix("$."),
                        )
                    )


def _law_filled(j: WageJurisdiction, name: str) -> bool:
    """Whether a state's rules fill a law field in the field the check reads."""
    ot = j.overtime
    if name == "pay_frequency":
        return j.pay_frequency_days_max is not None
    if name == "day_of_rest":
        return any(s.seventh_day for s in [*ot.general, *ot.agriculture, *ot.domestic])
    if name == "farm_exemptions":
        cov = j.minimum_wage_coverage
        excluded = cov is not None and "agriculture" in cov.excludes_industries
        return bool(ot.agriculture) or excluded
    if name == "regional_minimum_wage":
        return bool(j.regional_minimum_wage)
    return bool(ot.general)  # overtime


def _check_wage_law(cs: ContentSet, rules: WageRulesFile) -> None:
    """Every state's rules say every field the law sets (LAW_FIELDS): filled where the check
    reads it, or told in `law` (a rule in words, or `none_in_law: true`) with a source."""
    text = cs.data_text["wage_rules.yaml"]
    for i, j in enumerate(rules.jurisdictions):
        if j.id == "federal":
            continue
        where = f"$.jurisdictions[{i}]"
        for name in LAW_FIELDS:
            if _law_filled(j, name) or name in j.law:
                continue
            cs.problems.append(
                Problem(
                    "data/wage_rules.yaml",
                    _yaml_line_of(text, f"{where}.id"),
                    f"{j.id}: '{name}' is missing: fill it, or say in law.{name} what the law "
                    "sets (or none_in_law: true), with a source",
                    field=f"jurisdictions[{i}].law.{name}",
                )
            )
        if j.pay_frequency_days_max is not None and j.pay_frequency_source is None:
            cs.problems.append(
                Problem(
                    "data/wage_rules.yaml",
                    _yaml_line_of(text, f"{where}.pay_frequency_days_max"),
                    f"{j.id}: pay_frequency_days_max needs a pay_frequency_source",
                    field=f"jurisdictions[{i}].pay_frequency_source",
                )
            )
        for name, rule in j.law.items():
            if rule.none_in_law and _law_filled(j, name):
                cs.problems.append(
                    Problem(
                        "data/wage_rules.yaml",
                        _yaml_line_of(text, f"{where}.law.{name}"),
                        f"{j.id}: law.{name} says none_in_law, but the rules fill {name}",
                        field=f"jurisdictions[{i}].law.{name}",
                    )
                )


#: How long before a scheduled change with no figure `cartilla check --as-of` starts warning.
FRESHNESS_WARN_DAYS = 60
#: An AEWR is set for a year (server/wages/rules.py AEWR_VALID_DAYS): older, it is missing.
AEWR_VALID_DAYS = 365


def _occurrences(change: ScheduledChange, until: dt.date) -> list[dt.date]:
    """The dates a scheduled change happens on, up to `until` (a yearly one, every year)."""
    if not change.yearly:
        return [change.effective]
    out: list[dt.date] = []
    year = change.effective.year
    while year <= until.year:
        day = min(change.effective.day, 28 if change.effective.month == 2 else 31)
        out.append(change.effective.replace(year=year, day=day))
        year += 1
    return out


def _figure_dates(j: WageJurisdiction, field_name: str) -> list[dt.date]:
    if field_name == "minimum_wage":
        return [r.effective for r in j.minimum_wage]
    if field_name == "tipped_cash_wage":
        return [r.effective for r in j.tipped_cash_wage]
    return [r.effective for region in j.regional_minimum_wage for r in region.rates]


def _check_wage_freshness(cs: ContentSet, rules: WageRulesFile, as_of: dt.date) -> None:
    """`cartilla check --as-of DATE`: a scheduled change whose figure is not in the data warns
    60 days ahead and is an error once in force; a state with no AEWR in force (none, or older
    than a year) is an error (the check would have no AEWR for work on that date)."""
    text = cs.data_text["wage_rules.yaml"]
    horizon = as_of + dt.timedelta(days=FRESHNESS_WARN_DAYS)
    for i, j in enumerate(rules.jurisdictions):
        for k, change in enumerate(j.scheduled_changes):
            where = f"$.jurisdictions[{i}].scheduled_changes[{k}]"
            have = _figure_dates(j, change.field)
            for day in _occurrences(change, horizon):
                if day > horizon or any(d >= day for d in have):
                    continue
                in_force = day <= as_of
                state = "in force since" if in_force else "scheduled for"
                cs.problems.append(
                    Problem(
                        "data/wage_rules.yaml",
                        _yaml_line_of(text, where),
                        f"{j.id}: the {change.field} {state} {day.isoformat()} is not in the data"
                        f" (as of {as_of.isoformat()}); add it with its source",
                        field=where.removeprefix("$."),
                        level="error" if in_force else "warning",
                    )
                )
        dates = [r.effective for r in j.aewr] + [a.effective for a in j.aewr_skill]
        past = [d for d in dates if d <= as_of]
        # Every state has an H-2A AEWR (federal has none of its own).
        if j.id != "federal" and (not past or (as_of - max(past)).days > AEWR_VALID_DAYS):
            where = f"$.jurisdictions[{i}].aewr"
            latest = max(past).isoformat() if past else "none"
            cs.problems.append(
                Problem(
                    "data/wage_rules.yaml",
                    _yaml_line_of(text, where),
                    f"{j.id}: no AEWR in force on {as_of.isoformat()} (latest: {latest}); add "
                    "the current year's rates with their source",
                    field=where.removeprefix("$."),
                )
            )


#: Hosts whose pages count as official for a consulate's facts (the SRE and its sites).
OFFICIAL_CONSULAR_HOSTS = ("sre.gob.mx", "gob.mx")


def _official(url: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_CONSULAR_HOSTS)


def _check_consulate_phones(cs: ContentSet, consulates: ConsulatesFile) -> None:
    """A consulate phone reaches a phone only with its source; a secondary one says "confirme".

    A wrong number is worse than none (design principle 6), so a number without the page that
    gives it is an error, and a number only a non-SRE page gives must carry `confirm: true`
    so the app marks it.
    """
    text = cs.data_text["consulates.yaml"]
    for i, consulate in enumerate(consulates.consulates):
        for j, phone in enumerate(consulate.phones):
            where = f"$.consulates[{i}].phones[{j}]"
            message = None
            if phone.source is None:
                message = (
                    f"the phone {phone.number} of '{consulate.id}' has no source: add the page "
                    "that gives it, or remove the number"
                )
                where += ".source"
            elif not _official(phone.source.url) and not phone.confirm:
                message = (
                    f"the phone {phone.number} of '{consulate.id}' comes only from a secondary "
                    f"page ({phone.source.url}): set confirm: true so the app says to confirm it"
                )
                where += ".confirm"
            if message:
                cs.problems.append(
                    Problem(
                        "data/consulates.yaml",
                        _yaml_line_of(text, f"$.consulates[{i}].phones[{j}]"),
                        message,
                        field=where.removeprefix("$."),
                    )
                )


def _check_entrega_keys(cs: ContentSet, consulates: ConsulatesFile) -> None:
    """An office's Entrega key must be a real age recipient whose fingerprint matches.

    The fingerprint is what an officer reads aloud to confirm the key; a wrong one would
    confirm nothing. Dates must make a non-empty validity period.
    """
    import pyrage

    from server.entrega.codes import fingerprint

    text = cs.data_text["consulates.yaml"]
    for i, consulate in enumerate(consulates.consulates):
        for j, key in enumerate(consulate.entrega_keys):
            where = f"$.consulates[{i}].entrega_keys[{j}]"
            problems: list[tuple[str, str]] = []
            try:
                pyrage.x25519.Recipient.from_str(key.recipient)
            except (pyrage.RecipientError, ValueError):
                problems.append((".recipient", f"the Entrega key of '{consulate.id}' is not an "
                                 "age X25519 recipient (age1...)"))  # fmt: skip
            else:
                expected = fingerprint(key.recipient)
                if key.fingerprint != expected:
                    problems.append((".fingerprint", f"the fingerprint of the Entrega key of "
                                     f"'{consulate.id}' does not match its recipient: it is "
                                     f"{expected}"))  # fmt: skip
            if key.valid_from >= key.valid_until:
                problems.append((".valid_until", f"the Entrega key of '{consulate.id}' must have "
                                 "valid_from before valid_until"))  # fmt: skip
            for suffix, message in problems:
                cs.problems.append(
                    Problem(
                        "data/consulates.yaml",
                        _yaml_line_of(text, where),
                        message,
                        field=(where + suffix).removeprefix("$."),
                    )
                )


def _unique_ids(cs: ContentSet, name: str, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            where = f"$.{key}[{i}].id"
            cs.problems.append(
                Problem(
                    f"data/{name}",
                    _yaml_line_of(cs.data_text[name], where),
                    f"the id '{item_id}' is used twice",
                    field=where.removeprefix("$."),
                )
            )
        seen.add(item_id)


def _front_line(guide: Guide, field_path: str) -> int:
    text = guide.raw.decode("utf-8", "replace").replace("\r\n", "\n")
    front = text.split("\n---", 1)[0].removeprefix("---\n")
    return _yaml_line_of(front, field_path) + 1


def _check_guide(cs: ContentSet, guide: Guide, check_git: bool) -> None:
    front = guide.front
    expected = f"{front.id}.{front.lang}.md"
    if Path(guide.path).name != expected:
        cs.problems.append(
            Problem(
                guide.path,
                _front_line(guide, "$.id"),
                f"the file must be named {expected} (from its id and lang)",
                field="id",
            )
        )
    if not front.sources:
        cs.problems.append(
            Problem(
                guide.path,
                _front_line(guide, "$.sources"),
                "a guide must cite at least one source (title and https URL)",
                field="sources",
            )
        )
    rendered = cs.rendered[guide.path]
    for line in rendered.raw_html_lines:
        cs.problems.append(
            Problem(guide.path, line, "raw HTML is not allowed in guides; use Markdown", "body")
        )
    for line, href in rendered.refused_links:
        cs.problems.append(
            Problem(guide.path, line, f"this link is not allowed: {href[:60]}", field="body")
        )
    if check_git:
        _check_version_bump(cs, guide)


def _check_version_bump(cs: ContentSet, guide: Guide) -> None:
    old_raw = git_head_file(cs.root, cs.root / guide.path)
    if old_raw is None or old_raw == guide.raw:
        return
    try:
        old = parse_guide(old_raw, guide.path)
    except ContentError:
        return  # HEAD had a broken file; nothing to compare against
    new = guide.front
    changed = old.body != guide.body
    line = _front_line(guide, "$.version")
    if new.version < old.front.version:
        cs.problems.append(
            Problem(
                guide.path,
                line,
                f"version went down from {old.front.version} to {new.version}",
                field="version",
            )
        )
    elif changed and new.version == old.front.version:
        cs.problems.append(
            Problem(
                guide.path,
                line,
                f"the guide changed since the last commit but its version is still "
                f"{new.version}; raise it to {new.version + 1}",
                field="version",
            )
        )


def _check_links_and_translations(cs: ContentSet) -> None:
    by_key: dict[tuple[str, str], Guide] = {}
    for guide in cs.guides:
        key = (guide.front.id, guide.front.lang)
        if key in by_key:
            cs.problems.append(
                Problem(
                    guide.path,
                    _front_line(guide, "$.id"),
                    f"another guide already has id '{key[0]}' in language '{key[1]}': "
                    f"{by_key[key].path}",
                    field="id",
                )
            )
        else:
            by_key[key] = guide
    for guide in cs.guides:
        for link in cs.rendered[guide.path].guide_links:
            target = by_key.get((link.target_id, link.target_lang))
            if target is None and f"{link.target_id}.{link.target_lang}.md" in cs.unreadable:
                continue  # the target has its own error already; don't report it twice
            if target is None:
                cs.problems.append(
                    Problem(
                        guide.path,
                        link.line,
                        f"broken link: there is no guide {link.target_id}.{link.target_lang}.md",
                        field="body",
                    )
                )
            elif link.anchor and link.anchor not in cs.rendered[target.path].anchors:
                cs.problems.append(
                    Problem(
                        guide.path,
                        link.line,
                        f"broken link: {link.target_id}.{link.target_lang}.md has no heading "
                        f"'#{link.anchor}'",
                        field="body",
                    )
                )
        tr = guide.front.translation_of
        if tr is None:
            continue
        source = by_key.get((guide.front.id, tr.lang))
        line = _front_line(guide, "$.translation_of")
        if tr.lang == guide.front.lang:
            cs.problems.append(
                Problem(guide.path, line, "a guide cannot translate itself", "translation_of")
            )
        elif source is None and f"{guide.front.id}.{tr.lang}.md" in cs.unreadable:
            pass  # the source has its own error already
        elif source is None:
            cs.problems.append(
                Problem(
                    guide.path,
                    line,
                    f"translation_of names {guide.front.id}.{tr.lang}.md, which does not exist",
                    field="translation_of",
                )
            )
        elif tr.version > source.front.version:
            cs.problems.append(
                Problem(
                    guide.path,
                    line,
                    f"translates version {tr.version}, but the source is only at version "
                    f"{source.front.version}",
                    field="translation_of.version",
                )
            )
        elif tr.version < source.front.version:
            cs.problems.append(
                Problem(
                    guide.path,
                    line,
                    f"stale translation: it translates version {tr.version} of "
                    f"{source.path}, which is now at version {source.front.version}",
                    field="translation_of.version",
                    level="warning",
                )
            )


def load_content(root: Path, check_git: bool = True, as_of: dt.date | None = None) -> ContentSet:
    """Read and check every file under `root` (the content folder); with `as_of`, also that
    the wage figures in force or scheduled around that date are in the data."""
    cs = ContentSet(root=root)
    if not (root / "guides").is_dir():
        cs.problems.append(Problem("guides/", 1, f"no guides folder in {root}"))
    for path in guide_paths(root):
        try:
            guide = parse_guide(path.read_bytes(), path.relative_to(root).as_posix())
        except ContentError as exc:
            cs.problems.extend(exc.problems)
            cs.unreadable.add(path.name)
            continue
        cs.guides.append(guide)
        cs.rendered[guide.path] = render_markdown(guide.body, guide.body_line)
    for guide in cs.guides:
        _check_guide(cs, guide, check_git)
    _check_links_and_translations(cs)
    _check_data(cs, as_of)
    cs.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return cs


def stale_translations(cs: ContentSet) -> set[tuple[str, str]]:
    """(id, lang) of each translation whose source has moved on."""
    return {
        (g.front.id, g.front.lang)
        for g in cs.guides
        for p in cs.problems
        if p.path == g.path and p.field == "translation_of.version" and p.level == "warning"
    }
