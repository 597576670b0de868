"""Word documents (.docx), read from the package's XML with lxml.

What is read, and nothing else: the main document part (found through
``_rels/.rels``, ``word/document.xml`` by default), its footnotes and endnotes
parts, the relationship parts of those three (for hyperlink targets only), and the
core and extended properties (``docProps/core.xml``, ``docProps/app.xml``). Macros
(``vbaProject.bin``), embedded objects, images, headers, footers, comments,
settings (an attached template) are never opened; a relationship's target is a
string to report, never a file or an address to fetch.

Decisions, so that every citation says where it stands:

* ``line`` counts **paragraphs** (``unit="paragraph"``): the Nth paragraph of the
  body that has anything in it (text, a note reference or a link), headings, table
  cells and text boxes included, in document order -- empty paragraphs are not
  counted, as Word's own *Word Count* does not count them. ``text`` has one line per
  counted paragraph.
* **Footnotes** are labelled 1, 2, 3 … in order of first reference in the body, as
  Word numbers them. **Endnotes** get 1, 2, 3 … in the same way when the document has
  no footnotes; beside footnotes they get lower-case Roman numerals as strings
  (``"i"``, ``"ii"`` …: Word's default endnote numbering), which cannot collide with a
  footnote's number. A note never referenced comes after the referenced ones (an
  ``unreferenced-footnote``); a reference to a note that is not there still takes its
  number (a ``missing-footnote``). A note's ``line`` is the paragraph of its first
  reference (the last paragraph for a note never referenced); a note's text is not
  part of ``text`` (it is not the body: a URL in it is a footnote citation only).
* **Links**: ``w:hyperlink`` through its relationship (``#anchor`` appended when it
  has one; a link to a bookmark alone is not a citation) and ``HYPERLINK`` field codes
  (complex fields split over runs and paragraphs, nested fields, ``w:fldSimple``;
  ``\\l`` alone is a bookmark). The link's text stays in the paragraph's text and
  gives the cited title (``notes.link_title``). Other fields' codes
  (``INCLUDEPICTURE "http://…"``, ``PAGEREF``) are not text and not citations.
* **Metadata**: title from ``dc:title``; date from ``dcterms:created`` (ISO day);
  publisher from ``docProps/app.xml``'s ``Company`` -- the organisation the document
  was written for, which is what ``publisher`` means -- unless it is a placeholder a
  computer maker or a pirated copy of Office fills in. ``dc:creator`` is the
  *author*, a person, not the publisher: it is not used as one (with no Company the
  byline of the text is read, as for a plain-text article).
* Deleted text (tracked changes), moved-from text and the fallback copy of a text box
  (``mc:Fallback``) are left out; inserted text is read.

Bounds (hostile files): the package must be a zip (an OLE compound file is a
password-protected or an old binary Word document: said so), of at most
``MAX_MEMBERS`` members; each part is decompressed in chunks, and stops at
``MAX_PART_BYTES`` for one part, ``MAX_TOTAL_BYTES`` for all, or a compression ratio
over ``MAX_RATIO`` (what a zip's declared sizes say is never trusted); XML is parsed
with no DTD (a part declaring one is refused), no entity expansion, no network, and
libxml2's own depth (256) and node-size limits, streaming, with elements released as
they are read. A body that cannot be read skips the file (:class:`SkipFile`, one
line); notes or properties that cannot be read, or a body broken after some
paragraphs, leave a ``notice``.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree

from refcheck.errors import SkipFile
from refcheck.extract.notes import TitledLink, link_title
from refcheck.extract.source import MarkupLink, MarkupMarker, MarkupNote, Metadata, ParsedSource
from refcheck.models import FootnoteLabel

__all__ = ["MAX_MEMBERS", "MAX_PART_BYTES", "MAX_RATIO", "MAX_TOTAL_BYTES", "OfficePackage", "PartError", "parse_docx"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK"
MAX_MEMBERS = 10_000
"""Members of a package at most (a long Word document with its images has a few hundred)."""
MAX_PART_BYTES = 32 * 2**20
"""Uncompressed bytes of one part at most (the body of a 1,000-page book is under 10 MB)."""
MAX_TOTAL_BYTES = 64 * 2**20
"""Uncompressed bytes read from one package at most, all parts together."""
MAX_RATIO = 200
"""Uncompressed bytes per compressed byte at most, once a part passes ``RATIO_FLOOR``
(Word's XML deflates 5-20 to 1; a zip bomb, 1,000 to 1)."""
RATIO_FLOOR = 2 * 2**20
_CHUNK = 64 * 1024
_PROPERTIES_BYTES = 2**20
"""The properties parts are a few hundred bytes: more is not read."""


_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict Open XML
)
_R_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_APP_COMPANY = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Company",
    "{http://purl.oclc.org/ooxml/officeDocument/extendedProperties}Company",
)

