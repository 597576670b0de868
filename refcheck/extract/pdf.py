"""PDF documents: the text layer in reading order, one line per PDF text line,
each line's page as its "line"; link annotations (URI actions); metadata.

The library is pypdfium2 (PDFium, Apache-2.0/BSD): measured against pypdf and
pdfminer.six on real PDFs it read the most accurate text, 10-40x faster, with
the least memory (``benchmarks/pdf_bench.py``). Numbered reference lists
("[12] Author, Title, Publisher, date, URL", "12. …") are found by the shared
rules for plain text (:func:`refcheck.extract.notes.find_notes`: under a heading,
or referenced from the body, or bracketed and citing) and handed over as markup
notes with the link annotations that lie in each: left in the text, a note whose
only address is a link annotation would have listed no URL and been called an
unlinked work (measured on the sample brief and the tests).

What PDFium gives is repaired where a reader of citations needs it:

* a word hyphenated at a line end comes back joined (PDFium marks the hyphen
  with U+FFFE); inside a URL the hyphen is the URL's own and is kept, unless a
  link annotation on the line says the address has none;
* a URL broken across two lines is joined back when a link annotation gives the
  whole address, or when the break follows a character URLs break after
  (``/ - _ = & ? #``) and the next line goes on with URL characters;
* but without an annotation saying so, never onto what starts a new note
  (``[2]``, ``2.``, ``(2)``) or reads as prose (``U.S.``, ``The``): a URL
  ending in ``/`` at a line end is complete unless the next word is plainly a
  path (``2018/annual.pdf``, ``2019-03``), as is one ending in a hyphen before
  prose;
* a superscript number (smaller than the text before it and raised above its
  baseline; not after a lone letter, as in ``x²``) is written in Unicode
  superscript digits (``claim¹``), a marker the shared analysis knows;
* lone page numbers and running headers and footers (the same first or last line
  on many pages, digits aside) are dropped.

Hostile files stay bounded: at most :data:`MAX_PAGES` pages, :data:`MAX_TEXT_CHARS`
characters (:data:`MAX_PAGE_CHARS` a page), :data:`MAX_PAGE_LINKS` annotations a
page and :data:`MAX_LINKS` in all, and :data:`TIME_LIMIT` seconds between pages;
what was left out is said in ``ParsedSource.notice``. A file that cannot be
read at all (not a PDF, encrypted with a user password, broken, no text layer)
raises :class:`SkipFile` with one line saying why.
"""

from __future__ import annotations

import ctypes
import re
import threading
import time
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pypdfium2 as pdfium  # type: ignore[import-untyped]  # (no type hints shipped)
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from refcheck.errors import SkipFile
from refcheck.extract.notes import find_notes, scan_markers
from refcheck.extract.source import MarkupLink, MarkupNote, Metadata, ParsedSource
from refcheck.extract.urls import find_urls

MAX_PAGES = 2000
"""Pages read at most; the rest of a longer document is left out, with a notice."""
MAX_TEXT_CHARS = 10_000_000
"""Characters read at most over the whole document."""
MAX_PAGE_CHARS = 200_000
"""Characters read at most from one page (a dense page of a book holds ~5,000)."""
MAX_PAGE_LINKS = 1000
"""Annotations looked at on one page."""
MAX_LINKS = 20_000
"""Link annotations kept over the whole document."""
MAX_URI_BYTES = 8192
"""A longer link address is not a citation anyone can follow: skipped."""
TIME_LIMIT = 60.0
"""Seconds of reading after which no further page is started."""

