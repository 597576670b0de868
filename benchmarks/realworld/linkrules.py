"""Shared rules of the real-world link benchmark (used by build.py, realworld.py and
maincontent_compare.py; no refcheck code is imported except ``normalize_url``).

* :func:`page_links` lists the links of a page the way the benchmark counts them:
  ``<a href>`` / ``<area href>`` in ``<body>``, outside script/style/noscript/template/
  svg/math/iframe, resolved against ``<base href>`` or else the page's own URL,
  http(s) only, in-page ``#…``, ``javascript:``, ``mailto:``, ``tel:`` and ``data:``
  links left out, normalised with refcheck's ``normalize_url`` (fragment dropped),
  and links back to the page itself left out.
* :func:`squash` is the text form every comparison uses: NFKC, case-folded, letters
  and digits only (spaces, punctuation and quotes of every kind removed), so that a
  ground-truth text and the page's DOM text compare equal whatever their white space,
  quote style or entity spelling.
* :func:`text_rule` is the answer rule for sources whose ground truth is the article's
  text (see benchmarks/realworld/README.md, "The link-answer rule").
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree, html

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # last: a refcheck on PYTHONPATH (an older tree, --ref) wins

from refcheck.extract.urls import InvalidURL, normalize_url  # noqa: E402

SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe"})
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul", "center", "font",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

WINDOW = 40
"""Characters (squashed) of context wanted on one side of a link's text."""
ALONE = 30
"""A link whose page gives it no context at all counts on its own text when it is this long."""
MATCH = 20
"""A one-sided match (context + link text) must be this long, unless the page has no more context."""


def squash(text: str) -> str:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def norm(url: str) -> str | None:
    """refcheck's normalised form, fragment dropped; None for what it refuses."""
    try:
        value, _ = normalize_url(url)
    except (InvalidURL, ValueError):
        return None
    return value.split("#", 1)[0]


def parse(text: str) -> etree._Element | None:
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    if not text.strip():
        return None
    try:
        return html.document_fromstring(text, parser=html.HTMLParser(huge_tree=True, remove_comments=True))
    except (etree.ParserError, ValueError):
        return None


def base_of(root: etree._Element, page_url: str | None) -> str | None:
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href.lower().startswith(("http://", "https://")):
            return href
    return page_url


def resolve(href: str, base: str | None) -> str | None:
    """The absolute http(s) form of ``href``, or None when it is not a counted link."""
    href = href.strip()
    low = href.lower()
    if not href or low.startswith(("#", "javascript:", "mailto:", "tel:", "data:", "about:")):
        return None
    if not low.startswith(("http://", "https://")):
        if base is None or (re.match(r"^[a-z][a-z0-9+.-]*:", low) and not low.startswith(("http:", "https:"))):
            return None
        try:
            href = urljoin(base, href)
        except ValueError:
            return None
    if not href.lower().startswith(("http://", "https://")):
        return None
    return href


@dataclass
class Link:
    element: Any
    url: str
    """Normalised, fragment dropped."""
    raw: str


def iter_body(root: etree._Element) -> Iterator[Any]:
    body = root.find("body")
    scope = body if body is not None else root
    walker = etree.iterwalk(scope, events=("start",))
    for _, element in walker:
        tag = element.tag
        if not isinstance(tag, str) or tag in SKIPPED:
            walker.skip_subtree()
            continue
        yield element


def page_links(root: etree._Element, page_url: str | None) -> list[Link]:
    base = base_of(root, page_url)
    own = norm(page_url) if page_url else None
    links: list[Link] = []
    for element in iter_body(root):
        if element.tag not in ("a", "area"):
            continue
        href = element.get("href")
        if not href:
            continue
        absolute = resolve(href, base)
        if absolute is None:
            continue
        url = norm(absolute)
        if url is None or url == own:
            continue
        links.append(Link(element, url, href))
    return links


def visible_text(element: Any) -> str:
    parts: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if not tag or tag in SKIPPED:
                walker.skip_subtree()
                continue
            if node.text:
                parts.append(node.text)
        elif node is not element and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def split_around(scope: Any, link: Any) -> tuple[str, str, str]:
    """(text before the link, the link's text, text after it) inside ``scope``."""
    before: list[str] = []
    inside: list[str] = []
    after: list[str] = []
    target = before
    walker = etree.iterwalk(scope, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if not tag or tag in SKIPPED:
                walker.skip_subtree()
                continue
            if node is link:
                target = inside
            if node.text:
                target.append(node.text)
        else:
            if node is link:
                target = after
            if node is not scope and node.tail:
                target.append(node.tail)
    return "".join(before), "".join(inside), "".join(after)


@dataclass
class Context:
    anchor: str
    left: str
    right: str
    exhausted: bool
    """True when the whole body gave less context than WINDOW on each side."""


def contexts_of(link: Any) -> list[Context]:
    """The link's squashed text with up to WINDOW squashed characters on each side,
    taken from its nearest block ancestor, then from each larger ancestor while that
    gave less than WINDOW on both sides (innermost first)."""
    scope = link.getparent()
    while scope is not None and scope.tag not in BLOCKS:
        scope = scope.getparent()
    if scope is None:
        scope = link
    found: list[Context] = []
    while True:
        before, inside, after = split_around(scope, link)
        left, anchor, right = squash(before), squash(inside), squash(after)
        parent = scope.getparent()
        if (len(left) >= WINDOW or len(right) >= WINDOW) or parent is None or scope.tag == "body":
            exhausted = len(left) < WINDOW and len(right) < WINDOW
            found.append(Context(anchor, left[-WINDOW:], right[:WINDOW], exhausted))
            return found
        found.append(Context(anchor, left, right, False))
        scope = parent


def context_of(link: Any) -> Context:
    """The outermost of :func:`contexts_of`: the fullest context."""
    return contexts_of(link)[-1]


def text_rule(link: Any, truth: str) -> str:
    """``article``, ``page`` or ``unjudged`` for one link, given the squashed
    ground-truth article text (see README, "The link-answer rule")."""
    contexts = contexts_of(link)
    anchor = contexts[0].anchor
    if not anchor:
        return "unjudged"  # an image or an empty link: the text cannot tell
    if anchor not in truth:
        return "page"
    for ctx in contexts:
        for candidate in (ctx.left + anchor if ctx.left else "", anchor + ctx.right if ctx.right else ""):
            if candidate and (len(candidate) >= MATCH or ctx.exhausted) and candidate in truth:
                return "article"
    last = contexts[-1]
    if last.exhausted and not last.left and not last.right and len(anchor) >= ALONE:
        return "article"
    return "page"
