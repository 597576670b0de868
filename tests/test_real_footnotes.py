"""Footnotes as real documents write them (Wikipedia reference lists and notes groups,
Pandoc and markdown-it notes), and where an article's own links lead: in-page anchors
(``broken-anchor``) and local files (``missing-file``, ``Document.local_links``).

The documents below are written for these tests in the shapes found in real ones;
benchmarks/footnote_eval.py runs the real ones (Wikipedia pages, Pandoc's and
markdown-it's test documents) and lists every problem for judging.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import SAMPLE_CORPUS, extract

from refcheck.collect import FORMATS, SourceFile
from refcheck.extract import ExtractContext, OutletIndex, extract_file, extract_text
from refcheck.models import Document


def problems(document: Document) -> list[tuple[str, object, int]]:
    return [(p.kind, p.footnote, p.line) for p in document.problems if p.kind != "unlinked-work"]


def notes(document: Document) -> dict[object, str]:
    return {note.number: note.text for note in document.footnotes}


def extract_at(folder: Path, name: str, text: str) -> Document:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return extract_file(
        SourceFile(path, path.as_posix(), FORMATS[path.suffix]), ExtractContext(OutletIndex.load()), 10**7
    )


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_note_referenced_only_from_another_note() -> None:
    document = extract("Body.[^b]\n\n[^a]: The source, https://example.org/a\n[^b]: See also [^a].\n", "markdown")
    assert document.markers == ["b"]
    assert problems(document) == []


def test_inline_notes_are_real_notes_numbered_after_the_regular_ones() -> None:
    text = (
        "One[^1] and an inline one.^[Inline, with *emphasis*, https://example.org/inline]\n"
        "Then[^note] and another^[Second inline [link](https://example.org/link).]\n\n"
        "[^1]: First.\n"
        "[^note]: Named.\n"
    )
    document = extract(text, "markdown")
    assert notes(document) == {
        2: "Inline, with emphasis, https://example.org/inline",
        1: "First.",
        "note": "Named.",
        3: "Second inline link.",
    }
    assert [(n.number, n.line, n.urls) for n in document.footnotes if isinstance(n.number, int) and n.number > 1] == [
        (2, 1, ["https://example.org/inline"]),
        (3, 2, ["https://example.org/link"]),
    ]
    assert document.markers == [1, 2, "note", 3]
    assert problems(document) == []


def test_empty_inline_notes_and_a_note_in_an_image_description() -> None:
    document = extract("Zozime^[],\nSynésius^[]\n", "markdown")
    assert problems(document) == [("empty-footnote", 1, 1), ("empty-footnote", 2, 2)]
    document = extract("![moon^[the moon]](img/moon.jpg)\n", "markdown")
    assert notes(document) == {1: "the moon"} and document.markers == [1]
    assert problems(document) == []


def test_note_of_code_only_is_not_empty_and_its_code_is_no_citation() -> None:
    text = "a[^x] b[^y]\n\n[^x]:        curl https://example.org/code\n\n[^y]:\n    ```\n    \\LaTeX\n    ```\n"
    document = extract(text, "markdown")
    assert notes(document) == {"x": "curl https://example.org/code", "y": "\\LaTeX"}
    assert document.citations == []
    assert problems(document) == []


def test_markdown_note_with_a_nested_list_and_block_quote() -> None:
    text = "x[^a]\n\n[^a]: abc\n\n    - one\n    - two\n\n    > quoted\n\nafter\n"
    document = extract(text, "markdown")
    assert notes(document) == {"a": "abc one two quoted"}
    assert problems(document) == []


def test_definitions_in_code_are_not_notes_and_in_block_quotes_are() -> None:
    text = "Use it[^1].\n\n```\n[^1]: shown in code\n[^2]: shown in code\n```\n\n[^1]: Real.\n\n> [^q]: In a quote.\n"
    document = extract(text, "markdown")
    assert notes(document) == {1: "Real.", "q": "In a quote."}
    assert problems(document) == [("unreferenced-footnote", "q", 10)]


def test_reference_from_front_matter_and_quoted_syntax() -> None:
    document = extract("---\ntitle: A\nauthor: 'Jane Doe[^1]'\n---\n\nText.\n\n[^1]: Dept. of Things\n", "markdown")
    assert problems(document) == []
    document = extract("The '[^1]' format and inline notes, `^[note]`.\n", "markdown")
    assert document.markers == [] and problems(document) == []


def test_markdown_numbering_counts_from_the_lowest_label() -> None:
    assert problems(extract("Text.[^3]\n\n[^3]: A note.\n", "markdown")) == []
    gap = extract("a[^1] b[^3]\n\n[^1]: x\n[^3]: y\n", "markdown")
    assert problems(gap) == [("numbering-gap", 2, 4)]


# --- HTML ------------------------------------------------------------------------------------

WIKIPEDIA = """<!DOCTYPE html>
<html><head><title>Example - Wikipedia</title>
<link rel="canonical" href="https://en.wikipedia.org/wiki/Example"></head>
<body><a class="mw-jump-link" href="#bodyContent">Jump to content</a>
<div id="toc"><ul>
<li><a href="#History"><span class="toctext">History</span></a></li>
<li><a href="#Notes">Notes</a></li><li><a href="#Footnotes">Footnotes</a></li>
<li><a href="#References">References</a></li></ul></div><span id="Footnotes"></span>
<div id="bodyContent">
<h2><span class="mw-headline" id="History">History</span></h2>
<p>A claim.<sup id="cite_ref-Smith_1-0" class="reference"><a href="#cite_note-Smith-1">[1]</a></sup>
Again.<sup id="cite_ref-Smith_1-1" class="reference"><a href="#cite_note-Smith-1">[1]</a></sup>
A remark.<sup id="cite_ref-2" class="reference"><a href="#cite_note-2">[a]</a></sup>
Grouped.<sup id="cite_ref-note-b_6-0" class="reference"><a href="#cite_note-note-b">[b]</a></sup>
Powers: 10<sup>6</sup> and <a href="/wiki/AC0">AC<sup>0</sup></a>, <span class="texhtml">x<sup>2</sup></span>.
Absolute.<sup id="cite_ref-3" class="reference"><a href="https://en.wikipedia.org/wiki/Example#cite_note-3">[3]</a></sup>
See <a href="#CITEREFDoe2001">Doe 2001</a>.</p>
<h2 id="Notes">Notes</h2>
<ol class="references" style="list-style-type: lower-alpha">
<li id="cite_note-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-2">^</a></b></span>
<span class="reference-text">Only cited here.<sup id="cite_ref-4" class="reference"><a href="#cite_note-4">[4]</a></sup></span></li>
<li id="cite_note-note-b"><span class="mw-cite-backlink"><b><a href="#cite_ref-note-b_6-0">^</a></b></span>
<span class="reference-text">A grouped note.</span></li>
</ol>
<h2 id="References">References</h2>
<ol class="references">
<li id="cite_note-Smith-1"><span class="mw-cite-backlink">^ <a href="#cite_ref-Smith_1-0"><sup>a</sup></a>
<a href="#cite_ref-Smith_1-1"><sup>b</sup></a></span>
<span class="reference-text"><cite id="CITEREFDoe2001">Doe, 2001, <a href="https://example.org/doe">Book</a></cite></span></li>
<li id="cite_note-3"><span class="mw-cite-backlink"><a href="https://en.wikipedia.org/wiki/Example#cite_ref-3">^</a></span>
<span class="reference-text">Third, <a href="https://example.org/three">Three</a></span></li>
<li id="cite_note-4"><span class="mw-cite-backlink"><a href="#cite_ref-4">^</a></span>
<span class="reference-text">Cited from note a, <a href="https://example.org/seven">Seven</a></span></li>
</ol></div></body></html>
"""


def test_wikipedia_reference_lists_give_no_false_problem() -> None:
    document = extract(WIKIPEDIA, "html")
    assert sorted(notes(document), key=str) == [1, 2, 3, 4, "b"]
    assert document.markers == [1, 1, 2, "b", 3]
    assert {n.number: n.urls for n in document.footnotes}[4] == ["https://example.org/seven"]
    assert problems(document) == []


def test_links_to_headings_and_back_links_are_not_markers() -> None:
    page = """<html><body><p><a href="#Footnotes">Footnotes</a> <a href="#fnref1">up</a>
