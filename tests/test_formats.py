"""Markdown and HTML articles: markup notes, markers, links, metadata; and robustness."""

from __future__ import annotations

import json

from conftest import extract
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.models import PROBLEM_SEVERITY, Document


def summary(document: Document) -> dict[str, object]:
    return {
        "notes": {n.number: n.urls for n in document.footnotes},
        "note_lines": {n.number: n.line for n in document.footnotes},
        "markers": document.markers,
        "links": [(c.text, c.line) for c in document.citations if c.kind == "link"],
        "inline": [(c.text, c.line) for c in document.citations if c.kind == "inline"],
        "problems": sorted((p.kind, p.footnote, p.line) for p in document.problems),
    }


MARKDOWN = """---
title: A test
publisher: Example Weekly
date: 2019-03-14
---
Body[^1] with a [link](https://www.reuters.com/a) and <https://www.bbc.co.uk/b>.
A reference [ref link][r], a bare https://www.aljazeera.com/c and `https://code.example.com/x`.
Missing [^nope], second[^note-b], [mail](mailto:a@b.org), [here](#top), [rel](../other.md).

[r]: https://www.haaretz.com/d

[^1]: First note https://www.al-monitor.com/e
    continued with https://www.middleeasteye.net/f
[^note-b]: Named note, 2 August 2018, [TASS](https://tass.com/g)
[^unused]: Never cited https://www.rudaw.net/h
[^1]: Duplicate https://www.ynetnews.com/articles/0,7340,L-1,00.html
"""


def test_markdown() -> None:
    document = extract(MARKDOWN, "markdown")
    assert [(n.number, n.line, n.urls) for n in document.footnotes] == [
        (1, 12, ["https://www.al-monitor.com/e", "https://www.middleeasteye.net/f"]),
        ("note-b", 14, ["https://tass.com/g"]),
        ("unused", 15, ["https://www.rudaw.net/h"]),
        (1, 16, ["https://www.ynetnews.com/articles/0,7340,L-1,00.html"]),
    ]
    got = summary(document)
    del got["notes"], got["note_lines"]
    assert got == {
        "markers": [1, "nope", "note-b"],
        "links": [
            ("https://www.reuters.com/a", 6),
            ("https://www.bbc.co.uk/b", 6),
            ("https://www.haaretz.com/d", 7),
        ],
        "inline": [("https://www.aljazeera.com/c", 7)],
        "problems": [
            ("duplicate-footnote", 1, 16),
            ("missing-footnote", "nope", 8),
            ("unreferenced-footnote", "unused", 15),
        ],
    }
    assert (document.publisher, document.date, document.title) == ("Example Weekly", "2019-03-14", "A test")
    assert document.footnotes[1].date == "2018-08-02"


HTML = """<!doctype html>
<html><head>
<meta property="og:site_name" content="Levant Ledger">
<link rel="canonical" href="https://www.levantledger.com/a/b">
<meta property="article:published_time" content="2018-08-28T10:00:00Z">
<script>var u = "https://tracker.example.com/x";</script>
</head><body>
<p>First claim.<sup><a href="#fn1" id="fnref1">1</a></sup> Second.<sup>2</sup>
A <a href="https://www.reuters.com/a">link</a>, <a href="mailto:x@y.org">mail</a>,
<a href="javascript:void(0)">js</a>, <a href="#top">top</a>, <a href="/about">about</a>.</p>
<blockquote cite="https://www.bbc.co.uk/q">Quoted.</blockquote>
<p>Plain text URL https://www.aljazeera.com/t here. Wiki style<sup class="reference"><a href="#cite_note-7">[7]</a></sup></p>
<style>.x { background: url(https://cdn.example.com/bg.png) }</style>
<section class="footnotes" role="doc-endnotes"><ol>
<li id="fn1"><p>Note one <a href="https://tass.com/n1">TASS</a>. <a href="#fnref1">back</a></p></li>
<li id="fn2"><p>Note two, 2 August 2018, https://www.al-monitor.com/n2</p></li>
<li id="fn3"><p>Note three <a href="https://www.rudaw.net/n3">Rudaw</a></p></li>
</ol></section>
</body></html>
"""


def test_html() -> None:
    document = extract(HTML, "html")
    assert summary(document) == {
        "notes": {1: ["https://tass.com/n1"], 2: ["https://www.al-monitor.com/n2"], 3: ["https://www.rudaw.net/n3"]},
        "note_lines": {1: 15, 2: 16, 3: 17},
        "markers": [1, 2, 7],
        # "/about" is relative to the page's canonical address (a saved web page's
        # relative links lead to the site it was saved from).
        "links": [
            ("https://www.reuters.com/a", 9),
            ("https://www.levantledger.com/about", 10),
            ("https://www.bbc.co.uk/q", 11),
        ],
        "inline": [("https://www.aljazeera.com/t", 12)],
        "problems": [("missing-footnote", 7, 12), ("unreferenced-footnote", 3, 17)],
    }
    assert (document.publisher, document.publisher_domain, document.date) == (
        "Levant Ledger",
        "levantledger.com",
        "2018-08-28",
    )
    assert document.footnotes[1].date == "2018-08-02"


