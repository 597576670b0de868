"""The analysis every format shares: from a :class:`ParsedSource` to a :class:`Document`.

Footnotes (from markup, or the notes block of the text), their markers and
problems; citations (footnote, inline, link) with normalised URL and registrable
domain; outlets named without a link; publisher and date.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

from refcheck.errors import InvalidURL
from refcheck.extract.boilerplate import tail_span
from refcheck.extract.dates import first_date
from refcheck.extract.language import detect_language
from refcheck.extract.metadata import TextClues, read_clues
from refcheck.extract.notes import TextMarker, TextNote, find_markers, find_notes, note_titles, scan_markers
from refcheck.extract.outlets import Outlet, OutletIndex, OutletMatch, normalize_name
from refcheck.extract.source import MarkupLink, ParsedSource
from refcheck.extract.targets import check_targets
from refcheck.extract.urls import (
    FoundURL,
    domain_of_url,
    find_urls,
    lower_same_length,
    normalize_url_and_domain,
    registrable_domain,
)
from refcheck.models import (
    PROBLEM_SEVERITY,
    Citation,
    CitationKind,
    Document,
    Footnote,
    FootnoteLabel,
    Mention,
    Problem,
    ProblemKind,
)

_NOT_CITATIONS = ("mailto:", "javascript:", "tel:", "data:", "#", "about:", "file:")
_SPACES_RE = re.compile(r"\s+")
_NAMED_SOURCE_RE = re.compile(
    r"^\s*(?:see\s+(?:on\s+this\s+)?(?:also\s+)?(?:e\.g\.\s+)?)?"
    r"(?P<name>[A-Z][\w&.'’-]*(?:\s[A-Z&][\w&.'’-]*){0,4}):\s"
)
_LEADING_ARTICLE_RE = re.compile(r"^the\s+", re.IGNORECASE)
_AFFILIATION_RE = re.compile(r"[A-Z][\w.'’-]+\s+of\s+(?:the\s+)?$")
_GAP_LISTED = 20
_WORK_SEGMENT_RE = re.compile(r"\w+\s*:\s*\S|\b(?:1[89]|20)\d\d\b|[\"“«]")


@dataclass(slots=True)
class ExtractContext:
    """What extraction needs beyond the article: the outlet list (which learns
    aliases as the corpus is read) and the settings' publisher mapping."""

    outlets: OutletIndex
    publishers: list[tuple[str, str]] = field(default_factory=list)
    """(glob over the article's path, publisher) pairs; the first match wins."""


@dataclass(slots=True)
class _Note:
    label: FootnoteLabel
    line: int
    text: str
    start: int
    end: int
    citations: list[Citation] = field(default_factory=list)
    domains: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    url_spans: list[tuple[int, int]] | None = None
    """Where the URLs of ``text`` stand, when already found (a note from markup)."""


def analyze(parsed: ParsedSource, path: str, context: ExtractContext, folder: Path | None = None) -> Document:
    """``folder``: the folder of the article's file, for its relative links (None: no file)."""
    text = parsed.text
    lowered = lower_same_length(text)
    urls = list(find_urls(text, lowered))
    document = Document(path=path, format=parsed.format, unit=parsed.unit, notice=parsed.notice)

    text_markers = scan_markers(text)
    url_starts = [url.start for url in urls]
    notes = _notes_from_text(parsed, text_markers, url_starts) if parsed.notes is None else _notes_from_markup(parsed)
    note_starts = [note.start for note in notes] if parsed.notes is None else []
    citations: list[Citation] = []
    inline_starts: list[int] = []
    # The loop body runs once a URL (3-4 a KB of some text): _note_at and line_at inlined.
    for url, line in zip(urls, parsed.lines_at(url_starts), strict=True):
        start = url.start
        if note_starts:
            index = bisect_right(note_starts, start) - 1
            note = notes[index] if index >= 0 and start < notes[index].end else None
            if note is not None:
                _add_unique(note, _citation(url.text, "footnote", note.label, line))
                continue
        citations.append(_citation(url.text, "inline", None, line))
        inline_starts.append(start)

    _add_note_links(parsed.links, notes)  # before the notes are summed up: their URLs, problems, titles
    for note in notes:
        note_date = first_date(note.text, partial=True)
        document.footnotes.append(
            Footnote(note.label, note.line, note.text, note_date, [c.url for c in note.citations])
        )
        _give_titles(note)
        _learn_aliases(note, context.outlets)

    marker_positions = _marker_positions(parsed, notes, text_markers)
    document.markers = [label for _, label in marker_positions]
    document.problems = _problems(notes, marker_positions, parsed)
    _add_target_problems(document, parsed, marker_positions, folder)

    outlet_matches = list(context.outlets.find(text, lowered))
    notes_start = min((note.start for note in notes if note.start >= 0), default=None)
    clues = read_clues(text, urls, outlet_matches, notes_start)
    tail_line = _mark_page_citations(parsed, citations, inline_starts, clues.own_addresses, notes_start)
    _add_markup_links(parsed.links, citations, notes)
    if tail_line is not None:  # Markdown links in a "Share this / Leave a reply" tail
        for citation in citations:
            if citation.kind == "link" and citation.line >= tail_line:
                citation.region = "page"
    all_citations = [c for note in notes for c in note.citations] + citations
    all_citations.sort(key=lambda c: c.line)
    document.citations = all_citations
    _set_publisher(document, parsed, clues, context)
    document.republished_from = clues.republished_from
    document.title = parsed.meta.title
    document.language = parsed.meta.language or detect_language(text)
    if parsed.meta.site_url:
        document.url = _normalized(parsed.meta.site_url.strip())[0]
    document.mentions = _mentions(parsed, outlet_matches, urls, notes, document, context.outlets)
    return document