# The elements a story's walk reacts to; every other one (run properties, drawings…)
# is passed over inside libxml2, which is most of a Word document's elements.
_STORY_TAGS = ("p", "t", "tab", "br", "cr", "noBreakHyphen", "hyperlink", "fldSimple", "fldChar", "instrText",
               "footnoteReference", "endnoteReference", "del", "moveFrom", "tbl", "tr", "tc", "footnote", "endnote")  # fmt: skip
_LOCAL: dict[str, tuple[str, str]] = {
    f"{{{ns}}}{name}": (f"{{{ns}}}", name) for ns in _W_NAMESPACES for name in _STORY_TAGS
}
_LOCAL[_MC_FALLBACK] = ("", "Fallback")
_SKIPPED = frozenset({"del", "moveFrom", "Fallback"})
_SEPARATOR_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_PLACEHOLDER_COMPANIES = frozenset(
    name.casefold()
    for name in ("", "Microsoft", "Microsoft Corporation", "Microsoft Corp.", "Home", "Private", "Privat", "Personal",
                 "HP", "HP Inc.", "Hewlett-Packard", "Hewlett-Packard Company", "Dell", "Dell Computer Corporation",
                 "Dell Inc.", "Toshiba", "Lenovo", "Acer", "Sony", "Grizli777", "-", "none", "n/a")
)  # fmt: skip
_ISO_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_FIELD_TOKEN_RE = re.compile(r'"([^"]*)"?|(\S+)')
_SWITCHES_WITH_ARGUMENT = frozenset({"\\l", "\\o", "\\t"})

_OFFICE_DOCUMENT = "/officeDocument"
_FOOTNOTES = "/footnotes"
_ENDNOTES = "/endnotes"
_HYPERLINK = "/hyperlink"
_CORE = "/core-properties"
_EXTENDED = "/extended-properties"


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, RuntimeError, struct.error,
               IndexError, KeyError, OverflowError)  # fmt: skip
"""What :mod:`zipfile` raises on a damaged central directory (it checks little)."""


class PartError(Exception):
    """One part of a package cannot be read (too large, broken, a DTD): the message says why."""


class BrokenPart(PartError):
    """A part whose XML breaks off or goes wrong somewhere: what came before the break is sound."""


# --- the package: a zip read within bounds --------------------------------------------