_HEADER_SEARCH = 1024
"""The ``%PDF-`` header must start within this many bytes (as PDF readers allow)."""
_SOFT_HYPHEN = "\ufffe"
"""What PDFium puts for a hyphen at a line end, the line break removed."""
_LINE_END_RE = re.compile(r"\r\n|\r|\n|(?<=[\ufffe\x02])(?![\r\n]|$)")
"""A line break, or the place after a soft hyphen where PDFium took one out."""
_AFTER_MARKER = frozenset(" \t.,;:)]!?\u2019\u201d")
"""What the text goes on with after a marker on the same line (an empty line never)."""
_SUPERSCRIPT_RATIO = 0.8
_RISE_RATIO = 0.15
"""...and raised above the baseline by this part of that text's size."""
"""A number this much smaller than the text before it is a superscript."""
_FURNITURE_MIN_PAGES = 3
"""A first or last line repeated on this many pages (and on half of them) is a running header or footer."""
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff\u0002]")
_PAGE_NUMBER_RE = re.compile(r"[-–—\s]*(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?[-–—\s]*", re.IGNORECASE)
_DIGITS_RE = re.compile(r"\d+")
_DIGIT_RUN_RE = re.compile(r"[0-9]{1,3}")
_TO_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
_SUPERSCRIPT_DIGITS = frozenset("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
_URL_TAIL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*$", re.IGNORECASE)
_URL_BREAK_CHARS = "/-_=&?#~%+"
_URL_GOES_ON_RE = re.compile(r"[\w\-./?=&%#~+:;@!$*'()\[\],]+")
_URL_HINT_RE = re.compile(r"[\d/\-_=.%&?#]")
"""A line's first word that has one of these may go on with a URL broken after ``- _ = & ? # ~ % +``."""
_NOTE_LABEL_RE = re.compile(r"(?:\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)]|[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+)(?=\s|$)")
"""A line that starts a new note (``[2]``, ``(2)``, ``2.``, ``2)``, ``²``): never part of the URL before it."""
_PROSE_WORD_RE = re.compile(
    r"(?:\d{1,4}[.)\]]?)?[A-Z](?:[a-z]+|\.)(?:[A-Z]?[a-z]*\.?)*['\u2019]?[a-z]?[,;:!?)\]\"\u201d\u2019]*"
)
"""A word or an abbreviation of running text (``The``, ``U.S.``, ``Reuters,``, ``2The``
with a note number glued on): a capital then lower-case letters or a dot, and none
of the characters of an address's path (``_ - / = ?``, a dot before lower case)."""
_PATH_RE = re.compile(r"[A-Za-z0-9~%+=&?#._/-]+")
_PATH_SIGN_RE = re.compile(r"[/_=?&#%]")
_LOWER_PATH_RE = re.compile(r"[a-z0-9][a-z0-9~%+=&?#._/-]*(?:-|\.[a-z0-9]{2,5}$)[a-z0-9~%+=&?#._/-]*")
"""After an address ending in ``/``, only a word that is plainly a path goes on with
it: one with ``/ _ = ? & # %`` (``2018/annual.pdf``, ``Battle_of_Aleppo``), or in
lower case and digits with a hyphen or a file extension (``2019-03``, ``index.html``);
not ``2019``, ``officials``, ``e.g.``, ``Al-Monitor``."""
_PDF_DATE_RE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_JUNK_TITLE_RE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - .*|untitled.*|.*\.(?:docx?|odt|pdf|rtf|tex|indd|qxd)|\s*)$",
    re.IGNORECASE,
)

# PDFium is not thread-safe: one document at a time in a process.
_PDFIUM_LOCK = threading.Lock()


@dataclass(slots=True)
class _Line:
    text: str
    page: int
    links: list[str] = field(default_factory=list)
    """Addresses of the link annotations that lie on this line."""


@dataclass(slots=True)
class _Reading:
    lines: list[_Line] = field(default_factory=list)
    page_count: int = 0
    pages_read: int = 0
    chars: int = 0
    link_count: int = 0
    cut: list[str] = field(default_factory=list)
    """What was left out, for the notice."""


def parse_pdf(data: bytes) -> ParsedSource:
    """The text, links and metadata of a PDF; :class:`SkipFile` when it cannot be read."""
    if b"%PDF-" not in data[:_HEADER_SEARCH]:
        raise SkipFile("not a PDF file (no %PDF- header)")
    with _PDFIUM_LOCK:
        document = _open(data)
        try:
            reading = _read(document)
            meta = _metadata(document)
        finally:
            document.close()
    if not any(line.text.strip() for line in reading.lines):
        raise SkipFile(f"PDF without a text layer (scanned?): no text on its {reading.pages_read} pages")
    lines = _drop_furniture(reading.lines)
    lines = _join_broken_urls(lines)
    return _parsed(lines, meta, _notice(reading))


# --- opening --------------------------------------------------------------------------


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = exc.err_code
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise SkipFile("encrypted PDF: it needs a password to open") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise SkipFile("encrypted PDF: its security handler is not supported") from None
        raise SkipFile("broken PDF: it cannot be opened (damaged or truncated)") from None
    if len(document) == 0:
        document.close()
        raise SkipFile("broken PDF: it has no pages")
    return document


