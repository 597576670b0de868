"""HTML articles, read with lxml's HTML parser (libxml2: tolerant of broken
markup, fast, and it keeps each element's source line).

* Reference lists: ``section.footnotes``, ``[role=doc-endnotes]``,
  ``ol.references``, and any list whose items carry note ids (``fn1``,
  ``fn:x``, ``cite_note-…``, ``footnote-3``, ``note-3``, ``endnote-3``).
* Markers: links to a note (``href="#fn1"``, ``#cite_note-…``,
  ``role=doc-noteref``) and ``<sup>N</sup>``.
* Links: ``a[href]``, ``area[href]`` and ``cite`` attributes, resolved against
  ``<base href>`` when there is one (a relative link without a base is not a
  citation).
* Metadata (publisher, date, title, site URL): ``html_meta.read_metadata``.
* The prose (scripts, styles and templates dropped) becomes text with block
  elements on their own lines, so notes written as plain paragraphs are found
  like in a text file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urljoin

from lxml import etree

from refcheck.extract.html_meta import read_metadata
from refcheck.extract.notes import TitledLink, link_title
from refcheck.extract.region import PageRegions, RegionWalk, find_regions
from refcheck.extract.source import MarkupLink, MarkupMarker, MarkupNote, ParsedSource
from refcheck.models import FootnoteLabel

# A note's id: a prefix, then the label after a separator or as a number
# ("fn1", "fn:x", "note_a", "cite_note-Name-3" -> 3, "cite_note-note-a" -> a).
# Not "Footnotes", "Notes" (headings, table-of-contents targets) nor "fnref1".
_NOTE_ID_RE = re.compile(
    r"^(?:(?:fn|footnote|endnote|note)(?:[:\-_.]|(?=\d))|cite_note-(?:.*-)?|_?ftn(?=\d))(?P<label>[\w.-]+?)$",
    re.IGNORECASE,
)
_BACKREF_RE = re.compile(r"^(?:fnref|cite_ref|footnote-ref|noteref|_ftnref)", re.IGNORECASE)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "dd", "details", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_NOTES_CONTAINER = (
    "//section[contains(concat(' ', normalize-space(@class), ' '), ' footnotes ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' footnotes ')]"
    " | //*[@role='doc-endnotes']"
    " | //ol[contains(concat(' ', normalize-space(@class), ' '), ' references ')]"
)


def parse_html(source: str, base_url: str | None = None) -> ParsedSource:
    """``base_url``: the address the page was fetched from (a live page): its relative
    links are relative to it, unless the page has a ``<base href>`` of its own."""
    root = _parse(source)
    if root is None:
        return ParsedSource(format="html", text="", source_lines=[1])
    base = _base_href(root, base_url)
    notes, note_items = _notes(root, base)
    label_by_id = {item.get("id"): note.label for item, note in zip(note_items, notes, strict=True) if item.get("id")}
    # lxml makes element proxies on the fly: ids are only stable while a reference is held.
    note_elements: list[etree._Element] = []
    inside_notes: set[int] = set()
    for item in note_items:
        if id(item) in inside_notes:
            continue  # inside an earlier note item: its elements are in already
        for element in item.iter():
            note_elements.append(element)
            inside_notes.add(id(element))
    markers, inner_markers, marker_targets = _markers(root, label_by_id, inside_notes, has_notes=bool(notes), base=base)
    regions = find_regions(root, note_items)
    links = list(_body_links(root, base, inside_notes, regions))
    page_spans: list[tuple[int, int]] = []
    text, source_lines = _prose(root, set(map(id, note_items)), RegionWalk(regions), page_spans)
    return ParsedSource(
        format="html",
        text=text,
        source_lines=source_lines,
        links=links,
        notes=notes if notes else None,
        markers=markers,
        meta=read_metadata(root, base),
        page_spans=page_spans,
        inner_markers=inner_markers,
        marker_targets=marker_targets,
        anchors=_anchors(root),
    )


def _parse(source: str) -> etree._Element | None:
    if source.lstrip().startswith("<?xml"):
        source = source.split("?>", 1)[-1]  # lxml refuses str input that declares an encoding
    if not source.strip():
        return None
    root, too_deep = _parse_once(source)
    if too_deep:
        # libxml2 stops at 2048 levels of nesting and drops the rest of the page
        # silently: parse again with the tags beyond _MAX_DEPTH taken out (their
        # text stays, and so does every line number).
        flat_root, _ = _parse_once(_flatten(source, _MAX_DEPTH))
        if flat_root is not None:
            root = flat_root
    return root


def _parse_once(source: str) -> tuple[etree._Element | None, bool]:
    """The parsed page, and whether libxml2 gave up on its nesting depth."""
    # lxml.etree's parser, not lxml.html's: the same libxml2 tree, but without a
    # Python class lookup for every element proxy (15 % of HTML extraction, measured).
    parser = etree.HTMLParser(huge_tree=True, remove_comments=True)
    try:
        root = etree.fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        return None, False
    if root is None:
        return None, False
    too_deep = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)
    return root, too_deep


_MAX_DEPTH = 1000
_TAG_RE = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>")
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)


# Kept wherever they stand: each one ends the one before it (so they add no
# depth), and links and list items are what a page cites with.
_SELF_CLOSING = frozenset({"a", "li", "p"})


def _flatten(source: str, max_depth: int) -> str:
    """``source`` with every tag that would open a level deeper than ``max_depth``
    (and its end tag) replaced by the newlines it held; links, list items and
    paragraphs stay. Counting is naive (no implied end tags), so it may take out
    more than needed: it only runs on a page libxml2 could not read whole."""
    depth = 0
    dropped: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        nonlocal depth
        tag = match.group(0)
        name = match.group(2).lower()
        if name in _VOID_TAGS or name in _SELF_CLOSING or tag.endswith("/>"):
            return tag
        if match.group(1):  # an end tag
            if dropped.get(name):
                dropped[name] -= 1
                return "\n" * tag.count("\n")
            depth = max(0, depth - 1)
            return tag
        if depth >= max_depth:
            dropped[name] = dropped.get(name, 0) + 1
            return "\n" * tag.count("\n")
        depth += 1
        return tag

    return _TAG_RE.sub(replace, source)


def _line(element: Any, default: int = 1) -> int:
    """The element's source line (lxml gives None for elements it made up)."""
    line = element.sourceline
    return line if isinstance(line, int) and line > 0 else default