class OfficePackage:
    """A zip package (Word, OpenDocument) whose members are read within the bounds above."""

    def __init__(self, data: bytes, kind: str) -> None:
        if data.startswith(OLE_MAGIC):
            raise SkipFile(
                f"a password-protected {kind} or an old binary one (.doc): an OLE compound file, not a zip package"
            )
        if not data.startswith(ZIP_MAGIC):
            raise SkipFile(f"not a {kind}: not a zip package")
        declared = _declared_members(data)
        if declared is not None and declared > MAX_MEMBERS:  # (before zipfile lists a million of them)
            raise SkipFile(f"zip package of {declared:,} members (more than {MAX_MEMBERS:,}): not read")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except NotImplementedError as exc:  # a zip feature (version, compression) Python cannot read
            raise SkipFile(f"not a readable {kind}: unsupported zip package ({_short(exc)})") from None
        except _ZIP_ERRORS as exc:
            raise SkipFile(f"broken zip package ({_short(exc)})") from None
        if len(infos) > MAX_MEMBERS:
            raise SkipFile(f"zip package of {len(infos):,} members (more than {MAX_MEMBERS:,}): not read")
        # Part names are case-insensitive (OPC); a leading "/" is not part of a member's name.
        self._members = {info.filename.lstrip("/").lower(): info for info in infos}
        self.spent = 0
        """Uncompressed bytes read so far, every part together."""

    def has(self, name: str) -> bool:
        return name.lower() in self._members

    def reader(self, name: str, limit: int | None = None) -> _BoundedReader:
        """``name``'s bytes as a file, read within the bounds (``limit``: this part's,
        the module's ``MAX_PART_BYTES`` by default, read at each call so a test can lower it)."""
        info = self._members.get(name.lower())
        if info is None:
            raise PartError(f"{name} is missing")
        if info.flag_bits & 0x1:
            raise PartError(f"{name} is encrypted")
        limit = limit or MAX_PART_BYTES
        # A part that declares itself a bomb is believed at once; one that lies is caught while read.
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PartError(f"{name} unpacks more than {MAX_RATIO} times its packed size (a zip bomb?): not read")
        if info.file_size > limit:
            raise PartError(f"{name} unpacks to more than {_megabytes(limit)}: not read")
        try:
            stream = self._zip.open(info)
        except (NotImplementedError, zipfile.BadZipFile, ValueError, OSError, RuntimeError) as exc:
            raise PartError(f"{name} cannot be unpacked ({_short(exc)})") from None
        return _BoundedReader(self, name, stream, info.compress_size, limit)

    def read(self, name: str, limit: int | None = None) -> bytes:
        reader = self.reader(name, limit)
        return b"".join(iter(lambda: reader.read(_CHUNK), b""))

    def events(
        self, name: str, tags: Iterable[str] | None = None, limit: int | None = None
    ) -> Iterator[tuple[str, etree._Element]]:
        """Start and end events of ``tags`` in part ``name`` (every element's when
        None), streamed from the zip: release each element at its end (:func:`release`)."""
        reader = _Prolog(self.reader(name, limit))
        if reader.declares_dtd():
            raise PartError(f"{name} declares a DTD (no Office program writes one): not read")
        # No entities, no DTD, no network; huge_tree off keeps libxml2's limits (depth 256, 10 MB text nodes).
        parse = etree.iterparse(reader, events=("start", "end"), tag=list(tags) if tags else None,
                                resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                                huge_tree=False, remove_comments=True, remove_pis=True)  # fmt: skip
        first = True
        try:
            for event, element in parse:
                if first:
                    if element.getroottree().docinfo.internalDTD is not None:
                        raise PartError(f"{name} declares a DTD (no Office program writes one): not read")
                    first = False
                yield event, element
        except etree.XMLSyntaxError as exc:
            raise BrokenPart(f"{name} is not well-formed XML ({_short(exc)})") from None

    def tree(self, name: str, limit: int) -> etree._Element:
        """A small part's whole tree (relationships, properties)."""
        data = self.read(name, limit)
        if _declares_dtd(data[:_CHUNK]):
            raise PartError(f"{name} declares a DTD (no Office program writes one): not read")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                                 huge_tree=False, remove_comments=True, remove_pis=True)  # fmt: skip
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise PartError(f"{name} is not well-formed XML ({_short(exc)})") from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise PartError(f"{name} declares a DTD (no Office program writes one): not read")
        return root


class _BoundedReader:
    """A zip member as a file lxml reads from, that stops at the package's bounds."""

    def __init__(self, package: OfficePackage, name: str, stream: IO[bytes], compressed: int, limit: int) -> None:
        self._package = package
        self._name = name
        self._stream = stream
        self._compressed = max(compressed, 1)
        self._limit = limit
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        want = _CHUNK if size < 0 or size > _CHUNK else size
        try:
            chunk = self._stream.read(want)
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError) as exc:
            # A bad CRC or a garbled stream: no byte of it can be trusted (unlike XML cut short).
            raise PartError(f"{self._name} is broken ({_short(exc)})") from None
        self.total += len(chunk)
        self._package.spent += len(chunk)
        if self.total > self._limit:
            raise PartError(f"{self._name} unpacks to more than {_megabytes(self._limit)}: not read")
        if self._package.spent > MAX_TOTAL_BYTES:
            raise PartError(f"the package unpacks to more than {_megabytes(MAX_TOTAL_BYTES)}: {self._name} not read")
        if self.total > RATIO_FLOOR and self.total > MAX_RATIO * self._compressed:
            raise PartError(f"{self._name} unpacks more than {MAX_RATIO} times its packed size (a zip bomb?): not read")
        return chunk