# --- footnotes ---------------------------------------------------------------------


def _notes_from_text(parsed: ParsedSource, markers: list[TextMarker], url_starts: list[int]) -> list[_Note]:
    text = parsed.text
    notes: list[_Note] = []
    for found in find_notes(text, markers, url_starts):
        body = " ".join(text[found.body_start : found.end].split())
        notes.append(_Note(found.number, parsed.line_at(found.start), body, found.start, found.end))
    return notes


def _notes_from_markup(parsed: ParsedSource) -> list[_Note]:
    notes: list[_Note] = []
    for markup in parsed.notes or []:
        # A note of code only is not empty: its code stands for its text (its URLs are not cited).
        # (" ".join(split()) is _SPACES_RE.sub(" ", …).strip(): \s is str.isspace; a regex
        # substitution for every space between words cost more than finding the note's URLs.)
        text = " ".join(markup.text.split()) or " ".join(markup.code.split())
        note = _Note(markup.label, markup.line, text, -1, -1)
        found = list(find_urls(markup.text))
        multiline = "\n" in markup.text
        for url in found:
            line = markup.line + markup.text.count("\n", 0, url.start) if multiline else markup.line
            _add_unique(note, _citation(url.text, "footnote", note.label, line))
        if text == markup.text:  # (most notes: _mentions looks for URLs in the same text)
            note.url_spans = [(url.start, url.end) for url in found]
        for link in markup.links:
            if _is_citable(link.href):
                _add_unique(note, _citation(link.href, "footnote", note.label, link.line, _title_of(link)))
        notes.append(note)
    return notes


def _mark_page_citations(
    parsed: ParsedSource,
    citations: list[Citation],
    starts: list[int],
    own_addresses: list[tuple[int, int]],
    notes_start: int | None,
) -> int | None:
    """Inline URLs in page furniture get region ``page``: the spans the format
    reader marked (HTML menus, footers…), the publisher's own address on the
    byline or in a "visit:" footer, and a boilerplate tail of plain text
    ("Leave a Reply", "Share this:"…). Notes are the article's wherever they stand.
    Returns the first line of such a tail, if there is one."""
    spans = list(parsed.page_spans)
    spans.extend(own_addresses)
    tail_line = None
    if parsed.format != "html":
        tail = tail_span(parsed.text, notes_start)
        if tail is not None:
            spans.append(tail)
            tail_line = parsed.line_at(tail[0])
    if not spans or not citations:
        return tail_line
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # spans may nest (an address inside a marked footer)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    span_starts = [start for start, _ in merged]
    for citation, offset in zip(citations, starts, strict=True):
        index = bisect_right(span_starts, offset) - 1
        if index >= 0 and offset < merged[index][1]:
            citation.region = "page"
    return tail_line


def _note_at(notes: list[_Note], starts: list[int], offset: int) -> _Note | None:
    index = bisect_right(starts, offset) - 1
    if index >= 0 and notes[index].start <= offset < notes[index].end:
        return notes[index]
    return None


def _add_unique(note: _Note, citation: Citation) -> None:
    if citation.url in note.urls:
        return
    note.urls.add(citation.url)
    note.citations.append(citation)
    if citation.domain:
        note.domains.add(citation.domain)


def _add_note_links(links: list[MarkupLink], notes: list[_Note]) -> None:
    """Hyperlinks the markup places in a note found in the text (a PDF's link
    annotation inside a reference-list entry): citations of that note."""
    by_label = {note.label: note for note in notes}
    for link in links:
        note = by_label.get(link.note) if link.note is not None else None
        if note is not None and _is_citable(link.href):
            _add_unique(note, _citation(link.href, "footnote", note.label, link.line, _title_of(link)))


