"""Which part of an HTML page is the article, and which is the page around it.

A saved news page cites a handful of sources in its article and links to
hundreds of things around it: menus, header and footer, share buttons,
"related stories", comment widgets, ads. Every citation gets a region:
``article`` (the article's text, its notes, references and bibliography) or
``page`` (everything else).

How, in order:

1. The page's own structure, where it names the article: ``[itemprop=articleBody]``,
   ``<article>``, ``<main>``, ``[role=main]``, Wikipedia's ``.mw-parser-output``
   and the body classes content systems use (``entry-content``, ``article-body``…).
   The candidate holding the article's prose is chosen by how much paragraph
   text it holds (a teaser ``<article>`` in a sidebar holds little).
2. Where the structure names nothing usable, the main-content scorer
   (:mod:`refcheck.extract.maincontent`, the readability algorithm on the tree
   already parsed) picks the elements whose text is the article.
3. Inside the article, furniture the site puts there anyway is ``page``:
   ``<nav>``, ``<aside>``, ``<form>``, ``role=navigation|complementary|contentinfo``
   and elements whose class or id says share/social/related/comment/newsletter/
   promo/advert/tags/breadcrumb/byline (as whole words, so ``head`` is no ``ad``),
   and link lists: blocks whose text is mostly links (menus, "related stories",
   tag clouds), unless a heading names them sources ("References", "External links").
4. Notes and reference lists are ``article`` wherever they stand (a
   main-content extractor often drops them, and Wikipedia puts them after the
   content).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from refcheck.extract.maincontent import TextStats, main_content
from refcheck.models import Region

_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "head", "title"})

# Elements that are furniture by what they are.
_FURNITURE_TAGS = frozenset({"nav", "aside", "form", "button", "select", "dialog", "menu", "header", "footer"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "complementary", "contentinfo", "banner", "search", "menu", "menubar", "toolbar", "dialog"}
)
# Words of a class or id that mark furniture. Matched as whole words of the
# attribute split at non-letters and case changes ("relatedStories" -> related,
# stories; "ad-slot" -> ad, slot), so "header-image" is not "ad" and
# "shadow" is not "ad".
_FURNITURE_WORDS = frozenset(
    {
        "share", "sharing", "sharebar", "social", "socials", "related", "recommended", "recommendations",
        "recirculation", "recirc", "comment", "comments", "disqus", "newsletter", "newsletters", "subscribe",
        "subscription", "signup", "promo", "promotion", "promos", "advert", "advertisement", "advertising",
        "ad", "ads", "adslot", "sponsor", "sponsored", "outbrain", "taboola", "breadcrumb", "breadcrumbs",
        "tags", "tagline", "taglist", "byline", "bylines", "author", "authors", "toolbar", "menu", "navbar",
        "navigation", "nav", "sidebar", "widget", "widgets", "masthead", "popup",
        "modal", "cookie", "cookies", "consent", "paywall", "more", "trending", "popular", "mostread",
        "navbox", "catlinks", "editsection", "printfooter", "jump", "skip", "pagination", "pager",
        "print", "follow", "rss", "feed", "login", "account", "banner", "topics",
    }
)  # fmt: skip
# Some furniture words are only furniture when nothing says "content" too
# ("mw-parser-output" has "mw", "post-header" wraps the title).
_WEAK_WORDS = frozenset({"pagination", "pager", "more", "author", "feed", "print", "banner", "topics", "jump", "skip"})
_EDGES = frozenset({"header", "footer"})
_EMBEDDED = frozenset({"embed", "embedded", "tweet", "instagram"})
_SITE_WORDS = frozenset({"site", "page", "global", "main", "top", "bottom", "masthead", "nav"})
_CONTENT_WORDS = frozenset(
    {"content", "article", "body", "story", "entry", "post", "text", "main", "parser", "prose"}
)
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

# Elements that name the article or its notes outright. One XPath with cheap
# tests picks the elements worth a look (a test per clause with
# concat(normalize-space(@class)) on every element cost as much as the parse);
# Python then checks their class words.
_LANDMARK_XPATH = etree.XPath(
    "//article | //main | //*[@itemprop or @property or @role]"
    " | //*[@class][contains(@class, 'ontent') or contains(@class, 'ody') or contains(@class, 'ext')"
    " or contains(@class, 'ntry') or contains(@class, 'mw-parser-output') or contains(@class, 'otes')"
    " or contains(@class, 'eferences') or contains(@class, 'reflist') or contains(@class, 'ibliography')]"
    " | //*[@id='mw-content-text' or @id='article-body' or @id='articleBody' or @id='story-body'"
    " or @id='storytext' or @id='content-body' or @id='post-content' or @id='entry-content']"
)
_ARTICLE_CLASSES = frozenset(
    {
        "entry-content", "post-content", "article-body", "article-content", "articlebody", "story-body",
        "story-content", "post-body", "article__body", "article__content", "c-entry-content", "td-post-content",
        "single-post-content", "article-text", "story-text", "body-text", "post-entry", "blog-post-body",
        "articletext", "content-article", "article_body", "entry-body", "field-name-body", "rich-text",
        "mw-parser-output",
    }
)  # fmt: skip
_NOTE_CLASSES = frozenset({"footnotes", "references", "reflist", "endnotes", "bibliography"})
_NOTE_ROLES = frozenset({"doc-endnotes", "doc-bibliography", "doc-footnote"})


def _landmarks(root: etree._Element) -> tuple[list[Any], list[Any]]:
    """(elements that name the article, elements that hold notes or references)."""
    articles: list[Any] = []
    notes: list[Any] = []
    found: list[Any] = _LANDMARK_XPATH(root)  # type: ignore[assignment]
    for element in found:
        tag = element.tag
        classes = set((element.get("class") or "").lower().split())
        role = (element.get("role") or "").strip().lower()
        if classes & _NOTE_CLASSES or role in _NOTE_ROLES:
            notes.append(element)
            continue
        if (
            tag in ("article", "main")
            or role == "main"
            or (element.get("itemprop") or element.get("property") or "").lower() == "articlebody"
            or classes & _ARTICLE_CLASSES
            or element.get("id") in _ARTICLE_IDS
        ):
            articles.append(element)
    return articles, notes


_ARTICLE_IDS = frozenset(
    {"mw-content-text", "article-body", "articleBody", "story-body", "storytext", "content-body", "post-content",
     "entry-content"}
)  # fmt: skip

_MIN_SHARE = 0.25
"""A named candidate must hold at least this share of the page's paragraph text."""
_MIN_TEXT = 200
"""Paragraph characters below which a page has no article to speak of."""


