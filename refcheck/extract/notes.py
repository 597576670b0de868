"""Footnotes written as plain text: the notes block and the markers that point at it.

A notes block is a run of lines that start with a label -- ``(N)``, ``[N]``,
``N.``, ``N)`` or ``^N`` -- in one style. The run counts as the article's notes
when a heading ("Notes", "References"…) stands right before it, when the body
carries markers for its numbers, or (bracketed styles only) when its notes cite
something (a URL or a date). Where several runs qualify, the last one wins:
notes come at the end, and numbered lists earlier in the body are not notes.

A run referenced by markers must also cite something (a URL or date) in
one of its notes, so a plain numbered list after a stray "(1)" is not taken
for notes. Each note runs from its label to the next label; the last one to the end of its
paragraph. Everything outside the notes is body. Markers are searched in the body
only: ``(N)``, ``[N]`` and Unicode superscripts, never at the start of a line
(that is a list item), and only for numbers the notes define or close to them --
so "(2018)", "[sic]" and "Article 1." are not markers.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from refcheck.extract.dates import find_dates

# Led by a literal "\n" (text is searched as "\n" + text): a fast literal scan,
# where "^" under MULTILINE ran 6x slower.
_LABEL_RE = re.compile(
    r"\n[ \t]*(?:\((?P<paren>\d{1,3})\)|\[(?P<bracket>\d{1,3})\]|\^(?P<caret>\d{1,3})"
    r"|(?P<dot>\d{1,3})\.|(?P<rparen>\d{1,3})\))(?=[ \t]|$)",
    re.MULTILINE,
)
_HEADING_RE = re.compile(
    r"\n[ \t#*_]*(?:foot ?notes|end ?notes|notes(?: and references)?|references|sources|citations"
    r"|bibliography|quellen|anmerkungen|fußnoten|références)[ \t*_]*:?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
# One literal-led pattern per marker form: sre then skips ahead with a fast
# literal search (1,400 MB/s measured), while one alternation of them ran at 29.
# What stands before a marker is checked afterwards, not with a lookbehind.
_MARKER_RES = (re.compile(r"\((\d{1,4})\)"), re.compile(r"\[(\d{1,4})\]"))
_SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
_SUPERSCRIPT_RE = re.compile(f"[{_SUPERSCRIPTS}]+")
_SUPERSCRIPT_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_BLANK_RE = re.compile(r"[ \t\r\n*\-_=]*")

_BRACKETED = frozenset({"paren", "bracket", "caret"})
# How far past the highest defined number a marker may go and still be taken for a marker.
_MARKER_SLACK = 10


@dataclass(slots=True)
class TextNote:
    number: int
    start: int
    """Offset of the label."""
    body_start: int
    """Offset of the note's text, after the label."""
    end: int


@dataclass(slots=True)
class TextMarker:
    number: int
    start: int


@dataclass(slots=True)
class _Label:
    style: str
    number: int
    start: int
    end: int


def find_notes(text: str, markers: list[TextMarker], url_starts: list[int]) -> list[TextNote]:
    """The notes block of ``text`` as notes in order of appearance, or [] when it has none.
    ``markers`` is ``scan_markers(text)``; ``url_starts`` the sorted offsets of its URLs."""
    # Offsets in "\n" + text are one past those in text: m.start() is the label line's start.
    padded = "\n" + text
    labels = [
        _Label(style, int(number), m.start(), m.end() - 1)
        for m in _LABEL_RE.finditer(padded)
        for style, number in m.groupdict().items()
        if number is not None
    ]
    if not labels:
        return []
    headings = [m.end() - 1 for m in _HEADING_RE.finditer(padded)]
    del padded
    # Everything a run is judged by is looked up (bisect, dict), never rescanned
    # per run: a file of thousands of one-line runs was quadratic.
    evidence = _Evidence(text, headings, markers, url_starts)
    chosen: list[_Label] | None = None
    for run in _runs(labels, headings):
        if _qualifies(run, evidence):
            chosen = run
    if chosen is None:
        return []
    notes: list[TextNote] = []
    for index, label in enumerate(chosen):
        if index + 1 < len(chosen):
            end = chosen[index + 1].start
        else:
            blank = _BLANK_LINE_RE.search(text, label.end)
            end = blank.start() if blank else len(text)
        notes.append(TextNote(label.number, label.start, label.end, end))
    return notes