def _base_href(root: etree._Element, fetched_from: str | None = None) -> str | None:
    """What relative links are relative to: ``<base href>``, else the address the page
    was fetched from (as a browser does), else the page's own
    address as it states it (canonical link, ``og:url``): a page saved from the
    web keeps its relative links (``/world``, ``/wiki/X``), which lead to the site
    it was saved from. A page with neither is a local document: its relative
    links are local files."""
    for base in root.iter("base"):
        href = base.get("href")
        if href and href.strip().lower().startswith(("http://", "https://")):
            return href.strip()
    if fetched_from:
        return fetched_from
    head = root.find("head")
    if head is None:
        return None
    for element in head.iter("link", "meta"):
        if element.tag == "link":
            if "canonical" not in (element.get("rel") or "").lower().split():
                continue
            href = element.get("href") or ""
        elif (element.get("property") or element.get("name") or "").strip().lower() == "og:url":
            href = element.get("content") or ""
        else:
            continue
        if href.strip().lower().startswith(("http://", "https://")):
            return href.strip()
    return None


def _resolve(href: str, base: str | None) -> str:
    href = href.strip()
    if base and not href.lower().startswith(("http://", "https://", "mailto:", "javascript:", "#", "data:", "tel:")):
        return urljoin(base, href)
    return href