<a href="#cite_ref-1">back</a> <a href="#Notes">Notes</a> text<a href="#fn1" id="fnref1">1</a></p>
<h2 id="Footnotes">Footnotes</h2><h2 id="Notes">Notes</h2>
<section class="footnotes"><ol><li id="fn1">One <a href="#fnref1">↩</a></li></ol></section></body></html>"""
    document = extract(page, "html")
    assert document.markers == [1]
    assert problems(document) == [("broken-anchor", None, 2)]  # #cite_ref-1: no such id


def test_markers_as_the_pages_own_address() -> None:
    for head in (
        '<link rel="canonical" href="https://news.example.org/2020/story">',
        '<meta property="og:url" content="https://news.example.org/2020/story/">',
        '<base href="https://news.example.org/2020/story">',
    ):
        page = f"""<html><head>{head}</head><body>
<p>Claim<sup><a href="https://news.example.org/2020/story#fn1" id="r1">1</a></sup>,
other<a href="//news.example.org/2020/story#fn2">2</a>, elsewhere <a href="https://other.example.org/x#fn3">x</a>.</p>
<ol><li id="fn1">One</li><li id="fn2">Two</li></ol></body></html>"""
        document = extract(page, "html")
        assert document.markers == [1, 2], head
        assert problems(document) == [], head


def test_nested_list_in_a_note_is_part_of_it() -> None:
    page = """<html><body><p>x<a href="#fn1">1</a></p><section class="footnotes"><ol>