@dataclass(slots=True)
class PageRegions:
    """The outcome for one page: the element ids whose subtree is ``page``
    (topmost ones only) and whose subtree is ``article`` despite an enclosing
    ``page`` (notes); plus how the article was found, for the evaluation."""

    article_root: Any = None
    how: str = "none"
    page_roots: set[int] = field(default_factory=set)
    article_roots: set[int] = field(default_factory=set)
    keep: list[Any] = field(default_factory=list)
    """Element proxies kept alive so that their id()s stay unique."""

    @property
    def default(self) -> Region:
        """The region of what is under no marked element."""
        return "page" if self.article_root is not None else "article"


def find_regions(root: etree._Element, note_items: Iterable[Any] = ()) -> PageRegions:
    """Mark the page's furniture. ``note_items``: the note list items the HTML
    reader found (they are ``article`` wherever they stand)."""
    regions = PageRegions()
    body = root.find("body")
    scope = body if body is not None else root
    stats = TextStats(scope)
    regions.keep.append(stats)
    articles: list[Any] = []
    candidates, note_containers = _landmarks(root)
    regions.keep.append(candidates)
    named = _named_article(scope, candidates, stats)
    if named is not None:
        regions.how = "structure"
        articles = [named]
    else:
        articles = main_content(scope, stats)
        if articles:
            regions.how = "scored"
    if not articles:
        # Nothing to tell the article by: everything is the article, and only
        # what is furniture by its own markup is page.
        regions.article_roots.add(id(scope))
        regions.keep.append(scope)
        _mark_furniture(scope, regions, stats)
        return regions
    regions.article_root = articles[0]
    for article in articles:
        regions.article_roots.add(id(article))
        regions.keep.append(article)
        _mark_furniture(article, regions, stats)
    for element in [*note_containers, *note_items]:
        regions.keep.append(element)
        regions.page_roots.discard(id(element))
        regions.article_roots.add(id(element))
    return regions


