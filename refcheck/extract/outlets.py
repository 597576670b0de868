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

import ahocorasick_rs

_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9&]{1,5}")
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


@dataclass(slots=True)
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
    _automaton: _Automaton | None = None
    _acronyms: _Automaton | None = None
    _automaton_stale: bool = True

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
        self._automaton_stale = True

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
        self._automaton_stale = True
        return outlet

    def by_domain(self, domain: str | None) -> Outlet | None:
        return self._by_domain.get(domain) if domain else None

    def by_name(self, name: str) -> Outlet | None:
        key = normalize_name(name)
        return self._by_alias.get(key) or self._learned.get(key) or self._by_exact.get(name.strip())

    def find(self, text: str, lowered: str) -> Iterator[OutletMatch]:
        """Every alias occurrence in ``text`` (``lowered`` is its same-length lower-case copy)."""
        automaton, acronyms = self._matchers()
        matches: list[OutletMatch] = []
        if automaton is not None:
            matcher, entries = automaton
            for index, start, end in matcher.find_matches_as_indexes(lowered.translate(_FOLD)):
                outlet, written_as = entries[index]
                written = text[start:end]
                if (written_as is None or written == written_as) and _word_bounded(text, start, end):
                    matches.append(OutletMatch(outlet, written, start, end))
        if acronyms is not None:
            matcher, entries = acronyms
            for index, start, end in matcher.find_matches_as_indexes(text):
                if _word_bounded(text, start, end):
                    matches.append(OutletMatch(entries[index][0], text[start:end], start, end))
            matches.sort(key=lambda found: found.start)
        return iter(matches)

    def _matchers(self) -> tuple[_Automaton | None, _Automaton | None]:
        """One automaton over the folded text for folded, learned and longer
        capitals-only aliases (those checked against the text as written); short
        acronyms ("AP", "RT") by a second automaton over the text as written, since
        folded they would stop the first at every "apply" and "part" (a few capitals
        make its prefilter run at 900 MB/s)."""
        if self._automaton_stale:
            acronyms: dict[str, tuple[Outlet, str | None]] = {}
            entries: dict[str, tuple[Outlet, str | None]] = {}
            for alias, outlet in self._by_exact.items():
                if _ACRONYM_RE.fullmatch(alias):
                    acronyms[alias] = (outlet, alias)
                else:
                    entries[normalize_name(alias)] = (outlet, alias)
            for table in (self._learned, self._by_alias):  # later tables win a shared key
                entries.update((alias, (outlet, None)) for alias, outlet in table.items())
            self._automaton = _automaton(entries)
            self._acronyms = _automaton(acronyms)
            self._automaton_stale = False
        return self._automaton, self._acronyms


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


# Aliases are matched in a folded copy of the text, of the same length: lower case,
# hyphens, dashes and white space as one space, typographic apostrophes as "'".
_FOLD = str.maketrans(dict.fromkeys("-\u2010\u2011\u2012\u2013\n\t\r\f\v\u00a0", " ") | {"\u2019": "'"})


_Automaton = tuple[ahocorasick_rs.AhoCorasick, list[tuple[Outlet, str | None]]]


def _automaton(entries: dict[str, tuple[Outlet, str | None]]) -> _Automaton | None:
    """Aho-Corasick over all aliases (leftmost-longest): one pass over the text
    whatever their number. Measured on the benchmark corpus: a 600-way regex,
    even shaped as a trie, 10 MB/s; pyahocorasick 45 MB/s; ahocorasick-rs 108 MB/s."""
    if not entries:
        return None
    keys = list(entries)
    matcher = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return matcher, [entries[key] for key in keys]


def _word_bounded(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())
