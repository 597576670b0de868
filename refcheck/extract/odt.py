"""OpenDocument text (.odt: LibreOffice, Google Docs' export), read from ``content.xml``
and ``meta.xml`` with lxml, within the bounds of the Word reader
(:mod:`refcheck.extract.docx`: the same package reader, limits and XML options).

The same decisions as for Word: ``line`` counts the body's non-empty paragraphs
(``text:p`` and ``text:h``, table cells and text boxes included); a ``text:note`` in
the body is a marker there and a note of its own (``text:note-class`` footnote or
endnote; footnotes numbered 1, 2, 3 … in order, endnotes likewise, or ``"i"``, ``"ii"``
… beside footnotes, whatever ``text:note-citation`` shows, so that a custom mark cannot
make two notes one); ``text:a xlink:href`` is a link whose text stays in the prose.
Tracked deletions (``text:tracked-changes``) and comments (``office:annotation``) are
left out. Metadata: ``dc:title``, ``meta:creation-date`` (ISO day), ``dc:language``;
OpenDocument names no organisation, so no publisher (the text's byline is read).
``content.xml`` is read whole (a tree, as its text is mixed content), so its limit is
half a Word body's.
"""

from __future__ import annotations

from lxml import etree

from refcheck.errors import SkipFile
from refcheck.extract.docx import (
    MAX_PART_BYTES,
    OfficePackage,
    PartError,
    StoryNote,
    StoryParagraph,
    assemble_source,
    iso_day,
    language_code,
)
from refcheck.extract.source import Metadata, ParsedSource

__all__ = ["parse_odt"]

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_DC = "{http://purl.org/dc/elements/1.1/}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_TEXT_TYPES = frozenset({"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template",
                         "application/vnd.oasis.opendocument.text-master"})  # fmt: skip
_SKIPPED = frozenset({f"{_TEXT}tracked-changes", f"{_OFFICE}annotation", f"{_OFFICE}annotation-end",
                      f"{_TEXT}note-citation"})  # fmt: skip
_PARAGRAPHS = frozenset({f"{_TEXT}p", f"{_TEXT}h"})
_CONTENT_BYTES = MAX_PART_BYTES // 2
_META_BYTES = 2**20
_MIMETYPE_BYTES = 256
"""Every OpenDocument mimetype is under 60 bytes: a longer one is not read."""
_MANIFEST = "META-INF/manifest.xml"
_SCAN_CHUNK = 64 * 1024


class _Story:
    """The paragraphs of the body or of one note, read from a tree (mixed content:
    an element's text, then each child and the text after it)."""

    def __init__(self, notes: list[StoryNote]) -> None:
        self.paragraphs: list[StoryParagraph] = []
        self._notes = notes
        self._open: list[StoryParagraph] = []
        self._links: list[list[str]] = []
        self._order = 0

    def read(self, element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            return
        if tag == f"{_TEXT}note":
            self._note(element)
            return
        if tag in _PARAGRAPHS:
            self._order += 1
            self._open.append(StoryParagraph(self._order))
        link_text: list[str] | None = None
        if tag == f"{_TEXT}a":
            link_text = []
            self._links.append(link_text)
        elif tag == f"{_TEXT}s":
            self._add(" " * min(_count(element.get(f"{_TEXT}c")), 100))
        elif tag in (f"{_TEXT}tab", f"{_TEXT}line-break"):
            self._add(" ")
        self._add(element.text)
        for child in element:
            self.read(child)
            self._add(child.tail)
        if link_text is not None:
            self._links.pop()
            target = (element.get(_XLINK_HREF) or "").strip()
            if target and not target.startswith("#") and self._open:
                self._open[-1].links.append((target, "".join(link_text)))
        if tag in _PARAGRAPHS:
            self.paragraphs.append(self._open.pop())

    def _note(self, element: etree._Element) -> None:
        kind = "endnote" if element.get(f"{_TEXT}note-class") == "endnote" else "footnote"
        ident = f"{kind}-{len(self._notes)}"
        if self._open:
            self._open[-1].references.append((kind, ident))
        self._add(" ")  # the mark is not text: a URL before it must not run into what follows
        body = element.find(f"{_TEXT}note-body")
        story = _Story(self._notes)
        if body is not None:
            for child in body:
                story.read(child)
        self._notes.append(StoryNote(kind, ident, story.paragraphs))

    def _add(self, text: str | None) -> None:
        if not text:
            return
        for link in self._links:
            link.append(text)
        if self._open:
            self._open[-1].pieces.append(text)


def _count(value: str | None) -> int:
    """``text:c``, the number of spaces: ASCII digits only (``str.isdigit`` also
    takes ``²`` or ``٣``, which ``int`` refuses or reads as a number nobody wrote)."""
    return int(value) if value and value.isascii() and value.isdigit() else 1


def parse_odt(data: bytes) -> ParsedSource:
    """Read an OpenDocument text's bytes (see the module's docstring)."""
    package = OfficePackage(data, "OpenDocument text")
    try:
        _check_package(package)
    except PartError as reason:
        raise SkipFile(f"not a readable OpenDocument text: {reason}") from None
    if not package.has("content.xml"):
        raise SkipFile("not an OpenDocument text: no content.xml in the package")
    try:
        root = package.tree("content.xml", _CONTENT_BYTES)
    except PartError as reason:
        raise SkipFile(str(reason)) from None
    notices: list[str] = []
    notes: list[StoryNote] = []
    story = _Story(notes)
    text_root = root.find(f"{_OFFICE}body/{_OFFICE}text")
    if text_root is not None:
        for child in text_root:
            story.read(child)
    story.paragraphs.sort(key=lambda paragraph: paragraph.order)
    return assemble_source(story.paragraphs, notes, _metadata(package, notices), notices, "odt")


def _check_package(package: OfficePackage) -> None:
    """:class:`SkipFile` unless the package says it is a text, not encrypted;
    :class:`PartError` when its mimetype or manifest cannot be read."""
    if package.has("mimetype"):
        mimetype = package.read("mimetype", _MIMETYPE_BYTES).decode("ascii", "replace").strip()
        if mimetype not in _TEXT_TYPES:
            raise SkipFile(f"not an OpenDocument text ({mimetype[:80]})")
    if package.has(_MANIFEST) and _mentions(package, _MANIFEST, b"encryption-data"):
        raise SkipFile("a password-protected OpenDocument text: not read")


def _mentions(package: OfficePackage, name: str, needle: bytes) -> bool:
    """Part ``name`` holds ``needle``: read in chunks within the package's bounds,
    as a manifest lists every member (a large package's is over a megabyte)."""
    reader = package.reader(name)
    carried = b""
    while chunk := reader.read(_SCAN_CHUNK):
        window = carried + chunk
        if needle in window:
            return True
        carried = window[-(len(needle) - 1) :]
    return False


def _metadata(package: OfficePackage, notices: list[str]) -> Metadata:
    meta = Metadata()
    if not package.has("meta.xml"):
        return meta
    try:
        root = package.tree("meta.xml", _META_BYTES)
    except PartError as reason:
        notices.append(f"document properties not read: {reason}")
        return meta
    properties = root.find(f"{_OFFICE}meta")
    if properties is None:
        return meta
    meta.title = _text(properties, f"{_DC}title")
    meta.date = iso_day(_text(properties, f"{_META}creation-date"))
    meta.language = language_code(_text(properties, f"{_DC}language"))
    return meta


def _text(parent: etree._Element, tag: str) -> str | None:
    child = parent.find(tag)
    text = " ".join((child.text or "").split()) if child is not None else ""
    return text or None