# --- notes and markers ---------------------------------------------------------------


def _notes(root: etree._Element, base: str | None) -> tuple[list[MarkupNote], list[etree._Element]]:
    items: list[etree._Element] = []
    seen: set[int] = set()
    containers: list[Any] = root.xpath(_NOTES_CONTAINER)  # type: ignore[assignment]
    container_ids = {id(container) for container in containers}
    for container in containers:
        if any(id(parent) in container_ids for parent in container.iterancestors()):
            continue  # its items are listed with the outer container's (nested containers were quadratic)
        for item in _container_items(container):
            if id(item) not in seen:
                seen.add(id(item))
                items.append(item)
    for item in root.iter("li"):
        if id(item) not in seen and _NOTE_ID_RE.match(item.get("id") or ""):
            seen.add(id(item))
            items.append(item)
    notes: list[MarkupNote] = []
    positions: dict[int, int] = {}
    parents: list[etree._Element | None] = []  # keeps proxies alive so that id() stays unique
    # A note item with many note items inside it (a page nesting them thousands
    # deep) ends where the next one starts: taking each one's text and links in
    # whole was quadratic. A few nested ones (a list inside a note) stay part of it.
    item_ids = {id(item) for item in items}
    crowded = _crowded_items(root, item_ids)
    for item in items:
        parent = item.getparent()
        parents.append(parent)
        key = id(parent)
        positions[key] = positions.get(key, 0) + 1
        label = _label_of(item, positions[key])
        line = _line(item)
        stop = item_ids if id(item) in crowded else _NOTHING
        text = _text_content(item, stop)
        note = MarkupNote(label, line, text)
        for element, href in _hrefs(item, stop):
            resolved = _resolve(href, base)
            note.links.append(
                TitledLink(resolved, _line(element, line), label, title=_anchor_title(element, in_prose=False))
            )
        notes.append(note)
    return notes, items


_NESTED_NOTES = 50
_NOTHING: set[int] = set()


def _container_items(container: etree._Element) -> Iterator[etree._Element]:
    """The items of a notes list: its outermost list items, and items nested in
    them only when their id names a note (Wikipedia's sub-references): a list
    inside a note is part of that note, not more notes."""
    depth = 0
    for event, element in etree.iterwalk(container, events=("start", "end"), tag="li"):
        if event == "start":
            if not depth or _NOTE_ID_RE.match(element.get("id") or ""):
                yield element
            depth += 1
        else:
            depth -= 1


def _crowded_items(root: etree._Element, item_ids: set[int]) -> set[int]:
    """The note items with more than _NESTED_NOTES note items inside them (one walk:
    the items seen between an item's start and end are inside it)."""
    crowded: set[int] = set()
    if len(item_ids) <= _NESTED_NOTES:
        return crowded
    seen = 0
    first_inside: dict[int, int] = {}
    for event, element in etree.iterwalk(root, events=("start", "end"), tag="li"):
        key = id(element)
        if key not in item_ids:
            continue
        if event == "start":
            seen += 1
            first_inside[key] = seen
        elif seen - first_inside[key] > _NESTED_NOTES:
            crowded.add(key)
    return crowded


def _label_of(item: etree._Element, position: int) -> FootnoteLabel:
    match = _NOTE_ID_RE.match(item.get("id") or "")
    if match:
        label = match.group("label")
        return int(label) if label.isascii() and label.isdigit() else label
    value = item.get("value")
    if value and value.isascii() and value.isdigit():
        return int(value)
    return position


