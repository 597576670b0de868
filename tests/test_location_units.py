"""Where a citation stands in a PDF (page) or a Word document (paragraph): every
report says so in words, never "line 4" for page 4 (issue 16)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import lxml.html

from refcheck.models import (
    Citation,
    CitedBy,
    Document,
    LinkResult,
    LinkStatus,
    Problem,
    RunResult,
    Summary,
    Verdict,
)
from refcheck.report import html, markdown
from refcheck.report.annotations import annotation_lines
from refcheck.report.changes import compare
from refcheck.report.console import View, write_summary
from refcheck.report.findings import cell_of, dead_findings, place_of
from refcheck.report.graph import build_graph
from refcheck.report.junit import junit_xml
from refcheck.spool import DocumentSpool

GENERATED = "2026-03-01T00:00:00+00:00"
DEAD = "https://gone.example/report"


def pdf_run() -> RunResult:
    document = Document(
        "corpus/brief.pdf",
        "pdf",
        unit="page",
        citations=[Citation(DEAD, DEAD, "gone.example", "footnote", 1, 4)],
        problems=[Problem("unreferenced-footnote", 2, 5, "note 2 is never referenced", "warning")],
    )
    spool = DocumentSpool()
    spool.append(document)
    link = LinkResult(
        DEAD, "gone.example", [CitedBy(document.path, 4, 1, "2018-08-28", unit="page")],
        verdict=Verdict(LinkStatus.DEAD, http_status=404, error="HTTP 404"),
    )  # fmt: skip
    summary = Summary(documents=1, documents_read=1, unique_links=1, statuses={"dead": 1}, citations=1)
    summary.problems = {"unreferenced-footnote": 1}
    return RunResult(GENERATED, spool, {DEAD: link}, summary, inputs=["corpus"])


def test_words_and_cells() -> None:
    assert [place_of(3), place_of(3, "page"), place_of(3, "paragraph")] == ["line 3", "page 3", "paragraph 3"]
    assert [cell_of(3), cell_of(3, "page"), cell_of(3, "paragraph")] == ["3", "p. 3", "¶ 3"]


def test_the_terminal_says_page() -> None:
    out = io.StringIO()
    write_summary(pdf_run(), out, view=View("verbose"))
    text = out.getvalue()
    assert "    page 4, note 1: https://gone.example/report — dead: HTTP 404" in text
    assert "  corpus/brief.pdf: page 5: warning: unreferenced-footnote" in text
    assert "line 4" not in text and "brief.pdf:5" not in text


def test_report_md_and_html_say_page() -> None:
    result = pdf_run()
    documents = list(result.documents)
    changes = compare(result.links, None, None, "2026-03-01")
    graph = build_graph(documents, result.links)
    summary = result.summary.to_dict()
    page = lxml.html.fromstring(html.render(GENERATED, documents, result.links, summary, changes, graph, []))
    dead_cells = [row.xpath("./td")[0].text_content() for row in page.get_element_by_id("dead").xpath(".//tbody/tr")]
    assert dead_cells == ["p. 4"]
    assert "page 5: " in page.text_content() and "line 5" not in page.text_content()
    text = markdown.render(GENERATED, documents, result.links, summary, changes, graph)
    assert "| p. 4 | 1 |" in text and "- page 5: warning: unreferenced-footnote" in text


def test_ci_formats_give_no_line_for_a_page() -> None:
    result = pdf_run()
    suites = ET.fromstring(junit_xml(result, dead_findings(result.links, set())))
    cases = suites.findall(".//testcase")
    assert {case.get("name") for case in cases} >= {"page 4 note 1: https://gone.example/report"}
    assert all(case.get("line") is None for case in cases)
    assert list(annotation_lines(result, dead_findings(result.links, set()))) == [
        "::error file=corpus/brief.pdf,title=dead link (note 1) (page 4)::https://gone.example/report: HTTP 404",
        "::warning file=corpus/brief.pdf,title=unreferenced-footnote (page 5)::note 2 is never referenced",
    ]


def test_a_document_read_in_part_says_so_everywhere() -> None:
    result = pdf_run()
    [document] = list(result.documents)
    document.notice = "read the first 2,000 of 10,000 pages (page limit)"
    spool = DocumentSpool()
    spool.append(document)
    result.documents = spool
    out = io.StringIO()
    write_summary(result, out, view=View("quiet"))
    assert "corpus/brief.pdf: read in part: read the first 2,000 of 10,000 pages (page limit)" in out.getvalue()
    changes = compare(result.links, None, None, "2026-03-01")
    graph = build_graph([document], result.links)
    summary = result.summary.to_dict()
    page = lxml.html.fromstring(html.render(GENERATED, [document], result.links, summary, changes, graph, []))
    assert [p.text_content() for p in page.find_class("notice")] == [f"Read in part: {document.notice}"]
    text = markdown.render(GENERATED, [document], result.links, summary, changes, graph)
    assert f"\nRead in part: {document.notice}\n" in text
