"""Who published an HTML page, when, under what title and address: what its
markup states (``<meta>``, ``<link rel=canonical>``, JSON-LD, microdata,
``<time>``).

Date, first found wins:

1. JSON-LD ``datePublished`` of the article's own node (``@type`` NewsArticle,
   Article, BlogPosting, ReportageNewsArticle, … any ``*Article`` or
   ``*Posting``, as a string or in a list), the shallowest and first such node;
2. the publication-date ``<meta>`` tags: Open Graph (``article:published_time``
   and its variants), parsely, sailthru, Dublin Core, ``citation_*``, ``date``…;
3. ``<time>`` that says so: ``itemprop=datePublished``, ``pubdate``,
   ``class="published|pubdate|entry-date|post-date"`` (``<meta itemprop=datePublished>``
   counts with the meta tags above);
4. JSON-LD ``dateCreated`` of the article node, then ``datePublished`` /
   ``uploadDate`` / ``dateCreated`` of other content nodes (VideoObject,
   Recipe…), then of WebPage nodes (never WebSite, Organization, Person,
   ImageObject, Comment: their dates are not the article's);
5. a date in the article's own address (``/2020/02/18/``), the first
   ``<time datetime>`` of the page;
6. the modification date (JSON-LD ``dateModified``, ``article:modified_time``…);
7. when the markup states no date at all: the date written in the page's text,
   found by htmldate's fast search (:func:`text_date`).

A UTC timestamp (``…Z``) whose day differs from the day of the same instant
written in local time elsewhere on the page (``sailthru.date``, ``<time>``, an
offset timestamp) gives the local day: the page's readers see that one.

JSON-LD is read in every shape pages use: wrapped in ``<![CDATA[ … ]]>`` or an
HTML comment, one object, a top-level list, an ``@graph``, lists in lists,
nodes nested in properties (``mainEntity``), several scripts, several objects
one after another, trailing commas, raw control characters in strings; broken
JSON still gives its ``"datePublished"``/publisher name by a plain search.

Publisher: the article node's ``publisher`` (an object with ``name``, a list,
a string, or an ``@id`` reference to an Organization node anywhere in the
page's JSON-LD), else ``og:site_name``, ``application-name``, ``DC.publisher``,
microdata (``<meta itemprop=name>`` in an ``itemprop=publisher`` element), the
publisher of any other JSON-LD node, the WebSite node's name. (The site URL's
domain comes after these, in ``analyze._set_publisher``.)

Site URL: canonical link, ``og:url``, the article node's ``url`` /
``mainEntityOfPage``, ``<base href>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from lxml import etree, html

from refcheck.extract.dates import first_date
from refcheck.extract.language import language_tag
from refcheck.extract.source import Metadata

# --- where dates are stated ----------------------------------------------------------

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "og:pubdate", "og:publish_date", "article.published", "article:publicationdate", "article_date_original",
    "parsely-pub-date", "sailthru.date", "datepublished", "date_published", "publishdate", "publish-date",
    "publish_date", "published_date", "published-date", "publication_date", "pubdate", "originalpublicationdate",
    "dcterms.issued", "dc.date.issued", "dc.date.publication", "dcterms.date", "dc.date", "dc:date",
    "dcterms.created", "dc.date.created", "dc.created", "citation_publication_date", "citation_date",
    "citation_online_date", "prism.publicationdate", "rnews:datepublished", "bt:pubdate", "displaydate",
    "date", "datecreated", "date_created", "created", "article:post_date", "cxenseparse:recs:publishtime",
    "dcsext.articlefirstpublished", "og:datepublished", "og:article:published", "shareaholic:article_published_time",
    "vr:published_time", "video:release_date", "uploaddate",
)  # fmt: skip
"""``<meta>`` names/properties/itemprops (lower case) that state the publication
date, most telling first."""

MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "og:modified_time",
    "article:modified", "datemodified", "dcterms.modified", "dc.date.modified", "last-modified", "lastmod",
)  # fmt: skip

_ARTICLE_TYPE_RE = re.compile(r"(?:article|posting|report)$")
"""NewsArticle, Article, BlogPosting, LiveBlogPosting, ScholarlyArticle, Report…"""
_PAGE_TYPES = frozenset(
    {
        "webpage", "itempage", "collectionpage", "aboutpage", "profilepage", "qapage", "faqpage",
        "searchresultspage", "medicalwebpage", "realestatelisting", "checkoutpage", "contactpage",
    }
)  # fmt: skip
_NOT_THE_ARTICLE = frozenset(
    {
        "website", "organization", "newsmediaorganization", "corporation", "person", "imageobject",
        "comment", "answer", "breadcrumblist", "listitem", "searchaction", "readaction", "place",
        "postaladdress", "contactpoint", "rating", "aggregaterating", "offer", "brand", "thing",
        "sitenavigationelement", "wpheader", "wpfooter", "wpsidebar", "event", "country",
    }
)  # fmt: skip
_DATE_KEYS = ("datePublished", "uploadDate", "dateCreated")

_MAX_NODES = 5000
"""JSON-LD nodes read from one page (a hostile page could hold millions)."""
_MAX_NAME = 200
_MAX_TIMES = 1000
"""``<time>`` elements looked at (the article's own is near the top)."""


# --- timestamps ----------------------------------------------------------------------

_ZONE = r"\s*(?P<tz>Z\b|UTC\b|GMT\b|[+-][01]\d(?::?[0-5]\d)?\b)?"
_CLOCK = r"(?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-6]\d)(?:[.,]\d+)?)?" + _ZONE
_STAMP_RE = re.compile(
    r"\s*(?P<y>(?:19|20)\d\d)(?P<sep>[-/.]?)(?P<m>[01]\d)(?P=sep)(?P<d>[0-3]\d)(?!\d)"
    r"(?:(?:T|\s+|\s*,\s*)" + _CLOCK + ")?",
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RFC_2822_RE = re.compile(
    r"\s*(?:[a-z]{3},?\s+)?(?P<d>[0-3]?\d)\s+(?P<mon>" + "|".join(_MONTHS) + r")[a-z]*\.?,?\s+"
    r"(?P<y>(?:19|20)\d\d),?\s+" + _CLOCK,
    re.IGNORECASE,
)
"""``Tue, 18 Feb 2020 02:18:11 +0000`` (RSS, HTTP, some JSON-LD)."""
_PLACEHOLDER_DATES = frozenset({"1970-01-01", "1900-01-01", "1999-11-30"})


@dataclass(slots=True, frozen=True)
class Stamp:
    """A date as a page states it: the day, and the time of day and zone when known."""

    date: str
    clock: datetime | None = None
    """The local date and time as written (when a time is written)."""
    offset: timedelta | None = None
    """The zone offset when written (``Z`` is zero), None for a local time."""


def parse_stamp(value: str) -> Stamp | None:
    """``2020-02-18T02:18:11Z``, ``2020-02-18 02:18``, ``2020/02/18``, ``20200218``,
    ``Tue, 18 Feb 2020 02:18:11 +0000``, and what :func:`first_date` reads
    (``18.02.2020``, ``February 18, 2020``…)."""
    value = value.strip()[:100]
    if not value:
        return None
    match = _STAMP_RE.match(value)
    if match is not None:
        month = int(match["m"])
    else:
        match = _RFC_2822_RE.match(value)
        if match is None:
            written = first_date(value)
            return Stamp(written) if written and written not in _PLACEHOLDER_DATES else None
        month = _MONTHS.index(match["mon"].lower()) + 1
    try:
        day = datetime(int(match["y"]), month, int(match["d"]))
    except ValueError:
        return None
    iso = day.date().isoformat()
    if iso in _PLACEHOLDER_DATES:
        return None
    if match["H"] is None:
        return Stamp(iso)
    try:
        clock = day.replace(hour=int(match["H"]), minute=int(match["M"]), second=int(match["S"] or 0))
    except ValueError:
        return Stamp(iso)
    return Stamp(iso, clock, _offset(match["tz"]))


def _offset(zone: str | None) -> timedelta | None:
    if zone is None:
        return None
    if zone[0] not in "+-":
        return timedelta(0)  # Z, UTC, GMT
    digits = zone[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return -delta if zone[0] == "-" else delta


def local_day(chosen: Stamp, others: list[Stamp]) -> str:
    """The day of ``chosen``, or, for a UTC time, the day of the same instant
    written in local time among ``others`` (same minute and second, a whole
    number of quarter hours apart, at most 14 hours)."""
    if chosen.clock is None or chosen.offset != timedelta(0):
        return chosen.date
    for other in others:
        if other.clock is None or other.offset == timedelta(0) or other.date == chosen.date:
            continue
        if other.offset is not None:
            if other.clock - other.offset == chosen.clock:
                return other.date
            continue
        apart = other.clock - chosen.clock
        if abs(apart) <= timedelta(hours=14) and apart.total_seconds() % 900 == 0:
            return other.date
    return chosen.date


# --- JSON-LD -------------------------------------------------------------------------

_JSON_START_RE = re.compile(r"[\[{]")
_WRAPPER_RE = re.compile(r"<!\[CDATA\[|\]\]>|<!--|-->")
_TRAILING_COMMA_RE = re.compile(r",(\s*[\]}])")
_DECODER = json.JSONDecoder(strict=False)


def json_ld_values(text: str) -> list[Any]:
    """The JSON values in a JSON-LD script: wrappers (``<![CDATA[``, ``<!--``,
    ``/* */``) ignored, several values one after another all read, trailing
    commas forgiven. Empty when nothing reads."""
    if "<!" in text or "]]>" in text or "-->" in text:
        text = _WRAPPER_RE.sub(" ", text)
    start = _JSON_START_RE.search(text)
    if start is None:
        return []
    end = max(text.rfind("}"), text.rfind("]"))
    body = text[start.start() : end + 1]
    for attempt in (body, _TRAILING_COMMA_RE.sub(r"\1", body)):
        values = _decode_all(attempt)
        if values:
            return values
    return []


def _decode_all(body: str) -> list[Any]:
    values: list[Any] = []
    position = 0
    while position < len(body):
        try:
            value, position = _DECODER.raw_decode(body, position)
        except (ValueError, RecursionError):  # broken JSON, "[[[[…" nested too deep
            return values
        values.append(value)
        found = _JSON_START_RE.search(body, position)
        if found is None:
            break
        position = found.start()
    return values


@dataclass(slots=True)
class Node:
    data: dict[str, Any]
    types: frozenset[str]
    depth: int
    order: int


def json_ld_nodes(values: list[Any]) -> list[Node]:
    """Every object with properties in ``values`` (top-level lists, ``@graph``,
    lists in lists, objects nested in properties), in document order, with its
    depth (``@graph`` members and list items count as top level)."""
    nodes: list[Node] = []
    stack: list[tuple[Any, int]] = [(value, 0) for value in reversed(values)]
    while stack and len(nodes) < _MAX_NODES:
        value, depth = stack.pop()
        if isinstance(value, list):
            stack.extend((item, depth) for item in reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        nodes.append(Node(value, _types(value.get("@type")), depth, len(nodes)))
        for key, item in reversed(list(value.items())):
            if isinstance(item, dict | list):
                stack.append((item, depth if key == "@graph" else depth + 1))
    return nodes


def _types(value: Any) -> frozenset[str]:
    names = value if isinstance(value, list) else [value]
    # "schema:NewsArticle", "http://schema.org/NewsArticle" -> "newsarticle"
    return frozenset(re.split(r"[/:#]", name)[-1].lower() for name in names if isinstance(name, str))


def _is_article(node: Node) -> bool:
    return any(_ARTICLE_TYPE_RE.search(name) for name in node.types)


def _text(value: Any) -> str | None:
    """A string property: a string, the first string of a list, an ``@value``."""
    if isinstance(value, list):
        for item in value:
            text = _text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _name(value: Any, by_id: dict[str, dict[str, Any]], hops: int = 0) -> str | None:
    """A publisher's name: a string, an object's ``name`` (or ``legalName``,
    ``alternateName``), the first named one of a list, an ``@id`` reference."""
    if hops > 3:
        return None
    if isinstance(value, str):
        text = " ".join(value.split())
        if text in by_id:
            return _name(by_id[text], by_id, hops + 1)
        if not text or text.lower().startswith(("http://", "https://")):
            return None
        return text[:_MAX_NAME]
    if isinstance(value, list):
        for item in value:
            name = _name(item, by_id, hops)
            if name:
                return name
        return None
    if isinstance(value, dict):
        for key in ("name", "legalName", "alternateName"):
            named = _text(value.get(key))
            if named:
                return " ".join(named.split())[:_MAX_NAME]
        ref = value.get("@id")
        if isinstance(ref, str) and ref in by_id and by_id[ref] is not value:
            return _name(by_id[ref], by_id, hops + 1)
        return None
    return None


_LOOSE_DATE_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,60})"')
_LOOSE_PUBLISHER_RE = re.compile(r'"publisher"\s*:\s*\{[^{}]*?"name"\s*:\s*"([^"]{1,200})"')


# --- the page ------------------------------------------------------------------------


class _Page:
    """What one walk over the page's ``meta``, ``link``, ``script`` and ``time``
    elements collects."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.scripts: list[str] = []
        self.times: list[etree._Element] = []
        self.microdata_publisher: str | None = None
        """``<meta itemprop=name>`` inside an ``itemprop=publisher`` element."""


def _collect(root: etree._Element) -> _Page:
    page = _Page()
    meta = page.meta
    for element in root.iter("meta", "link", "script", "time"):
        tag = element.tag
        if tag == "meta":
            content = element.get("content") or element.get("datetime") or element.get("value")
            if not content or not content.strip():
                continue
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                key = element.get(attribute)
                if key:
                    meta.setdefault(key.strip().lower(), content.strip())
            if page.microdata_publisher is None and element.get("itemprop") == "name" and _in_publisher(element):
                page.microdata_publisher = content.strip()
        elif tag == "link":
            if page.canonical is None and element.get("href"):
                rel = (element.get("rel") or "").lower().split()
                if "canonical" in rel:
                    page.canonical = element.get("href")
        elif tag == "script":
            if "ld+json" in (element.get("type") or "").lower() and element.text:
                page.scripts.append(element.text)
        elif len(page.times) < _MAX_TIMES:
            page.times.append(element)
    return page


def _in_publisher(element: etree._Element) -> bool:
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= 4:
            return False
        if "publisher" in (ancestor.get("itemprop") or ""):
            return True
    return False


def read_metadata(root: etree._Element, base: str | None, *, text_dates: bool = True) -> Metadata:
    """The page's title, publisher, date and address. ``text_dates=False``: the
    date only from the markup, never from the page's text (:func:`text_date`)."""
    page = _collect(root)
    meta = Metadata()
    properties = page.meta
    values = [value for script in page.scripts for value in json_ld_values(script)]
    nodes = json_ld_nodes(values)
    by_id = {node.data["@id"]: node.data for node in nodes if isinstance(node.data.get("@id"), str)}
    articles = sorted((node for node in nodes if _is_article(node)), key=lambda node: (node.depth, node.order))

    meta.title = properties.get("og:title")
    if meta.title is None:
        title = root.find(".//title")
        if title is not None and title.text:
            meta.title = " ".join(title.text.split())
    meta.site_url = _site_url(page, articles, base)
    meta.language = _language(root, properties)
    meta.publisher = _publisher(properties, nodes, articles, by_id, page.scripts, page.microdata_publisher)
    meta.date = _date(page, nodes, articles, meta.site_url)
    if meta.date is None and text_dates:
        meta.date = text_date(root, meta.site_url)
    return meta


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_LANGUAGE_META = ("content-language", "language", "dc.language", "dcterms.language", "og:locale", "inlanguage")


def _language(root: etree._Element, properties: dict[str, str]) -> str | None:
    """The language the page states: ``<html lang>`` / ``xml:lang``, else a
    ``content-language`` (http-equiv), ``language``, ``DC.language`` or
    ``og:locale`` meta tag -- as an ISO 639-1 code."""
    element = root if root.tag == "html" else root.getroottree().getroot()
    for holder in (element, root):
        for attribute in ("lang", "xml:lang", _XML_LANG):
            code = language_tag(holder.get(attribute))
            if code:
                return code
    for key in _LANGUAGE_META:
        code = language_tag(properties.get(key))
        if code:
            return code
    return None


def text_date(root: etree._Element, url: str | None) -> str | None:
    """The publication date written in the page's text ("Posted 12.03.2019",
    a dated byline, a date in the address), for a page whose markup states none:
    htmldate's fast search (``extensive_search=False``: no guesses from
    copyright years or any date on the page). It copies the tree it is given.
    None when htmldate is not installed."""
    try:
        from htmldate import find_date
    except ImportError:
        return None
    if url is not None and not url.lower().startswith(("http://", "https://")):
        url = None
    try:
        if not isinstance(root, html.HtmlElement):
            # htmldate reads lxml.html trees only; refcheck parses with lxml.etree
            # (cheaper for everything else): this page, which has no date in its
            # markup, is handed over re-parsed.
            root = html.document_fromstring(etree.tostring(root, encoding="unicode"))
        found = find_date(root, url=url, original_date=True, extensive_search=False)
    except Exception:  # its failure on one odd page costs that page's date only
        return None
    return found if isinstance(found, str) and _ISO_DAY_RE.fullmatch(found) else None


_ISO_DAY_RE = re.compile(r"(?:19|20)\d\d-[01]\d-[0-3]\d")


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or not href.strip():
        return None
    href = href.strip()
    if base and not href.lower().startswith(("http://", "https://")):
        href = urljoin(base, href)
    return href


def _site_url(page: _Page, articles: list[Node], base: str | None) -> str | None:
    found: list[str] = []
    candidates = [page.canonical, page.meta.get("og:url")]
    for node in articles[:1]:
        candidates.append(_text(node.data.get("url")))
        entity = node.data.get("mainEntityOfPage")
        candidates.append(_text(entity.get("@id") if isinstance(entity, dict) else entity))
    candidates.append(base)
    for candidate in candidates:
        url = _absolute(candidate, base)
        if url:
            if url.lower().startswith(("http://", "https://")):
                return url
            found.append(url)
    return found[0] if found else None


def _publisher(
    properties: dict[str, str],
    nodes: list[Node],
    articles: list[Node],
    by_id: dict[str, dict[str, Any]],
    scripts: list[str],
    microdata_publisher: str | None,
) -> str | None:
    for node in articles:
        name = _name(node.data.get("publisher"), by_id)
        if name:
            return name
    for key in ("og:site_name", "application-name", "dc.publisher", "dcterms.publisher", "citation_publisher"):
        if properties.get(key):
            return " ".join(properties[key].split())[:_MAX_NAME]
    if microdata_publisher:  # after the above: themes ship it filled with "Client Company"
        return " ".join(microdata_publisher.split())[:_MAX_NAME]
    for node in nodes:
        if "publisher" in node.data:
            name = _name(node.data["publisher"], by_id)
            if name:
                return name
    for node in nodes:
        if "website" in node.types:
            name = _name({"name": node.data.get("name")}, by_id)
            if name:
                return name
    if not nodes:
        for script in scripts:  # JSON that does not read
            found = _LOOSE_PUBLISHER_RE.search(script)
            if found:
                return " ".join(found.group(1).split())[:_MAX_NAME]
    return None


def _date(page: _Page, nodes: list[Node], articles: list[Node], site_url: str | None) -> str | None:
    candidates = _date_candidates(page, nodes, articles, site_url)
    best = next(candidates, None)
    if best is None:
        return None
    if best.offset == timedelta(0) and best.clock is not None:
        hints = list(candidates)
        hints.extend(stamp for stamp in map(_any_time_stamp, page.times) if stamp)
        return local_day(best, hints)
    return best.date


def _date_candidates(page: _Page, nodes: list[Node], articles: list[Node], site_url: str | None) -> Iterator[Stamp]:
    """The dates the page's markup states, the best first (see the module's docstring)."""
    for node in articles:
        stamp = _node_stamp(node, ("datePublished",))
        if stamp:
            yield stamp
    properties = page.meta
    for key in PUBLISHED_META:
        value = properties.get(key)
        stamp = parse_stamp(value) if value else None
        if stamp:
            yield stamp
    for element in page.times:
        stamp = _time_stamp(element)
        if stamp:
            yield stamp
    for node in articles:
        stamp = _node_stamp(node, ("dateCreated", "uploadDate"))
        if stamp:
            yield stamp
    others = [node for node in nodes if node.types and not _is_article(node) and not node.types & _NOT_THE_ARTICLE]
    others.sort(key=lambda node: (bool(node.types & _PAGE_TYPES), node.depth, node.order))
    for node in others:
        stamp = _node_stamp(node, _DATE_KEYS)
        if stamp:
            yield stamp
    if not nodes:
        for script in page.scripts:  # JSON that does not read
            found = _LOOSE_DATE_RE.search(script)
            stamp = parse_stamp(found.group(1)) if found else None
            if stamp:
                yield stamp
    if site_url:
        stamp = _url_stamp(site_url)
        if stamp:
            yield stamp
    for element in page.times:
        stamp = _any_time_stamp(element)
        if stamp:
            yield stamp
            break
    for node in articles or [node for node in nodes if node.types & _PAGE_TYPES]:
        stamp = _node_stamp(node, ("dateModified",))
        if stamp:
            yield stamp
    for key in MODIFIED_META:
        value = properties.get(key)
        stamp = parse_stamp(value) if value else None
        if stamp:
            yield stamp


_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/_-]([01]?\d)[/_-]([0-3]?\d)(?:[/_.-]|$)")
"""``/2020/02/18/slug``, ``/2020-02-18-slug``: a date in the article's own address."""


def _url_stamp(url: str) -> Stamp | None:
    found = _URL_DATE_RE.search(url)
    if found is None:
        return None
    try:
        return Stamp(datetime(int(found[1]), int(found[2]), int(found[3])).date().isoformat())
    except ValueError:
        return None


def _any_time_stamp(element: etree._Element) -> Stamp | None:
    value = element.get("datetime")
    return parse_stamp(value) if value else None


def _node_stamp(node: Node, keys: tuple[str, ...]) -> Stamp | None:
    for key in keys:
        text = _text(node.data.get(key))
        stamp = parse_stamp(text) if text else None
        if stamp:
            return stamp
    return None


_PUBLISHED_CLASS_RE = re.compile(r"\b(?:pubdate|published|entry-date|date-published|post-date)\b", re.IGNORECASE)
_UPDATED_CLASS_RE = re.compile(r"\b(?:updated|modified)\b", re.IGNORECASE)


def _time_stamp(element: etree._Element) -> Stamp | None:
    """A ``<time>`` that says it is the publication date."""
    itemprop = (element.get("itemprop") or "").lower()
    classes = element.get("class") or ""
    telling = (
        itemprop in ("datepublished", "datecreated")
        or element.get("pubdate") is not None
        or (_PUBLISHED_CLASS_RE.search(classes) is not None and not _UPDATED_CLASS_RE.search(classes))
    )
    if not telling:
        return None
    value = element.get("datetime") or element.get("content") or element.text or ""
    return parse_stamp(value)
