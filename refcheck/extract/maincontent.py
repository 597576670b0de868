"""Text statistics of an HTML tree, and the main-content scorer for pages whose
markup does not name their article.

One bottom-up walk counts, for every element, the characters of text outside
links, inside links, inside paragraphs, the links and the commas. Both the
region finder and the scorer read those counts, so nothing walks a subtree twice.

The scorer is the readability algorithm (Arc90's Readability, as in Mozilla's
Readability.js and readability-lxml): every paragraph of 25 characters or more
scores 1 + its commas + one per 100 characters (at most 3), added to its parent
and half of it to its grandparent; a container's score is weighted by its
class/id words (content-like +25, furniture-like -25) and by how little of its
text is links. The best container is the article, and its siblings that score
close to it (or are link-poor paragraphs) join it.

Why our own implementation and not the library: measured on the real-world set
(benchmarks/RESULTS.md, "Main-content extraction"), readability-lxml is the only
candidate that holds its precision on table-layout pages (L3S-GN1: 0.41 against
0.06 for trafilatura and 0.02 for resiliparse), but it re-parses the page
(3-7 MB/s on its own, before refcheck's extraction) and raised on some pages;
this version runs on the tree refcheck has already parsed, on the counts of one walk.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "head", "title"})
_PARAGRAPHS = frozenset({"p", "pre", "dd", "td", "blockquote"})
_LINKS = frozenset({"a", "area"})

_POSITIVE_RE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story", re.IGNORECASE
)
_NEGATIVE_RE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|masthead|media|"
    r"meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|nav|menu",
    re.IGNORECASE,
)
_TAG_WEIGHT = {"div": 5, "article": 10, "section": 3, "pre": 3, "td": 3, "blockquote": 3, "main": 5}
_NEGATIVE_TAGS = frozenset({"address", "ol", "ul", "dl", "dd", "dt", "li", "form", "th"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

MIN_PARAGRAPH = 25


class TextStats:
    """Per element (by ``id()``, proxies kept alive): characters of text outside
    links (``text``), inside links (``linked``), inside paragraphs
    (``prose``), and the links (``links``) and commas (``commas``), each
    counted over the whole subtree."""

    __slots__ = ("commas", "elements", "linked", "links", "prose", "text")

    def __init__(self, scope: Any) -> None:
        self.elements: list[Any] = []
        self.text: dict[int, int] = {}
        self.linked: dict[int, int] = {}
        self.links: dict[int, int] = {}
        self.prose: dict[int, int] = {}
        self.commas: dict[int, int] = {}
        self._walk(scope)

    def _walk(self, scope: Any) -> None:
        text, linked, links, prose, commas = self.text, self.linked, self.links, self.prose, self.commas
        # Per open element: [text, linked, links, prose, commas]
        stack: list[list[int]] = []
        in_link = 0
        in_paragraph = 0
        walker = etree.iterwalk(scope, events=("start", "end"))
        for event, element in walker:
            tag = element.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                if event == "start":
                    walker.skip_subtree()
                    continue
                # A skipped element's tail is its parent's text.
                if element is not scope:
                    _add(stack, element.tail, in_link, in_paragraph)
                continue
            if event == "start":
                stack.append([0, 0, 1 if tag in _LINKS and element.get("href") else 0, 0, 0])
                if tag in _LINKS:
                    in_link += 1
                if tag in _PARAGRAPHS:
                    in_paragraph += 1
                _add(stack, element.text, in_link, in_paragraph)
                continue
            counts = stack.pop()
            if tag in _LINKS:
                in_link -= 1
            if tag in _PARAGRAPHS:
                in_paragraph -= 1
            key = id(element)
            self.elements.append(element)
            text[key], linked[key], links[key], prose[key], commas[key] = counts
            if stack:
                parent = stack[-1]
                for index in range(5):
                    parent[index] += counts[index]
            if element is not scope:
                _add(stack, element.tail, in_link, in_paragraph)

    def total(self, element: Any) -> int:
        key = id(element)
        return self.text.get(key, 0) + self.linked.get(key, 0)

    def link_density(self, element: Any) -> float:
        total = self.total(element)
        return self.linked.get(id(element), 0) / total if total else 0.0


def _add(stack: list[list[int]], piece: str | None, in_link: int, in_paragraph: int) -> None:
    if not piece or not stack:
        return
    size = len(piece.strip())
    if not size:
        return
    counts = stack[-1]
    if in_link:
        counts[1] += size
    else:
        counts[0] += size
    if in_paragraph:
        counts[3] += size
    counts[4] += piece.count(",")


def class_weight(element: Any) -> int:
    weight = 0
    for value in (element.get("class"), element.get("id")):
        if value:
            if _NEGATIVE_RE.search(value):
                weight -= 25
            if _POSITIVE_RE.search(value):
                weight += 25
    return weight


def main_content(scope: Any, stats: TextStats) -> list[Any]:
    """The elements that hold the page's main text, best first (empty when the
    page has too little text to tell)."""
    scores: dict[int, float] = {}
    holders: dict[int, Any] = {}

    def initial(element: Any) -> float:
        tag = element.tag
        base = _TAG_WEIGHT.get(tag, 0) - (3 if tag in _NEGATIVE_TAGS else 0) - (5 if tag in _HEADINGS else 0)
        return float(base + class_weight(element))

    for element in stats.elements:
        tag = element.tag
        if tag not in _PARAGRAPHS and not (tag == "div" and _is_paragraph_div(element)):
            continue
        size = stats.total(element)
        if size < MIN_PARAGRAPH:
            continue
        score = 1 + stats.commas.get(id(element), 0) + min(size // 100, 3)
        parent = element.getparent()
        for share, node in ((1.0, parent), (0.5, parent.getparent() if parent is not None else None)):
            if node is None or not isinstance(node.tag, str):
                continue
            key = id(node)
            if key not in scores:
                scores[key] = initial(node)
                holders[key] = node
            scores[key] += score * share
    if not scores:
        return []
    ranked = sorted(
        ((score * (1 - stats.link_density(holders[key])), key) for key, score in scores.items()),
        reverse=True,
    )
    best_score, best_key = ranked[0]
    if best_score <= 0:
        return []
    best = _narrow(holders[best_key], stats)
    chosen = [best]
    parent = best.getparent()
    if parent is not None:
        threshold = max(10.0, best_score * 0.2)
        final = {key: score for score, key in ranked}
        for sibling in parent:
            if sibling is best or not isinstance(sibling.tag, str):
                continue
            key = id(sibling)
            same_kind = bool(best.get("class")) and sibling.get("class") == best.get("class")
            if (key in final and final[key] >= threshold) or (same_kind and stats.link_density(sibling) < 0.5):
                chosen.append(sibling)
            elif sibling.tag == "p":
                size = stats.total(sibling)
                density = stats.link_density(sibling)
                if (size > 80 and density < 0.25) or (0 < size <= 80 and density == 0 and "." in (sibling.text or "")):
                    chosen.append(sibling)
    return chosen


_NARROW_SHARE = 0.75


def _narrow(element: Any, stats: TextStats) -> Any:
    """Go down while one child holds most of the text outside links (a layout
    row around the cell that holds the story): its siblings are menus and boxes."""
    while True:
        own = stats.text.get(id(element), 0)
        if own <= 0:
            return element
        inner = None
        for child in element:
            if isinstance(child.tag, str) and stats.text.get(id(child), 0) >= _NARROW_SHARE * own:
                inner = child
                break
        if inner is None or (inner.tag in _PARAGRAPHS and inner.tag != "td"):
            return element
        element = inner


def _is_paragraph_div(element: Any) -> bool:
    """A <div> used as a paragraph: text of its own, no block children."""
    return all(not (isinstance(child.tag, str) and child.tag in _BLOCKS) for child in element)


_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dl", "div", "fieldset", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    }
)  # fmt: skip