def release(element: etree._Element) -> None:
    """Free an element the walk is done with, and its finished siblings before it:
    memory stays that of the open ancestors, whatever the part's size."""
    element.clear()  # (its tail too: Word's XML has no text between elements)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _declared_members(data: bytes) -> int | None:
    """The member count the zip's end record declares (None: no record, or Zip64)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 12 > len(data):
        return None
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    return None if count == 0xFFFF else count


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"


def _megabytes(count: int) -> str:
    """A part's limit for a message: in MB, or in bytes below one."""
    return f"{count / 2**20:g} MB" if count >= 2**20 else f"{count:,} bytes"


# --- relationships -------------------------------------------------------------------


@dataclass(slots=True)
class _Relationships:
    hyperlinks: dict[str, str] = field(default_factory=dict)
    """Relationship id -> target of the hyperlink relationships (external addresses, as written)."""
    parts: dict[str, str] = field(default_factory=dict)
    """Relationship type's last segment (``/footnotes``) -> part name inside the package."""


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(package: OfficePackage, part: str, notices: list[str]) -> _Relationships:
    found = _Relationships()
    name = _rels_name(part)
    if not package.has(name):
        return found
    try:
        root = package.tree(name, _PROPERTIES_BYTES * 4)
    except PartError as reason:
        notices.append(f"links of {part} not read: {reason}")
        return found
    folder = posixpath.dirname(part)
    for relationship in root.iter(f"{_RELS_NS}Relationship"):
        kind = relationship.get("Type") or ""
        target = relationship.get("Target") or ""
        ident = relationship.get("Id") or ""
        kind = kind[kind.rfind("/") :]
        if kind == _HYPERLINK:
            found.hyperlinks[ident] = target.strip()
        elif relationship.get("TargetMode") != "External":
            # An internal part: a name inside this zip, never a file on disk.
            found.parts.setdefault(kind, posixpath.normpath(posixpath.join(folder, target)).lstrip("/"))
    return found


# --- one story (the body, or one note): paragraphs, note references, links -----------


@dataclass(slots=True)
class StoryParagraph:
    order: int
    pieces: list[str] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    """Note references, (``footnote`` or ``endnote``, id), in order."""
    links: list[tuple[str, str]] = field(default_factory=list)
    """(target, link text) of its hyperlinks."""
    number: int = 0

    def text(self) -> str:
        return " ".join("".join(self.pieces).split())

    def counts(self) -> bool:
        """Whether the paragraph is numbered: it has text, a note reference or a link."""
        return bool(self.references or self.links or "".join(self.pieces).strip())


@dataclass(slots=True)
class _OpenLink:
    target: str | None
    paragraph: StoryParagraph | None
    text: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Field:
    paragraph: StoryParagraph | None
    code: list[str] = field(default_factory=list)
    result: list[str] | None = None
    """The field's shown text; None while its code is being read."""


