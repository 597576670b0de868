"""The article region: every citation is ``article`` (the article's text, notes,
references) or ``page`` (menus, header, footer, widgets, the publisher's own
address, boilerplate tails); reports and checks count the article's by default."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import extract, refcheck

from refcheck.models import Document

NEWS_PAGE = """<!doctype html>
<html><head><title>Talks in Damascus</title></head>
<body>
<header class="site-header"><a href="https://news.example/">Home</a>
 <nav><a href="https://news.example/world">World</a> <a href="https://news.example/politics">Politics</a></nav>
</header>
<div class="layout">
<main>
 <article>
  <h1>Talks in Damascus</h1>
  <div class="byline">By <a href="https://news.example/authors/jane">Jane Doe</a></div>
  <div class="share-buttons"><a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>
   <a href="https://twitter.com/intent/tweet?url=x">Tweet</a></div>
  <div class="article-body">
   <p>Officials met in Damascus last week, <a href="https://www.reuters.com/article/talks-idUS1">Reuters reported</a>,
   in the first such meeting in years. The delegation travelled from Abu Dhabi and stayed four hours.</p>
   <p>The Lebanese daily <a href="https://al-akhbar.com/Syria/2018">Al-Akhbar</a> first revealed the meeting, and
   other outlets, among them https://www.aljazeera.com/news/2018/08/talks.html, followed it in the days after.</p>
   <p>The ministry did not answer questions about the talks on Tuesday, a spokesman said in a short statement.</p>
  </div>
  <aside class="related"><h3>Related</h3><ul>
   <li><a href="https://news.example/2018/other-story">Other story</a></li></ul></aside>
  <footer class="article-footer"><a href="https://news.example/tags/syria">Syria</a></footer>
 </article>
 <section id="comments" class="comments-area"><a href="https://commenter.example/">A reader</a> said…</section>
</main>
<aside class="sidebar"><a href="https://news.example/most-read/1">Most read</a></aside>
</div>
<footer><a href="https://news.example/contact">Contact</a> <a href="https://news.example/privacy">Privacy</a></footer>
</body></html>
"""


def _regions(document: Document) -> dict[str, str]:
    return {citation.url: citation.region for citation in document.citations}


def test_news_page_article_links_and_furniture() -> None:
    regions = _regions(extract(NEWS_PAGE, "html"))
    article = sorted(url for url, region in regions.items() if region == "article")
    assert article == [
        "https://al-akhbar.com/Syria/2018",
        "https://www.aljazeera.com/news/2018/08/talks.html",
        "https://www.reuters.com/article/talks-idUS1",
    ]
    # Nothing found is dropped: the furniture stays, marked.
    for url in (
        "https://news.example/",
        "https://news.example/world",
        "https://news.example/authors/jane",
        "https://www.facebook.com/sharer/sharer.php?u=x",
        "https://news.example/2018/other-story",
        "https://news.example/tags/syria",
        "https://commenter.example/",
        "https://news.example/most-read/1",
        "https://news.example/contact",
    ):
        assert regions[url] == "page", url


def test_references_after_the_article_are_the_article() -> None:
    page = NEWS_PAGE.replace(
        "</main>",
        '</main><section class="footnotes"><ol><li id="fn1">Ministry statement, '
        '<a href="https://mofa.example/statement">mofa.example</a></li></ol></section>',
    ).replace("stayed four hours.", 'stayed four hours.<sup><a href="#fn1">1</a></sup>')
    document = extract(page, "html")
    [note_link] = [c for c in document.citations if c.url == "https://mofa.example/statement"]
    assert note_link.kind == "footnote" and note_link.region == "article"
    assert document.markers == [1]


def test_page_without_structure_keeps_its_links_but_not_its_menus() -> None:
    page = (
        "<html><body><nav><a href='https://site.example/menu'>Menu</a></nav>"
        "<div><p>A short note citing <a href='https://source.example/report'>a report</a>.</p></div>"
        "<footer><a href='https://site.example/about'>About</a></footer></body></html>"
    )
    regions = _regions(extract(page, "html"))
    assert regions == {
        "https://site.example/menu": "page",
        "https://source.example/report": "article",
        "https://site.example/about": "page",
    }


def test_wikipedia_layout() -> None:
    body = " ".join(["The city lies on the river and has a long history of trade."] * 6)
    page = f"""<html><body>
