"""PDF documents (refcheck.extract.pdf): reference lists as notes, link
annotations with their pages, URLs broken across lines joined back, right-to-left
text, metadata; and hostile files skipped or cut with one clear line, in bounded
time and memory. The PDFs are made here (tests/pdf_maker.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PEAK_MEMORY, refcheck
from pdf_maker import UNICODE_FONT_PATH, Span, image_only_pdf, make_pdf

from refcheck.collect import SourceFile
from refcheck.errors import SkipFile
from refcheck.extract import ExtractContext, OutletIndex, extract_bytes, extract_file
from refcheck.extract import pdf as pdf_reader
from refcheck.extract.analyze import analyze
from refcheck.extract.pdf import parse_pdf
from refcheck.extract.source import ParsedSource
from refcheck.models import Document

ROOT = Path(__file__).resolve().parent.parent


def document_of(data: bytes) -> Document:
    return analyze(parse_pdf(data), "a.pdf", ExtractContext(OutletIndex.load()))


def notes_of(document: Document) -> list[tuple[object, int, str | None, list[str]]]:
    return [(note.number, note.line, note.date, note.urls) for note in document.footnotes]


def links_of(document: Document) -> list[tuple[str, int]]:
    return [(c.url, c.line) for c in document.citations if c.kind == "link"]


BRACKETED = [
    [
        "Idlib: the last bargain",
        "Turkey and Russia agreed on a buffer zone [1], and the talks went on [2].",
        ["The full text was ", Span("published", url="https://www.kremlin.ru/events/president/news/58540"), " later."],
    ],
    [
        "References",
        "[1] Reuters, \u201cTurkey and Russia agree on Idlib zone\u201d, 17 September 2018,",
        "https://www.reuters.com/article/us-syria-security-idUSKCN1LX1JM",
        [
            "[2] BBC News, \u201cIdlib talks\u201d, 2 October 2018, ",
            Span("BBC report", url="https://www.bbc.com/news/world-middle-east-45700000"),
        ],
    ],
]


def test_bracketed_reference_list_links_and_pages() -> None:
    document = document_of(make_pdf(BRACKETED))
    assert document.unit == "page" and document.format == "pdf"
    assert notes_of(document) == [
        (1, 2, "2018-09-17", ["https://www.reuters.com/article/us-syria-security-idUSKCN1LX1JM"]),
        (2, 2, "2018-10-02", ["https://www.bbc.com/news/world-middle-east-45700000"]),
    ]
    assert document.markers == [1, 2]
    assert links_of(document) == [("https://www.kremlin.ru/events/president/news/58540", 1)]
    assert document.problems == []


def test_dotted_reference_list_at_the_end_with_superscript_markers() -> None:
    """Notes numbered "12. …" without a heading, referenced by raised numbers in the body."""
    pages = [
        [
            [
                "The ceasefire held for two days",
                Span("1", rise=4),
                " before the shelling resumed",
                Span("2", rise=4),
                ".",
            ],
            "Observers counted 40 strikes in one night.",
        ],
        [
            "1. Al-Monitor, \u201cGaza truce\u201d, 12 November 2018, https://www.al-monitor.com/pulse/gaza-truce",
            "2. Haaretz, \u201cStrikes resume\u201d, 14 November 2018, https://www.haaretz.com/strikes-resume",
        ],
    ]
    document = document_of(make_pdf(pages))
    assert notes_of(document) == [
        (1, 2, "2018-11-12", ["https://www.al-monitor.com/pulse/gaza-truce"]),
        (2, 2, "2018-11-14", ["https://www.haaretz.com/strikes-resume"]),
    ]
    assert document.markers == [1, 2]
    assert document.problems == []


def test_urls_broken_across_lines_are_joined() -> None:
    pages = [
        [
            "Reuters reported it first: https://www.reuters.com/article/us-syria-",
            "idUSKCN1LD1C2 and the report was hyphen-",
            "ated in print. The annual data is at https://www.example.org/reports/",
            "2018/annual.pdf for anyone.",
            [
                "Word broke this one: ",
                Span("https://www.example.com/pathway-", url="https://www.example.com/pathwaycontinued"),
            ],
            [Span("continued", url="https://www.example.com/pathwaycontinued"), " as the annotation shows."],
            "A sentence ends with https://www.example.net/page.",
            "The next sentence is prose.",
        ]
    ]
    parsed = parse_pdf(make_pdf(pages))
    urls = [c.url for c in document_of(make_pdf(pages)).citations if c.kind == "inline"]
    assert urls == [
        "https://www.reuters.com/article/us-syria-idUSKCN1LD1C2",  # its own hyphen kept
        "https://www.example.org/reports/2018/annual.pdf",
        "https://www.example.net/page",
    ]
    assert "hyphenated in print" in parsed.text
    assert "https://www.example.com/pathwaycontinued as" in parsed.text  # the annotation has no hyphen
    assert "The next sentence is prose." in parsed.text.split("\n")


def test_an_address_ending_in_a_slash_does_not_take_the_next_lines_prose() -> None:
    """Issue 16: a URL ending in ``/`` at a line end is complete unless the next word
    is plainly a path (or an annotation says otherwise): the next line's ``U.S.``,
    ``The``, ``2019`` or a footnote number glued to a word stay prose."""
    pages = [
        [
            "The department published the figures at https://www.state.gov/",
            "U.S. officials said the figures were final; the archive is https://www.example.org/",
            "The archive keeps them. Older data is at https://www.example.org/data/",
            "2019 was the last year kept. See http://www.ldc.upenn.edu/Projects/ACE/",
            "2The hurricane names were recognised. The reports are at https://www.example.org/reports/",
            "2019-03 and https://en.wikipedia.org/wiki/",
            "Battle_of_Aleppo too. A hyphen ends https://www.reuters.com/article/us-syria-",
            "U.S. officials said so, and this one goes on: https://www.reuters.com/article/battle-for-",
            "hodeidah-port as written.",
            ["Annotated: ", Span("https://www.state.gov/", url="https://www.state.gov/U.S.-policy")],
            [Span("U.S.-policy", url="https://www.state.gov/U.S.-policy"), " says the annotation."],
        ]
    ]
    data = make_pdf(pages)
    urls = [c.url for c in document_of(data).citations if c.kind == "inline"]
    assert urls == [
        "https://www.state.gov/",
        "https://www.example.org/",
        "https://www.example.org/data/",
        "http://www.ldc.upenn.edu/Projects/ACE/",
        "https://www.example.org/reports/2019-03",  # plainly a path: joined
        "https://en.wikipedia.org/wiki/Battle_of_Aleppo",
        "https://www.reuters.com/article/us-syria-",  # (PDFium took the hyphen for hyphenation)
        "https://www.reuters.com/article/battle-for-hodeidah-port",
    ]
    assert "https://www.state.gov/U.S.-policy\nsays the annotation." in parse_pdf(data).text  # the annotation decides


@pytest.mark.parametrize("label", ["[2]", "2.", "(2)"])
def test_an_address_ending_a_note_does_not_swallow_the_next_notes_label(label: str) -> None:
    """Issue 16: ``…/syria/`` then ``[2] Reuters…`` on the next line were one note
    (``…/syria/%5B2%5D``) and note 2 a false missing-footnote."""
    pages = [
        [["The report says so", Span("1", rise=4, size=6), " and the agency agreed", Span("2", rise=4, size=6), "."]],
        [
            "References",
            f"{label.replace('2', '1')} US State Department, Country Reports 2018: Syria, March 13, 2019, "
            "https://www.state.gov/reports/syria/",
            f"{label} Reuters, Rebels retreat, August 28, 2018, https://www.reuters.com/article/us-syria-",
            f"{label.replace('2', '3')} Reuters again, August 29, 2018, https://www.reuters.com/article/idUSKCN1LD1AB",
        ],
    ]
    document = document_of(make_pdf(pages))
    assert notes_of(document) == [
        (1, 2, "2019-03-13", ["https://www.state.gov/reports/syria/"]),
        (2, 2, "2018-08-28", ["https://www.reuters.com/article/us-syria-"]),
        (3, 2, "2018-08-29", ["https://www.reuters.com/article/idUSKCN1LD1AB"]),
    ]
    assert [problem.kind for problem in document.problems] == ["unreferenced-footnote"]


@pytest.mark.skipif(not UNICODE_FONT_PATH.exists(), reason="needs DejaVuSans (fonts-dejavu-core)")
def test_right_to_left_text_comes_in_logical_order() -> None:
    """A right-to-left PDF sets its glyphs right to left (the logical order reversed,
    for a line without numbers or Latin): PDFium gives the text back in logical order."""
    hebrew = "שלום עולם זה טקסט"
    arabic = "مرحبا بالعالم"
    parsed = parse_pdf(make_pdf([[hebrew[::-1], arabic[::-1]]], unicode_font=True))
    assert parsed.text.split("\n") == [hebrew, arabic]


def test_metadata_title_and_creation_date() -> None:
    document = document_of(make_pdf([["Body text."]], title="Idlib: the last bargain", author="Jane Doe",
                                    created="D:20190314093000+02'00'"))  # fmt: skip
    assert (document.title, document.date) == ("Idlib: the last bargain", "2019-03-14")
    assert document.publisher != "Jane Doe"  # an author is not a publisher
    junk = parse_pdf(make_pdf([["Body text."]], title="Microsoft Word - draft3.docx", created="D:2019"))
    assert (junk.meta.title, junk.meta.date) == (None, None)


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    pages = [[f"Gulf Press Freedom Report {2019}", f"Body of page {n} says something.", str(n)] for n in range(1, 6)]
    lines = parse_pdf(make_pdf(pages)).text.split("\n")
    assert [line for line in lines if line] == [f"Body of page {n} says something." for n in range(1, 6)]


# --- hostile input ------------------------------------------------------------------


def skip_reason(data: bytes) -> str:
    with pytest.raises(SkipFile) as caught:
        parse_pdf(data)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_encrypted_with_a_user_password_is_skipped() -> None:
    assert skip_reason(make_pdf([["Secret."]], user_password="u", owner_password="o")) == (
        "encrypted PDF: it needs a password to open"
    )


def test_owner_password_only_is_read() -> None:
    parsed = parse_pdf(make_pdf([["Readable https://www.bbc.co.uk/x"]], user_password="", owner_password="o"))
    assert parsed.text == "Readable https://www.bbc.co.uk/x"


def test_scanned_broken_and_foreign_files_are_skipped() -> None:
    good = make_pdf(BRACKETED)
    assert skip_reason(image_only_pdf()).startswith("PDF without a text layer (scanned?)")
    assert skip_reason(good[: len(good) // 3]).startswith("broken PDF")
    assert skip_reason(b"%PDF-1.7\n" + b"\x00garbage" * 500).startswith("broken PDF")
    assert skip_reason(b"PK\x03\x04 a zip, not a PDF") == "not a PDF file (no %PDF- header)"
    assert skip_reason(b"") == "not a PDF file (no %PDF- header)"


def damaged_page(data: bytes, page: int) -> bytes:
    """``data`` with the object of page ``page`` (1-based) no longer a page: PDFium
    opens the file and counts the page, then cannot load it (same length, so the
    cross-reference table still holds)."""
    starts = [match.start() for match in re.finditer(rb"/Type /Page\n", data)]
    at = starts[page - 1]
    return data[:at] + b"/Type /Pagq\n" + data[at + 12 :]


def test_a_page_that_cannot_be_loaded_skips_the_pdf_with_one_line() -> None:
    """Issue 16: PDFium's "Failed to load page" left the reader as a traceback."""
    data = make_pdf([["Page one https://www.example.org/a"], ["Page two."], ["Page three."]])
    assert skip_reason(damaged_page(data, 3)) == "broken PDF: page 3 cannot be read"
    assert skip_reason(damaged_page(data, 1)) == "broken PDF: page 1 cannot be read"