# --- reading the pages -----------------------------------------------------------------


def _read(document: pdfium.PdfDocument) -> _Reading:
    reading = _Reading(page_count=len(document))
    deadline = time.monotonic() + TIME_LIMIT
    for index in range(min(reading.page_count, MAX_PAGES)):
        if index and time.monotonic() > deadline:  # the first page is always read
            reading.cut.append(f"stopped after {TIME_LIMIT:.0f} seconds")
            break
        if reading.chars >= MAX_TEXT_CHARS:
            reading.cut.append(f"text cut at {MAX_TEXT_CHARS:,} characters")
            break
        page_lines = _read_page_at(document, index, reading)
        if reading.lines and page_lines:
            reading.lines.append(_Line("", index + 1))  # pages are paragraphs apart
        reading.lines.extend(page_lines)
        reading.pages_read = index + 1
    return reading


def _read_page_at(document: pdfium.PdfDocument, index: int, reading: _Reading) -> list[_Line]:
    """The lines of page ``index``; :class:`SkipFile` when PDFium cannot load it
    (a damaged page object or text layer): a document read with a page missing
    would report its notes and markers wrong (a false missing footnote)."""
    try:
        page = document[index]
        try:
            return _read_page(document, page, index + 1, reading)
        finally:
            page.close()
    except pdfium.PdfiumError:
        raise SkipFile(f"broken PDF: page {index + 1} cannot be read") from None


def _read_page(document: pdfium.PdfDocument, page: pdfium.PdfPage, number: int, reading: _Reading) -> list[_Line]:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        take = min(count, MAX_PAGE_CHARS, MAX_TEXT_CHARS - reading.chars)
        if take < count:
            reading.cut.append(f"page {number} cut at {take:,} characters")
        text = textpage.get_text_range(0, take) if take > 0 else ""
        reading.chars += len(text)
        # Character indexes of PDFium are those of the text when no character
        # was turned into two (outside the BMP): then sizes and annotations can be placed.
        indexed = len(text) == take
        text = _mark_superscripts(text, textpage) if indexed else text
        starts, lines = _split_lines(text, number)
        _place_links(document, page, number, textpage if indexed else None, starts, lines, reading)
    finally:
        textpage.close()
    return _merge_marker_breaks(lines)


def _split_lines(text: str, number: int) -> tuple[list[int], list[_Line]]:
    """The page's lines and the character index each starts at. A line PDFium
    ended with a soft hyphen (joining it to the next) stays a line of its own
    here, ending with :data:`_SOFT_HYPHEN`: whether the two are one word, one
    address or two things is decided over the whole text (:func:`_join_hyphenated`)."""
    starts: list[int] = []
    lines: list[_Line] = []
    position = 0
    for end in _LINE_END_RE.finditer(text):
        starts.append(position)
        lines.append(_Line(_CONTROL_RE.sub("", text[position : end.start()].replace("\x02", _SOFT_HYPHEN)), number))
        position = end.end()
    starts.append(position)
    lines.append(_Line(_CONTROL_RE.sub("", text[position:].replace("\x02", _SOFT_HYPHEN)), number))
    return starts, lines


def _mark_superscripts(text: str, textpage: pdfium.PdfTextPage) -> str:
    """Write each superscript number (1-3 digits set smaller than the character
    before it) in Unicode superscript digits (``claim¹``), a marker the shared
    analysis reads; same length in and out, so character indexes still hold."""
    if not any(ch.isdigit() for ch in text):
        return text
    chars = list(text)
    changed = False
    for match in _DIGIT_RUN_RE.finditer(text):
        start, end = match.span()
        if (end < len(text) and text[end].isdigit()) or (start and text[start - 1].isdigit()):
            continue
        before = start - 1
        while before >= 0 and text[before] in " \t":
            before -= 1
        if before < 0 or text[before] in "\r\n" or start - before > 1:
            continue  # at a line start or after a space: a list number, a label, not a marker
        if _single_letter_before(text, before):
            continue  # x², a₁: a formula's exponent or index
        reference = pdfium_c.FPDFText_GetFontSize(textpage, before)
        size = max(pdfium_c.FPDFText_GetFontSize(textpage, i) for i in range(start, end))
        if reference > 0 and size < reference * _SUPERSCRIPT_RATIO and _raised(textpage, before, start, reference):
            chars[start:end] = match.group().translate(_TO_SUPERSCRIPT)
            changed = True
    return "".join(chars) if changed else text


