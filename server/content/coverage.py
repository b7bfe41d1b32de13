"""`cartilla coverage`: which state x industry x status x language profiles have guides.

A profile is covered when at least one guide of kind `state`, one of kind `industry` and one
of kind `status` apply to it in that language. The target states are those any state guide
names; the languages are Spanish and English plus any language a guide is written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.content.check import ContentSet
from server.content.schema import INDUSTRIES, PRIMARY_LANGUAGES, STATUSES, GuideFrontMatter

KINDS = ("state", "industry", "status")


def applies(front: GuideFrontMatter, state: str, industry: str, status: str) -> bool:
    """Whether a guide applies to a profile (a guide for `any` status applies to all)."""
    a = front.applies_to
    return (
        (a.states == "all" or state in a.states)
        and (a.industries == "all" or industry in a.industries)
        and ("any" in a.statuses or status in a.statuses)
    )


@dataclass
class Coverage:
    """Covered and missing profiles; a gap lists which kinds of guide it lacks."""

    states: list[str]
    languages: list[str]
    total: int = 0
    covered: int = 0
    gaps: list[dict[str, object]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "states": self.states,
            "industries": list(INDUSTRIES),
            "statuses": list(STATUSES),
            "languages": self.languages,
            "profiles": self.total,
            "covered": self.covered,
            "gaps": self.gaps,
        }


def coverage(cs: ContentSet, languages: list[str] | None = None) -> Coverage:
    """Compute coverage over every state a state guide names, for each language."""
    states: list[str] = sorted(
        {
            s
            for g in cs.guides
            if g.front.kind == "state" and g.front.applies_to.states != "all"
            for s in g.front.applies_to.states
        }
    )
    langs = languages or list(PRIMARY_LANGUAGES)
    result = Coverage(states=states, languages=langs)
    by_lang: dict[str, list[GuideFrontMatter]] = {}
    for g in cs.guides:
        by_lang.setdefault(g.front.lang, []).append(g.front)
    for lang in langs:
        fronts = by_lang.get(lang, [])
        for state in states:
            for industry in INDUSTRIES:
                for status in STATUSES:
                    result.total += 1
                    missing = [
                        kind
                        for kind in KINDS
                        if not any(
                            f.kind == kind and applies(f, state, industry, status) for f in fronts
                        )
                    ]
                    if missing:
                        result.gaps.append(
                            {
                                "state": state,
                                "industry": industry,
                                "status": status,
                                "lang": lang,
                                "missing": missing,
                            }
                        )
                    else:
                        result.covered += 1
    return result