def _add_markup_links(links: list[MarkupLink], citations: list[Citation], notes: list[_Note]) -> None:
    """Hyperlinks outside the notes (those in a note: :func:`_add_note_links`)."""
    labels = {note.label for note in notes}
    linked: list[Citation] = []
    for link in links:
        if not _is_citable(link.href) or (link.note is not None and link.note in labels):
            continue
        citation = _citation(link.href, "link", None, link.line, _title_of(link))
        citation.region = link.region
        linked.append(citation)
    if not linked:
        return
    # The same URL written out as the text of its own link is one citation: the link.
    targets = {(c.url, c.line) for c in linked}
    citations[:] = [c for c in citations if (c.url, c.line) not in targets] + linked


def _is_citable(href: str) -> bool:
    lowered = href.strip().lower()
    if not lowered or lowered.startswith(_NOT_CITATIONS):
        return False
    return lowered.startswith(("http://", "https://", "//", "ftp://"))


def _citation(
    text: str, kind: CitationKind, footnote: FootnoteLabel | None, line: int, title: str | None = None
) -> Citation:
    written = text.strip()
    url, assumed, domain = _normalized(written)
    return Citation(written, url, domain, kind, footnote, line, assumed, title=title)


def _title_of(link: MarkupLink) -> str | None:
    """The title a markup link's text gives (the readers make TitledLinks)."""
    return getattr(link, "title", None)


def _give_titles(note: _Note) -> None:
    """The title the note gives each of its citations that has none from its link
    text: the one written before its URL, else the note's own (notes.note_titles)
    when no link of the note gives one."""
    if not note.citations or all(citation.title for citation in note.citations):
        return
    by_url, whole = note_titles(note.text, [citation.text for citation in note.citations])
    if any(citation.title for citation in note.citations):
        whole = None  # the note's title is its titled link's: its other links are identifiers, archives…
    for citation in note.citations:
        if citation.title is None:
            citation.title = by_url.get(citation.text, whole)


def _normalized(written: str) -> tuple[str, bool, str | None]:
    """(normalised URL, scheme assumed, registrable domain); an invalid URL stays as written."""
    if len(written) > _MAX_CACHED_URL:
        return _normalize(written)  # a 100 KB URL is not kept as a key of the cache
    return _normalized_cached(written)


_MAX_CACHED_URL = 2048


def _normalize(written: str) -> tuple[str, bool, str | None]:
    try:  # normalize_url reads "//host/path" itself (https assumed)
        return normalize_url_and_domain(written)
    except InvalidURL:
        return written, False, None


# URLs repeat across articles; bounded so memory stays flat.
_normalized_cached = lru_cache(maxsize=32768)(_normalize)


