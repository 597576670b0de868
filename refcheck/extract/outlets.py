"""Outlets named in prose ("according to Reuters", "the Al-Akhbar report",
"وكالة رويترز", "газета «Коммерсантъ»", "בהארץ").

The shipped list (``refcheck/data/outlets.json``) gives each outlet a canonical
name, aliases and domains. Aliases match case-insensitively, with hyphens, white
space and line breaks between words treated alike, on word boundaries; short
acronyms (``AP``, ``RT``) match only as written in capitals. The matcher can also
learn aliases from the corpus itself: a note "Foo Times: …, https://footimes.com/…"
teaches "Foo Times" -> footimes.com.

Names in their own scripts: the text is folded before matching (Arabic diacritics,
tatweel, zero-width joiners and Hebrew points removed; alef/hamza, ya/alef maqsura/
Persian ye, kaf/keheh, ta marbuta/ha, Arabic-Indic digits, ё/е, Turkish ı/İ, Greek
accents, geresh and gershayim unified), with removed characters mapped back so a
match's offsets are the original text's. Arabic proclitics (و ف ب ل ك, and ل before
an ال name: "للجزيرة") and Hebrew prefixes (ב ה ו ל מ ש כ, also before a quote or a
hyphen: ו"הארץ", ל-ynet) may be attached in front of a name. Names that are ordinary
words in their language ("contextual_aliases": الأخبار "the news", הארץ "the land")
count only in a naming context: after a word such as صحيفة, агентство or עיתון, before
one such as "gazetesi", in quotes («…», "…"), or, for a Hebrew name with its article,
after ב/ל/כ (which would otherwise absorb the article: בהארץ). "not_names" are
phrases that contain a name without naming the outlet (منطقة الجزيرة, the Jazira
region); they take the place of the name in the one pass, so it is not matched there.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import ahocorasick_rs

_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9&]{1,5}")
_MAX_LEARNED = 10_000  # bounded: a corpus cannot grow the matcher without limit


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


# --- Folding -------------------------------------------------------------------------
# Aliases are matched in a folded copy of the text: lower case, hyphens, dashes and
# white space as one space, typographic apostrophes and gereshes as "'", typographic
# quotes and gershayim as '"', the script variants below unified, and the marks in
# _DELETED removed (the only characters whose removal changes the length).

_SPACES = "-\u2010\u2011\u2012\u2013\n\t\r\f\v\u00a0\u05be\u2007\u2009\u200a\u202f\u2028\u2029\u3000"
_DELETED = (
    "".join(map(chr, range(0x064B, 0x0660)))  # Arabic harakat, shadda, sukun, hamza/madda marks
    + "\u0670"  # superscript alef
    + "\u0640"  # tatweel
    + "".join(map(chr, range(0x0591, 0x05BE)))  # Hebrew cantillation and points
    + "\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    + "\u200b\u200c\u200d\u200e\u200f\u061c\u2060\ufeff\u00ad"  # zero-width (ZWNJ…), bidi marks, soft hyphen
    + "\u0307"  # the dot "İ".lower() leaves
)
_SAME_LENGTH: dict[str, str] = (
    dict.fromkeys(_SPACES, " ")
    | dict.fromkeys("\u2019\u2018\u02bc\u05f3\u00b4`", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u05f4\u00ab\u00bb", '"')
    | dict.fromkeys("\u0623\u0625\u0622\u0671\u0672\u0673", "\u0627")  # أ إ آ ٱ → ا
    | dict.fromkeys("\u0649\u06cc\u06d0", "\u064a")  # ى ی → ي
    | dict.fromkeys("\u06a9\u06aa", "\u0643")  # ک ڪ → ك
    | dict.fromkeys("\u0629\u06c0\u06c1", "\u0647")  # ة ۀ ہ → ه
    | {chr(0x0660 + d): str(d) for d in range(10)}  # Arabic-Indic digits
    | {chr(0x06F0 + d): str(d) for d in range(10)}  # Persian digits
    | {"\u0451": "\u0435", "\u0131": "i", "\u0130": "i", "\u03c2": "\u03c3"}  # ё→е, ı/İ→i, ς→σ
    | {
        chr(code): unicodedata.normalize("NFD", chr(code))[0]
        for code in range(0x0386, 0x03D0)
        if chr(code).islower() and len(unicodedata.normalize("NFD", chr(code))) > 1
    }  # Greek tonos and dialytika
)
_FOLD: dict[int, str | None] = {ord(k): v for k, v in _SAME_LENGTH.items()} | dict.fromkeys(map(ord, _DELETED))
_FOLD_CHARS = frozenset(_SAME_LENGTH) | frozenset(_DELETED)
_DELETED_SET = frozenset(_DELETED)
_DELETED_RE = re.compile("[" + re.escape(_DELETED) + "]")


def fold(text: str) -> str:
    """``text`` (already lower case) as aliases are matched in; see ``_FOLD``."""
    if text.isascii():
        return text.translate(_FOLD)  # str.translate's fast path: 900 Mchar/s
    # Off ASCII, str.translate looks every character up in the table (17 Mchar/s);
    # a set of the characters present and one replace() per folded one is 5x faster.
    present = _FOLD_CHARS.intersection(text)
    for char in present:
        text = text.replace(char, _SAME_LENGTH.get(char, ""))
    return text


def normalize_name(name: str) -> str:
    """The form aliases are compared in: folded, lower case, one space between words."""
    return " ".join(fold(name.lower()).split())


# --- Scripts, prefixes and naming contexts --------------------------------------------

_ARABIC_PROCLITICS = frozenset("\u0648\u0641\u0628\u0644\u0643")  # و ف ب ل ك
_HEBREW_PREFIXES = frozenset("\u05d1\u05d4\u05d5\u05dc\u05de\u05e9\u05db")  # ב ה ו ל מ ש כ
_HEBREW_ABSORBING = frozenset("\u05d1\u05dc\u05db")  # ב ל כ take the place of ה
_QUOTES = frozenset("\"'")
_LAM = "\u0644"
_AL = "\u0627\u0644"


@lru_cache(maxsize=65536)  # learned names are entered again at every rebuild of their automaton
def _script(alias: str) -> str:
    for char in alias:
        code = ord(char)
        if 0x0600 <= code < 0x0800 or 0xFB50 <= code < 0xFF00:
            return "arabic"
        if 0x0590 <= code < 0x0600:
            return "hebrew"
        if 0x0400 <= code < 0x0530:
            return "cyrillic"
        if 0x0370 <= code < 0x0400:
            return "greek"
        if 0x1100 <= code < 0x1200 or 0x2E80 <= code < 0xA000 or 0xAC00 <= code < 0xD7B0:
            return "cjk"  # no spaces between words (Chinese, Japanese), or particles attached (Korean)
    return "latin"


@dataclass(frozen=True, slots=True)
class _Context:
    """Words that make an ordinary word a name: before it ("صحيفة"), after it ("gazetesi")."""

    before: re.Pattern[str] | None
    after: re.Pattern[str] | None


def _context(words: Mapping[str, object]) -> _Context:
    def alternation(key: str) -> str:
        folded = sorted({normalize_name(w) for w in _strings(words.get(key))}, key=len, reverse=True)
        return "|".join(re.escape(w) for w in folded if w)

    before, after = alternation("before"), alternation("after")
    return _Context(
        re.compile(rf"(?:{before})[ \"':,]*\Z") if before else None,
        re.compile(rf"[ \"':,]*(?:{after})(?!\w)") if after else None,
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    """What an automaton key stands for. ``outlet`` None: a phrase that is not a name."""

    outlet: Outlet | None
    written_as: str | None = None  # case-sensitive aliases: the text must read exactly so
    script: str = "latin"
    contextual: bool = False
    after_lam: bool = False  # "لجزيره": an ال name after the preposition ل ("للجزيرة")


_PLAIN = "plain"


@dataclass
class OutletIndex:
    """All known outlets and a compiled matcher over their aliases."""

    outlets: list[Outlet] = field(default_factory=list)
    _by_alias: dict[str, Outlet] = field(default_factory=dict)
    _by_exact: dict[str, Outlet] = field(default_factory=dict)
    _by_domain: dict[str, Outlet] = field(default_factory=dict)
    _learned: dict[str, Outlet] = field(default_factory=dict)
    _contextual: dict[str, Outlet] = field(default_factory=dict)
    _not_names: set[str] = field(default_factory=set)
    _contexts: dict[str, _Context] = field(default_factory=dict)
    _automaton: _Automaton | None = None
    _ascii_automaton: _Automaton | None = None
    _acronyms: _Automaton | None = None
    _learned_automaton: _Automaton | None = None
    _automaton_stale: bool = True
    _learned_stale: bool = False
    _merged: int = 0
    """How many learned names (in the order learned) the main automaton holds."""
    _static: tuple[dict[str, _Entry], dict[str, _Entry], dict[str, _Entry]] = field(
        default_factory=lambda: ({}, {}, {})
    )

    @classmethod
    def load(cls, extra: Iterable[Path] = ()) -> OutletIndex:
        index = cls()
        shipped = json.loads(resources.files("refcheck.data").joinpath("outlets.json").read_text("utf-8"))
        index.set_naming_contexts(shipped.get("naming_contexts", {}))
        index.add_records(shipped["outlets"])
        for path in extra:
            data = json.loads(path.read_text("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("naming_contexts"), dict):
                index.set_naming_contexts(data["naming_contexts"])
            index.add_records(data["outlets"] if isinstance(data, dict) else data)
        return index

    def set_naming_contexts(self, contexts: Mapping[str, object]) -> None:
        """Per script ("arabic", "hebrew", "cyrillic", "greek", "latin", "cjk"): the
        words {"before": [...], "after": [...]} that make a contextual alias a name."""
        for script, words in contexts.items():
            if isinstance(words, dict):
                self._contexts[script] = _context(words)

    def add_records(self, records: Iterable[dict[str, object]]) -> None:
        for record in records:
            outlet = Outlet(
                name=str(record["name"]),
                domains=tuple(str(d).lower() for d in _strings(record.get("domains"))),
                kind=str(record.get("kind", "")),
                country=str(record.get("country", "")),
            )
            self.add(outlet, _strings(record.get("aliases")) or [outlet.name],
                     _strings(record.get("case_sensitive_aliases")),
                     _strings(record.get("contextual_aliases")),
                     _strings(record.get("not_names")))  # fmt: skip

    def add(
        self,
        outlet: Outlet,
        aliases: Iterable[str],
        exact_aliases: Iterable[str] = (),
        contextual_aliases: Iterable[str] = (),
        not_names: Iterable[str] = (),
    ) -> None:
        self.outlets.append(outlet)
        for alias in aliases:
            self._by_alias.setdefault(normalize_name(alias), outlet)
        for alias in exact_aliases:
            self._by_exact.setdefault(alias, outlet)
        for alias in contextual_aliases:
            self._contextual.setdefault(normalize_name(alias), outlet)
        self._not_names.update(normalize_name(phrase) for phrase in not_names)
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
        self._learned_stale = True
        return outlet

    def by_domain(self, domain: str | None) -> Outlet | None:
        return self._by_domain.get(domain) if domain else None

    def by_name(self, name: str) -> Outlet | None:
        key = normalize_name(name)
        return (
            self._by_alias.get(key)
            or self._learned.get(key)
            or self._contextual.get(key)
            or self._by_exact.get(name.strip())
        )

    def find(self, text: str, lowered: str) -> Iterator[OutletMatch]:
        """Every alias occurrence in ``text`` (``lowered`` is its same-length lower-case copy)."""
        automaton, acronyms = self._matchers()
        matches: list[OutletMatch] = []
        if "\u0130" in lowered:  # lower_same_length lowered ASCII only ("İ" lowers to two characters)
            lowered = lowered.replace("\u0130", "i").lower()
        folded = fold(lowered)
        if folded.isascii():  # no name in another script can occur: the smaller automaton, 10% faster
            automaton = self._ascii_automaton
        shifts = _shifts(lowered) if len(folded) != len(text) else None
        size = len(folded)
        learned = self._learned_automaton
        for current in (automaton, learned):
            if current is None:
                continue
            matcher, entries = current
            for index, start, end in matcher.find_matches_as_indexes(folded):
                    entry = entries[index]
                    if entry.outlet is None:
                        continue  # a phrase that holds a name without naming the outlet
                    if entry.script is _PLAIN:
                        if not (
                            (start == 0 or not folded[start - 1].isalnum()) and (end >= size or not folded[end].isalnum())
                        ):
                            continue
                    elif not self._accept(entry, folded, start, end):
                        continue
                    if shifts is not None:
                        start, end = _original_span(shifts, text, start, end)
                    written = text[start:end]
                    if entry.written_as is None or written == entry.written_as:
                        matches.append(OutletMatch(entry.outlet, written, start, end))
        if acronyms is not None:
            matcher, entries = acronyms
            for index, start, end in matcher.find_matches_as_indexes(text):
                if _word_bounded(text, start, end):
                    outlet = entries[index].outlet
                    assert outlet is not None
                    matches.append(OutletMatch(outlet, text[start:end], start, end))
        if acronyms is not None or learned is not None:
            matches = _leftmost_longest(matches)
        return iter(matches)

    def _accept(self, entry: _Entry, folded: str, start: int, end: int) -> bool:
        """Word boundaries, attached prefixes and, for contextual aliases, the context."""
        script = entry.script
        if script != "cjk" and end < len(folded) and folded[end].isalnum():
            return False
        # Walk left over what may be attached in front of the name.
        left = start
        if entry.after_lam:
            if left == 0 or folded[left - 1] != _LAM:
                return False
            left -= 1
        prefix_start = left
        if script == "arabic":
            while left > 0 and prefix_start - left < 2 and folded[left - 1] in _ARABIC_PROCLITICS:
                left -= 1
        quote_inside = False
        if left > 0 and folded[left - 1] in _QUOTES and left - 1 > 0 and folded[left - 2] in _HEBREW_PREFIXES:
            left -= 1  # ב"הארץ", ו'הארץ'
            quote_inside = True
        if (
            left > 1
            and folded[left - 1] == " "
            and folded[left - 2] in _HEBREW_PREFIXES
            and (left - 2 == 0 or not folded[left - 3].isalnum())
        ):
            left -= 1  # ל-הארץ (the hyphen folded to a space)
        hebrew_start = left
        while left > 0 and hebrew_start - left < 3 and folded[left - 1] in _HEBREW_PREFIXES:
            left -= 1
        if script != "cjk" and left > 0 and folded[left - 1].isalnum():
            # Only a whole run of prefixes may precede; try the name alone (no prefix).
            return False
        if not entry.contextual:
            return True
        attached = folded[left:start]
        before = folded[max(0, left - 60) : left]
        # Quotes around the name: «الأخبار», "הארץ", ב"הארץ"
        if (quote_inside or (start > 0 and folded[start - 1] in _QUOTES)) and end < len(folded) and folded[
            end
        ] in _QUOTES:
            return True
        if script == "hebrew" and folded[start] == "\u05d4" and attached[-1:] in _HEBREW_ABSORBING:
            return True  # "בהארץ": ב would have absorbed the article of an ordinary "הארץ"
        context = self._contexts.get(script)
        if context is None:
            return False
        if context.before is not None and not attached.strip(" \"'") and context.before.search(before):
            return True  # "صحيفة الأخبار", "газета «Ведомости»" (no prefix on the name itself)
        return context.after is not None and context.after.match(folded, end) is not None

    def _matchers(self) -> tuple[_Automaton | None, _Automaton | None]:
        """One automaton over the folded text for folded, learned, contextual and
        longer capitals-only aliases (those checked against the text as written) and
        the "not names"; short acronyms ("AP", "RT") by a second automaton over the
        text as written, since folded they would stop the first at every "apply" and
        "part" (a few capitals make its prefilter run at 900 MB/s).

        Names learned from the corpus join the main automaton in batches: those
        learned since the last rebuild are searched by a small automaton of their
        own until they number a quarter of the merged ones (at least 64). Rebuilding
        the main one for every learned name cost ~8 ms an article; one automaton of
        thousands of learned names, searched as a second pass, cost as much again."""
        if self._automaton_stale:
            self._static = self._static_entries()
            self._merged = 0
            self._automaton_stale = False
            self._learned_stale = True
        if self._learned_stale:
            names = list(self._learned.items())
            recent = len(names) - self._merged
            if self._automaton is None or recent > max(64, self._merged // 4):
                self._merged = len(names)
                self._build_main(names)
                self._learned_automaton = None
            else:
                learned: dict[str, _Entry] = {}
                for alias, outlet in names[self._merged :]:
                    self._enter(learned, alias, outlet)
                self._learned_automaton = _automaton(learned)
            self._learned_stale = False
        return self._automaton, self._acronyms

    def _static_entries(self) -> tuple[dict[str, _Entry], dict[str, _Entry], dict[str, _Entry]]:
        """(entries a learned name may not override, those of the shipped aliases,
        which win over a learned one, the short acronyms)."""
        acronyms: dict[str, _Entry] = {}
        first: dict[str, _Entry] = {}
        for phrase in self._not_names:
            first[phrase] = _Entry(None)
        for alias, outlet in self._contextual.items():
            self._enter(first, alias, outlet, contextual=True)
        for alias, outlet in self._by_exact.items():
            if _ACRONYM_RE.fullmatch(alias):
                acronyms[alias] = _Entry(outlet, alias)
            else:
                first[normalize_name(alias)] = _Entry(outlet, alias, _entry_script(alias))
        shipped: dict[str, _Entry] = {}
        for alias, outlet in self._by_alias.items():
            self._enter(shipped, alias, outlet)
        return first, shipped, acronyms

    def _build_main(self, learned_names: list[tuple[str, Outlet]]) -> None:
        first, shipped, acronyms = self._static
        entries = dict(first)
        for alias, outlet in learned_names:
            self._enter(entries, alias, outlet)
        entries.update(shipped)  # a shipped alias wins a key shared with a learned one
        self._automaton = _automaton(entries)  # (as a DFA, its names in other scripts took 18 MB)
        self._ascii_automaton = _automaton({key: entry for key, entry in entries.items() if key.isascii()}, dfa=True)
        self._acronyms = _automaton(acronyms)

    @staticmethod
    def _enter(entries: dict[str, _Entry], alias: str, outlet: Outlet, contextual: bool = False) -> None:
        script = _entry_script(alias) if not contextual else _script(alias)
        entries[alias] = _Entry(outlet, None, script, contextual)
        if script == "arabic" and alias.startswith(_AL) and len(alias) > 3:
            entries.setdefault(alias[1:], _Entry(outlet, None, script, contextual, after_lam=True))


def _entry_script(alias: str) -> str:
    """``_PLAIN`` for names checked by the inline word-boundary test alone (Latin,
    Cyrillic, Greek), else their script (prefixes, no boundaries)."""
    script = _script(alias)
    return _PLAIN if script in ("latin", "cyrillic", "greek") else script


def _shifts(lowered: str) -> list[int]:
    """For each removed character, the folded offset it sat before: folded offset f is
    original offset f + (how many of these are <= f)."""
    return [match.start() - k for k, match in enumerate(_DELETED_RE.finditer(lowered))]


def _original_span(shifts: list[int], text: str, start: int, end: int) -> tuple[int, int]:
    original_start = start + bisect_right(shifts, start)
    original_end = end - 1 + bisect_right(shifts, end - 1) + 1
    # Take the marks written on the last letter (a final vowel sign) into the name.
    while (
        original_end < len(text)
        and text[original_end] in _DELETED_SET
        and unicodedata.category(text[original_end]) == "Mn"
    ):
        original_end += 1
    return original_start, original_end


def _leftmost_longest(matches: list[OutletMatch]) -> list[OutletMatch]:
    """Matches of several automata as one leftmost-longest one gives them: in
    order, a match overlapping a kept one is dropped unless it is longer and
    starts at the same place."""
    matches.sort(key=lambda found: (found.start, -(found.end - found.start)))
    kept: list[OutletMatch] = []
    for match in matches:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


_Automaton = tuple[ahocorasick_rs.AhoCorasick, list[_Entry]]


def _automaton(entries: dict[str, _Entry], dfa: bool = False) -> _Automaton | None:
    """Aho-Corasick over all aliases (leftmost-longest): one pass over the text
    whatever their number. Measured on the benchmark corpus: a 600-way regex,
    even shaped as a trie, 10 MB/s; pyahocorasick 45 MB/s; ahocorasick-rs 108 MB/s."""
    entries = {key: entry for key, entry in entries.items() if key}
    if not entries:
        return None
    keys = list(entries)
    # ``dfa``: a DFA searches twice as fast as the default NFA (the same matches: 110-120
    # -> 230-260 MB/s over the shipped ASCII aliases, URL-dense and benchmark text alike)
    # but takes longer to build and more memory: for the ASCII automata, built once or a
    # few times a run, up to _MAX_DFA names (740 names: 7 ms, 2 MB). Not for the small
    # one of recently learned names, rebuilt as often as a name is learned (300 names:
    # 4 ms against 0.5 ms), nor for names in other scripts (1,440 names: 18 MB).
    implementation = ahocorasick_rs.Implementation.DFA if dfa and len(keys) <= _MAX_DFA else None
    matcher = ahocorasick_rs.AhoCorasick(
        keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest, implementation=implementation
    )
    return matcher, [entries[key] for key in keys]


_MAX_DFA = 2000


def _word_bounded(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())
