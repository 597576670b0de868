"""A small writer of Word (.docx) and OpenDocument (.odt) packages for the tests and
the sample corpus: python-docx cannot write footnotes, so the package XML is written
here and zipped with fixed timestamps (the same input gives the same bytes).

Body parts are WordprocessingML strings built with the helpers below (``run``,
``hyperlink``, ``field_link``, ``footnote_ref`` …), so a test can also write any
odd XML it needs.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
FIXED_TIME = (2018, 8, 30, 9, 0, 0)
NAMESPACES = (
    f'xmlns:w="{W}" xmlns:r="{R}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def run(text: str, rtl: bool = False) -> str:
    properties = "<w:rPr><w:rtl/></w:rPr>" if rtl else ""
    return f'<w:r>{properties}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def paragraph(*parts: str, style: str | None = None) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{properties}{''.join(parts)}</w:p>"


def footnote_ref(ident: int) -> str:
    return f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{ident}"/></w:r>'


def endnote_ref(ident: int) -> str:
    return f'<w:r><w:rPr><w:rStyle w:val="EndnoteReference"/></w:rPr><w:endnoteReference w:id="{ident}"/></w:r>'


def field_link(code: str, text: str) -> str:
    """A complex field (``HYPERLINK "url"``), its code split over three runs as Word does."""
    third = max(1, len(code) // 3)
    pieces = [code[:third], code[third : 2 * third], code[2 * third :]]
    instr = "".join(f'<w:r><w:instrText xml:space="preserve">{escape(piece)}</w:instrText></w:r>' for piece in pieces)
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + instr
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run(text)
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def simple_field(code: str, text: str) -> str:
    return f"<w:fldSimple w:instr={quoteattr(code)}>{run(text)}</w:fldSimple>"


def table(*rows: list[str]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{paragraph(run(c))}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl>{cells}</w:tbl>"


def text_box(*paragraphs: str) -> str:
    """A text box in a run, with the VML fallback copy Word writes beside it."""
    inner = "".join(paragraphs)
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<w:txbxContent>{inner}</w:txbxContent>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


@dataclass
class WordDocument:
    """A Word document being written: body paragraphs, notes, hyperlinks, properties."""

    body: list[str] = field(default_factory=list)
    footnotes: dict[int, list[str]] = field(default_factory=dict)
    endnotes: dict[int, list[str]] = field(default_factory=dict)
    relationships: dict[str, list[tuple[str, str, str, bool]]] = field(default_factory=dict)
    """Part -> (id, type, target, external)."""
    title: str | None = None
    creator: str | None = None
    created: str | None = None
    company: str | None = None
    extra_members: dict[str, bytes] = field(default_factory=dict)

    def relate(self, part: str, kind: str, target: str, external: bool = True) -> str:
        rows = self.relationships.setdefault(part, [])
        ident = f"rId{len(rows) + 100}"
        rows.append((ident, kind, target, external))
        return ident

    def hyperlink(self, url: str, text: str, part: str = "document", anchor: str | None = None) -> str:
        """A ``w:hyperlink`` to ``url`` through a relationship of ``part`` (``document``, ``footnotes``, ``endnotes``)."""
        ident = self.relate(part, "hyperlink", url)
        extra = f' w:anchor="{anchor}"' if anchor else ""
        return f'<w:hyperlink r:id="{ident}"{extra} w:history="1">{run(text)}</w:hyperlink>'

    def add(self, *parts: str, style: str | None = None) -> None:
        self.body.append(paragraph(*parts, style=style))

    def build(self) -> bytes:
        members: dict[str, str | bytes] = {
            "[Content_Types].xml": _content_types(self),
            "_rels/.rels": _rels(
                [
                    ("rId1", "officeDocument", "word/document.xml", False),
                    ("rId2", "package/2006/relationships/metadata/core-properties", "docProps/core.xml", False),
                    ("rId3", "extended-properties", "docProps/app.xml", False),
                ]
            ),
            "word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NAMESPACES}>'
            f"<w:body>{''.join(self.body)}<w:sectPr/></w:body></w:document>",
            "docProps/core.xml": _core(self),
            "docProps/app.xml": _app(self),
        }
        document_rels = list(self.relationships.get("document", []))
        for kind, notes in (("footnotes", self.footnotes), ("endnotes", self.endnotes)):
            if notes:
                document_rels.append((f"rId{kind}", kind, f"{kind}.xml", False))
                members[f"word/{kind}.xml"] = _notes_part(kind[:-1], notes)
                if kind in self.relationships:
                    members[f"word/_rels/{kind}.xml.rels"] = _rels(self.relationships[kind])
        members["word/_rels/document.xml.rels"] = _rels(document_rels)
        for part, rows in self.relationships.items():
            if part not in ("document", "footnotes", "endnotes"):
                members[part] = _rels(rows)
        members.update(self.extra_members)
        return zip_members(members)


def _rels(rows: list[tuple[str, str, str, bool]]) -> str:
    lines = []
    for ident, kind, target, external in rows:
        full = kind if kind.startswith("http") else (
            f"http://schemas.openxmlformats.org/{kind}" if kind.startswith("package/") else f"{REL_TYPES}/{kind}"
        )  # fmt: skip
        mode = ' TargetMode="External"' if external else ""
        lines.append(f'<Relationship Id="{ident}" Type="{full}" Target={quoteattr(target)}{mode}/>')
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PACKAGE_RELS}">{"".join(lines)}</Relationships>'


def _notes_part(kind: str, notes: dict[int, list[str]]) -> str:
    separators = (f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
                  f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{kind}>')  # fmt: skip
    bodies = []
    for ident, paragraphs in notes.items():
        mark = f'<w:r><w:rPr><w:rStyle w:val="{kind.capitalize()}Reference"/></w:rPr><w:{kind}Ref/></w:r>'
        first, *rest = paragraphs or [""]
        content = paragraph(mark, first) + "".join(paragraph(p) for p in rest)
        bodies.append(f'<w:{kind} w:id="{ident}">{content}</w:{kind}>')
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<w:{kind}s {NAMESPACES}>{separators}{"".join(bodies)}</w:{kind}s>'


def _core(document: WordDocument) -> str:
    fields = []
    if document.title is not None:
        fields.append(f"<dc:title>{escape(document.title)}</dc:title>")
    if document.creator is not None:
        fields.append(f"<dc:creator>{escape(document.creator)}</dc:creator>")
    if document.created is not None:
        fields.append(f'<dcterms:created xsi:type="dcterms:W3CDTF">{document.created}</dcterms:created>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{"".join(fields)}</cp:coreProperties>')  # fmt: skip


def _app(document: WordDocument) -> str:
    company = f"<Company>{escape(document.company)}</Company>" if document.company is not None else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Properties '
            'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>refcheck docx_maker</Application>{company}</Properties>")  # fmt: skip


def _content_types(document: WordDocument) -> str:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = [("/word/document.xml", f"{main}.document.main+xml")]
    if document.footnotes:
        overrides.append(("/word/footnotes.xml", f"{main}.footnotes+xml"))
    if document.endnotes:
        overrides.append(("/word/endnotes.xml", f"{main}.endnotes+xml"))
    rows = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{rows}</Types>')  # fmt: skip


def zip_members(members: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``members`` in the given order, every timestamp fixed: same input, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = compression if name != "mimetype" else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            package.writestr(info, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


# --- OpenDocument text ---------------------------------------------------------------

ODT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)


def odt_note(kind: str, citation: str, text: str) -> str:
    """A ``text:note`` (``kind``: footnote or endnote) with its citation and a one-paragraph body."""
    return (f'<text:note text:id="n{citation}" text:note-class="{kind}"><text:note-citation>{citation}</text:note-citation>'
            f"<text:note-body><text:p>{text}</text:p></text:note-body></text:note>")  # fmt: skip


def odt_link(url: str, text: str) -> str:
    return f'<text:a xlink:type="simple" xlink:href={quoteattr(url)}>{escape(text)}</text:a>'


def odt(
    body: str, title: str | None = None, created: str | None = None, extra: dict[str, str | bytes] | None = None
) -> bytes:
    """An .odt package whose ``office:text`` holds ``body`` (``text:p``/``text:h`` XML)."""
    meta_fields = ""
    if title is not None:
        meta_fields += f"<dc:title>{escape(title)}</dc:title>"
    if created is not None:
        meta_fields += f"<meta:creation-date>{created}</meta:creation-date>"
    members: dict[str, str | bytes] = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "META-INF/manifest.xml": '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        "content.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODT_NAMESPACES}>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>",
        "meta.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {ODT_NAMESPACES}>'
        f"<office:meta>{meta_fields}</office:meta></office:document-meta>",
    }
    members.update(extra or {})
    return zip_members(members)


# --- damaged packages (issue 16) ----------------------------------------------------


def unsupported_zip_version(data: bytes, version: int = 235) -> bytes:
    """``data`` with every central directory entry asking for zip ``version``
    (23.5) to extract: Python's zipfile refuses it with NotImplementedError."""
    damaged = bytearray(data)
    start = damaged.find(b"PK\x01\x02")
    while start >= 0:
        damaged[start + 6] = version  # "version needed to extract", low byte
        start = damaged.find(b"PK\x01\x02", start + 4)
    return bytes(damaged)


def garbled_member(data: bytes, name: str) -> bytes:
    """``data`` with member ``name``'s deflate stream made to start with a stored
    block whose lengths do not agree ("invalid stored block lengths")."""
    damaged = bytearray(data)
    header = damaged.find(b"PK\x03\x04")
    while header >= 0:
        name_length = int.from_bytes(damaged[header + 26 : header + 28], "little")
        extra_length = int.from_bytes(damaged[header + 28 : header + 30], "little")
        if damaged[header + 30 : header + 30 + name_length] == name.encode():
            damaged[header + 30 + name_length + extra_length] = 0x00
            return bytes(damaged)
        header = damaged.find(b"PK\x03\x04", header + 4)
    raise KeyError(name)
