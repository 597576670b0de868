"""Fuzzing the extractors with hypothesis: arbitrary text and "article-like" text
(footnote markers and notes, URLs of every shape, HTML tags, Markdown footnotes)
through each reader and the URL finder, date parser, notes finder and decoder.
Nothing may raise, and a few cheap invariants must hold.

Examples per test: ``REFCHECK_FUZZ_EXAMPLES`` (default 200, so CI stays fast).
The long run: ``REFCHECK_FUZZ_EXAMPLES=12500`` (100,000 over the 8 tests) or more,
by hand or through ``benchmarks/hostile_corpus.py --fuzz-examples N``.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcheck.collect import SkipFile, decode
from refcheck.errors import InvalidURL
from refcheck.extract import ExtractContext, OutletIndex, extract_text
from refcheck.extract.dates import find_dates, first_date
from refcheck.extract.notes import body_spans, find_markers, find_notes, scan_markers
from refcheck.extract.urls import find_urls, normalize_url, trim_url
from refcheck.models import Document

EXAMPLES = int(os.environ.get("REFCHECK_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,  # a long run by hand must not leave a database in the repository
)

# One context for all examples (loading it for each would dominate the run); it
# learns outlet aliases as it goes, which is what a real run does too.
CONTEXT = ExtractContext(OutletIndex.load())
FORMATS = ("text", "markdown", "html")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# --- strategies -----------------------------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
_tld = st.sampled_from(["com", "org", "net", "co.uk", "de", "info", "news", "io", "qq", "md", "py", "xn--p1ai"])
_host = st.one_of(
    st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(_label, min_size=1, max_size=3), _tld),
    st.sampled_from(["bücher.de", "例え.jp", "[::1]", "[2001:db8::1]", "[zz]", "127.0.0.1", "xn--bcher-kva.de"]),
    st.text(min_size=1, max_size=12),
)
_path = st.text(alphabet=st.sampled_from(list("abc/-_.,;:()[]{}%?#=&+~!*'\"<>ü€ \t\x00\x01\x7f\u200b")), max_size=30)
_url = st.builds(
    lambda scheme, userinfo, host, port, path: f"{scheme}{userinfo}{host}{port}{path}",
    st.sampled_from(["https://", "http://", "HTTP://", "ftp://", "www.", "", "//", "javascript:", "data:", "file://"]),
    st.sampled_from(["", "user:pass@", "u@", ":@", "@"]),
    _host,
    st.sampled_from(["", ":80", ":443", ":8080", ":99999", ":", ":x"]),
    _path,
)
_fragment = st.one_of(
    _url,
    st.sampled_from(
        [
            "(1)",
            "(2)",
            "[3]",
            "[12]",
            "¹",
            "²³",
            "^4",
            "(2018)",
            "[sic]",
            "[^a]",
            "[^1]",
            "[^a]: ",
            "[^1]: ",
            "\n",
            "\n\n",
            "    ",
            "\t",
            " ",
            ". ",
            ", ",
            "; ",
            ": ",
            "(",
            ")",
            "[",
            "]",
            "<",
            ">",
            "&amp;",
            "&#x0;",
            "Notes",
            "\nNotes\n",
            "\nReferences:\n",
            "\n1. ",
            "\n(1) ",
            "\n[2] ",
            "\n3) ",
            "\n^4 ",
            "Reuters",
            "the BBC",
            "Al-Akhbar",
            "according to AP",
            "originally appeared at Reuters ",
            "By Jane Doe, 30.08.2018, www.example.net\n",
            "visit: example.org/contact",
            "28 August 2018",
            "August 28, 2018",
            "2018-08-28",
            "30.08.2018",
            "28\nAugust, 2018",
            "Feb. 2019",
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<sup>1</sup>",
            "<sup><a href='#fn1'>1</a></sup>",
            "<a href='https://x.org/a'>",
            '<a href="#cite_note-2">',
            "</a>",
            "<ol class='references'>",
            '<section class="footnotes">',
            "<li id='fn1'>",
            '<li id="cite_note-x-2">',
            "</li>",
            "</ol>",
            "<script>",
            "</script>",
            "<base href='https://base.example/'>",
            "<blockquote cite='//q.example/'>",
            "<meta property='og:site_name' content='Example'>",
            "<script type='application/ld+json'>{\"datePublished\":",
            "---\n",
            "title: x\n",
            "date: 2018-13-45\n",
            "```\n",
            "`",
            "*",
            "_",
            "> ",
            "- ",
            "| a | b |\n",
            "[x](https://md.example/p)",
            "[x][r]",
            "\n[r]: https://ref.example/\n",
            "<https://auto.example/>",
            "\x00",
            "\x0b",
            "\x0c",
            "\r",
            "\r\n",
            "\u2028",
            "\ufeff",
            "İ",
            "ß",
        ]
    ),
    st.text(max_size=8),
)
article_like = st.lists(_fragment, max_size=60).map("".join)
any_text = st.text(max_size=2000)

# --- invariants -----------------------------------------------------------------------------------


def _line_count(text: str) -> int:
    # Readers count lines by "\n"; markdown-it and libxml2 also take a lone "\r" for one.
    return text.count("\n") + text.count("\r") + 1


def _check_document(document: Document, text: str, fmt: str) -> None:
    assert document.error is None and document.skipped is None
    lines = _line_count(text)
    for citation in document.citations:
        assert 1 <= citation.line <= lines, (citation, lines)
        assert citation.text and citation.url
        # Only web links are citations: a normalised http(s)/ftp URL, or (not a
        # valid URL) the text as written; never javascript:, data:, file:, mailto:.
        assert citation.url.startswith(("http://", "https://", "ftp://")) or (
            citation.url == citation.text and citation.domain is None
        ), citation
        assert not citation.text.lower().startswith(("javascript:", "data:", "file:", "mailto:", "vbscript:"))
        if citation.url != citation.text:  # normalised: nothing left to quote
            assert not any(ch.isspace() for ch in citation.url) and not CONTROL.search(citation.url), citation
        if citation.kind == "inline" and fmt == "text":
            assert citation.text in text  # a URL in the text is a piece of the text
            assert not CONTROL.search(citation.text)
        if citation.url.lower().startswith(("http://", "https://")) and citation.domain is not None:
            assert citation.domain == citation.domain.lower() and " " not in citation.domain
    for note in document.footnotes:
        assert 1 <= note.line <= lines
    for problem in document.problems:
        assert 1 <= problem.line <= lines
        assert len(problem.message) < 1_000
    for mention in document.mentions:
        assert 1 <= mention.line <= lines and mention.count >= 1


def _check_urls(text: str) -> None:
    previous_end = 0
    for found in find_urls(text):
        assert text[found.start : found.end] == found.text  # substring-derived
        assert previous_end <= found.start < found.end  # in order, not overlapping
        previous_end = found.end
        assert not any(ch.isspace() for ch in found.text)
        assert not CONTROL.search(found.text)
        lowered = found.text.lower()
        assert found.scheme_assumed != lowered.startswith(("http://", "https://", "ftp://"))
        try:
            url, assumed = normalize_url(found.text)
        except InvalidURL:
            continue
        assert assumed == found.scheme_assumed
        assert url.startswith(("http://", "https://", "ftp://")), url
        assert not any(ch.isspace() for ch in url)


# --- the tests ------------------------------------------------------------------------------------


@FUZZ
@given(any_text, st.sampled_from(FORMATS))
def test_any_text_in_every_reader(text: str, fmt: str) -> None:
    _check_document(extract_text(text, fmt, "fuzz." + fmt, CONTEXT), text, fmt)


@FUZZ
@given(article_like, st.sampled_from(FORMATS))
def test_article_like_text_in_every_reader(text: str, fmt: str) -> None:
    _check_document(extract_text(text, fmt, "fuzz." + fmt, CONTEXT), text, fmt)


@FUZZ
@given(st.one_of(any_text, article_like, st.lists(_url, max_size=8).map(" ".join)))
def test_url_finder(text: str) -> None:
    _check_urls(text)


@FUZZ
@given(st.one_of(_url, st.text(max_size=200)))
def test_url_normalisation_and_trimming(text: str) -> None:
    trimmed = trim_url(text)
    assert text.startswith(trimmed)
    try:
        url, _ = normalize_url(text)
    except InvalidURL:
        return
    assert url.startswith(("http://", "https://", "ftp://")) or "://" in url


@FUZZ
@given(st.one_of(any_text, article_like))
def test_date_parser(text: str) -> None:
    previous_end = 0
    for found in find_dates(text, partial=True):
        assert previous_end <= found.start < found.end <= len(text)
        previous_end = found.end
        assert re.fullmatch(r"\d{4}-\d\d(-\d\d)?", found.iso), found
        assert found.precise == (len(found.iso) == 10)
    date = first_date(text)
    assert date is None or re.fullmatch(r"\d{4}-\d\d-\d\d", date)


@FUZZ
@given(article_like)
def test_plain_text_notes(text: str) -> None:
    markers = scan_markers(text)
    assert [m.start for m in markers] == sorted(m.start for m in markers)
    url_starts = sorted(found.start for found in find_urls(text))
    notes = find_notes(text, markers, url_starts)
    previous_end = 0
    for note in notes:
        assert previous_end <= note.start <= note.body_start <= note.end <= len(text)
        previous_end = note.end
    kept = find_markers(markers, notes, {note.number for note in notes})
    for marker in kept:
        assert not any(note.start <= marker.start < note.end for note in notes)
    covered = sum(end - start for start, end in body_spans(len(text), notes))
    assert covered <= len(text)


@FUZZ
@given(st.one_of(st.binary(max_size=3000), article_like.map(str.encode)))
def test_decoder(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except SkipFile as reason:
        assert str(reason).startswith(("binary file", "not valid")), reason
        return
    assert isinstance(text, str) and encoding
    if data.isascii() and b"\x00" not in data:
        assert (text, encoding) == (data.decode("ascii"), "utf-8")


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(FORMATS))
def test_bytes_to_document(data: bytes, fmt: str) -> None:
    """What a file on disk goes through: decode, then a reader."""
    try:
        text, _ = decode(data)
    except SkipFile:
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_document(extract_text(text, fmt, "fuzz." + fmt, CONTEXT), text, fmt)


def test_atheris_finding_superscript_footnote_label() -> None:
    """Found by atheris (benchmarks/hostile_corpus.py): ``[^³]:`` -- "³".isdigit() is
    true but int("³") raises, which ended the run."""
    text = "Hello (1).\n\n[^1]: y\n[^³]: y\nwww.reuters.com\n"
    for fmt in ("text", "markdown", "html"):
        document = extract_text(text, fmt, "fuzz", CONTEXT)
        assert document.error is None
