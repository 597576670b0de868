"""Where a citation stands in the raw article, and what an editor would add after it.

A citation is found on its line (1-based, as extraction counts lines) by the URL as
written. Each format has its own idiom:

* plain text: `` [archived: <archive URL>]`` after the URL;
* Markdown: `` ([archived](<archive URL>))`` after an inline link, an autolink or a
  bare URL; a reference link gets `` ([archived][label-archived])`` and a reference
  definition of its own under the original one;
* HTML: `` <a href="…">archived</a>`` after the original link's ``</a>``, or after a
  bare URL in the text (attribute-escaped).

Nothing is ever removed or rewritten: every edit is an insertion.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

from refcheck.extract.urls import find_urls
from refcheck.models import Citation

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")

PlaceKind = Literal["text", "md-link", "md-ref", "md-bare", "html-anchor", "html-bare"]


@dataclass(frozen=True, slots=True)
class Insertion:
    offset: int
    """Character offset in the article's text (original line endings kept)."""
    text: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where one citation is written, and where its archive copy goes."""

    kind: PlaceKind
    end: int
    """Offset just after the link (the insertion point)."""
    label: str | None = None
    """Markdown reference links: the label as written."""
    definition_line: int | None = None
    """Markdown reference links: the line of the reference definition."""


class Article:
    """An article's decoded text with its own line endings, and where each line starts."""

    def __init__(self, text: str, article_format: str) -> None:
        self.text = text
        self.format = article_format
        self._starts = [0]
        self._ends: list[int] = []
        for match in _NEWLINE_RE.finditer(text):
            self._ends.append(match.start())
            self._starts.append(match.end())
        self._ends.append(len(text))
        self.definitions = _reference_definitions(self) if article_format == "markdown" else {}

    @property
    def lines(self) -> int:
        return len(self._starts)

    def span(self, line: int) -> tuple[int, int]:
        """Start and end (before its line ending) of ``line`` (1-based)."""
        return self._starts[line - 1], self._ends[line - 1]

    def line(self, line: int) -> str:
        start, end = self.span(line)
        return self.text[start:end]

    def newline_after(self, line: int) -> str:
        """The line ending of ``line``; for the last line, the file's first one (or ``\\n``)."""
        if line < self.lines:
            return self.text[self._ends[line - 1] : self._starts[line]]
        first = _NEWLINE_RE.search(self.text)
        return first.group() if first else "\n"

    def line_of(self, offset: int) -> int:
        low, high = 0, len(self._starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1


# ----------------------------------------------------------------------------- finding


def places(article: Article, citation: Citation) -> list[Place]:
    """Every place on the citation's line where its URL is written, in the form its kind
    says (a link, or a URL in the text), in order."""
    if not 1 <= citation.line <= article.lines:
        return []
    if article.format == "markdown":
        links = _markdown_links(article, citation)
        return links if links or citation.kind == "link" else _bare(article, citation, "md-bare")
    if article.format == "html":
        anchors = _html_anchors(article, citation) if citation.kind != "inline" else []
        return anchors if anchors or citation.kind == "link" else _html_bare(article, citation)
    return _bare(article, citation, "text")


def _bare(article: Article, citation: Citation, kind: PlaceKind) -> list[Place]:
    start, _ = article.span(citation.line)
    line = article.line(citation.line)
    taken = _markdown_spans(line) if kind == "md-bare" else []
    return [
        Place(kind, start + _after_brackets(line, found.start, found.end))
        for found in find_urls(line)
        if found.text == citation.text and not any(a <= found.start < b for a, b in taken)
    ]


def _after_brackets(line: str, start: int, end: int) -> int:
    """Where a copy goes after a URL written ``<https://…>``: after the ``>`` that closes
    it, not inside the brackets (which would make the copy part of the address)."""
    if start > 0 and line[start - 1] == "<" and line[end : end + 1] == ">":
        return end + 1
    return end


_MD_INLINE_RE = re.compile(
    r"\]\(\s*(?P<dest><[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
_MD_AUTOLINK_RE = re.compile(r"<(?P<dest>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]+)>")
_MD_REF_USE_RE = re.compile(
    r"(?<!\\)\[(?P<text>(?:[^\[\]\\\n]|\\.)+)\](?:\[(?P<label>(?:[^\[\]\\\n]|\\.)*)\])?(?![(:\[])"
)
_MD_DEFINITION_RE = re.compile(r" {0,3}\[(?P<label>(?:[^\[\]\\]|\\.)+)\]:[ \t]*(?P<dest><[^<>\n]*>|\S+)")
_MD_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _destination(raw: str) -> str:
    """A Markdown link destination as a URL: angle brackets and backslash escapes gone."""
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    return _MD_ESCAPE_RE.sub(r"\1", raw)


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _markdown_spans(line: str) -> list[tuple[int, int]]:
    """Where inline links and autolinks stand on a Markdown line (a URL there is not bare)."""
    return [m.span() for regex in (_MD_INLINE_RE, _MD_AUTOLINK_RE) for m in regex.finditer(line)]


def _markdown_links(article: Article, citation: Citation) -> list[Place]:
    start, _ = article.span(citation.line)
    line = article.line(citation.line)
    found = [
        (match.start(), Place("md-link", start + match.end()))
        for regex in (_MD_INLINE_RE, _MD_AUTOLINK_RE)
        for match in regex.finditer(line)
        if _destination(match.group("dest")) == citation.text
    ]
    if not found:
        found = [(p.end, p) for p in _reference_uses(article, citation, line, start)]
    return [place for _, place in sorted(found, key=lambda item: item[0])]


def _reference_uses(article: Article, citation: Citation, line: str, start: int) -> list[Place]:
    uses = []
    for match in _MD_REF_USE_RE.finditer(line):
        label = match.group("label") or match.group("text")
        if label.startswith("^"):  # a footnote marker, not a reference link
            continue
        definition = article.definitions.get(_label_key(label))
        if definition is not None and definition[0] == citation.text:
            uses.append(Place("md-ref", start + match.end(), label, definition[1]))
    return uses


def _reference_definitions(article: Article) -> dict[str, tuple[str, int]]:
    """Markdown reference definitions: label -> (URL, line); the first one wins, as in CommonMark."""
    definitions: dict[str, tuple[str, int]] = {}
    for number in range(1, article.lines + 1):
        match = _MD_DEFINITION_RE.match(article.line(number))
        if match and not match.group("label").startswith("^"):
            definitions.setdefault(_label_key(match.group("label")), (_destination(match.group("dest")), number))
    return definitions


_HTML_ANCHOR_RE = re.compile(
    r"<a\b[^>]*?\bhref\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'>]+))[^>]*>", re.IGNORECASE
)
_HTML_ANCHOR_OPEN_RE = re.compile(r"<a\b", re.IGNORECASE)
_HTML_ANCHOR_CLOSE_RE = re.compile(r"</a\s*>", re.IGNORECASE)


def _html_anchors(article: Article, citation: Citation) -> list[Place]:
    """``<a href="URL">…</a>`` opening on the citation's line; the place is after its ``</a>``
    (on whichever line it is). An anchor whose end cannot be told (another ``<a`` first,
    no ``</a>``) is not a place."""
    start, end = article.span(citation.line)
    found = []
    for match in _HTML_ANCHOR_RE.finditer(article.text, start, end):
        href = match.group("dq") if match.group("dq") is not None else match.group("sq") or match.group("bare")
        if html.unescape(href or "").strip() != citation.text:
            continue
        closing = _HTML_ANCHOR_CLOSE_RE.search(article.text, match.end())
        reopened = _HTML_ANCHOR_OPEN_RE.search(article.text, match.end())
        if closing is None or (reopened is not None and reopened.start() < closing.start()):
            continue
        found.append(Place("html-anchor", closing.end()))
    return found


def _html_bare(article: Article, citation: Citation) -> list[Place]:
    """A URL written in the text of an HTML article (not inside a tag, not a link's own text)."""
    start, _ = article.span(citation.line)
    text = article.text
    found = []
    for url in find_urls(article.line(citation.line)):
        if html.unescape(url.text) != citation.text:
            continue
        at = start + url.start
        inside_tag = text.rfind("<", 0, at) > text.rfind(">", 0, at)
        opened = _last(_HTML_ANCHOR_OPEN_RE, text, at)
        inside_anchor = opened > _last(_HTML_ANCHOR_CLOSE_RE, text, at)
        if not inside_tag and not inside_anchor:
            found.append(Place("html-bare", start + url.end))
    return found


def _last(regex: re.Pattern[str], text: str, before: int) -> int:
    """Where the last match of ``regex`` before ``before`` starts (-1: none); searched
    in a bounded window: an anchor spans a few lines, not a book."""
    window = max(0, before - 20_000)
    last = -1
    for match in regex.finditer(text, window, before):
        last = match.start()
    return last


# ----------------------------------------------------------------------------- editing


@dataclass(slots=True)
class Edits:
    """The insertions planned for one article (references added are remembered: two
    uses of one Markdown reference get one archived definition)."""

    article: Article
    insertions: list[Insertion] = field(default_factory=list)
    added_labels: dict[str, str] = field(default_factory=dict)
    """Original label key -> the archived label added for it."""
    taken: set[int] = field(default_factory=set)
    """Insertion points already used (a link cited twice on a line gets one copy)."""

    def add(self, place: Place, archive_url: str) -> bool:
        """Plan the archive copy after ``place``; False when that place already has one planned."""
        if place.end in self.taken:
            return False
        self.taken.add(place.end)
        if place.kind == "md-ref":
            self._add_reference(place, archive_url)
        else:
            self.insertions.append(Insertion(place.end, addition(place.kind, archive_url)))
        return True

    def _add_reference(self, place: Place, archive_url: str) -> None:
        assert place.label is not None and place.definition_line is not None
        key = _label_key(place.label)
        label = self.added_labels.get(key)
        if label is None:
            label = self._free_label(place.label)
            self.added_labels[key] = label
            article = self.article
            _, end = article.span(place.definition_line)
            newline = article.newline_after(place.definition_line)
            self.insertions.append(Insertion(end, f"{newline}[{label}]: {markdown_destination(archive_url)}"))
        self.insertions.append(Insertion(place.end, f" ([archived][{label}])"))

    def _free_label(self, label: str) -> str:
        taken = set(self.article.definitions) | {_label_key(added) for added in self.added_labels.values()}
        candidate, number = f"{label}-archived", 1
        while _label_key(candidate) in taken:
            number += 1
            candidate = f"{label}-archived-{number}"
        return candidate


def addition(kind: PlaceKind, archive_url: str) -> str:
    """The text added after a link of this kind."""
    if kind == "text":
        return f" [archived: {archive_url}]"
    if kind in ("html-anchor", "html-bare"):
        return f' <a href="{html.escape(archive_url, quote=True)}">archived</a>'
    return f" ([archived]({markdown_destination(archive_url)}))"


def markdown_destination(url: str) -> str:
    """A URL as a Markdown link destination: in angle brackets when it holds parentheses or
    spaces (``<``, ``>`` and line breaks percent-encoded: they end one)."""
    url = url.replace("<", "%3C").replace(">", "%3E").replace("\n", "%0A").replace("\r", "%0D")
    if any(char in url for char in "() \t"):
        return f"<{url}>"
    return url


def apply_insertions(text: str, insertions: list[Insertion]) -> str:
    """``text`` with every insertion made (two at one offset: in the order planned)."""
    pieces, last = [], 0
    for insertion in sorted(insertions, key=lambda item: item.offset):
        pieces.append(text[last : insertion.offset])
        pieces.append(insertion.text)
        last = insertion.offset
    pieces.append(text[last:])
    return "".join(pieces)