def _markers(
    root: etree._Element,
    label_by_id: dict[str | None, FootnoteLabel],
    inside_notes: set[int],
    *,
    has_notes: bool,
    base: str | None = None,
) -> tuple[list[MarkupMarker], list[MarkupMarker], dict[str, FootnoteLabel]]:
    """The markers of the body, the references notes make to other notes
    (Wikipedia's notes citing its references), and the ids markers lead to, with
    their labels. A marker is a link to a note --
    ``#fn1``, ``#cite_note-…``, or the page's own address with that fragment --
    or ``<sup>N</sup>``. Back-links (``#fnref1``, ``#cite_ref-…``) and links to
    headings (``#Notes``, ``#Footnotes``) are not markers."""
    markers: list[MarkupMarker] = []
    inner: list[MarkupMarker] = []
    targets: dict[str, FootnoteLabel] = {}
    own = _own_addresses(root, base)
    for element in root.iter("a", "sup"):
        in_note = id(element) in inside_notes
        if element.tag == "a":
            target = _fragment(element.get("href") or "", own, base)
            if not target:
                continue
            label = _note_label(target, label_by_id, element)
            if label is not None:
                if in_note:
                    inner.append(MarkupMarker(label, _line(element)))
                else:
                    markers.append(MarkupMarker(label, _line(element)))
                    targets[target] = label
        elif has_notes and not in_note:
            number = _sup_number(element)
            if number is not None:
                markers.append(MarkupMarker(number, _line(element)))
    return markers, inner, targets


def _note_label(
    target: str, label_by_id: dict[str | None, FootnoteLabel], element: etree._Element
) -> FootnoteLabel | None:
    """The label of the note an in-page link leads to, or None when it leads elsewhere."""
    if target in label_by_id:
        return label_by_id[target]
    if "%" in target and unquote(target) in label_by_id:
        return label_by_id[unquote(target)]
    if _BACKREF_RE.match(target):
        return None
    match = _NOTE_ID_RE.match(target)
    if match is None and element.get("role") != "doc-noteref":
        return None
    label = match.group("label") if match else target
    return int(label) if label.isascii() and label.isdigit() else label


def _sup_number(element: etree._Element) -> int | None:
    """N of a ``<sup>N</sup>`` that is a marker: not a power (``10<sup>6</sup>``,
    math markup), not inside a link (``AC<sup>0</sup>``), N from 1."""
    text = _small_text(element)
    if text is None:
        return None
    text = text.strip().strip("[]()")
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or int(text) == 0:
        return None
    parent = element.getparent()
    if parent is not None:
        if parent.tag == "a" or _is_math(parent) or _is_math(parent.getparent()):
            return None
        previous = element.getprevious()
        before = (previous.tail if previous is not None else parent.text) or ""
        if before[-1:].isdigit():
            return None
    return int(text)


def _is_math(element: etree._Element | None) -> bool:
    if element is None or not isinstance(element.tag, str):
        return False
    if element.tag in ("math", "var"):
        return True
    classes = element.get("class") or ""
    return "texhtml" in classes or "math" in classes


def _own_addresses(root: etree._Element, base: str | None) -> set[str]:
    """The page's own address as it states it (canonical link, ``og:url``,
    ``<base href>``), as :func:`_page_key` keys."""
    addresses = {base} if base else set()
    head = root.find("head")
    if head is not None:
        for element in head.iter("link", "meta"):
            if element.tag == "link" and "canonical" in (element.get("rel") or "").lower().split():
                addresses.add(element.get("href") or "")
            elif (element.get("property") or element.get("name") or "").strip().lower() == "og:url":
                addresses.add(element.get("content") or "")
    return {_page_key(address) for address in addresses if address.strip()}


def _page_key(url: str) -> str:
    """A URL without scheme, fragment and trailing slash, host lower-cased, path
    percent-decoded: ``https://en.wikipedia.org/wiki/X`` and ``//en.wikipedia.org/wiki/X``
    are one page."""
    url = url.strip().split("#", 1)[0]
    rest = url.split("//", 1)[1] if "//" in url[:8] else url
    host, slash, path = rest.partition("/")
    return f"{host.lower()}{slash}{unquote(path)}".rstrip("/")