<div id="mw-navigation"><div id="mw-panel"><a href="https://en.wikipedia.org/wiki/Main_Page">Main page</a></div></div>
<div id="content" class="mw-body" role="main"><h1>City</h1>
<div id="bodyContent" class="vector-body">
<div id="mw-content-text" class="mw-body-content"><div class="mw-parser-output">
<p>{body} See <a href="https://www.citysite.example/history">the city's history</a>.<sup class="reference"><a href="#cite_note-1">[1]</a></sup></p>
<h2>Notes<span class="mw-editsection"><a href="https://en.wikipedia.org/w/index.php?title=City&amp;action=edit&amp;section=1">edit</a></span></h2>
<div class="reflist"><ol class="references"><li id="cite_note-1"><a href="#cite_ref-1">^</a>
<cite><a href="https://archive.example/report.pdf">Annual report</a></cite></li></ol></div>
<div role="navigation" class="navbox"><a href="https://en.wikipedia.org/wiki/Other_city">Other city</a></div>
</div></div>
<div id="catlinks" class="catlinks"><a href="https://en.wikipedia.org/wiki/Category:Cities">Cities</a></div>
</div></div>
<div id="footer" role="contentinfo"><a href="https://foundation.wikimedia.org/wiki/Privacy_policy">Privacy</a></div>
</body></html>"""
    regions = _regions(extract(page, "html"))
    assert regions["https://www.citysite.example/history"] == "article"
    assert regions["https://archive.example/report.pdf"] == "article"
    for url in (
        "https://en.wikipedia.org/wiki/Main_Page",
        "https://en.wikipedia.org/w/index.php?title=City&action=edit&section=1",
        "https://en.wikipedia.org/wiki/Other_city",
        "https://en.wikipedia.org/wiki/Category:Cities",
        "https://foundation.wikimedia.org/wiki/Privacy_policy",
    ):
        assert regions[url] == "page", url


def test_plain_text_byline_address_footer_and_reply_tail() -> None:
    text = (
        "A headline\n\nBy Jane Doe, 30.08.2018, www.levantpost.example.org\n\n"
        + "The agency confirmed the meeting, https://www.reuters.com/article/x-idUS1 says.\n\n" * 4
        + "To contact us visit:\n\nlevantpost.example.org/contact\n\n"
        "Leave a Reply\n\nYour email address will not be published. https://gravatar.com/site\n"
    )
    regions = _regions(extract(text))
    assert regions == {
        "https://www.levantpost.example.org/": "page",
        "https://www.reuters.com/article/x-idUS1": "article",
        "https://levantpost.example.org/contact": "page",
        "https://gravatar.com/site": "page",
    }


def test_notes_after_a_boilerplate_tail_stay_the_article() -> None:
    text = (
        "Headline\n\n"
        + "The ministry denied the report (1) in a statement on Tuesday afternoon.\n\n" * 3
        + "Share this:\n\nhttps://www.facebook.com/sharer?u=1\n\nNotes\n\n"
        "(1) Ministry statement, 30.08.2018, https://mofa.example/statement\n"
    )
    document = extract(text)
    assert _regions(document) == {
        "https://www.facebook.com/sharer?u=1": "page",
        "https://mofa.example/statement": "article",
    }
    assert [c.kind for c in document.citations if c.region == "article"] == ["footnote"]


def test_a_sentence_saying_related_is_not_a_tail() -> None:
    text = "Headline\n\n" + "Officials met. " * 30 + "\n\nRelated talks are planned, https://gov.example/plan says.\n"
    assert _regions(extract(text)) == {"https://gov.example/plan": "article"}


def test_markdown_share_tail() -> None:
    text = (
        "# Headline\n\n"
        + "The report [was published](https://source.example/report) on Monday.\n\n" * 3
        + "## Share this\n\n[Facebook](https://www.facebook.com/sharer?u=2) · [Mail](https://mail.example/share)\n"
    )
    assert _regions(extract(text, "markdown")) == {
        "https://source.example/report": "article",
        "https://www.facebook.com/sharer?u=2": "page",
        "https://mail.example/share": "page",
    }


def test_class_words_are_whole_words() -> None:
    """'header-image', 'shadow' and 'download' hold no furniture word."""
    page = (
        "<html><body><article><div class='shadow download-box header-image'><p>"
        + "Words of the article, many of them. " * 10
        + "<a href='https://source.example/a'>source</a></p></div></article></body></html>"
    )
    assert _regions(extract(page, "html")) == {"https://source.example/a": "article"}


def _run(tmp_path: Path, *args: str) -> dict[str, object]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "story.html").write_text(NEWS_PAGE, encoding="utf-8")
    out = tmp_path / "out.json"
    refcheck(tmp_path, str(corpus), "--offline", "--no-report", "--json", str(out), *args)
    data: dict[str, object] = json.loads(out.read_text())
    return data


def test_links_article_by_default_and_all_on_request(tmp_path: Path) -> None:
    default = _run(tmp_path)
    summary = default["summary"]
    assert isinstance(summary, dict)
    assert summary["links_scope"] == "article"
    assert summary["citations"] == 3 and summary["unique_links"] == 3
    assert summary["citations_by_region"] == {"article": 3, "page": 12}
    links = default["links"]
    assert isinstance(links, list) and {link["url"] for link in links} == {
        "https://al-akhbar.com/Syria/2018",
        "https://www.aljazeera.com/news/2018/08/talks.html",
        "https://www.reuters.com/article/talks-idUS1",
    }
    documents = default["documents"]
    assert isinstance(documents, list)
    # The JSON keeps every citation, with its region.
    assert len(documents[0]["citations"]) == 15
    assert {c["region"] for c in documents[0]["citations"]} == {"article", "page"}

    everything = _run(tmp_path, "--links", "all")
    summary = everything["summary"]
    assert isinstance(summary, dict)
    assert summary["links_scope"] == "all" and summary["citations"] == 15 and summary["unique_links"] == 15


def test_links_setting_in_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "refcheck.toml").write_text('links = "all"\n', encoding="utf-8")
    summary = _run(tmp_path)["summary"]
    assert isinstance(summary, dict) and summary["links_scope"] == "all"
    (tmp_path / "refcheck.toml").write_text('links = "some"\n', encoding="utf-8")
    (tmp_path / "corpus").mkdir(exist_ok=True)
    bad = refcheck(tmp_path, "corpus", "--offline", "--no-report")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "links" in bad.stderr