class _StoryReader:
    """Reacts to a story's events: collects its paragraphs in document order."""

    def __init__(self, hyperlinks: dict[str, str], first_order: int = 0) -> None:
        self.paragraphs: list[StoryParagraph] = []
        self._hyperlinks = hyperlinks
        self._order = first_order
        self._open: list[StoryParagraph] = []
        self._links: list[_OpenLink] = []
        self._fields: list[_Field] = []
        self._skipping = 0

    def start(self, ns: str, name: str, element: etree._Element) -> None:
        if name in _SKIPPED:
            self._skipping += 1
            return
        if self._skipping:
            return
        if name == "p":
            self._order += 1
            self._open.append(StoryParagraph(self._order))
        elif name == "hyperlink":
            self._links.append(_OpenLink(self._hyperlink_target(ns, element), self._paragraph()))
        elif name == "fldSimple":
            self._fields.append(_Field(self._paragraph(), [element.get(ns + "instr") or ""], []))
        elif name == "fldChar":
            self._field_char(element.get(ns + "fldCharType"))
        elif name in ("footnoteReference", "endnoteReference"):
            paragraph = self._paragraph()
            if paragraph is not None:
                paragraph.references.append((name[:-9], element.get(ns + "id") or ""))
            self._add_text(" ")  # the mark is not text; a URL before it must not run into what follows
        elif name == "tab":
            self._add_text("\t")
        elif name in ("br", "cr"):
            self._add_text(" ")
        elif name == "noBreakHyphen":
            self._add_text("-")

    def end(self, name: str, element: etree._Element) -> None:
        if name in _SKIPPED:
            self._skipping -= 1
            return
        if self._skipping:
            return
        if name == "t":
            self._add_text(element.text or "")
        elif name == "instrText":
            if self._fields and self._fields[-1].result is None:
                self._fields[-1].code.append(element.text or "")
        elif name == "hyperlink" and self._links:
            link = self._links.pop()
            if link.target and link.paragraph is not None:
                link.paragraph.links.append((link.target, "".join(link.text)))
        elif name == "fldSimple" and self._fields:
            self._finish_field(self._fields.pop())
        elif name == "p" and self._open:
            self.paragraphs.append(self._open.pop())
            if self._links or self._fields:
                self._add_text(" ")  # a field going on into the next paragraph: its words stay apart

    def _paragraph(self) -> StoryParagraph | None:
        return self._open[-1] if self._open else None

    def _hyperlink_target(self, ns: str, element: etree._Element) -> str | None:
        anchor = element.get(ns + "anchor")
        ident = next((value for key in _R_ID if (value := element.get(key))), None)
        target = self._hyperlinks.get(ident) if ident else None
        if not target:
            return None  # a link to a bookmark of this document: not a citation
        return f"{target}#{anchor}" if anchor and "#" not in target else target

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self._fields.append(_Field(self._paragraph()))
        elif kind == "separate" and self._fields:
            self._fields[-1].result = []
        elif kind == "end" and self._fields:
            self._finish_field(self._fields.pop())

    def _finish_field(self, done: _Field) -> None:
        target = hyperlink_field_target("".join(done.code))
        paragraph = done.paragraph or self._paragraph()
        if target is not None and paragraph is not None:
            paragraph.links.append((target, "".join(done.result or [])))
        elif self._fields and self._fields[-1].result is None and done.result:
            # A field inside another's code: its result is part of that code.
            self._fields[-1].code.append("".join(done.result))

    def _add_text(self, text: str) -> None:
        for open_field in reversed(self._fields):
            if open_field.result is None:
                open_field.code.append(text)  # inside a field's code: never shown
                return
        for open_field in self._fields:
            open_field.result.append(text)  # type: ignore[union-attr]  # (all in their result here)
        for link in self._links:
            link.text.append(text)
        if self._open:
            self._open[-1].pieces.append(text)


def hyperlink_field_target(code: str) -> str | None:
    """The address of a ``HYPERLINK`` field's code (``HYPERLINK "url" \\l "place" \\o "tip"``),
    ``url#place`` with a ``\\l``; None for another field or a link to a bookmark alone."""
    tokens = [m.group(1) if m.group(1) is not None else m.group(2) for m in _FIELD_TOKEN_RE.finditer(code)]
    if not tokens or tokens[0].upper() != "HYPERLINK":
        return None
    target: str | None = None
    place: str | None = None
    index = 1
    while index < len(tokens):
        token = tokens[index]
        lowered = token.lower()
        if lowered in _SWITCHES_WITH_ARGUMENT:
            argument = tokens[index + 1] if index + 1 < len(tokens) else ""
            if lowered == "\\l":
                place = argument
            index += 2
            continue
        if not lowered.startswith("\\") and target is None:
            target = token.replace("\\\\", "\\").strip()
        index += 1
    if not target:
        return None
    return f"{target}#{place}" if place and "#" not in target else target


def _walk_story(events: Iterator[tuple[str, etree._Element]], reader: _StoryReader) -> None:
    for event, element in events:
        ns, name = _LOCAL.get(element.tag, ("", ""))
        if event == "start":
            reader.start(ns, name, element)
        else:
            reader.end(name, element)
            release(element)


# --- notes ---------------------------------------------------------------------------


@dataclass(slots=True)
class StoryNote:
    kind: str
    ident: str
    paragraphs: list[StoryParagraph]