def _fragment(href: str, own: set[str], base: str | None) -> str | None:
    """The id an in-page link leads to: ``#id``, or the page's own address (as
    absolute URL or relative to ``<base href>``) followed by ``#id``; None for a
    link to another page."""
    href = href.strip()
    if href.startswith("#"):
        return href[1:]
    address, hash_mark, fragment = href.partition("#")
    if not hash_mark or not own:
        return None
    if not address.lower().startswith(("http://", "https://", "//")):
        if not base or address.lower().startswith(("javascript:", "mailto:", "data:")):
            return None
        address = urljoin(base, address)
    return fragment if _page_key(address) in own else None


def _anchors(root: etree._Element) -> set[str]:
    """Every id of the page (``id`` of any element, ``name`` of ``<a>``): what an
    in-page link may lead to."""
    ids: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        value = element.get("id")
        if value:
            ids.add(value)
        if element.tag == "a":
            name = element.get("name")
            if name:
                ids.add(name)
    return ids


_SMALL = 16


def _small_text(element: etree._Element) -> str | None:
    """The text of an element with no link and at most a few elements inside,
    else None. Bounded, where itertext() and xpath(".//a") on every <sup> of a
    page of nested <sup>s were quadratic."""
    pieces = [element.text or ""]
    for count, node in enumerate(element.iterdescendants()):
        if count >= _SMALL or node.tag == "a":
            return None
        if isinstance(node.tag, str):
            pieces.append(node.text or "")
        pieces.append(node.tail or "")
    return "".join(pieces)


# --- links ---------------------------------------------------------------------------


def _hrefs(scope: etree._Element, stop: set[int]) -> Iterator[tuple[etree._Element, str]]:
    """Links and ``cite`` attributes in ``scope``, not looking into the elements in ``stop``."""
    walker = etree.iterwalk(scope, events=("start",))
    for _, element in walker:
        if element is not scope and id(element) in stop:
            walker.skip_subtree()
            continue
        if not isinstance(element.tag, str) or element.tag in _SKIPPED_TAGS:
            continue
        if element.tag in ("a", "area"):
            href = element.get("href")
            if href:
                yield element, href
        cite = element.get("cite")
        if cite:
            yield element, cite


def _body_links(
    root: etree._Element, base: str | None, inside_notes: set[int], regions: PageRegions
) -> Iterator[MarkupLink]:
    body = root.find("body")
    scope = body if body is not None else root
    # One walk that skips scripts, styles… whole (looking up every link's
    # ancestors instead was quadratic in deeply nested pages).
    walk = RegionWalk(regions)
    walker = etree.iterwalk(scope, events=("start", "end"))
    for event, element in walker:
        if event == "end":
            walk.leave(element)
            continue
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIPPED_TAGS:
            walker.skip_subtree()
            continue
        walk.enter(element)
        if id(element) in inside_notes:
            continue
        if tag in ("a", "area"):
            href = element.get("href")
            if href:
                yield TitledLink(
                    _resolve(href, base),
                    _line(element),
                    region=walk.region,
                    title=_anchor_title(element, in_prose=True),
                )
        cite = element.get("cite")
        if cite:
            yield MarkupLink(_resolve(cite, base), _line(element), region=walk.region)


_ANCHOR_TEXT = 400
"""Characters of a link's text read at most: more is no title (notes.link_title)."""
_ANCHOR_ELEMENTS = 32
"""Elements inside a link looked at most: a link around a section is no title."""


def _anchor_title(element: etree._Element, *, in_prose: bool) -> str | None:
    """The title an ``<a>``'s text gives the page it leads to (see
    :func:`~refcheck.extract.notes.link_title`); None for ``<area>``, for a link
    with a link inside, and for one wrapped around more than a few elements or
    characters. Bounded: reading each of thousands of nested links whole was quadratic."""
    if element.tag != "a":
        return None
    pieces = [element.text or ""]
    size = len(pieces[0])
    for count, node in enumerate(element.iterdescendants()):
        if count >= _ANCHOR_ELEMENTS or node.tag == "a" or size > _ANCHOR_TEXT:
            return None
        for piece in (node.text if isinstance(node.tag, str) and node.tag not in _SKIPPED_TAGS else None, node.tail):
            if piece:
                pieces.append(piece)
                size += len(piece)
    return link_title("".join(pieces), in_prose=in_prose) if size <= _ANCHOR_TEXT else None


