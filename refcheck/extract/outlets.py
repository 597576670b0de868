"""Outlets named in prose ("according to Reuters", "the Al-Akhbar report").

The shipped list (``refcheck/data/outlets.json``) gives each outlet a canonical
name, aliases and domains. Aliases match case-insensitively, with hyphens, white
space and line breaks between words treated alike, on word boundaries; short
acronyms (``AP``, ``RT``) match only as written in capitals. The matcher can also
learn aliases from the corpus itself: a note "Foo Times: …, https://footimes.com/…"
teaches "Foo Times" -> footimes.com.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import ahocorasick

_MAX_LEARNED = 10_000  # bounded: a corpus cannot grow the matcher without limit
_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013]+")


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    domains: tuple[str, ...] = ()
    kind: str = ""
    country: str = ""

    @property
    def domain(self) -> str | None:
        return self.domains[0] if self.domains else None


@dataclass(frozen=True, slots=True)
class OutletMatch:
    outlet: Outlet
    text: str
    start: int
    end: int


def normalize_name(name: str) -> str:
    """The form aliases are compared in: lower case, one space between words."""
    return " ".join(_WORD_SPLIT.split(name.lower().replace("\u2019", "'"))).strip()


@dataclass
class OutletIndex:
    """All known outlets and a compiled matcher over their aliases."""

    outlets: list[Outlet] = field(default_factory=list)
    _by_alias: dict[str, Outlet] = field(default_factory=dict)
    _by_exact: dict[str, Outlet] = field(default_factory=dict)
    _by_domain: dict[str, Outlet] = field(default_factory=dict)
    _learned: dict[str, Outlet] = field(default_factory=dict)
    _folded: ahocorasick.Automaton | None = None
    _exact: ahocorasick.Automaton | None = None
    _learned_automaton: ahocorasick.Automaton | None = None

    @classmethod
    def load(cls, extra: Iterable[Path] = ()) -> OutletIndex:
        index = cls()
        shipped = resources.files("refcheck.data").joinpath("outlets.json").read_text("utf-8")
        index.add_records(json.loads(shipped)["outlets"])
        for path in extra:
            data = json.loads(path.read_text("utf-8"))
            index.add_records(data["outlets"] if isinstance(data, dict) else data)
        return index

    def add_records(self, records: Iterable[dict[str, object]]) -> None:
        for record in records:
            outlet = Outlet(
                name=str(record["name"]),
                domains=tuple(str(d).lower() for d in _strings(record.get("domains"))),
                kind=str(record.get("kind", "")),
                country=str(record.get("country", "")),
            )
            self.add(outlet, _strings(record.get("aliases")) or [outlet.name],
                     _strings(record.get("case_sensitive_aliases")))  # fmt: skip

    def add(self, outlet: Outlet, aliases: Iterable[str], exact_aliases: Iterable[str] = ()) -> None:
        self.outlets.append(outlet)
        for alias in aliases:
            self._by_alias.setdefault(normalize_name(alias), outlet)
        for alias in exact_aliases:
            self._by_exact.setdefault(alias, outlet)
        for domain in outlet.domains:
            self._by_domain.setdefault(domain, outlet)
        self._folded = None

    def learn(self, name: str, domain: str) -> Outlet | None:
        """Teach ``name`` -> ``domain`` (from a note of the corpus). Returns the
        outlet it now names, or None when the name was already known.

        Learned names get a small matcher of their own: recompiling the shipped
        list's large one for every learned name cost 0.1 s an article."""
        key = normalize_name(name)
        if not key or key in self._by_alias or key in self._learned or len(self._learned) >= _MAX_LEARNED:
            return None
        outlet = self._by_domain.get(domain)
        if outlet is None:
            outlet = Outlet(name=" ".join(name.split()), domains=(domain,), kind="learned")
            self.outlets.append(outlet)
            self._by_domain[domain] = outlet
        self._learned[key] = outlet
        self._learned_automaton = None
        return outlet

    def by_domain(self, domain: str | None) -> Outlet | None:
        return self._by_domain.get(domain) if domain else None

    def by_name(self, name: str) -> Outlet | None:
        key = normalize_name(name)
        return self._by_alias.get(key) or self._learned.get(key) or self._by_exact.get(name.strip())

    def find(self, text: str, lowered: str) -> Iterator[OutletMatch]:
        """Every alias occurrence in ``text`` (``lowered`` is its same-length lower-case copy)."""
        folded = lowered.translate(_FOLD)
        matches: list[OutletMatch] = []
        for automaton, haystack in zip(self._automata(), (folded, text, folded), strict=False):
            if automaton is None:
                continue
            for end, (alias, outlet) in automaton.iter_long(haystack):
                start = end - len(alias) + 1
                if _word_bounded(text, start, end + 1):
                    matches.append(OutletMatch(outlet, text[start : end + 1], start, end + 1))
        matches.sort(key=lambda found: found.start)
        return iter(matches)

    def _automata(self) -> tuple[ahocorasick.Automaton | None, ...]:
        """Folded aliases (searched in the folded text), capitals-only aliases
        (searched in the text as written: folded, "AP" and "RT" would stop at every
        "apply" and "part"), learned aliases (folded)."""
        if self._folded is None:
            self._folded = _automaton(self._by_alias)
            self._exact = _automaton(self._by_exact)
        if self._learned_automaton is None and self._learned:
            self._learned_automaton = _automaton(self._learned)
        return (self._folded, self._exact, self._learned_automaton)


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


# Aliases are matched in a folded copy of the text, of the same length: lower case,
# hyphens, dashes and white space as one space, typographic apostrophes as "'".
_FOLD = str.maketrans(dict.fromkeys("-\u2010\u2011\u2012\u2013\n\t\r\f\v\u00a0", " ") | {"\u2019": "'"})


def _automaton(aliases: dict[str, Outlet]) -> ahocorasick.Automaton | None:
    """Aho-Corasick over all aliases: one pass over the text whatever their number
    (a regex alternation, even shaped as a trie, ran at 10 MB/s; this at 45)."""
    if not aliases:
        return None
    automaton = ahocorasick.Automaton()
    for alias, outlet in aliases.items():
        automaton.add_word(alias, (alias, outlet))
    automaton.make_automaton()
    return automaton


def _word_bounded(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())
