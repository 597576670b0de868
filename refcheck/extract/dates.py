"""Dates as articles write them, turned into ISO strings.

Handled: ``2018-08-28`` (also inside timestamps), ``30.08.2018`` and
``08.28.18`` (day/month order decided by which part can be a month),
``22 October 2015``, ``14 August, 2018``, ``28\\nAugust, 2018`` (hard line
breaks anywhere between the parts), ``August 28, 2018``, ``Aug. 28, 2018``,
``July 30-2018``; with ``partial=True`` also ``February 2018`` -> ``2018-02``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_MONTH = r"(?P<{name}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{name}>(?:1[89]|20)\d\d)"
_DAY = r"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"
_SEP = r"[\s,]+"

_DATE_RE = re.compile(
    r"(?<![\w.-])(?:"
    + r"(?P<iso>(?P<iy>(?:1[89]|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\d])"
    + r"|(?P<dotted>(?P<d1>[0-3]?\d)\.(?P<d2>[0-3]?\d)\.(?P<d3>(?:1[89]|20)?\d\d))(?![\w]|\.\d)"
    + r"|(?P<dmy>"
    + _DAY.format(name="xd")
    + _SEP
    + _MONTH.format(name="xm")
    + _SEP
    + _YEAR.format(name="xy")
    + r")(?!\w)"
    + r"|(?P<mdy>"
    + _MONTH.format(name="ym")
    + r"\s+"
    + _DAY.format(name="yd")
    + r"(?:,\s*|\s+|-)"
    + _YEAR.format(name="yy")
    + r")(?!\w)"
    + r"|(?P<my>"
    + _MONTH.format(name="zm")
    + r"\s+"
    + _YEAR.format(name="zy")
    + r")(?!\w)"
    + r")",
    re.IGNORECASE,
)


@dataclass(slots=True)
class FoundDate:
    iso: str
    start: int
    end: int
    precise: bool
    """Day, month and year are all known."""


# Every date form above holds a 4-digit year or a dotted d.m.yy: find those first
# (a digit-led scan), then try the full pattern only around them. The full
# pattern over a whole note cost 17 us a note; most text has no date at all.
_ANCHOR_RE = re.compile(r"(?:1[89]|20)\d\d|\d\.\d{1,2}\.\d\d")
_BEFORE_ANCHOR = 24  # longest "28th September, " before a year
_AFTER_ANCHOR = 12  # "-08-28" after an ISO year, with room for the lookaheads


def find_dates(text: str, *, partial: bool = False) -> Iterator[FoundDate]:
    done = 0
    for anchor in _ANCHOR_RE.finditer(text):
        if anchor.start() < done:
            continue
        low = max(done, anchor.start() - _BEFORE_ANCHOR)
        for match in _DATE_RE.finditer(text, low, min(len(text), anchor.end() + _AFTER_ANCHOR)):
            if match.end() <= anchor.start():
                continue  # a date before this anchor has its own anchor
            done = match.end()
            yield from _found(match, partial)
            break


def _found(match: re.Match[str], partial: bool) -> Iterator[FoundDate]:
    found = _interpret(match)
    if found is None:
        return
    iso, precise = found
    if precise or partial:
        yield FoundDate(iso, match.start(), match.end(), precise)


def first_date(text: str, *, partial: bool = False) -> str | None:
    precise = None
    rough = None
    for found in find_dates(text, partial=partial):
        if found.precise:
            precise = found.iso
            break
        if rough is None:
            rough = found.iso
    return precise or rough


def _interpret(match: re.Match[str]) -> tuple[str, bool] | None:
    if match.group("iso"):
        return _iso(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
    if match.group("dotted"):
        first, second = int(match.group("d1")), int(match.group("d2"))
        year = _full_year(match.group("d3"))
        if second > 12 >= first:  # 08.28.18: month first
            first, second = second, first
        return _iso(year, second, first)
    if match.group("dmy"):
        return _iso(int(match.group("xy")), _MONTHS[match.group("xm").lower()], int(match.group("xd")))
    if match.group("mdy"):
        return _iso(int(match.group("yy")), _MONTHS[match.group("ym").lower()], int(match.group("yd")))
    if match.group("my"):
        month = _MONTHS[match.group("zm").lower()]
        return f"{int(match.group('zy')):04d}-{month:02d}", False
    return None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _iso(year: int, month: int, day: int) -> tuple[str, bool] | None:
    try:
        return date(year, month, day).isoformat(), True
    except ValueError:
        return None