def test_html_wikipedia_references_and_base_href() -> None:
    page = """<html><head><base href="https://example.org/dir/"></head><body>
<p>Claim<sup class="reference"><a href="#cite_note-Smith-1">[1]</a></sup>
and <a href="page.html">relative</a>.</p>
<ol class="references">
<li id="cite_note-Smith-1"><span>Smith, 2017, <a href="https://www.reuters.com/r">Reuters</a></span></li>
</ol></body></html>"""
    document = extract(page, "html")
    assert summary(document)["notes"] == {1: ["https://www.reuters.com/r"]}
    assert document.markers == [1]
    assert summary(document)["links"] == [("https://example.org/dir/page.html", 3)]
    assert document.problems == []


def test_html_plain_paragraph_notes() -> None:
    page = """<html><body>
<p>Text with a marker (1).</p>
<p>(1) Reuters: report, https://www.reuters.com/p</p>
</body></html>"""
    document = extract(page, "html")
    assert summary(document)["notes"] == {1: ["https://www.reuters.com/p"]}
    assert summary(document)["note_lines"] == {1: 3}
    assert document.markers == [1]


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_any_text_extracts_in_every_format(text: str) -> None:
    for fmt in ("text", "markdown", "html"):
        document = extract(text, fmt)
        assert document.path.startswith("article.")
        for citation in document.citations:
            assert citation.line >= 1


@given(
    st.lists(
        st.sampled_from(
            [
                "(1)",
                "[2]",
                "<sup>3</sup>",
                "[^a]",
                "[^a]: x",
                "\n",
                " ",
                "https://x.org/",
                "1.",
                "Notes",
                "<li id='fn1'>",
                "</ol>",
                "---",
            ]
        ),
        max_size=40,
    )
)
@settings(max_examples=200, deadline=None)
def test_footnote_like_fragments_never_crash(parts: list[str]) -> None:
    """Any jumble of note-like fragments reads without an exception, and what comes
    out is a sound record made of the text's own pieces: lines inside the text,
    only the one URL it holds (run together with what follows it, at most), only
    the labels it writes, known problem kinds, and the JSON form reads back equal."""
    text = "".join(parts)
    lines = text.count("\n") + 1
    labels = {1, 2, 3, "a"}  # (1), [2], <sup>3</sup>, [^a] -- and fn1, "1."
    for fmt in ("text", "markdown", "html"):
        document = extract(text, fmt)
        assert document.error is None and document.skipped is None
        assert all(1 <= citation.line <= lines for citation in document.citations), document.citations
        assert all(1 <= note.line <= lines for note in document.footnotes), document.footnotes
        assert all(1 <= problem.line <= lines for problem in document.problems), document.problems
        assert all(citation.url.startswith("https://x.org/") for citation in document.citations), document.citations
        numbers = {note.number for note in document.footnotes}
        assert numbers <= labels and set(document.markers) <= labels, (numbers, document.markers)
        assert all(c.footnote in numbers for c in document.citations if c.kind == "footnote"), document.citations
        assert all(problem.kind in PROBLEM_SEVERITY for problem in document.problems), document.problems
        assert Document.from_dict(json.loads(json.dumps(document.to_dict()))) == document


def test_a_markup_link_in_a_note_found_in_the_text_is_one_of_its_urls() -> None:
    """A reader that leaves the notes in the text (the shared analysis finds them) and
    states a link inside one (a PDF's link annotation on "Reuters") gives the note
    that URL: listed, dated, and no false unlinked-work for it."""
    from refcheck.extract.analyze import ExtractContext, analyze
    from refcheck.extract.outlets import OutletIndex
    from refcheck.extract.source import MarkupLink, ParsedSource

    text = "A claim (1).\n\nNotes\n(1) Reuters: Officials met in Damascus, August 28, 2018.\n"
    parsed = ParsedSource(
        format="pdf", text=text, links=[MarkupLink("https://www.reuters.com/article/met", 4, note=1)], unit="page"
    )
    document = analyze(parsed, "a.pdf", ExtractContext(OutletIndex.load()))
    [note] = document.footnotes
    assert note.urls == ["https://www.reuters.com/article/met"] and note.date == "2018-08-28"
    assert [(c.kind, c.footnote) for c in document.citations] == [("footnote", 1)]
    assert not [p for p in document.problems if p.kind == "unlinked-work"]