def _single_letter_before(text: str, before: int) -> bool:
    """``text[before]`` is a letter standing alone (a formula's variable)."""
    return text[before].isalpha() and (before == 0 or not text[before - 1].isalpha())


def _raised(textpage: pdfium.PdfTextPage, before: int, start: int, reference: float) -> bool:
    """The character at ``start`` sits above the baseline of the one at ``before``
    (a superscript; a subscript is smaller too, but lowered)."""
    x, base, own = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    if not pdfium_c.FPDFText_GetCharOrigin(textpage, before, ctypes.byref(x), ctypes.byref(base)):
        return False
    if not pdfium_c.FPDFText_GetCharOrigin(textpage, start, ctypes.byref(x), ctypes.byref(own)):
        return False
    return bool(own.value - base.value > reference * _RISE_RATIO)


def _merge_marker_breaks(lines: list[_Line]) -> list[_Line]:
    """PDFium ends a line after a raised marker when the text goes on at the
    baseline (``claim¹`` / `` and more``, ``resumed²`` / ``.``): such a line is
    joined to the next when that goes on with a space or punctuation."""
    merged: list[_Line] = []
    for line in lines:
        previous = merged[-1] if merged else None
        if previous is not None and previous.text[-1:] in _SUPERSCRIPT_DIGITS and line.text[:1] in _AFTER_MARKER:
            previous.text += line.text
            previous.links.extend(line.links)
            continue
        merged.append(line)
    return merged


# --- link annotations ---------------------------------------------------------------------


def _place_links(
    document: pdfium.PdfDocument,
    page: pdfium.PdfPage,
    number: int,
    textpage: pdfium.PdfTextPage | None,
    starts: list[int],
    lines: list[_Line],
    reading: _Reading,
) -> None:
    """Attach each URI link annotation of the page to the line its area covers
    (the page's last line when no character is found under it)."""
    count = pdfium_c.FPDFPage_GetAnnotCount(page)
    if count > MAX_PAGE_LINKS:
        reading.cut.append(f"page {number}: {MAX_PAGE_LINKS:,} of {count:,} annotations read")
    for index in range(min(count, MAX_PAGE_LINKS)):
        if reading.link_count >= MAX_LINKS:
            reading.cut.append(f"links cut at {MAX_LINKS:,}")
            return
        annotation = pdfium_c.FPDFPage_GetAnnot(page, index)
        if not annotation:
            continue
        try:
            found = _uri_of(document, annotation)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
        if found is None:
            continue
        uri, (x, y) = found
        reading.link_count += 1
        line = _line_at(textpage, starts, x, y) if textpage is not None and lines else len(lines) - 1
        if lines:
            lines[max(0, min(line, len(lines) - 1))].links.append(uri)
        else:
            lines.append(_Line("", number, [uri]))


def _uri_of(document: pdfium.PdfDocument, annotation: int) -> tuple[str, tuple[float, float]] | None:
    """The address and the centre of a link annotation with a URI action."""
    if pdfium_c.FPDFAnnot_GetSubtype(annotation) != pdfium_c.FPDF_ANNOT_LINK:
        return None
    link = pdfium_c.FPDFAnnot_GetLink(annotation)
    action = pdfium_c.FPDFLink_GetAction(link) if link else None
    if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
        return None
    size = pdfium_c.FPDFAction_GetURIPath(document, action, None, 0)
    if size <= 1 or size > MAX_URI_BYTES:
        return None
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAction_GetURIPath(document, action, buffer, size)
    uri = buffer.raw[: size - 1].decode("utf-8", "replace").strip()
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFAnnot_GetRect(annotation, rect):
        return uri, (0.0, 0.0)
    return uri, ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2)


def _line_at(textpage: pdfium.PdfTextPage, starts: list[int], x: float, y: float) -> int:
    index = textpage.get_index(x, y, 4, 4)
    if index is None or index < 0:  # no character under the annotation
        return len(starts) - 1
    line = 0
    while line + 1 < len(starts) and starts[line + 1] <= index:
        line += 1
    return line


# --- repairs over the whole text ---------------------------------------------------------


