"""What a format reader hands to the shared analysis: the article's prose as one
plain string with a map back to source lines, plus whatever the markup states
outright (hyperlinks, footnote lists and markers, metadata)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from refcheck.models import FootnoteLabel, LocationUnit, Region


@dataclass(slots=True)
class MarkupLink:
    href: str
    line: int
    note: FootnoteLabel | None = None
    """Label of the footnote the link sits in, for links inside a markup notes list."""
    region: Region = "article"


@dataclass(slots=True)
class MarkupNote:
    label: FootnoteLabel
    line: int
    text: str
    links: list[MarkupLink] = field(default_factory=list)
    code: str = ""
    """Text of the note's code blocks (kept out of ``text``: a URL in code is an
    example, not a citation); a note that holds only code is not empty."""


@dataclass(slots=True)
class MarkupMarker:
    label: FootnoteLabel
    line: int


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    publisher: str | None = None
    site_url: str | None = None
    """A URL of the article or its site (canonical link, og:url): its domain is the publisher's."""
    date: str | None = None
    language: str | None = None
    """The language the markup states (``<html lang>``, front matter ``lang``)."""


@dataclass(slots=True)
class ParsedSource:
    format: str
    text: str
    """The prose, lines separated by ``\\n``."""
    source_lines: list[int] | None = None
    """Source line of each line of ``text``; None when ``text`` is the file itself."""
    links: list[MarkupLink] = field(default_factory=list)
    notes: list[MarkupNote] | None = None
    """Footnotes stated by markup; None means: find a notes block in ``text``."""
    markers: list[MarkupMarker] = field(default_factory=list)
    meta: Metadata = field(default_factory=Metadata)
    page_spans: list[tuple[int, int]] = field(default_factory=list)
    """Offsets ``[start, end)`` of ``text`` that are page furniture, not the article
    (menus, footers, widgets, the publisher's own address), in order."""
    inner_markers: list[MarkupMarker] = field(default_factory=list)
    """References to a note from outside the running text: from inside another
    note (Wikipedia's notes citing its references, ``[^a]`` within ``[^b]:``) or
    from Markdown front matter. They make a note referenced; they are not body markers."""
    anchors: set[str] | None = None
    """The ids an in-page link (``#id``) may lead to; None when the format has
    none (plain text: in-page links are not checked)."""
    marker_targets: dict[str, FootnoteLabel] = field(default_factory=dict)
    """In-page link targets that are footnote markers (``cite_note-7`` -> 7): a marker
    whose note is missing is a ``missing-footnote``, not also a ``broken-anchor``."""
    anchors_fold_case: bool = False
    """Match in-page links to ``anchors`` case-insensitively (Markdown heading
    slugs; ``anchors`` then holds lower-case ids)."""
    unit: LocationUnit = "line"
    """What ``source_lines`` count: source lines, a Word document's paragraphs, a PDF's pages."""
    notice: str | None = None
    """What the reader left out of a document it did read (``read the first 1,000 of
    10,000 pages``): shown beside the document, never silent."""
    _line_starts: list[int] | None = None

    def line_at(self, offset: int) -> int:
        """Source line (1-based) of a character offset in ``text``."""
        index = bisect_right(self._starts(), offset) - 1
        if self.source_lines is None:
            return index + 1
        if index < len(self.source_lines):
            return self.source_lines[index]
        return self.source_lines[-1] if self.source_lines else 1

    def lines_at(self, offsets: list[int]) -> list[int]:
        """``[line_at(offset) for offset in offsets]``, without a call for each."""
        starts = self._starts()
        indexes = [bisect_right(starts, offset) - 1 for offset in offsets]
        source_lines = self.source_lines
        if source_lines is None:
            return [index + 1 for index in indexes]
        count = len(source_lines)
        last = source_lines[-1] if source_lines else 1
        return [source_lines[index] if index < count else last for index in indexes]

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts
