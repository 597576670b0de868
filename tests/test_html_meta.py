"""HTML metadata (refcheck/extract/html_meta.py): publication date, publisher,
site URL and title from every shape of markup real pages use, and which one
wins when they disagree."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from refcheck.extract.html import _parse, parse_html
from refcheck.extract.html_meta import json_ld_values, local_day, parse_stamp, read_metadata
from refcheck.extract.source import Metadata


def meta_of(head: str, body: str = "<p>Text.</p>", *, text_dates: bool = False) -> Metadata:
    root = _parse(f"<!doctype html><html><head>{head}</head><body>{body}</body></html>")
    assert root is not None
    return read_metadata(root, None, text_dates=text_dates)


def ld(data: Any, wrap: str = "{}") -> str:
    """A JSON-LD script holding ``data`` (``wrap``: how the JSON sits in the script)."""
    return f'<script type="application/ld+json">{wrap.format(json.dumps(data))}</script>'


ARTICLE = {"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2020-02-18T10:00:00+01:00"}


# --- JSON-LD shapes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        "{}",
        "<![CDATA[{}]]>",
        "/*<![CDATA[*/{}/*]]>*/",
        "//<![CDATA[\n{}\n//]]>",
        "<!--{}-->",
        "<!-- \n{}\n -->",
        "\n\n   {}   \n",
    ],
)
def test_json_ld_wrapped_in_cdata_or_comments(wrap: str) -> None:
    assert meta_of(ld(ARTICLE, wrap)).date == "2020-02-18"


@pytest.mark.parametrize(
    "data",
    [
        ARTICLE,
        [ARTICLE],
        [[{"@type": "BreadcrumbList"}], [ARTICLE]],
        {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "X"}, ARTICLE]},
        [{"@graph": [[ARTICLE]]}],
        {"@type": "WebPage", "mainEntity": ARTICLE},
    ],
    ids=["object", "list", "nested-lists", "graph", "graph-in-list", "nested-in-property"],
)
def test_json_ld_containers(data: Any) -> None:
    assert meta_of(ld(data)).date == "2020-02-18"


@pytest.mark.parametrize(
    "type_",
    [
        "NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
        "LiveBlogPosting", "ScholarlyArticle", "TechArticle", "Report", ["NewsArticle", "Article"],
        "schema:NewsArticle", "http://schema.org/NewsArticle", ["Thing", "BlogPosting"],
    ],
)  # fmt: skip
def test_article_types_as_string_or_list(type_: Any) -> None:
    page = ld([{"@type": "WebPage", "datePublished": "2001-01-01"}, {"@type": type_, "datePublished": "2020-02-18"}])
    assert meta_of(page).date == "2020-02-18"


@pytest.mark.parametrize(
    ("node", "date"),
    [
        ({"@type": "NewsArticle", "datePublished": "2020-02-18"}, "2020-02-18"),
        ({"@type": "NewsArticle", "dateCreated": "2020-02-17"}, "2020-02-17"),
        ({"@type": "VideoObject", "uploadDate": "2020-02-16T08:00:00Z"}, "2020-02-16"),
        ({"@type": "NewsArticle", "datePublished": ["2020-02-15", "2021-01-01"]}, "2020-02-15"),
        ({"@type": "NewsArticle", "datePublished": {"@value": "2020-02-14"}}, "2020-02-14"),
        ({"@type": "NewsArticle", "datePublished": "Tue, 18 Feb 2020 10:00:00 +0100"}, "2020-02-18"),
        ({"@type": "NewsArticle", "datePublished": "February 18, 2020"}, "2020-02-18"),
        ({"@type": "NewsArticle", "datePublished": "20200218T100000Z"}, "2020-02-18"),
        ({"@type": "NewsArticle", "datePublished": "20200218T10:00:00Z"}, "2020-02-18"),
        ({"@type": "NewsArticle", "datePublished": "1970-01-01T00:00:00Z"}, None),
        ({"@type": "NewsArticle", "datePublished": "not a date"}, None),
        ({"@type": "NewsArticle", "datePublished": 20200218}, None),
    ],
)
def test_date_properties_and_forms(node: dict[str, Any], date: str | None) -> None:
    assert meta_of(ld(node)).date == date


def test_several_scripts_and_several_values_in_one() -> None:
    first = ld({"@type": "Organization", "name": "Org"})
    second = '<script type="application/ld+json">{"@type": "BreadcrumbList"}\n' + json.dumps(ARTICLE) + "</script>"
    assert meta_of(first + second).date == "2020-02-18"


def test_sloppy_json_still_reads() -> None:
    trailing_commas = '{"@type": "NewsArticle", "datePublished": "2020-02-18", "publisher": {"name": "Ledger",},}'
    control_characters = '{"@type": "NewsArticle", "headline": "two\nlines", "datePublished": "2020-02-18"}'
    for text in (trailing_commas, control_characters):
        meta = meta_of(f'<script type="application/ld+json">{text}</script>')
        assert meta.date == "2020-02-18", text
    assert meta_of(f'<script type="application/ld+json">{trailing_commas}</script>').publisher == "Ledger"


def test_broken_json_gives_its_date_and_publisher_by_a_plain_search() -> None:
    broken = '{"@type": "NewsArticle", "datePublished": "2020-02-18", "publisher": {"name": "Ledger"}, "x": [}'
    meta = meta_of(f'<script type="application/ld+json">{broken}</script>')
    assert (meta.date, meta.publisher) == ("2020-02-18", "Ledger")


def test_script_type_with_parameters_and_case() -> None:
    page = f'<script type="Application/LD+JSON; charset=utf-8">{json.dumps(ARTICLE)}</script>'
    assert meta_of(page).date == "2020-02-18"
    assert meta_of(f'<script type="text/javascript">{json.dumps(ARTICLE)}</script>').date is None


def test_json_ld_values_reads_every_wrapper() -> None:
    assert json_ld_values('/*<![CDATA[*/ {"a": 1} /*]]>*/') == [{"a": 1}]
    assert json_ld_values('<!-- [{"a": 1}] -->') == [[{"a": 1}]]
    assert json_ld_values('{"a": 1} {"b": 2}') == [{"a": 1}, {"b": 2}]
    assert json_ld_values("no json here") == []
    assert json_ld_values("[" * 100_000 + "]" * 100_000) == []


# --- publisher forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "publisher",
    [
        {"@type": "NewsMediaOrganization", "name": "Levant Ledger"},
        "Levant Ledger",
        [{"@type": "Organization", "logo": "x.png"}, {"@type": "Organization", "name": "Levant Ledger"}],
        ["Levant Ledger", "Other"],
        {"@type": "Organization", "legalName": "Levant Ledger"},
        {"@type": "Organization", "name": ["Levant Ledger"]},
        {"@type": "Organization", "name": "  Levant \n Ledger "},
    ],
    ids=["object", "string", "list-of-objects", "list-of-strings", "legalName", "name-list", "spaces"],
)
def test_publisher_forms(publisher: Any) -> None:
    node = {"@type": "NewsArticle", "datePublished": "2020-02-18", "publisher": publisher}
    assert meta_of(ld(node) + '<meta property="og:site_name" content="Site Name">').publisher == "Levant Ledger"


def test_publisher_as_id_reference_to_an_organization_in_the_graph() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "NewsArticle", "@id": "https://ledger.example/a#article", "datePublished": "2020-02-18",
             "publisher": {"@id": "https://ledger.example/#org"}},
            {"@type": "WebSite", "@id": "https://ledger.example/#site", "name": "Ledger site"},
            {"@type": "Organization", "@id": "https://ledger.example/#org", "name": "Levant Ledger"},
        ],
    }  # fmt: skip
    assert meta_of(ld(graph)).publisher == "Levant Ledger"
    graph["@graph"][0]["publisher"] = "https://ledger.example/#org"  # a bare @id as a string
    assert meta_of(ld(graph)).publisher == "Levant Ledger"


def test_publisher_id_in_another_script() -> None:
    article = {"@type": "Article", "datePublished": "2020-02-18", "publisher": {"@id": "#org"}}
    organization = {"@type": "Organization", "@id": "#org", "name": "Levant Ledger"}
    assert meta_of(ld(article) + ld(organization)).publisher == "Levant Ledger"


def test_publisher_reference_cycles_end() -> None:
    graph = {"@graph": [{"@id": "#a", "publisher": {"@id": "#b"}}, {"@id": "#b", "publisher": {"@id": "#a"}},
                        {"@type": "Article", "publisher": {"@id": "#a"}}]}  # fmt: skip
    assert meta_of(ld(graph)).publisher is None


def test_publisher_url_is_not_a_name() -> None:
    node = {"@type": "Article", "publisher": "https://www.facebook.com/ledger"}
    assert meta_of(ld(node) + '<meta property="og:site_name" content="Levant Ledger">').publisher == "Levant Ledger"


@pytest.mark.parametrize(
    ("head", "publisher"),
    [
        ('<meta property="og:site_name" content="Levant Ledger">', "Levant Ledger"),
        ('<meta name="application-name" content="Levant Ledger">', "Levant Ledger"),
        ('<meta name="DC.publisher" content="Levant Ledger">', "Levant Ledger"),
        ('<meta property="og:site_name" content="First"><meta name="application-name" content="Second">', "First"),
        (ld({"@type": "WebPage", "publisher": {"name": "Page Publisher"}}), "Page Publisher"),
        (ld({"@type": "WebSite", "name": "Site Name"}), "Site Name"),
        ('<meta name="description" content="Nothing">', None),
    ],
)
def test_publisher_fallbacks(head: str, publisher: str | None) -> None:
    assert meta_of(head).publisher == publisher


def test_article_publisher_wins_over_og_site_name() -> None:
    # reuters.com pages said og:site_name "U.S." (the section) and publisher "Reuters" in JSON-LD
    head = '<meta property="og:site_name" content="U.S.">' + ld(
        {"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Reuters"}}
    )
    assert meta_of(head).publisher == "Reuters"


def test_microdata_publisher_only_as_a_fallback() -> None:
    body = ('<div itemprop="publisher" itemscope itemtype="https://schema.org/Organization">'
            '<div itemprop="logo"><meta itemprop="url" content="x.png"></div>'
            '<meta itemprop="name" content="Levant Ledger"></div>')  # fmt: skip
    assert meta_of("", body).publisher == "Levant Ledger"
    assert meta_of('<meta property="og:site_name" content="Site">', body).publisher == "Site"
    assert meta_of("", '<div itemprop="author"><meta itemprop="name" content="Jane Doe"></div>').publisher is None


# --- which date wins ------------------------------------------------------------------------


def test_article_json_ld_wins_over_meta_tags() -> None:
    head = '<meta property="article:published_time" content="2020-03-01T10:00:00Z">' + ld(
        {"@type": "NewsArticle", "datePublished": "2020-02-18T10:00:00+01:00"}
    )
    assert meta_of(head).date == "2020-02-18"


def test_meta_tags_win_over_webpage_and_breadcrumb_nodes() -> None:
    head = ld([{"@type": "WebPage", "datePublished": "2019-01-01"}, {"@type": "BreadcrumbList"}])
    head += '<meta property="article:published_time" content="2020-02-18T10:00:00+01:00">'
    assert meta_of(head).date == "2020-02-18"


def test_not_the_article_dates_are_ignored() -> None:
    nodes = [
        {"@type": "WebSite", "datePublished": "2001-01-01"},
        {"@type": "Organization", "foundingDate": "1990-01-01", "dateCreated": "2001-01-01"},
        {"@type": "Person", "dateCreated": "2001-01-01"},
        {"@type": "ImageObject", "datePublished": "2001-01-01", "uploadDate": "2001-01-01"},
        {"@type": "Comment", "datePublished": "2001-01-01"},
    ]
    assert meta_of(ld(nodes)).date is None
    assert meta_of(ld([*nodes, {"@type": "WebPage", "datePublished": "2020-02-18"}])).date == "2020-02-18"


def test_modified_dates_come_last() -> None:
    article = {"@type": "NewsArticle", "dateModified": "2021-05-05", "datePublished": "2020-02-18"}
    assert meta_of(ld(article)).date == "2020-02-18"
    only_modified = ld({"@type": "NewsArticle", "dateModified": "2021-05-05"})
    assert meta_of(only_modified).date == "2021-05-05"
    head = '<meta property="article:modified_time" content="2021-05-05">'
    assert meta_of(head + '<meta name="parsely-pub-date" content="2020-02-18">').date == "2020-02-18"
    assert meta_of(only_modified + '<meta name="dc.date" content="2020-02-18">').date == "2020-02-18"


def test_shallowest_article_node_wins() -> None:
    related = {"@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "item": {"@type": "NewsArticle", "datePublished": "2019-09-09"}}]}  # fmt: skip
    main = {"@type": "NewsArticle", "datePublished": "2020-02-18"}
    assert meta_of(ld([related, main])).date == "2020-02-18"


@pytest.mark.parametrize(
    ("head", "date"),
    [
        ('<meta property="article:published_time" content="2020-02-18T10:00:00+01:00">', "2020-02-18"),
        ('<meta property="og:published_time" content="2020-02-18">', "2020-02-18"),
        ('<meta name="parsely-pub-date" content="2020-02-18T10:00:00Z">', "2020-02-18"),
        ('<meta name="sailthru.date" content="2020-02-18 10:00:00">', "2020-02-18"),
        ('<meta name="DC.date.issued" content="2020-02-18">', "2020-02-18"),
        ('<meta name="dcterms.date" content="2020/02/18">', "2020-02-18"),
        ('<meta name="citation_publication_date" content="2020/02/18">', "2020-02-18"),
        ('<meta itemprop="datePublished" content="2020-02-18">', "2020-02-18"),
        ('<meta name="date" content="18.02.2020">', "2020-02-18"),
        ('<meta name="pubdate" content="20200218">', "2020-02-18"),
        ('<meta property="article:published_time" content="">', None),
        ('<meta name="description" content="Published 2020-02-18">', None),
    ],
)
def test_meta_tags(head: str, date: str | None) -> None:
    assert meta_of(head).date == date


def test_article_published_time_before_other_meta_names() -> None:
    head = '<meta name="date" content="2021-01-01"><meta property="article:published_time" content="2020-02-18">'
    assert meta_of(head).date == "2020-02-18"


@pytest.mark.parametrize(
    ("body", "date"),
    [
        ('<time itemprop="datePublished" datetime="2020-02-18T10:00:00+01:00">18 Feb</time>', "2020-02-18"),
        ('<time pubdate datetime="2020-02-18">18 Feb</time>', "2020-02-18"),
        ('<time class="entry-date published" datetime="2020-02-18T10:00:00+00:00">x</time>', "2020-02-18"),
        ('<time class="pubdate">February 18, 2020</time>', "2020-02-18"),
        ('<time class="updated" datetime="2021-01-01">x</time><time datetime="2020-02-18">y</time>', "2021-01-01"),
        ('<time class="published updated" datetime="2021-01-01">x</time>', "2021-01-01"),
        ("<time>18 Feb</time>", None),
    ],
)
def test_time_elements(body: str, date: str | None) -> None:
    assert meta_of("", body).date == date


def test_time_that_says_published_wins_over_the_first_time() -> None:
    body = '<time datetime="2019-01-01">related</time><time class="published" datetime="2020-02-18">x</time>'
    assert meta_of("", body).date == "2020-02-18"


def test_date_in_the_articles_own_address() -> None:
    assert meta_of('<link rel="canonical" href="https://x.example/2020/02/18/slug">').date == "2020-02-18"
    assert meta_of('<meta property="og:url" content="https://x.example/news/2020-02-18-slug">').date == "2020-02-18"
    assert meta_of('<link rel="canonical" href="https://x.example/2020/13/45/slug">').date is None


# --- time zones -----------------------------------------------------------------------------


def test_utc_timestamp_gives_the_local_day_stated_elsewhere() -> None:
    # nypost.com: datePublished 03:28:35Z, sailthru.date 22:28:35 the evening before (New York)
    head = ld({"@type": "NewsArticle", "datePublished": "2023-11-09T03:28:35Z"})
    head += '<meta name="sailthru.date" content="2023-11-08 22:28:35">'
    assert meta_of(head).date == "2023-11-08"


def test_utc_timestamp_and_the_same_instant_with_an_offset() -> None:
    head = ld({"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"})
    head += '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">'
    assert meta_of(head).date == "2019-10-19"


def test_utc_timestamp_and_a_local_time_element() -> None:
    head = ld({"@type": "NewsArticle", "datePublished": "2023-11-09T05:30:59Z"})
    assert meta_of(head, '<time datetime="2023-11-08 23:30:59">Nov 8</time>').date == "2023-11-08"


def test_utc_day_kept_when_nothing_else_matches_the_instant() -> None:
    head = ld({"@type": "NewsArticle", "datePublished": "2023-11-09T03:28:35Z"})
    assert meta_of(head + '<meta name="sailthru.date" content="2023-11-08 22:28:00">').date == "2023-11-09"
    assert meta_of(head + '<meta name="sailthru.date" content="2023-11-07 03:28:35">').date == "2023-11-09"


def test_parse_stamp_and_local_day() -> None:
    stamp = parse_stamp("2020-02-18T02:18:11.123Z")
    assert stamp is not None and stamp.date == "2020-02-18" and stamp.offset is not None
    assert parse_stamp("2020-02-18T02:18+05:30") is not None
    assert parse_stamp("Wed, 04 May 2022 00:25:56 GMT") is not None
    assert parse_stamp("2020-02-30") is None
    assert parse_stamp("") is None
    local = parse_stamp("2020-02-17 21:18:11")
    assert stamp is not None and local is not None
    assert local_day(stamp, [local]) == "2020-02-17"


# --- address and title ----------------------------------------------------------------------


def test_site_url_order() -> None:
    both = '<link rel="canonical" href="https://a.example/x"><meta property="og:url" content="https://b.example/y">'
    assert meta_of(both).site_url == "https://a.example/x"
    assert meta_of('<meta property="og:url" content="https://b.example/y">').site_url == "https://b.example/y"
    node = {"@type": "NewsArticle", "mainEntityOfPage": {"@id": "https://c.example/z"}}
    assert meta_of(ld(node)).site_url == "https://c.example/z"
    assert meta_of(ld({"@type": "NewsArticle", "url": "https://d.example/w"})).site_url == "https://d.example/w"
    # a relative canonical link means nothing without a base: the absolute og:url is taken
    relative = '<link rel="canonical" href="/x"><meta property="og:url" content="https://b.example/y">'
    assert meta_of(relative).site_url == "https://b.example/y"


def test_relative_canonical_resolved_against_base() -> None:
    root = _parse('<html><head><base href="https://a.example/dir/"><link rel="canonical" href="page"></head></html>')
    assert root is not None
    assert read_metadata(root, "https://a.example/dir/").site_url == "https://a.example/dir/page"


def test_title() -> None:
    assert meta_of('<meta property="og:title" content="OG"><title>T</title>').title == "OG"
    assert meta_of("<title>  A \n title </title>").title == "A title"


# --- the page's text, through htmldate --------------------------------------------------------


def test_date_in_the_text_when_the_markup_has_none() -> None:
    pytest.importorskip("htmldate")
    body = '<div class="byline">Posted on 18.02.2020 by Jane</div><p>Text of the article.</p>'
    assert meta_of("", body, text_dates=False).date is None
    assert meta_of("", body, text_dates=True).date == "2020-02-18"
    # the markup's date is kept: the text is not searched then
    head = '<meta property="article:published_time" content="2019-01-01">'
    assert meta_of(head, body, text_dates=True).date == "2019-01-01"


def test_page_that_looks_like_an_address_is_never_fetched() -> None:
    pytest.importorskip("htmldate")
    # htmldate downloads a string that starts with "http": refcheck hands it the parsed tree only
    document = parse_html("http://example.invalid/page")
    assert document.meta.date is None


def test_no_date_anywhere() -> None:
    assert meta_of("<title>x</title>", "<p>Nothing dated here.</p>", text_dates=True).date is None


# --- through parse_html, and hostile pages --------------------------------------------------


def test_parse_html_uses_it() -> None:
    page = ("<html><head>" + ld({"@graph": [ARTICLE | {"publisher": {"@id": "#o"}},
            {"@type": "Organization", "@id": "#o", "name": "Levant Ledger"}]}, "/*<![CDATA[*/{}/*]]>*/")
            + '<link rel="canonical" href="https://www.levantledger.example/a"></head><body><p>x</p></body></html>')  # fmt: skip
    meta = parse_html(page).meta
    assert (meta.date, meta.publisher, meta.site_url) == (
        "2020-02-18",
        "Levant Ledger",
        "https://www.levantledger.example/a",
    )


def test_hostile_json_ld_is_bounded() -> None:
    many = [{"@type": "NewsArticle", "datePublished": "2020-02-18", "publisher": {"@id": "#o"}}] * 100_000
    deep: Any = {"@type": "NewsArticle", "datePublished": "2020-02-18"}
    for _ in range(300):
        deep = {"@type": "WebPage", "hasPart": [deep]}
    start = time.perf_counter()
    assert meta_of(ld(many)).date == "2020-02-18"
    assert meta_of(ld(deep)).date == "2020-02-18"
    assert meta_of('<script type="application/ld+json">' + "[" * 200_000 + "</script>").date is None
    assert meta_of('<script type="application/ld+json">' + '{"a":' * 200_000 + "</script>").date is None
    assert time.perf_counter() - start < 10


def test_many_meta_and_time_elements() -> None:
    head = '<meta name="x" content="y">' * 20_000
    body = '<time datetime="2020-02-18">x</time>' * 20_000
    start = time.perf_counter()
    assert meta_of(head, body).date == "2020-02-18"
    assert time.perf_counter() - start < 10


def test_text_search_leaves_the_tree_as_it_was() -> None:
    pytest.importorskip("htmldate")
    root = _parse(
        "<html><body><video src='v.mp4'></video><iframe src='x'></iframe><p>Posted 18.02.2020</p></body></html>"
    )
    assert root is not None
    before = len(list(root.iter()))
    read_metadata(root, None)
    assert len(list(root.iter())) == before