# --- prose -------------------------------------------------------------------------


def _prose(
    root: etree._Element, skipped_ids: set[int], walk: RegionWalk, page_spans: list[tuple[int, int]]
) -> tuple[str, list[int]]:
    """Text of the body with block elements on their own lines, and the source
    line of every output line (newlines inside text nodes are source newlines).
    The offsets of the text written inside page furniture go to ``page_spans``."""
    from refcheck.extract.urls import code_text, wrapped_url_breaks

    parts: list[str] = []
    lines: list[int] = [1]
    current = {"line": 1, "fresh": True, "code": 0, "pre": 0}  # code, pre: how deep inside <code>…, <pre>
    counted = [0, 0]  # parts measured so far, their length: offsets without re-joining

    def offset() -> int:
        for piece in parts[counted[0] :]:
            counted[1] += len(piece)
        counted[0] = len(parts)
        return counted[1]

    def emit(text: str | None) -> None:
        if not text:
            return
        if current["code"]:
            text = code_text(text)  # in code only URLs with a scheme are citations, not "this.name"
        joins = wrapped_url_breaks(text) if current["pre"] else frozenset()
        at = 0  # where the piece starts in text
        for index, piece in enumerate(text.split("\n")):
            if index:
                current["line"] += 1
                if at - 1 not in joins:
                    parts.append("\n")
                    lines.append(current["line"])
            at += len(piece) + 1
            if at - 1 in joins:
                piece = piece[:-1]  # "https://x.org/long/\" + new line + "rest": one URL, its "\" dropped
            if piece:
                parts.append(piece)
                current["fresh"] = False

    def block_break(element: etree._Element) -> None:
        if not current["fresh"]:
            parts.append("\n")
            lines.append(_line(element, current["line"]))
            current["fresh"] = True

    body = root.find("body")
    scope = body if body is not None else root
    walker = etree.iterwalk(scope, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("code", "kbd", "samp", "pre"):
            current["pre" if tag == "pre" else "code"] += 1 if event == "start" else -1
        if event == "start":
            if tag in _SKIPPED_TAGS or id(element) in skipped_ids or not tag:
                # Its "end" event still comes and emits its tail (emitting it here
                # too gave the text after every <script> twice, and line numbers
                # past the end of the file).
                walker.skip_subtree()
                continue
            source_line = _line(element, 0)
            if source_line:
                if current["fresh"]:
                    lines[-1] = source_line
                current["line"] = source_line
            if tag in _BLOCK_TAGS:
                block_break(element)
            if walk.at(element):
                walk.enter(element, offset())
            emit(element.text)
        else:
            if tag in _BLOCK_TAGS:
                block_break(element)
            if walk.at(element):
                walk.leave(element, offset())
            if element is not scope:
                emit(element.tail)
    page_spans.extend(walk.finish(offset()))
    return "".join(parts), lines


def _text_content(element: etree._Element, stop: set[int]) -> str:
    return " ".join("".join(_visible_text(element, stop)).split())


def _visible_text(element: etree._Element, stop: set[int]) -> Iterator[str]:
    """The text of ``element``, not looking into the elements in ``stop``."""
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if not tag or tag in _SKIPPED_TAGS or (node is not element and id(node) in stop):
                walker.skip_subtree()  # its tail comes with its "end" event
                continue
            if tag in _BLOCK_TAGS:
                yield " "
            if node.text:
                yield node.text
        elif node is not element and node.tail:
            yield node.tail
