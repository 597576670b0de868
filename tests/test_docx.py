"""Word (.docx) and OpenDocument (.odt) articles: notes, markers, links (relationships
and field codes), metadata, paragraph numbers; hostile packages stay bounded and say
why; nothing a package points at is ever opened or fetched."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import refcheck
from docx_maker import (
    WordDocument,
    endnote_ref,
    field_link,
    footnote_ref,
    garbled_member,
    odt,
    odt_link,
    odt_note,
    paragraph,
    run,
    simple_field,
    table,
    text_box,
    unsupported_zip_version,
    zip_members,
)
from localweb import serve

from refcheck.errors import SkipFile
from refcheck.extract import docx as docx_module
from refcheck.extract.analyze import ExtractContext, analyze
from refcheck.extract.docx import OLE_MAGIC, hyperlink_field_target, parse_docx
from refcheck.extract.odt import parse_odt
from refcheck.models import Document

ROOT = Path(__file__).resolve().parent.parent
CONTEXT: ExtractContext | None = None


def context() -> ExtractContext:
    global CONTEXT
    if CONTEXT is None:
        from refcheck.extract.outlets import OutletIndex

        CONTEXT = ExtractContext(OutletIndex.load())
    return CONTEXT


def read(data: bytes, name: str = "a.docx") -> Document:
    parsed = parse_docx(data) if name.endswith(".docx") else parse_odt(data)
    return analyze(parsed, name, context())


def summary(document: Document) -> dict[str, object]:
    return {
        "notes": {n.number: (n.line, n.urls, n.date) for n in document.footnotes},
        "markers": document.markers,
        "citations": [(c.kind, c.footnote, c.line, c.url) for c in document.citations],
        "problems": sorted((p.kind, p.footnote, p.line) for p in document.problems if p.severity != "info"),
    }


def article() -> WordDocument:
    document = WordDocument(title="Astana, Sochi and the Last Rebel Stronghold", creator="Jane Doe",
                            created="2018-08-30T09:00:00Z", company="Levant Dispatch")  # fmt: skip
    document.add(run("Astana, Sochi and the Last Rebel Stronghold"), style="Heading1")
    document.add()  # an empty paragraph is not counted
    document.add(run("Close to three million people live in the province."), footnote_ref(2),
                 run(" The guarantors met again, "), document.hyperlink("https://www.reuters.com/article/idlib-talks",
                 "Idlib talks end without a deal"), run(", and a plain address https://www.bbc.co.uk/news/idlib"),
                 footnote_ref(3))  # fmt: skip
    document.add(run("Turkey warned against an offensive."), footnote_ref(2), run(" See also "),
                 field_link('HYPERLINK "https://www.aa.com.tr/en/turkey-warns" \\o "Anadolu"', "Turkey warns Russia over Idlib"),
                 run(" and the "), field_link('HYPERLINK \\l "_Toc123"', "section below"), run("."))  # fmt: skip
    document.body.append(table(["Cell text https://www.rudaw.net/cell", "second cell"]))
    document.footnotes[2] = [run(' Reuters: "Idlib\'s displaced brace for an offensive", August 28, 2018, '
                                 "https://www.reuters.com/world/idlib-displaced")]  # fmt: skip
    document.footnotes[3] = [run(" TASS: ") + document.hyperlink("https://tass.com/politics/1019", "Russia on the Idlib talks",
                                                                 part="footnotes") + run(", 29.08.2018")]  # fmt: skip
    document.footnotes[9] = [run(" Never referenced: https://www.al-monitor.com/unused")]
    return document


def test_footnotes_markers_links_and_paragraph_numbers() -> None:
    document = read(article().build())
    assert (document.format, document.unit, document.notice) == ("docx", "paragraph", None)
    assert summary(document) == {
        # Footnote ids 2 and 3 are numbered 1 and 2, by order of reference; id 9 comes last.
        "notes": {
            1: (2, ["https://www.reuters.com/world/idlib-displaced"], "2018-08-28"),
            2: (2, ["https://tass.com/politics/1019"], "2018-08-29"),
            3: (5, ["https://www.al-monitor.com/unused"], None),  # the last paragraph: never referenced
        },
        "markers": [1, 2, 1],
        "citations": [
            ("footnote", 1, 2, "https://www.reuters.com/world/idlib-displaced"),
            ("footnote", 2, 2, "https://tass.com/politics/1019"),
            ("inline", None, 2, "https://www.bbc.co.uk/news/idlib"),
            ("link", None, 2, "https://www.reuters.com/article/idlib-talks"),
            ("link", None, 3, "https://www.aa.com.tr/en/turkey-warns"),
            ("inline", None, 4, "https://www.rudaw.net/cell"),
            ("footnote", 3, 5, "https://www.al-monitor.com/unused"),
        ],
        "problems": [("unreferenced-footnote", 3, 5)],
    }
    titles = {c.url: c.title for c in document.citations}
    assert titles["https://www.reuters.com/article/idlib-talks"] == "Idlib talks end without a deal"
    assert titles["https://www.aa.com.tr/en/turkey-warns"] == "Turkey warns Russia over Idlib"
    assert titles["https://tass.com/politics/1019"] == "Russia on the Idlib talks"
    assert titles["https://www.reuters.com/world/idlib-displaced"] == "Idlib's displaced brace for an offensive"


def test_link_text_stays_in_the_prose_and_field_codes_do_not() -> None:
    parsed = parse_docx(article().build())
    assert parsed.text.splitlines()[2] == (
        "Turkey warned against an offensive. See also Turkey warns Russia over Idlib and the section below."
    )
    assert "HYPERLINK" not in parsed.text
    assert parsed.source_lines == [1, 2, 3, 4, 5]


def test_metadata_title_date_publisher() -> None:
    document = read(article().build())
    assert (document.title, document.date, document.publisher) == (
        "Astana, Sochi and the Last Rebel Stronghold", "2018-08-30", "Levant Dispatch",
    )  # fmt: skip
    # A computer maker's placeholder is no publisher; the author is not one either.
    placeholder = article()
    placeholder.company = "Microsoft"
    assert read(placeholder.build()).publisher is None


def test_missing_note_and_endnote_labels() -> None:
    document = WordDocument()
    document.add(run("One"), footnote_ref(1), run(" two"), footnote_ref(5), run(" three"), endnote_ref(1))
    document.footnotes[1] = [run(" A note https://www.reuters.com/a")]
    document.endnotes[1] = [run(" An endnote https://www.haaretz.com/e")]
    result = read(document.build())
    # Footnote id 5 does not exist: marker 2 has no note. The endnote beside footnotes is "i".
    assert result.markers == [1, 2, "i"]
    assert summary(result)["problems"] == [("missing-footnote", 2, 1)]
    assert {n.number: n.urls for n in result.footnotes} == {1: ["https://www.reuters.com/a"],
                                                             "i": ["https://www.haaretz.com/e"]}  # fmt: skip

    endnotes_only = WordDocument()
    endnotes_only.add(run("First"), endnote_ref(4), run(" second"), endnote_ref(2))
    endnotes_only.endnotes[2] = [run(" Second https://www.bbc.co.uk/2")]
    endnotes_only.endnotes[4] = [run(" First https://www.bbc.co.uk/1")]
    result = read(endnotes_only.build())
    assert result.markers == [1, 2]
    assert [(n.number, n.urls) for n in result.footnotes] == [
        (1, ["https://www.bbc.co.uk/1"]),
        (2, ["https://www.bbc.co.uk/2"]),
    ]
    assert result.problems == []


def test_field_codes() -> None:
    assert (
        hyperlink_field_target(' HYPERLINK "https://a.example/x" \\l "part" \\o "tip" ') == "https://a.example/x#part"
    )
    assert hyperlink_field_target('HYPERLINK \\l "_Toc1"') is None
    assert hyperlink_field_target('hyperlink "https://a.example/y"') == "https://a.example/y"
    assert hyperlink_field_target('INCLUDEPICTURE "http://a.example/p.png" \\d') is None
    assert hyperlink_field_target("PAGEREF _Toc1 \\h") is None

    document = WordDocument()
    document.add(
        run("A simple field "), simple_field('HYPERLINK "https://www.timesofisrael.com/s"', "Gaza ceasefire holds")
    )
    # A field over two paragraphs is one link, in the paragraph where it begins.
    document.body.append(paragraph(run("Begin "), '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
                                   '<w:r><w:instrText> HYPERLINK "https://www.ynetnews.com/m" </w:instrText></w:r>',
                                   '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', run("Across two")))  # fmt: skip
    document.body.append(paragraph(run("paragraphs"), '<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    links = [(c.url, c.line, c.title) for c in read(document.build()).citations]
    assert links == [
        ("https://www.timesofisrael.com/s", 1, "Gaza ceasefire holds"),
        ("https://www.ynetnews.com/m", 2, "Across two paragraphs"),
    ]


def test_text_boxes_tables_and_tracked_changes() -> None:
    document = WordDocument()
    document.add(run("Before the box."), text_box(paragraph(run("In a box https://www.rudaw.net/box"))))
    document.add(run("Kept "), '<w:del w:id="1"><w:r><w:delText>deleted https://www.bbc.co.uk/gone</w:delText></w:r>'
                 '<w:hyperlink r:id="rIdX"><w:r><w:t>x</w:t></w:r></w:hyperlink></w:del>',
                 '<w:ins w:id="2"><w:r><w:t>inserted</w:t></w:r></w:ins>')  # fmt: skip
    parsed = parse_docx(document.build())
    # The text box once (its VML fallback copy is not read twice), numbered after the paragraph holding it.
    assert parsed.text.splitlines() == ["Before the box.", "In a box https://www.rudaw.net/box", "Kept inserted"]
    assert parsed.source_lines == [1, 2, 3]
    assert [c.url for c in read(document.build()).citations] == ["https://www.rudaw.net/box"]


def test_arabic_and_hebrew() -> None:
    document = WordDocument(title="إدلب", created="2018-09-01T00:00:00Z")
    document.add(run("قال مسؤولون أتراك إن الهجوم على إدلب سيدفع موجة جديدة من اللاجئين نحو الحدود.", rtl=True),
                 footnote_ref(1), run(" وذكرت وكالة الأناضول أن المحادثات مستمرة.", rtl=True))  # fmt: skip
    document.add(run("לפי הדיווח, השיחות נמשכות.", rtl=True), footnote_ref(2))
    document.footnotes[1] = [run(" الجزيرة، 28 أغسطس 2018، https://www.aljazeera.net/news/2018/8/28/idlib", rtl=True)]
    document.footnotes[2] = [run(" הארץ, https://www.haaretz.co.il/news/1.6420000", rtl=True)]
    result = read(document.build())
    assert result.language == "ar"
    assert result.markers == [1, 2]
    assert [(n.number, n.line, n.urls, n.date) for n in result.footnotes] == [
        (1, 1, ["https://www.aljazeera.net/news/2018/8/28/idlib"], "2018-08-28"),
        (2, 2, ["https://www.haaretz.co.il/news/1.6420000"], None),
    ]
    assert result.problems == []
    assert parse_docx(document.build()).text.splitlines()[1] == "לפי הדיווח, השיחות נמשכות."


def test_odt() -> None:
    body = (
        "<text:h>Gaza: two days</text:h><text:p>The ceasefire held."
        + odt_note("footnote", "1", "Reuters, 13 November 2018, https://www.reuters.com/gaza")
        + " The "
        + odt_link("https://www.middleeasteye.net/egypt", "Egyptian role in the ceasefire")
        + " was decisive."
        + odt_note(
            "endnote", "i", "See " + odt_link("https://www.timesofisrael.com/rockets", "Rockets fired from Gaza")
        )
        + "</text:p><text:p/><text:p>Plain https://www.bbc.co.uk/p</text:p>"
        + "<text:tracked-changes><text:changed-region><text:deletion><text:p>gone https://www.bbc.co.uk/gone</text:p>"
        + "</text:deletion></text:changed-region></text:tracked-changes>"
    )
    result = read(odt(body, title="Gaza: two days", created="2018-11-15T08:00:00"), "a.odt")
    assert (result.format, result.unit, result.title, result.date) == (
        "odt",
        "paragraph",
        "Gaza: two days",
        "2018-11-15",
    )
    assert summary(result) == {
        "notes": {
            1: (2, ["https://www.reuters.com/gaza"], "2018-11-13"),
            "i": (2, ["https://www.timesofisrael.com/rockets"], None),
        },
        "markers": [1, "i"],
        "citations": [
            ("footnote", 1, 2, "https://www.reuters.com/gaza"),
            ("footnote", "i", 2, "https://www.timesofisrael.com/rockets"),
            ("link", None, 2, "https://www.middleeasteye.net/egypt"),
            ("inline", None, 3, "https://www.bbc.co.uk/p"),
        ],
        "problems": [],
    }
    with pytest.raises(SkipFile, match="password-protected"):
        parse_odt(odt("<text:p/>", extra={"META-INF/manifest.xml": "<m><manifest:encryption-data/></m>"}))


# --- hostile packages -------------------------------------------------------------------


def skip_reason(data: bytes) -> str:
    with pytest.raises(SkipFile) as caught:
        parse_docx(data)
    reason = str(caught.value)
    assert "\n" not in reason and len(reason) < 200
    return reason


def test_not_a_word_document() -> None:
    assert "not a zip package" in skip_reason(b"Just some text, not a Word document.")
    assert "broken zip package" in skip_reason(b"PK\x03\x04" + b"\x00" * 200)
    assert "an OLE compound file" in skip_reason(OLE_MAGIC + b"\x00" * 4000)
    assert "password-protected" in skip_reason(OLE_MAGIC + b"\x00" * 4000)
    assert "no word/document.xml" in skip_reason(zip_members({"hello.txt": "hi"}))
    encrypted = bytearray(WordDocument(body=[paragraph(run("x"))]).build())
    # Set the "encrypted" flag of every member (local headers and central directory).
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = encrypted.find(signature)
        while start >= 0:
            encrypted[start + offset] |= 1
            start = encrypted.find(signature, start + 4)
    assert "encrypted" in skip_reason(bytes(encrypted))


def make_bomb(megabytes: int) -> bytes:
    """A Word document whose word/document.xml unpacks to ``megabytes`` MB (and compresses ~1000 to 1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        original = zipfile.ZipFile(io.BytesIO(WordDocument(body=[paragraph(run("x"))]).build()))
        for name in original.namelist():
            if name != "word/document.xml":
                package.writestr(name, original.read(name))
        info = zipfile.ZipInfo("word/document.xml", date_time=(2018, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with package.open(info, "w", force_zip64=True) as member:
            member.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            chunk = b"<w:p><w:r><w:t>aaaa</w:t></w:r></w:p>" * 30_000
            for _ in range(megabytes * 2**20 // len(chunk)):
                member.write(chunk)
            member.write(b"</w:body></w:document>")
    return buffer.getvalue()


def test_zip_bomb_is_refused_quickly() -> None:
    data = make_bomb(200)
    assert len(data) < 1_000_000
    started = time.monotonic()
    reason = skip_reason(data)
    assert "a zip bomb?" in reason and "word/document.xml" in reason
    assert time.monotonic() - started < 5


def test_zip_bomb_whose_declared_size_lies() -> None:
    data = bytearray(make_bomb(20))
    # The central directory says the body unpacks to 300 bytes: zipfile stops there, and its CRC fails.
    for start in _central_entries(bytes(data)):
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == b"word/document.xml":
            struct.pack_into("<I", data, start + 24, 300)
    assert "word/document.xml is broken" in skip_reason(bytes(data))


def _central_entries(data: bytes) -> list[int]:
    starts, start = [], data.find(b"PK\x01\x02")
    while start >= 0:
        starts.append(start)
        start = data.find(b"PK\x01\x02", start + 4)
    return starts


def test_part_and_total_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    document = WordDocument(body=[paragraph(run(f"Paragraph {n} with some words https://www.reuters.com/{n}"))
                                  for n in range(2000)])  # fmt: skip
    document.footnotes[1] = [run("A note")]
    data = document.build()
    monkeypatch.setattr(docx_module, "MAX_PART_BYTES", 50_000)
    assert "word/document.xml unpacks to more than" in skip_reason(data)
    monkeypatch.setattr(docx_module, "MAX_PART_BYTES", 32 * 2**20)
    monkeypatch.setattr(docx_module, "MAX_TOTAL_BYTES", 10_000)
    assert "the package unpacks to more than" in skip_reason(data)


def test_too_many_members() -> None:
    members: dict[str, str | bytes] = {f"junk/{n}.xml": b"" for n in range(10_001)}
    started = time.monotonic()
    assert "10,001 members" in skip_reason(zip_members(members, zipfile.ZIP_STORED))
    assert time.monotonic() - started < 5


def test_deeply_nested_xml() -> None:
    deep = "<w:sdt><w:sdtContent>" * 5000 + paragraph(run("deep")) + "</w:sdtContent></w:sdt>" * 5000
    started = time.monotonic()
    reason = skip_reason(WordDocument(body=[deep]).build())
    assert "word/document.xml is not well-formed XML" in reason and "depth" in reason
    assert time.monotonic() - started < 5


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(2, 10)).replace("&lol1;", "&lol;")
    + "]>"
)


def test_billion_laughs() -> None:
    document = WordDocument(body=[paragraph(run("Body text https://www.reuters.com/b"))])
    data = document.build()
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    laughing_body = LAUGHS + body.split("?>", 1)[1].replace("Body text", "&lol9;")
    started = time.monotonic()
    assert "declares a DTD" in skip_reason(_replace_member(data, "word/document.xml", laughing_body))
    # In the notes: the body is read, the notes are not, and the notice says why.
    document.add(run("Marked"), footnote_ref(1))
    document.footnotes[1] = [run("&lol9;")]
    data = document.build()
    notes = zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml").decode()
    parsed = parse_docx(
        _replace_member(data, "word/footnotes.xml", LAUGHS + notes.split("?>", 1)[1].replace("&amp;lol9;", "&lol9;"))
    )
    assert parsed.notes == [] and "Body text https://www.reuters.com/b" in parsed.text
    assert parsed.notice is not None and "footnotes not read" in parsed.notice
    assert time.monotonic() - started < 5


def _replace_member(data: bytes, name: str, content: str) -> bytes:
    original = zipfile.ZipFile(io.BytesIO(data))
    members: dict[str, str | bytes] = {n: original.read(n) for n in original.namelist()}
    members[name] = content
    return zip_members(members)


def test_a_body_cut_short_is_read_up_to_the_break() -> None:
    data = WordDocument(body=[paragraph(run(f"Paragraph {n}")) for n in range(50)]).build()
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    parsed = parse_docx(_replace_member(data, "word/document.xml", body[: len(body) // 2]))
    assert parsed.text.startswith("Paragraph 0\nParagraph 1\n")
    assert parsed.notice is not None and parsed.notice.startswith("read up to paragraph ")


def hostile_relationships(base: str) -> bytes:
    """Every kind of relationship Word reads from outside the file, pointing at
    ``/etc/passwd`` and at ``base`` (a local server)."""
    document = WordDocument(body=[])
    document.add(run("Local "), document.hyperlink("file:///etc/passwd", "the password file"),
                 run(" and "), document.hyperlink(base + "/ok", "a local page"),
                 run(" and "), document.hyperlink("../../secret.docx", "a relative file"))  # fmt: skip
    image = document.relate("document", "image", base + "/picture.png")
    document.add(f'<w:r><w:drawing><a:blip r:link="{image}"/></w:drawing></w:r>',
                 field_link(f'INCLUDEPICTURE "{base}/included.png" \\d', ""),
                 field_link(f'INCLUDETEXT "{base}/included.txt"', ""),
                 field_link('HYPERLINK "file:///etc/shadow"', "shadow"))  # fmt: skip
    document.relate("word/_rels/settings.xml.rels", "attachedTemplate", base + "/template.dotm")
    document.relate("word/_rels/settings.xml.rels", "attachedTemplate", "file:///etc/passwd")
    document.relate("document", "oleObject", base + "/object.bin")
    document.relate("document", "subDocument", "file:///etc/passwd")
    document.extra_members["word/settings.xml"] = (
        f'<w:settings xmlns:w="{docx_maker_w()}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<w:attachedTemplate r:id="rId100"/></w:settings>'
    )
    document.extra_members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
    return document.build()


def docx_maker_w() -> str:
    from docx_maker import W

    return W


def test_relationships_are_never_followed(tmp_path: Path) -> None:
    with serve() as (base, stats):
        data = hostile_relationships(base)
        document = read(data)
        cited = [c.url for c in document.citations]
        assert cited == [base + "/ok"]  # file: and relative targets are not citations
        assert stats.total == 0
        # The whole command, as a user runs it: the local address is refused, nothing else is reached.
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "hostile.docx").write_bytes(data)
        done = refcheck(tmp_path, "corpus", "--no-archive", "--json", "out.json", "--cache-dir", str(tmp_path / "cache"),
                        "--report-dir", str(tmp_path / "reports"))  # fmt: skip
        assert done.returncode in (0, 1), done.stderr
        assert stats.total == 0


def test_sample_article_is_reproducible(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "make_sample_docx.py"
    first, second = tmp_path / "one.docx", tmp_path / "two.docx"
    for target in (first, second):
        subprocess.run([sys.executable, str(script), str(target)], check=True, capture_output=True, timeout=60)
    assert first.read_bytes() == second.read_bytes()
    samples = list((ROOT / "corpus").glob("*.docx"))
    assert len(samples) == 1 and samples[0].read_bytes() == first.read_bytes()
    document = read(first.read_bytes())
    assert len(document.footnotes) >= 4 and all(note.date and note.urls for note in document.footnotes)
    assert document.markers == list(range(1, len(document.footnotes) + 1))
    assert sum(c.kind == "link" for c in document.citations) >= 3
    assert any(c.domain is None or ".invalid" in c.url for c in document.citations)
    assert document.title and document.date and document.publisher


def test_odt_bounds() -> None:
    with pytest.raises(SkipFile, match="not a zip package"):
        parse_odt(b"<office:document/>")
    with pytest.raises(SkipFile, match=r"no content\.xml"):
        parse_odt(zip_members({"mimetype": "application/vnd.oasis.opendocument.text"}))
    with pytest.raises(SkipFile, match="not an OpenDocument text"):
        parse_odt(zip_members({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}))
    repeated = "<text:p>aaaa</text:p>" * 200_000
    with pytest.raises(SkipFile, match="a zip bomb"):
        parse_odt(odt(repeated))


# --- damaged packages: one clear line, never a traceback (issue 16) ---------------------


def test_a_zip_feature_python_cannot_read_is_a_clear_skip() -> None:
    word = unsupported_zip_version(WordDocument(body=[paragraph(run("Text."))]).build())
    assert skip_reason(word) == "not a readable Word document: unsupported zip package (zip file version 23.5)"
    with pytest.raises(SkipFile, match=r"^not a readable OpenDocument text: unsupported zip package \(zip file"):
        parse_odt(unsupported_zip_version(odt("<text:p>Text.</text:p>")))


def test_an_odt_whose_manifest_or_mimetype_cannot_be_read_is_a_clear_skip() -> None:
    body = "<text:p>Text citing https://www.reuters.com/a on 28 August 2018.</text:p>"
    with pytest.raises(SkipFile, match=r"^not a readable OpenDocument text: META-INF/manifest\.xml is broken"):
        parse_odt(garbled_member(odt(body), "META-INF/manifest.xml"))
    long_mimetype = "application/vnd.oasis.opendocument.text" + " " * 300
    with pytest.raises(SkipFile, match=r"^not a readable OpenDocument text: mimetype unpacks to more than 256 bytes"):
        parse_odt(odt(body, extra={"mimetype": long_mimetype}))


def test_an_odt_manifest_over_a_megabyte_is_read() -> None:
    """A manifest lists every member: a large package's is over 1 MB, and is searched
    for encryption in chunks (it made the reader raise before)."""
    body = "<text:p>Text citing https://www.reuters.com/a on 28 August 2018.</text:p>"
    big = "<manifest:manifest>" + " " * 1_100_000 + "</manifest:manifest>"
    assert "https://www.reuters.com/a" in parse_odt(odt(body, extra={"META-INF/manifest.xml": big})).text
    encrypted = big.replace("</manifest:manifest>", "<manifest:encryption-data/></manifest:manifest>")
    with pytest.raises(SkipFile, match="password-protected"):
        parse_odt(odt(body, extra={"META-INF/manifest.xml": encrypted}))


@pytest.mark.parametrize("count", ["\u00b2", "\u0663", "-1", "", "3"])
def test_odt_space_counts_that_are_not_ascii_digits(count: str) -> None:
    """``text:c="²"`` made ``int()`` raise (``str.isdigit`` is true for it); a count
    that is not ASCII digits is one space (and runs of spaces read as one)."""
    parsed = parse_odt(odt(f'<text:p>A claim<text:s text:c="{count}"/>and more.</text:p>'))
    assert parsed.text == "A claim and more."


def test_damaged_office_files_in_a_corpus_do_not_stop_the_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "<text:p>Text citing https://www.reuters.com/a on 28 August 2018.</text:p>"
    (corpus / "version.docx").write_bytes(unsupported_zip_version(WordDocument(body=[paragraph(run("x"))]).build()))
    (corpus / "manifest.odt").write_bytes(garbled_member(odt(body), "META-INF/manifest.xml"))
    (corpus / "spaces.odt").write_bytes(odt('<text:p>A claim<text:s text:c="\u00b2"/>and more.</text:p>'))
    (corpus / "good.odt").write_bytes(odt(body))
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "version.docx: skipped: not a readable Word document: unsupported zip package" in done.stdout
    assert "manifest.odt: skipped: not a readable OpenDocument text: META-INF/manifest.xml is broken" in done.stdout
    assert "2 of 4 articles read" in done.stdout