def _problems(
    notes: list[_Note], marker_positions: list[tuple[int, FootnoteLabel]], parsed: ParsedSource | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    marker_lines: dict[FootnoteLabel, int] = {}
    for line, label in marker_positions:
        marker_lines.setdefault(label, line)
    # A note cited from inside another note (or from Markdown front matter) is referenced.
    inner = {marker.label for marker in parsed.inner_markers} if parsed is not None else set()
    defined: dict[FootnoteLabel, _Note] = {}
    for note in notes:
        if note.label in defined:
            first = defined[note.label]
            problems.append(_problem("duplicate-footnote", note.label, note.line,
                                     f"footnote {note.label} is defined twice (first at line {first.line})"))  # fmt: skip
        else:
            defined[note.label] = note
        if not note.text:
            problems.append(_problem("empty-footnote", note.label, note.line, f"footnote {note.label} is empty"))
        work = _unlinked_work(note)
        if work:
            problems.append(_problem("unlinked-work", note.label, note.line,
                                     f"footnote {note.label} cites a work without a link: {work[:80]}"))  # fmt: skip
    for label, line in marker_lines.items():
        if label not in defined:
            problems.append(_problem("missing-footnote", label, line, f"marker {label} has no footnote"))
    if notes:
        for label, note in defined.items():
            if label not in marker_lines and label not in inner:
                problems.append(_problem("unreferenced-footnote", label, note.line,
                                         f"footnote {label} is never referenced in the text"))  # fmt: skip
    numbers = sorted({label for label in defined if isinstance(label, int)})
    if numbers:
        # Markdown labels are names: numbering is checked from the lowest one used
        # (a lone [^3] skips nothing), where a notes list or block numbers from 1.
        expected = numbers[0] if parsed is not None and parsed.format == "markdown" else 1
        for number in numbers:
            if number > expected:
                # "[^99999999999]" must not make a list of every number below it.
                if number - expected <= _GAP_LISTED:
                    missing = ", ".join(str(n) for n in range(expected, number))
                else:
                    missing = f"{expected} to {number - 1}"
                problems.append(_problem("numbering-gap", expected, defined[number].line,
                                         f"footnote numbering skips {missing}"))  # fmt: skip
            expected = number + 1
    problems.sort(key=lambda p: (p.line, p.kind))
    return problems


def _add_target_problems(
    document: Document,
    parsed: ParsedSource,
    marker_positions: list[tuple[int, FootnoteLabel]],
    folder: Path | None,
) -> None:
    """``broken-anchor`` and ``missing-file`` problems and the local links (see
    :mod:`refcheck.extract.targets`)."""
    if not parsed.links and not parsed.notes:
        return
    referenced = {label for _, label in marker_positions}
    referenced.update(marker.label for marker in parsed.inner_markers)
    problems, local_links = check_targets(parsed, document.path, folder, referenced)
    document.local_links = local_links
    if problems:
        document.problems.extend(problems)
        document.problems.sort(key=lambda p: (p.line, p.kind))


def _marker_positions(
    parsed: ParsedSource, notes: list[_Note], text_markers: list[TextMarker]
) -> list[tuple[int, FootnoteLabel]]:
    positions: list[tuple[int, FootnoteLabel]] = [(m.line, m.label) for m in parsed.markers]
    defined = {note.label for note in notes if isinstance(note.label, int)}
    if parsed.notes is None or not parsed.markers:
        text_notes = [TextNote(0, n.start, n.start, n.end) for n in notes if n.start >= 0]
        for marker in find_markers(text_markers, text_notes, defined):
            positions.append((parsed.line_at(marker.start), marker.number))
    positions.sort(key=lambda pair: pair[0])
    return positions


def _problem(kind: ProblemKind, label: FootnoteLabel | None, line: int, message: str) -> Problem:
    return Problem(kind, label, line, message, PROBLEM_SEVERITY[kind])


def _unlinked_work(note: _Note) -> str | None:
    """A ``;``-separated part of a note that names a work but gives no link."""
    segments = note.text.split(";")
    if note.citations and len(segments) < 2:
        return None
    linked = _segment_citations(note, segments)
    for index, segment in enumerate(segments):
        segment = segment.strip()
        if len(segment.split()) < 3:
            continue
        if linked is not None:
            if index in linked:
                continue
        elif any(c.text in segment for c in note.citations):
            continue
        if _WORK_SEGMENT_RE.search(segment):
            return segment
    return None


_FEW_CITATIONS = 8


def _segment_citations(note: _Note, segments: list[str]) -> dict[int, list[Citation]] | None:
    """For a note with many citations: the citations whose text stands in each
    ``;``-separated segment (by segment index, in the note's order), from one
    Aho-Corasick pass -- testing every citation against every segment was
    quadratic (a note of 13,000 URLs took minutes). None for a note with few
    citations, where testing each one is cheaper."""
    if len(note.citations) <= _FEW_CITATIONS:
        return None
    by_text: dict[str, list[int]] = {}
    for order, citation in enumerate(note.citations):
        if citation.text:
            by_text.setdefault(citation.text, []).append(order)
    texts = list(by_text)
    starts: list[int] = []
    position = 0
    for segment in segments:
        starts.append(position)
        position += len(segment) + 1
    found: dict[int, set[int]] = {}
    matcher = ahocorasick_rs.AhoCorasick(texts)
    for pattern, start, end in matcher.find_matches_as_indexes(note.text, overlapping=True):
        index = bisect_right(starts, start) - 1
        if end <= starts[index] + len(segments[index]):
            found.setdefault(index, set()).update(by_text[texts[pattern]])
    return {index: [note.citations[order] for order in sorted(orders)] for index, orders in found.items()}


# --- aliases, mentions, publisher ---------------------------------------------------


def _learn_aliases(note: _Note, outlets: OutletIndex) -> None:
    if not note.citations:
        return
    segments = note.text.split(";")
    linked = _segment_citations(note, segments)
    for index, segment in enumerate(segments):
        match = _NAMED_SOURCE_RE.match(segment)
        if match is None:
            continue
        name = match.group("name")
        candidates = linked.get(index, []) if linked is not None else note.citations
        for citation in candidates:
            if citation.text in segment and citation.domain and _name_fits_domain(name, citation.domain):
                outlets.learn(name, citation.domain)
                break


@lru_cache(maxsize=4096)  # a note of many links repeats its pairs
def _name_fits_domain(name: str, domain: str) -> bool:
    words = [w for w in normalize_name(name).split() if w not in {"the", "a"}]
    squashed = "".join(ch for ch in "".join(words) if ch.isalnum())
    label = "".join(ch for ch in domain.split(".")[0] if ch.isalnum())
    if not squashed or not label:
        return False
    if label == squashed or (len(label) >= 4 and label in squashed) or (len(squashed) >= 4 and squashed in label):
        return True
    initials = "".join(w[0] for w in words)
    return len(words) > 1 and (label == initials or label == initials[:-1] + words[-1])


def _mentions(
    parsed: ParsedSource,
    matches: list[OutletMatch],
    urls: list[FoundURL],
    notes: list[_Note],
    document: Document,
    outlets: OutletIndex,
) -> list[Mention]:
    text = parsed.text
    url_starts = [u.start for u in urls]
    note_starts = [n.start for n in notes] if parsed.notes is None else []
    linked_lines: dict[int, set[str]] = {}
    for citation in document.citations:
        if citation.domain:
            linked_lines.setdefault(citation.line, set()).add(citation.domain)
    own = _own_outlet(document, outlets)
    by_outlet: dict[str, Mention] = {}
    for match in matches:
        outlet = match.outlet
        if own is not None and outlet is own:
            continue
        index = bisect_right(url_starts, match.start) - 1
        if index >= 0 and urls[index].end > match.start:
            continue  # part of a URL
        # A cheap look at the text just before first: the anchored pattern is slow to search.
        if " of " in text[max(0, match.start - 9) : match.start] and _AFFILIATION_RE.search(
            text[max(0, match.start - 60) : match.start]
        ):
            continue  # "Jane Doe of the Example Council": an affiliation, not a source
        if outlet.domains:
            note = _note_at(notes, note_starts, match.start) if note_starts else None
            if note is not None and not note.domains.isdisjoint(outlet.domains):
                continue  # named beside its own link
        line = parsed.line_at(match.start)
        if outlet.domains and line in linked_lines and not linked_lines[line].isdisjoint(outlet.domains):
            continue
        _count_mention(by_outlet, match, line)
    if parsed.notes is not None:
        # Notes stated by markup (HTML reference lists, Markdown definitions) are
        # not part of the prose: their outlets are looked for in each note's text.
        for note in notes:
            note_urls = note.url_spans
            if note_urls is None:
                note_urls = [(u.start, u.end) for u in find_urls(note.text)]
            for match in outlets.find(note.text, lower_same_length(note.text)):
                outlet = match.outlet
                if own is not None and outlet is own:
                    continue
                if any(start <= match.start < end for start, end in note_urls):
                    continue  # part of a URL
                if outlet.domains and not note.domains.isdisjoint(outlet.domains):
                    continue  # named beside its own link
                _count_mention(by_outlet, match, note.line)
    return list(by_outlet.values())


def _count_mention(by_outlet: dict[str, Mention], match: OutletMatch, line: int) -> None:
    outlet = match.outlet
    mention = by_outlet.get(outlet.name)
    if mention is None:
        name = _LEADING_ARTICLE_RE.sub("", _SPACES_RE.sub(" ", match.text))
        by_outlet[outlet.name] = Mention(name, outlet.name, outlet.domain, line, 1, [line])
    else:
        mention.count += 1
        if line not in mention.lines:
            mention.lines.append(line)
            mention.lines.sort()


def _own_outlet(document: Document, outlets: OutletIndex) -> Outlet | None:
    if document.publisher_domain:
        found = outlets.by_domain(document.publisher_domain)
        if found is not None:
            return found
    if document.publisher:
        return outlets.by_name(document.publisher) or outlets.by_domain(document.publisher)
    return None


def _set_publisher(document: Document, parsed: ParsedSource, clues: TextClues, context: ExtractContext) -> None:
    meta = parsed.meta
    site_domain = domain_of_url(meta.site_url) if meta.site_url else None
    publisher = meta.publisher or site_domain or clues.publisher
    publisher_domain = site_domain or (clues.publisher_domain if not meta.publisher else None)
    for pattern, mapped in context.publishers:
        if fnmatch(document.path, pattern) or fnmatch(document.path.rsplit("/", 1)[-1], pattern):
            publisher = mapped
            publisher_domain = None
            break
    if publisher and not publisher_domain:
        outlet = context.outlets.by_name(publisher)
        publisher_domain = outlet.domain if outlet else registrable_domain(publisher) if "." in publisher else None
    document.publisher = publisher
    document.publisher_domain = publisher_domain
    document.date = meta.date or clues.date