<li id="fn1"><p>abc</p><ul><li>list</li><li>more</li></ul><a href="#fnref1">↩</a></li>
</ol></section></body></html>"""
    document = extract(page, "html")
    assert [n.number for n in document.footnotes] == [1]
    assert "list" in document.footnotes[0].text
    assert [p.kind for p in document.problems] == ["broken-anchor"]  # #fnref1: the marker has no id


# --- broken-anchor -----------------------------------------------------------------------------


def test_broken_anchor_in_html() -> None:
    page = """<html><body>
<p id="intro"><a name="old"></a><a href="#intro">a</a> <a href="#old">b</a> <a href="#top">top</a>
<a href="#">empty</a> <a href="#!/app/route">route</a> <a href="#/settings">spa</a>
<a href="javascript:void(0)">js</a> <a href="#:~:text=claim">text</a> <a href="#caf%C3%A9">enc</a></p>
<p id="café"><a href="#missing">m</a></p>
<p><a href="#missing">again</a> <a href="#Intro">case</a></p>
</body></html>"""
    document = extract(page, "html")
    assert problems(document) == [("broken-anchor", None, 5), ("broken-anchor", None, 6)]
    assert "#missing" in document.problems[0].message and "#Intro" in document.problems[1].message
    assert document.problems[0].severity == "warning"


def test_back_links() -> None:
    # The back-link of a note nothing refers to is its unreferenced-footnote; the marker
    # of a missing note is its missing-footnote; a note's back-link to a marker without
    # the id is a broken anchor.
    page = """<html><body><p>x<sup id="fnref1"><a href="#fn1">1</a></sup> y<sup>2</sup>