def _read_notes(package: OfficePackage, part: str, kind: str, notices: list[str]) -> list[StoryNote]:
    """The notes of a footnotes or endnotes part (separator notes left out)."""
    hyperlinks = _relationships(package, part, notices).hyperlinks
    notes: list[StoryNote] = []
    reader: _StoryReader | None = None
    ident = ""
    skipping = 0
    try:
        for event, element in package.events(part, _LOCAL):
            ns, name = _LOCAL.get(element.tag, ("", ""))
            if name == kind:
                if event == "start":
                    if (element.get(ns + "type") or "") in _SEPARATOR_NOTES:
                        skipping = 1
                    else:
                        reader, ident = _StoryReader(hyperlinks), element.get(ns + "id") or ""
                else:
                    if reader is not None and not skipping:
                        notes.append(StoryNote(kind, ident, reader.paragraphs))
                    reader, skipping = None, 0
                    release(element)
            elif reader is not None and not skipping:
                if event == "start":
                    reader.start(ns, name, element)
                else:
                    reader.end(name, element)
            if event == "end" and name != kind:
                release(element)
    except PartError as reason:
        kept = f" after the first {len(notes):,}" if notes else ""
        notices.append(f"{kind}s{kept} not read: {reason}")
    return notes


def _roman(number: int) -> str:
    numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
                ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))  # fmt: skip
    written = []
    for numeral, value in numerals:
        count, number = divmod(number, value)
        written.append(numeral * count)
    return "".join(written)


def _note_labels(paragraphs: list[StoryParagraph], notes: list[StoryNote]) -> dict[tuple[str, str], FootnoteLabel]:
    """Each note's label (see the module's docstring): referenced notes in order of
    first reference, then the others in the order of their part."""
    order: dict[str, list[str]] = {"footnote": [], "endnote": []}
    seen: set[tuple[str, str]] = set()
    for key in [ref for paragraph in paragraphs for ref in paragraph.references] + [(n.kind, n.ident) for n in notes]:
        if key not in seen and key[0] in order:
            seen.add(key)
            order[key[0]].append(key[1])
    labels: dict[tuple[str, str], FootnoteLabel] = {}
    for position, ident in enumerate(order["footnote"], start=1):
        labels[("footnote", ident)] = position
    beside_footnotes = bool(order["footnote"])
    for position, ident in enumerate(order["endnote"], start=1):
        labels[("endnote", ident)] = _roman(position) if beside_footnotes else position
    return labels


# --- metadata ------------------------------------------------------------------------


def _metadata(package: OfficePackage, root_parts: dict[str, str], notices: list[str]) -> Metadata:
    meta = Metadata()
    core = root_parts.get(_CORE, "docProps/core.xml")
    if package.has(core):
        try:
            root = package.tree(core, _PROPERTIES_BYTES)
            meta.title = _child_text(root, f"{_DC}title")
            meta.date = iso_day(_child_text(root, f"{_DCTERMS}created"))
            meta.language = language_code(_child_text(root, f"{_DC}language"))
        except PartError as reason:
            notices.append(f"document properties not read: {reason}")
    extended = root_parts.get(_EXTENDED, "docProps/app.xml")
    if package.has(extended):
        try:
            root = package.tree(extended, _PROPERTIES_BYTES)
            company = next((text for tag in _APP_COMPANY if (text := _child_text(root, tag))), None)
            if company and company.casefold() not in _PLACEHOLDER_COMPANIES:
                meta.publisher = company
        except PartError as reason:
            notices.append(f"document properties not read: {reason}")
    return meta


def _child_text(root: etree._Element, tag: str) -> str | None:
    child = root.find(tag)
    text = " ".join((child.text or "").split()) if child is not None else ""
    return text or None


def iso_day(value: str | None) -> str | None:
    """``2018-08-30T09:00:00Z`` -> ``2018-08-30``; None for anything else."""
    match = _ISO_DAY_RE.match(value or "")
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None  # Word's "no date" is 1601 or 1899
    return match.group(0)


def language_code(value: str | None) -> str | None:
    """``en-US`` -> ``en``; None for anything that is not a language tag."""
    primary = (value or "").split("-")[0].split("_")[0].strip().lower()
    return primary if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3 else None


# --- the document --------------------------------------------------------------------