def _named_article(scope: etree._Element, candidates: list[Any], stats: TextStats) -> Any:
    """The element the page's own markup names as the article, if one holds
    enough of the page's prose: of those that hold nearly as much prose as the
    richest one, the innermost (``<main>`` around ``<article>`` around the body
    text: the body text)."""
    total = stats.prose.get(id(scope), 0)
    if total < _MIN_TEXT:
        return None
    scored = []
    for element in candidates:
        if _is_furniture(element):
            continue
        chars = stats.prose.get(id(element), 0)
        if chars >= _MIN_SHARE * total and chars >= _MIN_TEXT:
            scored.append((chars, element))
    if not scored:
        return None
    richest = max(chars for chars, _ in scored)
    close = [(element, sum(1 for _ in element.iterancestors())) for chars, element in scored if chars >= 0.8 * richest]
    return max(close, key=lambda pair: pair[1])[0]


def _words(element: Any) -> set[str]:
    words: set[str] = set()
    for attribute in (element.get("class"), element.get("id")):
        if attribute:
            words.update(word.lower() for word in _WORD_RE.findall(attribute))
    return words


def _is_furniture(element: Any) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return False
    if tag in _FURNITURE_TAGS:
        return True
    role = (element.get("role") or "").strip().lower()
    if role in _FURNITURE_ROLES:
        return True
    if element.get("aria-hidden") == "true" or element.get("hidden") is not None:
        return True
    words = _words(element)
    if words & _EMBEDDED:
        return False  # an embedded post or video the article quotes ("social-media-embed")
    furniture = words & _FURNITURE_WORDS
    # "header"/"footer" alone (id="footer") or of the site ("site-header",
    # "global-footer") -- not "header-image" or "post-footer-meta".
    if words & _EDGES and (len(words) == 1 or words & _SITE_WORDS):
        return True
    if not furniture:
        return False
    if furniture - _WEAK_WORDS:
        return True
    # Only weak words ("post-header", "mw-parser-output", "article-footer"):
    # furniture unless the element also says it holds content.
    return not words & _CONTENT_WORDS


def _mark_furniture(scope: Any, regions: PageRegions, stats: TextStats) -> None:
    """Mark the topmost furniture elements inside ``scope`` as page: furniture
    by markup, and link lists (a block whose text is mostly links: menus,
    "related stories", tag clouds) unless it is a list of sources."""
    walker = etree.iterwalk(scope, events=("start",))
    for _, element in walker:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            walker.skip_subtree()
            continue
        if element is scope or _holds_notes(element):
            continue
        if _is_furniture(element):
            regions.page_roots.add(id(element))
            regions.keep.append(element)
            walker.skip_subtree()
        elif tag == "table" and _is_data_table(element):
            walker.skip_subtree()  # a table of data: its links are the article's, however dense
        elif tag in _LIST_BLOCKS and _is_link_list(element, stats):
            regions.page_roots.add(id(element))
            regions.keep.append(element)
            walker.skip_subtree()


def _is_data_table(table: Any) -> bool:
    """A table of data (headers, a caption), not a layout grid of the page."""
    if "wikitable" in (table.get("class") or "") or table.find("caption") is not None:
        return True
    head = table.find("thead")
    return head is not None or table.find("tr/th") is not None or table.find("tbody/tr/th") is not None


