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

_SEPARATOR = "[\\s\\-\u2010\u2011\u2012\u2013]+"
_APOSTROPHE = "['\u2019]"
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
    _folded_re: re.Pattern[str] | None = None
    _exact_re: re.Pattern[str] | None = None

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
        self._folded_re = self._exact_re = None

    def learn(self, name: str, domain: str) -> Outlet | None:
        """Teach ``name`` -> ``domain`` (from a note of the corpus). Returns the
        outlet it now names, or None when the name was already known."""
        key = normalize_name(name)
        if not key or key in self._by_alias:
            return None
        outlet = self._by_domain.get(domain)
        if outlet is None:
            outlet = Outlet(name=name.strip(), domains=(domain,), kind="learned")
            self.add(outlet, [name])
        else:
            self._by_alias[key] = outlet
            self._folded_re = None
        return outlet

    def by_domain(self, domain: str | None) -> Outlet | None:
        return self._by_domain.get(domain) if domain else None

    def by_name(self, name: str) -> Outlet | None:
        return self._by_alias.get(normalize_name(name)) or self._by_exact.get(name.strip())

    def find(self, text: str, lowered: str) -> Iterator[OutletMatch]:
        """Every alias occurrence in ``text`` (``lowered`` is its same-length lower-case copy)."""
        folded_re, exact_re = self._compiled()
        matches: list[OutletMatch] = []
        if folded_re is not None:
            for m in folded_re.finditer(lowered):
                outlet = self._by_alias.get(normalize_name(m.group(0)))
                if outlet is not None:
                    matches.append(OutletMatch(outlet, text[m.start() : m.end()], m.start(), m.end()))
        if exact_re is not None:
            for m in exact_re.finditer(text):
                matches.append(OutletMatch(self._by_exact[m.group(0)], m.group(0), m.start(), m.end()))
            matches.sort(key=lambda found: found.start)
        return iter(matches)

    def _compiled(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        if self._folded_re is None and self._by_alias:
            self._folded_re = re.compile(r"(?<!\w)(?:" + _trie_pattern(self._by_alias) + r")(?!\w)")
        if self._exact_re is None and self._by_exact:
            names = sorted(self._by_exact, key=len, reverse=True)
            self._exact_re = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
        return self._folded_re, self._exact_re


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _trie_pattern(aliases: Iterable[str]) -> str:
    """One regex for all aliases, shaped as a trie so that each position of the
    text is rejected after one or two character tests instead of one per alias."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for alias in aliases:
        node = trie
        for char in alias:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_to_regex(trie)


def _trie_to_regex(node: dict) -> str:  # type: ignore[type-arg]
    branches: list[str] = []
    optional = False
    for char, child in sorted(node.items()):
        if char == "":
            optional = True
            continue
        branches.append(_char_pattern(char) + _trie_to_regex(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        return "(?:" + body + ")?"
    return body


def _char_pattern(char: str) -> str:
    if char == " ":
        return _SEPARATOR
    if char == "'":
        return _APOSTROPHE
    return re.escape(char)
