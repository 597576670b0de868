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
2. Where the structure names nothing usable, the main-content extractor
   (:mod:`refcheck.extract.maincontent`) picks the element whose text is the
   article.
3. Inside the article, furniture the site puts there anyway is ``page``:
   ``<nav>``, ``<aside>``, ``<form>``, ``role=navigation|complementary|contentinfo``
   and elements whose class or id says share/social/related/comment/newsletter/
   promo/advert/tags/breadcrumb/byline (as whole words, so ``head`` is no ``ad``).
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
        "navbox", "catlinks", "editsection", "printfooter", "mw", "jump", "skip", "pagination", "pager",
        "print", "follow", "rss", "feed", "login", "account", "banner", "topics",
    }
)  # fmt: skip
# Some furniture words are only furniture when nothing says "content" too
# ("mw-parser-output" has "mw", "post-header" wraps the title).
_WEAK_WORDS = frozenset({"mw", "more", "author", "feed", "print", "banner", "topics", "jump", "skip"})
_EDGES = frozenset({"header", "footer"})
_SITE_WORDS = frozenset({"site", "page", "global", "main", "top", "bottom", "masthead", "nav"})
_CONTENT_WORDS = frozenset(
    {"content", "article", "body", "story", "entry", "post", "text", "main", "parser", "prose"}
)
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

# Elements that name the article outright, best first.
_ARTICLE_XPATH = (
    "//*[@itemprop='articleBody' or @itemprop='articlebody' or @property='articleBody']"
    " | //article | //main | //*[@role='main']"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' mw-parser-output ')]"
    " | //*[@id='mw-content-text' or @id='article-body' or @id='articleBody' or @id='story-body'"
    " or @id='storytext' or @id='content-body' or @id='post-content' or @id='entry-content']"
)
_ARTICLE_CLASSES = frozenset(
    {
        "entry-content", "post-content", "article-body", "article-content", "articlebody", "story-body",
        "story-content", "post-body", "article__body", "article__content", "c-entry-content", "td-post-content",
        "single-post-content", "article-text", "story-text", "body-text", "post-entry", "blog-post-body",
        "articletext", "content-article", "article_body", "entry-body", "field-name-body", "rich-text",
    }
)  # fmt: skip
_NOTE_XPATH = (
    "//*[@role='doc-endnotes' or @role='doc-bibliography' or @role='doc-footnote']"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' footnotes ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' references ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' reflist ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' endnotes ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' bibliography ')]"
)

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

    def region_of(self, element: Any) -> Region:
        """The region of one element (walks its ancestors; for a whole-page walk
        use :meth:`walker_state`)."""
        node = element
        while node is not None:
            key = id(node)
            if key in self.article_roots:
                return "article"
            if key in self.page_roots:
                return "page"
            node = node.getparent()
        return "page" if self.article_root is not None else "article"

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
    article = _named_article(root, scope)
    if article is not None:
        regions.how = "structure"
    else:
        from refcheck.extract.maincontent import main_content_element

        article = main_content_element(scope)
        if article is not None:
            regions.how = "extractor"
    if article is None:
        # Nothing to tell the article by: everything is the article, and only
        # what is furniture by its own markup is page.
        regions.article_roots.add(id(scope))
        regions.keep.append(scope)
        _mark_furniture(scope, regions)
        return regions
    regions.article_root = article
    regions.article_roots.add(id(article))
    regions.keep.append(article)
    _mark_furniture(article, regions)
    for element in _note_containers(root, note_items):
        regions.keep.append(element)
        regions.page_roots.discard(id(element))
        regions.article_roots.add(id(element))
    return regions


def _named_article(root: etree._Element, scope: etree._Element) -> Any:
    """The element the page's own markup names as the article, if one holds
    enough of the page's prose: of those that hold nearly as much prose as the
    richest one, the innermost (``<main>`` around ``<article>`` around the body
    text: the body text)."""
    total = _paragraph_chars(scope)
    if total < _MIN_TEXT:
        return None
    candidates: list[Any] = list(root.xpath(_ARTICLE_XPATH))  # type: ignore[arg-type]
    for element in root.iter("div", "section", "td"):
        classes = set((element.get("class") or "").lower().split())
        if classes & _ARTICLE_CLASSES:
            candidates.append(element)
    scored = []
    for element in candidates:
        if _is_furniture(element) or any(_is_furniture(parent) for parent in element.iterancestors()):
            continue
        chars = _paragraph_chars(element)
        if chars >= _MIN_SHARE * total and chars >= _MIN_TEXT:
            scored.append((chars, element))
    if not scored:
        return None
    richest = max(chars for chars, _ in scored)
    close = [(element, sum(1 for _ in element.iterancestors())) for chars, element in scored if chars >= 0.8 * richest]
    return max(close, key=lambda pair: pair[1])[0]


def _inside(element: Any, other: Any) -> bool:
    return any(parent is other for parent in element.iterancestors())


def _paragraph_chars(element: Any) -> int:
    """Characters of prose in paragraphs: the text readers read (menus and
    link lists are not paragraphs)."""
    return sum(len("".join(p.itertext()).strip()) for p in element.iter("p", "pre", "dd"))


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


def _mark_furniture(scope: Any, regions: PageRegions) -> None:
    """Mark the topmost furniture elements inside ``scope`` as page."""
    walker = etree.iterwalk(scope, events=("start",))
    for _, element in walker:
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            walker.skip_subtree()
            continue
        if element is not scope and _is_furniture(element) and not _holds_notes(element):
            regions.page_roots.add(id(element))
            regions.keep.append(element)
            walker.skip_subtree()


def _holds_notes(element: Any) -> bool:
    words = _words(element)
    return bool(words & {"footnotes", "references", "reflist", "endnotes", "notes", "bibliography"})


def _note_containers(root: etree._Element, note_items: Iterable[Any]) -> list[Any]:
    containers: list[Any] = list(root.xpath(_NOTE_XPATH))  # type: ignore[arg-type]
    containers.extend(note_items)
    return containers


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