def parse_docx(data: bytes) -> ParsedSource:
    """Read a Word document's bytes (see the module's docstring for what is read and how)."""
    package = OfficePackage(data, "Word document")
    notices: list[str] = []
    root_parts = _relationships(package, "", notices).parts
    body_part = root_parts.get(_OFFICE_DOCUMENT, "word/document.xml")
    if not package.has(body_part):
        raise SkipFile(f"not a Word document: no {body_part} in the package")
    relationships = _relationships(package, body_part, notices)
    paragraphs = _read_body(package, body_part, relationships.hyperlinks, notices)
    notes: list[StoryNote] = []
    for kind, relation in (("footnote", _FOOTNOTES), ("endnote", _ENDNOTES)):
        part = relationships.parts.get(relation)
        if part and package.has(part):
            notes.extend(_read_notes(package, part, kind, notices))
    meta = _metadata(package, root_parts, notices)
    return assemble_source(paragraphs, notes, meta, notices, "docx")


def _read_body(
    package: OfficePackage, part: str, hyperlinks: dict[str, str], notices: list[str]
) -> list[StoryParagraph]:
    reader = _StoryReader(hyperlinks)
    try:
        _walk_story(package.events(part, _LOCAL), reader)
    except PartError as reason:
        if not (isinstance(reason, BrokenPart) and reader.paragraphs):
            raise SkipFile(str(reason)) from None
        # A document cut short: what came before the break is worth reading.
        notices.append(f"read up to paragraph {len(reader.paragraphs):,} only: {reason}")
    reader.paragraphs.sort(key=lambda paragraph: paragraph.order)
    return reader.paragraphs


def assemble_source(
    paragraphs: list[StoryParagraph], notes: list[StoryNote], meta: Metadata, notices: list[str], source_format: str
) -> ParsedSource:
    """The ParsedSource of a story read into paragraphs and notes (Word and OpenDocument)."""
    counted = [paragraph for paragraph in paragraphs if paragraph.counts()]
    for number, paragraph in enumerate(counted, start=1):
        paragraph.number = number
    labels = _note_labels(counted, notes)
    links: list[MarkupLink] = []
    markers: list[MarkupMarker] = []
    first_reference: dict[FootnoteLabel, int] = {}
    for paragraph in counted:
        for key in paragraph.references:
            label = labels[key]
            markers.append(MarkupMarker(label, paragraph.number))
            first_reference.setdefault(label, paragraph.number)
        for target, text in paragraph.links:
            links.append(TitledLink(target, paragraph.number, title=link_title(text, in_prose=True)))
    last = counted[-1].number if counted else 1
    markup_notes: list[MarkupNote] = []
    for note in notes:
        label = labels[(note.kind, note.ident)]
        line = first_reference.get(label, last)
        note_links: list[MarkupLink] = [
            TitledLink(target, line, label, title=link_title(text, in_prose=False))
            for paragraph in note.paragraphs
            for target, text in paragraph.links
        ]
        text = " ".join(paragraph.text() for paragraph in note.paragraphs if paragraph.text())
        markup_notes.append(MarkupNote(label, line, text, note_links))
    rank = {label: position for position, label in enumerate(labels.values())}
    markup_notes.sort(key=lambda note: rank[note.label])  # footnotes 1..n, then endnotes
    return ParsedSource(
        format=source_format,
        text="\n".join(paragraph.text() for paragraph in counted),
        source_lines=[paragraph.number for paragraph in counted],
        links=links,
        notes=markup_notes,
        markers=markers,
        meta=meta,
        unit="paragraph",
        notice="; ".join(notices) or None,
    )


_ROOT_START_RE = re.compile(rb"<[A-Za-z_]")


def _declares_dtd(head: bytes) -> bool:
    """Whether the start of an XML part declares a DTD before its root element. Said
    before parsing: a newer libxml2 stops a billion-laughs DTD with its own "amplification"
    error, which would hide the plain reason."""
    found = head.find(b"<!DOCTYPE")
    if found < 0:
        return False
    root = _ROOT_START_RE.search(head)
    return root is None or found < root.start()


class _Prolog:
    """A part's stream whose first chunk is read ahead, to look at its prolog."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._head: bytes = bytes(stream.read(_CHUNK))

    def declares_dtd(self) -> bool:
        return _declares_dtd(self._head)

    def read(self, size: int = -1) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head
        return bytes(self._stream.read(size))