class _Evidence:
    """What tells a run of labels to be notes, indexed once for the whole text."""

    def __init__(self, text: str, headings: list[int], markers: list[TextMarker], url_starts: list[int]) -> None:
        self.text = text
        self.headings = headings
        self.url_starts = url_starts
        self.first_marker: dict[int, int] = {}
        for marker in markers:  # in order: the first one of each number stays
            self.first_marker.setdefault(marker.number, marker.start)
        self._blank_ends: dict[int, int] = {}
        self._dates: tuple[list[int], list[int]] | None = None

    def heading_before(self, start: int) -> bool:
        """A heading stands right before ``start``, with only blank lines or rules between.
        Only the last heading before it can: an earlier one has the later one's words between."""
        index = bisect_right(self.headings, start) - 1
        if index < 0:
            return False
        heading_end = self.headings[index]
        blank_end = self._blank_ends.get(heading_end)
        if blank_end is None:
            blank_end = self._blank_ends[heading_end] = _BLANK_RE.match(self.text, heading_end).end()  # type: ignore[union-attr]
        return start <= blank_end

    def cites(self, start: int, end: int) -> bool:
        """A URL starts, or a full date stands, within ``text[start:end]``."""
        first_url = bisect_left(self.url_starts, start)
        if first_url < len(self.url_starts) and self.url_starts[first_url] < end:
            return True
        if self._dates is None:
            found = list(find_dates(self.text))
            self._dates = ([date.start for date in found], [date.end for date in found])
        starts, ends = self._dates
        first_date = bisect_left(starts, start)
        return first_date < len(starts) and ends[first_date] <= end


def _runs(labels: list[_Label], headings: list[int]) -> list[list[_Label]]:
    """Split label lines into runs: a new run starts when the style changes, the
    numbering restarts at 1, or a heading stands between two labels."""
    runs: list[list[_Label]] = []
    current: list[_Label] = []
    for label in labels:
        if current:
            previous = current[-1]
            restart = label.number <= 1 and previous.number >= 1
            after = bisect_left(headings, previous.end)
            heading_between = after < len(headings) and headings[after] <= label.start
            if label.style != previous.style or restart or heading_between:
                runs.append(current)
                current = []
        current.append(label)
    if current:
        runs.append(current)
    return runs


def _qualifies(run: list[_Label], evidence: _Evidence) -> bool:
    first = run[0]
    if evidence.heading_before(first.start):
        return True
    referenced = any(evidence.first_marker.get(label.number, first.start) < first.start for label in run)
    text_length = len(evidence.text)
    citing = 0
    for index, label in enumerate(run):
        end = run[index + 1].start if index + 1 < len(run) else min(text_length, label.end + 2000)
        if evidence.cites(label.end, end):
            citing += 1
    if referenced:
        return citing > 0  # markers point at it and it cites something
    # Unreferenced notes are still notes when bracketed and mostly citing something.
    return first.style in _BRACKETED and citing * 2 >= len(run)


def scan_markers(text: str) -> list[TextMarker]:
    """Every marker-like number in ``text``, wherever it stands (notes included), in order."""
    found: list[tuple[int, str]] = []
    for pattern in _MARKER_RES:
        for m in pattern.finditer(text):
            start = m.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "([_"):
                continue
            found.append((start, m.group(1)))
    if any(ch in text for ch in _SUPERSCRIPTS):
        found.extend((m.start(), m.group(0).translate(_SUPERSCRIPT_DIGITS)) for m in _SUPERSCRIPT_RE.finditer(text))
    found.sort()
    markers: list[TextMarker] = []
    for start, digits in found:
        before = start - 1
        while before >= 0 and text[before] in " \t":
            before -= 1
        if before < 0 or text[before] == "\n":
            continue  # a label at the start of a line is a list item, not a marker
        markers.append(TextMarker(int(digits), start))
    return markers


def find_markers(markers: list[TextMarker], notes: list[TextNote], defined: set[int]) -> list[TextMarker]:
    """The markers of ``scan_markers(text)`` that stand in the body (outside
    ``notes``) and point at a defined number or close to one."""
    if not defined:
        return []
    ceiling = max(defined) + _MARKER_SLACK
    spans = [(note.start, note.end) for note in notes]
    kept: list[TextMarker] = []
    index = 0
    for marker in markers:
        while index < len(spans) and spans[index][1] <= marker.start:
            index += 1
        if index < len(spans) and spans[index][0] <= marker.start:
            continue  # inside a note
        if marker.number in defined or 0 < marker.number <= ceiling:
            kept.append(marker)
    return kept


def body_spans(text_length: int, notes: list[TextNote]) -> list[tuple[int, int]]:
    """The stretches of the text that are not inside a note."""
    spans: list[tuple[int, int]] = []
    position = 0
    for note in notes:
        if note.start > position:
            spans.append((position, note.start))
        position = max(position, note.end)
    if position < text_length:
        spans.append((position, text_length))
    return spans
