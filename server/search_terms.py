"""What a worker types, turned into words the guides use: word forms, phrasings, typos.

Owns the search rules shared with the phone: `pwa/js/search-words.json` (stop words, suffixes,
phrasings such as "me corrieron" -> despido, English words in Spanish mode) and the matching
rules `pwa/js/search.js` applies offline. The two must agree; tests/search_vectors.json is run
by both (tests/test_search_words.py and tests/js/search.test.mjs).

The phrasings were written by the Cartilla team (reviewed 2026-12-02) from how workers put
things in reference/domain-notes.md and the phone review of issue 14; they are not legal
text, only pointers to words the guides already use (the tests check each one is there).
The file carries no prose of its own: it is part of every phone's first visit.

A query becomes groups; a guide is found when every group matches one of its words. A guide
word matches a query word when it starts with it (3 letters or more), has the same stem
(plural and verb endings removed), or, for query words of 5 letters or more, is one letter
away (one letter changed, added, left out, or two swapped).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).resolve().parent.parent / "pwa" / "js" / "search-words.json"
MAX_GROUPS = 12
_TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents: 'Lastimé' -> 'lastime' (as the index's unicode61 does)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """The folded words of `text`, split like the full-text index splits them."""
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True)
class Words:
    """The shared data file, read once."""

    prefix_min: int
    stem_min: int
    typo_min: int
    suffixes: dict[str, list[str]]
    stop: dict[str, frozenset[str]]
    say: list[dict[str, Any]]


@functools.cache
def load_words(path: Path = WORDS_FILE) -> Words:
    raw = json.loads(path.read_text(encoding="utf-8"))
    rules = raw["rules"]
    return Words(
        prefix_min=int(rules["prefix_min"]),
        stem_min=int(rules["stem_min"]),
        typo_min=int(rules["typo_min"]),
        # Longest first, so "aron" is tried before "on" would be.
        suffixes={k: sorted(v, key=len, reverse=True) for k, v in rules["suffixes"].items()},
        stop={k: frozenset(v) for k, v in raw["stop"].items()},
        say=list(raw["say"]),
    )


def stem(word: str, lang: str, words: Words) -> str:
    """`word` without its longest known ending, keeping at least stem_min letters."""
    for suffix in words.suffixes.get(lang, ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= words.stem_min:
            return word[: -len(suffix)]
    return word


def one_apart(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one letter changed, added or removed, or two swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


@dataclass(frozen=True)
class Term:
    """One word a group accepts; `typo`: also words one letter away (what the worker typed)."""

    word: str
    typo: bool


@dataclass
class Group:
    said: str  # what the worker typed, folded
    terms: list[Term]
    english: bool = False  # an English word searched for in Spanish guides


@dataclass
class Plan:
    groups: list[Group] = field(default_factory=list)

    @property
    def english(self) -> list[Group]:
        return [g for g in self.groups if g.english]


def term_matches(token: str, term: Term, lang: str, words: Words) -> bool:
    """Whether the guide word `token` counts as the query word `term` (module docstring)."""
    w = term.word
    if len(w) >= words.prefix_min:
        if token.startswith(w):
            return True
    elif token == w:
        return True
    s = stem(w, lang, words)
    if len(s) >= words.stem_min and stem(token, lang, words) == s:
        return True
    return term.typo and len(w) >= words.typo_min and one_apart(token, w)


def group_matches(token: str, group: Group, lang: str, words: Words) -> bool:
    return any(term_matches(token, t, lang, words) for t in group.terms)


def plan(query: str, lang: str, words: Words | None = None) -> Plan:
    """The groups for `query` in a search of `lang` guides (see the module docstring)."""
    words = words or load_words()
    text = " " + " ".join(tokens(query)) + " "
    out = Plan()
    phrases: list[tuple[str, dict[str, Any]]] = [
        (" ".join(tokens(said)), entry)
        for entry in words.say
        if entry["lang"] == lang
        for said in entry["when"]
    ]
    # Longest phrasing first: "me corrio el patron" before "me corrio".
    phrases.sort(key=lambda p: -len(p[0]))
    for said, entry in phrases:
        while f" {said} " in text:
            text = text.replace(f" {said} ", " | ", 1)
            english = entry.get("from") == "en"
            terms = [Term(fold(f), False) for f in entry["find"]]
            if " " not in said and not english:
                terms.append(Term(said, True))
            out.groups.append(Group(said, terms, english))
    stop = words.stop.get(lang, frozenset())
    rest = [w for w in text.split() if w != "|"]
    # Filler words ("me", "trabajo") are left out, unless the query is nothing else.
    kept = [w for w in rest if w not in stop] or ([] if out.groups else rest)
    for word in kept:
        out.groups.append(Group(word, [Term(word, True)]))
    del out.groups[MAX_GROUPS:]
    return out


def score(group_tokens: list[set[str]], title: str, summary: str) -> int:
    """Rank as the phone does: 10 for each group found in the title, 3 in the summary."""
    title_words, summary_words = set(tokens(title)), set(tokens(summary))
    return sum(10 * bool(m & title_words) + 3 * bool(m & summary_words) for m in group_tokens)