_LIST_BLOCKS = frozenset({"ul", "ol", "dl", "div", "section", "table", "tbody", "tr", "td", "p", "span", "figure"})
_LINK_LIST_DENSITY = 0.6
_SOURCE_HEADING_RE = re.compile(
    r"\b(?:references?|sources?|notes?|footnotes?|endnotes?|bibliography|further\s+reading|external\s+links|"
    r"see\s+also|citations?|works\s+cited|literatur|weblinks|einzelnachweise|quellen|références|sources|"
    r"bibliographie|liens\s+externes|referencias|enlaces\s+externos|bibliografía|fonti|collegamenti\s+esterni|"
    r"источники|литература|ссылки|مراجع|المراجع|مصادر|وصلات\s+خارجية|מקורות|קישורים\s+חיצוניים|منابع|kaynakça|"
    r"dış\s+bağlantılar|参考文献|外部リンク|脚注)\b",
    re.IGNORECASE,
)


def _is_link_list(element: Any, stats: TextStats) -> bool:
    """Two links or more and most of the text in links -- except under a
    heading that names sources ("References", "External links", "Further
    reading"…): there the links are the article's."""
    if stats.links.get(id(element), 0) < 2:
        return False
    if stats.link_density(element) < _LINK_LIST_DENSITY:
        return False
    return not _under_source_heading(element)


def _under_source_heading(element: Any) -> bool:
    """Whether the nearest heading before ``element`` (among its preceding
    siblings and theirs, up to three levels) names sources."""
    node = element
    for _ in range(3):
        for steps, sibling in enumerate(node.itersiblings(preceding=True)):
            if steps >= 8 or not isinstance(sibling.tag, str):
                break
            if sibling.tag in _HEADING_TAGS:
                return bool(_SOURCE_HEADING_RE.search(" ".join(sibling.itertext())))
            heading = sibling.find(".//h2") if sibling.tag in ("div", "section") else None
            if heading is not None:
                return bool(_SOURCE_HEADING_RE.search(" ".join(heading.itertext())))
        node = node.getparent()
        if node is None:
            return False
    return False


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt"})


def _holds_notes(element: Any) -> bool:
    words = _words(element)
    return bool(words & {"footnotes", "references", "reflist", "endnotes", "notes", "bibliography"})


class RegionWalk:
    """The region as a document-order walk goes in and out of marked elements:
    call :meth:`enter` on an element's start and :meth:`leave` on its end. With
    offsets into the text the walk writes, it also collects the ``page`` spans
    of that text."""

    __slots__ = ("_open", "_regions", "_stack", "spans")

    def __init__(self, regions: PageRegions) -> None:
        self._regions = regions
        self._stack: list[tuple[Any, Region]] = [(None, regions.default)]
        self._open: int | None = 0 if regions.default == "page" else None
        self.spans: list[tuple[int, int]] = []

    @property
    def region(self) -> Region:
        return self._stack[-1][1]

    def at(self, element: Any) -> bool:
        """Whether ``element`` starts or ends a region (only then is an offset needed)."""
        key = id(element)
        return key in self._regions.article_roots or key in self._regions.page_roots

    def enter(self, element: Any, offset: int = 0) -> None:
        key = id(element)
        if key in self._regions.article_roots:
            self._stack.append((element, "article"))
        elif key in self._regions.page_roots:
            self._stack.append((element, "page"))
        else:
            return
        self._switch(offset)

    def leave(self, element: Any, offset: int = 0) -> None:
        if len(self._stack) > 1 and self._stack[-1][0] is element:
            self._stack.pop()
            self._switch(offset)

    def finish(self, offset: int) -> list[tuple[int, int]]:
        if self._open is not None and offset > self._open:
            self.spans.append((self._open, offset))
        self._open = None
        return self.spans

    def _switch(self, offset: int) -> None:
        if self.region == "page":
            if self._open is None:
                self._open = offset
        elif self._open is not None:
            if offset > self._open:
                self.spans.append((self._open, offset))
            self._open = None