def _drop_furniture(lines: list[_Line]) -> list[_Line]:
    """Without lone page numbers and running headers/footers: the first or last
    line of a page that recurs (digits aside) on many pages."""
    by_page: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.text.strip():
            by_page.setdefault(line.page, []).append(index)
    edges: list[int] = []
    for indexes in by_page.values():
        edges.append(indexes[0])
        if len(indexes) > 1:
            edges.append(indexes[-1])
    keys = Counter(_DIGITS_RE.sub("#", lines[i].text.strip()) for i in edges)
    least = max(_FURNITURE_MIN_PAGES, len(by_page) // 2)
    dropped: set[int] = set()
    for index in edges:
        text = lines[index].text.strip()
        if _PAGE_NUMBER_RE.fullmatch(text) or keys[_DIGITS_RE.sub("#", text)] >= least:
            dropped.add(index)
    kept: list[_Line] = []
    for index, line in enumerate(lines):
        if index in dropped:
            if line.links and kept:
                kept[-1].links.extend(line.links)
            continue
        kept.append(line)
    return kept


def _join_broken_urls(lines: list[_Line]) -> list[_Line]:
    """Lines broken at a hyphen joined back (the hyphen dropped or kept), and URLs
    broken across two lines joined onto the first."""
    joined: list[_Line] = []
    for line in _join_hyphenated(lines):
        previous = joined[-1] if joined else None
        if previous is not None and line.text and not line.text[0].isspace():
            tail = _URL_TAIL_RE.search(previous.text)
            if tail is not None:
                taken = _continuation(tail.group(), line.text, previous.links + line.links)
                if taken:
                    previous.text += line.text[:taken]
                    rest = line.text[taken:].lstrip()
                    if not rest:
                        previous.links.extend(line.links)
                        continue
                    line.text = rest
        joined.append(line)
    return joined


def _join_hyphenated(lines: list[_Line]) -> list[_Line]:
    """Each line PDFium ended with a soft hyphen joined to the next, as PDFium
    would, unless the hyphen ends an address and the next line does not go on with
    it (a new note, prose): then the hyphen is the address's last character."""
    joined: list[_Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if previous is not None and previous.text.endswith(_SOFT_HYPHEN):
            before = previous.text[:-1]
            hyphen = _hyphen_join(before, line.text, previous.links + line.links)
            if hyphen is not None:
                previous.text = before + hyphen + line.text
                previous.links.extend(line.links)
                continue
            previous.text = before + "-"  # not joined: the hyphen is what the page shows
        joined.append(line)
    if joined and joined[-1].text.endswith(_SOFT_HYPHEN):  # (PDFium ends no text so; defensive)
        joined[-1].text = joined[-1].text[:-1] + "-"
    return joined


def _hyphen_join(before: str, following: str, links: list[str]) -> str | None:
    """How a line ending ``before`` + soft hyphen joins ``following``: ``""`` (a
    word's hyphenation, or an address the annotation has without the hyphen),
    ``"-"`` (the address's own hyphen, the address going on), None (not joined)."""
    if not following or following[0].isspace() or _NOTE_LABEL_RE.match(following):
        return None
    head = _last_word(before)
    if not _in_url(head):
        return ""
    next_word = following.split(None, 1)[0]
    if any(_url_agrees(head + next_word, link) and not _url_agrees(head + "-" + next_word, link) for link in links):
        return ""
    written = (head + "-" + next_word).rstrip(".,;:)]'\"")
    if any(link.startswith(written) for link in links):
        return "-"  # the annotation gives the joined address
    return None if _PROSE_WORD_RE.fullmatch(next_word) else "-"


def _last_word(text: str) -> str:
    return text[max(text.rfind(" "), text.rfind("\t")) + 1 :]


def _in_url(word: str) -> bool:
    return "://" in word or word.lower().startswith("www.")


def _url_agrees(written: str, address: str) -> bool:
    """``written`` (perhaps with trailing punctuation) is ``address``, or starts it."""
    written = written.rstrip(".,;:)]'\"")
    return bool(written) and (address.startswith(written) or written.startswith(address)) and len(written) > 10


def _continuation(fragment: str, following: str, links: list[str]) -> int:
    """How many characters at the start of ``following`` continue the URL that
    ``fragment`` ends a line with (0: none). A link annotation on either line
    decides; without one, only a word that cannot be prose goes on with it."""
    first = following.split(None, 1)[0]
    goes_on = _URL_GOES_ON_RE.match(first)
    if goes_on is None or _NOTE_LABEL_RE.match(following):
        return 0  # the next line starts a note of its own
    candidate = goes_on.group()
    for link in links:
        if len(link) > len(fragment) and link.startswith(fragment):
            rest = link[len(fragment) :]
            return len(rest) if candidate.startswith(rest) else len(candidate) if rest.startswith(candidate) else 0
    if any(link == fragment.rstrip(".,;") for link in links):
        return 0  # the annotation says the address ends here
    return len(candidate) if _guessed_continuation(fragment, candidate) else 0


def _guessed_continuation(fragment: str, candidate: str) -> bool:
    """Without an annotation: ``candidate`` (the next line's first word) goes on
    with the URL ``fragment`` when the URL broke after a character URLs break
    after and the word reads as the rest of an address, not as prose: an address
    ending in ``/`` is complete as it stands unless the word is plainly a path."""
    word = candidate.rstrip(".,;:)")
    if fragment[-1] not in _URL_BREAK_CHARS or _PROSE_WORD_RE.fullmatch(candidate):
        return False
    if fragment[-1] == "/":
        return bool(_PATH_RE.fullmatch(word) and (_PATH_SIGN_RE.search(word) or _LOWER_PATH_RE.fullmatch(word)))
    return bool(_URL_HINT_RE.search(word))


# --- the result ------------------------------------------------------------------------------


def _parsed(lines: list[_Line], meta: Metadata, notice: str | None) -> ParsedSource:
    """The ParsedSource: the notes block the shared analysis would find in the text
    is handed over as markup notes (with the link annotations that lie in each),
    the rest is the body."""
    text_lines = [line.text.strip() for line in lines]
    text = "\n".join(text_lines)
    notes = find_notes(text, scan_markers(text), [url.start for url in find_urls(text)])
    if not notes:
        return _source(text_lines, lines, None, meta, notice)
    offsets: list[int] = []
    position = 0
    for line_text in text_lines:
        offsets.append(position)
        position += len(line_text) + 1
    in_notes: set[int] = set()
    markup_notes: list[MarkupNote] = []
    for note in notes:
        first = bisect_right(offsets, note.start) - 1
        last = bisect_right(offsets, max(note.start, note.end - 1)) - 1
        in_notes.update(range(first, last + 1))
        page = lines[first].page
        links = [
            MarkupLink(uri, lines[i].page, note=note.number) for i in range(first, last + 1) for uri in lines[i].links
        ]
        # One line of text: the shared analysis counts a note's lines from its "line" (here a page).
        body = " ".join(text[note.body_start : note.end].split())
        markup_notes.append(MarkupNote(note.number, page, body, links))
    kept = [index for index in range(len(lines)) if index not in in_notes]
    return _source([text_lines[i] for i in kept], [lines[i] for i in kept], markup_notes, meta, notice)


def _source(
    text_lines: list[str], lines: list[_Line], notes: list[MarkupNote] | None, meta: Metadata, notice: str | None
) -> ParsedSource:
    return ParsedSource(
        format="pdf",
        text="\n".join(text_lines),
        source_lines=[max(1, line.page) for line in lines],
        links=[MarkupLink(uri, line.page) for line in lines for uri in line.links],
        notes=notes,
        meta=meta,
        unit="page",
        notice=notice,
    )


def _metadata(document: pdfium.PdfDocument) -> Metadata:
    """Title and creation date of the Info dictionary. The Author is a person (or a
    word processor's user name), not the publisher: the publisher is left to the
    text and the settings."""
    info = document.get_metadata_dict(skip_empty=True)
    title = " ".join(info.get("Title", "").split())
    return Metadata(
        title=title if title and not _JUNK_TITLE_RE.match(title) else None,
        date=_iso_date(info.get("CreationDate", "")),
    )


def _iso_date(value: str) -> str | None:
    """``D:20180828100000Z`` -> ``2018-08-28``; None for a missing or impossible date."""
    match = _PDF_DATE_RE.match(value.strip())
    if match is None or match.group(2) is None or match.group(3) is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


def _notice(reading: _Reading) -> str | None:
    parts: list[str] = []
    if reading.pages_read < reading.page_count:
        parts.append(f"read the first {reading.pages_read:,} of {reading.page_count:,} pages")
    parts.extend(dict.fromkeys(reading.cut))
    return "; ".join(parts) if parts else None
