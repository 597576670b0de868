"""Who published an article and when, from what the text itself says.

Markup metadata (HTML ``og:site_name``/canonical/``article:published_time``,
Markdown front matter) comes first; then plain-text clues:

* the header (the lines before the first long paragraph, at most 800
  characters): the first full date is the article's date; a site address on
  a byline-like line ("By …, 30.08.2018, www.example.net") names the
  publisher; "Author, Outlet" names a known outlet as the publisher;
* the footer (last 400 characters): "visit: example.org/contact";
* anywhere: "originally appeared at <Outlet>" gives ``republished_from``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from refcheck.extract.dates import find_dates
from refcheck.extract.outlets import OutletMatch
from refcheck.extract.urls import FoundURL, domain_of_url

_HEADER_MAX = 800
_LONG_LINE = 200
_FOOTER = 400
_BYLINE_RE = re.compile(r"^\s*by\s", re.IGNORECASE)
_VISIT_RE = re.compile(r"\b(?:visit(?:\s+us)?(?:\s+(?:at|on))?|website|web site|online at)\s*:?\s*$", re.IGNORECASE)
_REPUBLISHED_RE = re.compile(
    r"(?:originally|first)\s+(?:appeared|published|ran|posted)\s+(?:at|in|on|by|with)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_REPUBLISH_VERBS = ("appeared", "published", "ran", "posted")
_AUTHOR_BEFORE_RE = re.compile(r"(?:^|\n)\s*(?:by\s+)?[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3},\s*$")


@dataclass(slots=True)
class TextClues:
    publisher: str | None = None
    publisher_domain: str | None = None
    date: str | None = None
    republished_from: str | None = None
    own_addresses: list[tuple[int, int]] = field(default_factory=list)
    """Offsets of the publisher's own address on the byline or in a "visit:"
    footer: page furniture, not a citation of the article."""


def header_end(text: str) -> int:
    """End offset of the header: the lines before the first long line, capped."""
    limit = min(len(text), _HEADER_MAX)
    position = 0
    while position < limit:
        newline = text.find("\n", position)
        if newline == -1:
            newline = len(text)
        if newline - position > _LONG_LINE:
            return position
        position = newline + 1
    return limit


def read_clues(text: str, urls: list[FoundURL], outlets: list[OutletMatch], body_end: int | None = None) -> TextClues:
    """``body_end``: where the notes block starts, if there is one (a footer may
    stand before the notes as well as at the very end)."""
    clues = TextClues()
    # The header never reaches into the notes: a short article would otherwise
    # lend its first note's date and URL to its byline.
    limit = len(text) if body_end is None else body_end
    head_end = min(header_end(text), limit)
    # The byline may sit on a long line ("By X, role, 30.08.2018, www.site.net"),
    # so dates and addresses are looked for on the first long line too.
    first_line_end = text.find("\n", head_end)
    byline_end = min(len(text), _HEADER_MAX, first_line_end if first_line_end != -1 else len(text))
    byline_end = min(max(head_end, byline_end), limit)
    for found in find_dates(text[:byline_end]):
        clues.date = found.iso
        break
    for url in urls:
        if url.start >= byline_end:
            break
        if _is_byline_address(text, url):
            clues.publisher = clues.publisher_domain = domain_of_url(_with_scheme(url))
            clues.own_addresses.append((url.start, url.end))
            break
    # The footer's "visit: example.org/contact" is the publisher's own address
    # (page furniture) even when the byline already named the publisher.
    for url in _footer_urls(urls, len(text), body_end):
        if _VISIT_RE.search(text[max(0, url.start - 60) : url.start]):
            if clues.publisher is None:
                clues.publisher = clues.publisher_domain = domain_of_url(_with_scheme(url))
            clues.own_addresses.append((url.start, url.end))
            break
    # Plain substring tests: a regex search over the whole text cost a third of extraction.
    may_be_republished = "riginally" in text or _first_verb(text)
    for match in outlets:
        if not may_be_republished and (clues.publisher is not None or match.start >= byline_end):
            break
        before = text[max(0, match.start - 80) : match.start]
        if may_be_republished and clues.republished_from is None and _REPUBLISHED_RE.search(before):
            clues.republished_from = match.outlet.name
            continue
        if clues.publisher is None and match.start < byline_end and _AUTHOR_BEFORE_RE.search(before):
            clues.publisher = match.outlet.name
            clues.publisher_domain = match.outlet.domain
    return clues


def _first_verb(text: str) -> bool:
    """``"irst appeared"`` (or published, ran, posted) in ``text``: one scan, not one a verb."""
    at = text.find("irst ")
    while at >= 0:
        if text.startswith(_REPUBLISH_VERBS, at + 5):
            return True
        at = text.find("irst ", at + 5)
    return False


def _footer_urls(urls: list[FoundURL], length: int, body_end: int | None) -> list[FoundURL]:
    """The URLs starting in the last _FOOTER characters before the end or before
    ``body_end``, last first (found by bisection: walking back over every URL of
    a long notes block cost as much as reading the rest of the clues)."""
    ends = [length] if body_end is None else [length, body_end]
    indexes: set[int] = set()
    for end in ends:
        indexes.update(range(bisect_left(urls, end - _FOOTER, key=_start), bisect_left(urls, end, key=_start)))
    return [urls[index] for index in sorted(indexes, reverse=True)]


def _start(url: FoundURL) -> int:
    return url.start


def _with_scheme(url: FoundURL) -> str:
    return "https://" + url.text if url.scheme_assumed else url.text


def _is_byline_address(text: str, url: FoundURL) -> bool:
    line_start = text.rfind("\n", 0, url.start) + 1
    line_end = text.find("\n", url.end)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    if line.strip() == url.text:
        return True
    # A date in the byline may be broken across lines ("Published 28\nAugust, 2018 | www.x.org").
    previous_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    with_previous = text[previous_start : line_end if line_end != -1 else len(text)]
    return bool(_BYLINE_RE.match(line)) or next(find_dates(with_previous), None) is not None