z<sup><a href="#fn9">9</a></sup></p><ol>
<li id="fn1">One <a href="#fnref1">↩</a></li>
<li id="fn2">Two <a href="#fnref2">↩</a></li>
<li id="fn3">Three <a href="#fnref3">↩</a></li></ol></body></html>"""
    document = extract(page, "html")
    assert problems(document) == [
        ("missing-footnote", 9, 2),
        ("broken-anchor", 2, 4),
        ("unreferenced-footnote", 3, 5),
    ]


def test_broken_anchor_in_markdown() -> None:
    text = (
        "# What's new? (2024)\n\n## Notes & sources\n\n## Notes & sources\n\n### Méthode {#method}\n\n"
        '<a name="raw-anchor"></a><div id="box"></div>\n\n'
        "[a](#whats-new-2024) [b](#notes--sources) [c](#notes--sources-1) [d](#method) [e](#raw-anchor)\n"
        "[f](#box) [g](#Whats-New-2024) [h](#méthode-method) [i](#top) [j](#) [k](#nowhere)\n"
        "[l](#notes-sources) [m](#nowhere)\n"
    )
    document = extract(text, "markdown")
    assert problems(document) == [("broken-anchor", None, 12)]
    assert "#nowhere" in document.problems[0].message


def test_pandoc_attributes_and_note_ids() -> None:
    text = "::: {#refs .references}\n:::\n\nSee [x](#refs), [y](#ref-item1){.c}, [z](#fn1).[^1]\n\n[^1]: A note.\n"
    document = extract(text, "markdown")
    assert problems(document) == [("broken-anchor", None, 4)]
    assert "#ref-item1" in document.problems[0].message


# --- missing-file and local links --------------------------------------------------------------


def test_relative_links_to_local_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "table.csv").write_text("a,b\n")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "my map.png").write_bytes(b"")
    (tmp_path / "other.md").write_text("x\n")
    (tmp_path / "page.md").write_text("x\n")
    text = (
        "The [table](data/table.csv?raw=1#row2), [map](img/my%20map.png), [other](../other.md),\n"
        "[page](page.html), [missing](data/missing.csv), [up](../../issues/new),\n"
        "[mail](mailto:a@example.org), [site](/about), [web](https://example.org/x), [tpl]({{ site.url }}/x),\n"
        "[bare](www.example.org/page), [again](data/missing.csv), [^1]\n\n"
        "[^1]: A note citing [a file](notes/source.pdf).\n"
    )
    document = extract_at(tmp_path, "articles/story.md", text)
    shown = (tmp_path / "articles").as_posix()
    assert [(link.target, link.path, link.line, link.exists) for link in document.local_links] == [
        ("data/table.csv?raw=1#row2", f"{shown}/data/table.csv", 1, False),
        ("img/my%20map.png", f"{shown}/img/my map.png", 1, False),
        ("../other.md", f"{tmp_path.as_posix()}/other.md", 1, True),
        ("page.html", f"{shown}/page.html", 2, False),
        ("data/missing.csv", f"{shown}/data/missing.csv", 2, False),
        ("www.example.org/page", f"{shown}/www.example.org/page", 4, False),
        ("notes/source.pdf", f"{shown}/notes/source.pdf", 6, False),
    ]
    assert [c.url for c in document.citations] == ["https://example.org/x"]
    document = extract_at(tmp_path, "story.md", text)
    assert [(link.target, link.exists) for link in document.local_links] == [
        ("data/table.csv?raw=1#row2", True),
        ("img/my%20map.png", True),
        ("../other.md", False),
        ("page.html", True),  # built from page.md
        ("data/missing.csv", False),
        ("www.example.org/page", False),
        ("notes/source.pdf", False),
    ]
    assert problems(document) == [
        ("missing-file", None, 1),
        ("missing-file", None, 2),
        ("missing-file", None, 4),
        ("missing-file", 1, 6),
    ]
    assert {p.severity for p in document.problems} == {"error"}
    assert "a web address needs https://" in document.problems[2].message


def test_html_relative_links_are_local_only_without_a_base(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(b"")
    body = '<body><p><a href="chart.png">c</a> <a href="data/x.csv">d</a> <a href="#top">t</a></p></body>'
    local = extract_at(tmp_path, "a.html", f"<html><head></head>{body}</html>")
    assert [(link.target, link.exists) for link in local.local_links] == [("chart.png", True), ("data/x.csv", False)]
    assert problems(local) == [("missing-file", None, 1)]
    based = extract_at(tmp_path, "b.html", f'<html><head><base href="https://example.org/dir/"></head>{body}</html>')
    assert based.local_links == [] and problems(based) == []
    assert "https://example.org/dir/data/x.csv" in [c.url for c in based.citations]


def test_text_in_memory_has_no_local_links() -> None:
    document = extract_text("[x](missing.csv)\n", "markdown", "a.md", ExtractContext(OutletIndex.load()))
    assert document.local_links == [] and document.problems == []


def test_sample_corpus_link_problems() -> None:
    """The link-target problems of the sample corpus (its answer key lists footnote problems)."""
    found = {}
    for path in sorted(SAMPLE_CORPUS.iterdir()):
        document = extract_file(
            SourceFile(path, path.name, FORMATS[path.suffix]), ExtractContext(OutletIndex.load()), 10**7
        )
        found[path.name] = [
            (p.kind, p.footnote, p.line) for p in document.problems if p.kind in ("broken-anchor", "missing-file")
        ]
    assert {name: kinds for name, kinds in found.items() if kinds} == {
        "iran-sanctions-explainer.md": [("missing-file", None, 9)],  # ../jcpoa-primer.md
        "syria-withdrawal.htm": [("broken-anchor", 3, 22)],  # note 3's back-link: its <sup>3</sup> has no id
    }


# --- scale ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("markdown", "".join(f"x^[note {i}] " for i in range(10_000))),
        ("markdown", "t[^0]\n\n" + "".join(f"[^{i}]: see [^{i + 1}]\n" for i in range(10_000))),
        ("markdown", "".join(f"# H {i}\n\n[l](#h-{i}) [m](#x-{i}) [f](f/{i}.csv)\n\n" for i in range(5_000))),
        ("html", '<ol class="references">'
         + "".join(f'<li id="cite_note-{i}">n <a href="#cite_note-{i + 1}">[{i + 1}]</a></li>' for i in range(10_000))),
        ("html", '<section class="footnotes"><ol><li id="fn1">' + "<ul><li>x" * 5_000 + "</ol></section>"),
        ("html", "<body>" + "".join(f'<p id="p{i}"><a href="#p{i + 1}">x</a><a href="d/{i}.csv">d</a></p>' for i in range(10_000))),
    ],
)  # fmt: skip
def test_thousands_of_notes_and_links_stay_fast(tmp_path: Path, fmt: str, text: str) -> None:
    started = time.perf_counter()
    document = extract_text(text, fmt, "a", ExtractContext(OutletIndex.load()), tmp_path)
    assert document.error is None
    assert time.perf_counter() - started < 10