@pytest.mark.parametrize("failure", [ValueError("bad"), RecursionError(), MemoryError(), KeyError("k")])
def test_extract_bytes_never_lets_a_readers_exception_escape(
    failure: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a reader raises that it did not turn into a SkipFile ends this one
    file with an error, never the run (issue 16)."""

    def broken_reader(data: bytes) -> ParsedSource:
        raise failure

    monkeypatch.setattr(pdf_reader, "parse_pdf", broken_reader)
    source = SourceFile(Path("a.pdf"), "a.pdf", "pdf")
    document = extract_bytes(b"%PDF-1.7", source, ExtractContext(OutletIndex.load()))
    assert document.error is not None and document.error.startswith(("could not extract", "structure too deeply"))
    assert "\n" not in document.error and document.skipped is None


def test_a_damaged_pdf_in_a_corpus_does_not_stop_the_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = make_pdf([["Page one https://www.example.org/a"], ["Page two."], ["Page three."]])
    (corpus / "damaged.pdf").write_bytes(damaged_page(good, 2))
    (corpus / "good.pdf").write_bytes(good)
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "damaged.pdf: skipped: broken PDF: page 2 cannot be read" in done.stdout
    assert "1 of 2 articles read" in done.stdout


def test_a_skipped_pdf_is_a_document_that_says_why(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(make_pdf([["Secret."]], user_password="u"))
    document = extract_file(SourceFile(path, "locked.pdf", "pdf"), ExtractContext(OutletIndex.load()), 10**7)
    assert document.skipped == "encrypted PDF: it needs a password to open"


_MEASURE = PEAK_MEMORY + """
import json, sys, time
from refcheck.extract.pdf import parse_pdf
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
parsed = parse_pdf(data)
print(json.dumps({"seconds": time.perf_counter() - started, "notice": parsed.notice,
                  "last_page": parsed.source_lines[-1],
                  "peak_mb": peak_resident_mb()}))
"""


def measured(data: bytes, tmp_path: Path) -> dict[str, object]:
    """parse_pdf run in a fresh process: its time, notice and peak memory."""
    path = tmp_path / "big.pdf"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=True)  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(sys.platform == "win32", reason="peak memory read with the resource module")
def test_ten_thousand_pages_are_read_up_to_the_page_limit(tmp_path: Path) -> None:
    pages = [
        [f"Chapter {n}", f"Text of page {n} citing https://example.org/{n}", "More prose here."] for n in range(10_000)
    ]
    result = measured(make_pdf(pages), tmp_path)
    assert result["notice"] == f"read the first {pdf_reader.MAX_PAGES:,} of 10,000 pages"
    assert result["last_page"] == pdf_reader.MAX_PAGES
    assert float(result["seconds"]) < 20  # measured: 0.3 s
    assert float(result["peak_mb"]) < 400  # measured: ~70 MB


def test_a_page_of_absurdly_many_annotations_and_characters_is_cut(tmp_path: Path) -> None:
    crowded = [f"https://example.org/{n}" for n in range(pdf_reader.MAX_PAGE_LINKS + 500)]
    long_line = "word " * (pdf_reader.MAX_PAGE_CHARS // 5 + 1000)
    data = make_pdf([["Crowded page."], [long_line[i : i + 4000] for i in range(0, len(long_line), 4000)]],
                    extra_links=[(0, url) for url in crowded])  # fmt: skip
    started = time.perf_counter()
    parsed = parse_pdf(data)
    assert time.perf_counter() - started < 20
    assert len(parsed.links) == pdf_reader.MAX_PAGE_LINKS
    assert parsed.notice is not None
    assert f"page 1: {pdf_reader.MAX_PAGE_LINKS:,} of {len(crowded):,} annotations read" in parsed.notice
    assert f"page 2 cut at {pdf_reader.MAX_PAGE_CHARS:,} characters" in parsed.notice
    assert len(parsed.text) <= pdf_reader.MAX_PAGE_CHARS + 100


def test_the_time_limit_stops_between_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "TIME_LIMIT", 0.0)
    parsed = parse_pdf(make_pdf([["First page."], ["Second page."]]))
    assert (parsed.text, parsed.notice) == ("First page.", "read the first 1 of 2 pages; stopped after 0 seconds")


def test_the_sample_pdf_is_its_scripts_output_and_reads_as_written(tmp_path: Path) -> None:
    """corpus/hodeidah-port-brief.pdf is what scripts/make_sample_pdf.py writes (same bytes
    on every run), and reads as written: five dated notes, one of them a link annotation,
    one address wrapped across two lines, one dead (.invalid) address."""
    output = tmp_path / "brief.pdf"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_pdf.py"), str(output)], check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    sample = ROOT / "corpus" / "hodeidah-port-brief.pdf"
    assert output.read_bytes() == sample.read_bytes()
    document = document_of(sample.read_bytes())
    assert [(note.number, note.line, note.date) for note in document.footnotes] == [
        (1, 2, "2018-06-13"), (2, 2, "2018-06-14"), (3, 2, "2018-07-02"), (4, 2, "2018-08"), (5, 2, "2018-09-09"),
    ]  # fmt: skip
    assert document.footnotes[0].urls == [
        "https://www.reuters.com/article/us-yemen-security-hodeidah/battle-for-yemens-hodeidah-port-threatens-aid-lifeline-idUSKBN1J91ZX"
    ]
    assert document.footnotes[2].urls == ["https://www.bbc.co.uk/news/world-middle-east-44681942"]
    assert document.footnotes[3].urls == ["https://wfp-market-watch.invalid/yemen/2018-08-market-watch.pdf"]
    assert document.markers == [1, 2, 3, 5, 4]
    assert links_of(document) == [("https://osesgy.unmissions.org/", 1)]
    assert (document.title, document.date, document.publisher, document.problems) == (
        "Hodeidah: The Port at the Centre of Yemen's War", "2018-09-14", "levantdispatch.net", [],
    )  # fmt: skip
