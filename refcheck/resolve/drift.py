"""Content drift: does a live page still say what was cited? (issue 15)

No network here. :func:`read_page` turns a bounded prefix of a page (the archive
capture closest to the citation date, or the live page) into a :class:`PageDigest`:
its title, the site's name where the page states it, and the word 5-shingles of
its main text (found by the project's own main-content extraction,
:mod:`refcheck.extract.region`). :func:`classify` compares the capture's digest
with the live page's and gives a :class:`~refcheck.models.Drift`:

* ``replaced``: the live page is a parked domain, the site's home page (the
  final address is the site root, or the title is now the site's name), a generic
  landing page, or another story (title and text far from the capture's);
* ``changed``: the same subject, edited (title close, text partly different);
* ``none``: title and text match;
* ``unknown``: not comparable (unreadable, not HTML, too little text).

Similarity: titles (the site's name taken off) by token-sort ratio (difflib on
the sorted words; measured against rapidfuzz's token-set and token-sort ratios on
the labelled set: token-set is blind to added words, rapidfuzz's token-sort is
no better than difflib's, so no dependency), main text by exact Jaccard over the
CRC-32s of its word 5-shingles (bounded text: at most :data:`TEXT_WORDS` words, so
exact costs no more than MinHash would). The thresholds were chosen on
benchmarks/drift_eval.py's labelled set (its figures: benchmarks/RESULTS.md).

A digest holds only numbers and short strings, so it can be cached as JSON and a
nightly re-run compares the live page with the capture without asking the archive.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit

from refcheck.models import Drift, DriftVerdict

PAGE_LIMIT = 256 * 1024
"""Bytes of a page (capture or live) read at most: the title and the start of the story."""
TEXT_WORDS = 4_000
"""Words of main text compared at most (shingles of a bounded text: exact Jaccard is cheap)."""
SHINGLE = 5
MIN_WORDS = 40
"""Main text shorter than this (on either side) is too little to compare."""

# Thresholds, chosen on benchmarks/drift/ (benchmarks/drift_eval.py prints the grid).
SAME_TEXT = 0.70
"""Text Jaccard from which the text is the same (boilerplate differs between a capture and today)."""
SAME_TITLE = 0.95
"""Title similarity from which the titles match."""
CLOSE_TITLE = 0.70
"""Title similarity from which the live page is about the same subject."""
SHARED_TEXT = 0.30
"""Text Jaccard from which the live text still shares passages with the capture."""
SITE_NAME_TITLE = 0.90
"""Live title this close to the site's name: the page is the site's front or landing page."""
LANDING_WORDS = 60
"""A live page with less main text than this, when the capture had much more, is a landing page."""
CAPTURE_WINDOW_DAYS = 365
"""A capture further than this from the citation date is not evidence of what was cited
(the page may have changed in between): drift ``unknown``, never compared."""

_WORD_RE = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·»~/-]\s+|\s+-{2}\s+")
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_PARKED_RE = re.compile(
    r"(?:this|the)\s+domain(?:\s+name)?\s+(?:\S+\s+)?(?:is|may\s+be)\s+for\s+sale|buy\s+this\s+domain|"
    r"domain\s+(?:is\s+)?parked|parked\s+(?:free|domain|by)|domain\s+parking|sedoparking|hugedomains|"
    r"this\s+domain\s+(?:has\s+)?expired|make\s+an\s+offer\s+on\s+this\s+domain|inquire\s+about\s+this\s+domain",
    re.IGNORECASE,
)
_GENERIC_TITLE_RE = re.compile(
    r"^\W*(?:home|home\s*page|homepage|welcome|index|start|front\s*page|news|latest(?:\s+(?:news|stories))?|"
    r"top\s+stories|archives?|search|sitemap|page\s+moved|moved|startseite|nachrichten|aktuell|accueil|"
    r"actualités|inicio|portada|noticias|notizie|notícias|início|новости|главная|الرئيسية|أخبار|ראשי|חדשות|"
    r"خانه|اخبار|anasayfa|ana\s+sayfa|haberler)\W*$",
    re.IGNORECASE,
)
"""A headline that names a section or a front page, not a story (``News``, ``Home``, ``Startseite``)."""
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/en", "/en/"})


@dataclass(slots=True)
class PageDigest:
    """What drift compares of one page."""

    title: str | None
    site: str | None
    """The site's name as the page states it (``og:site_name``, ``application-name``)."""
    shingles: frozenset[int]
    """CRC-32 of each word 5-shingle of the main text (bounded)."""
    words: int
    """Words of main text (bounded by :data:`TEXT_WORDS`)."""
    parked: bool = False
    """The page says the domain is parked or for sale."""

    def to_plain(self) -> dict[str, Any]:
        return {"title": self.title, "site": self.site, "shingles": sorted(self.shingles), "words": self.words,
                "parked": self.parked}  # fmt: skip

    @classmethod
    def from_plain(cls, data: object) -> PageDigest | None:
        """None for data that is not a digest (a damaged cache row)."""
        if not isinstance(data, dict):
            return None
        title, site, shingles, words, parked = (data.get(key) for key in ("title", "site", "shingles", "words",
                                                                           "parked"))  # fmt: skip
        if not (title is None or isinstance(title, str)) or not (site is None or isinstance(site, str)):
            return None
        if not isinstance(shingles, list) or not all(type(item) is int for item in shingles):
            return None
        if type(words) is not int or not isinstance(parked, bool):
            return None
        return cls(title, site, frozenset(shingles), words, parked)


def read_page(body: bytes, content_type: str | None = None) -> PageDigest | None:
    """The digest of a page (a bounded prefix of it), or None when it is not an HTML page."""
    if content_type and not any(kind in content_type.lower() for kind in ("html", "xml")):
        return None
    head = body[:PAGE_LIMIT]
    if b"<" not in head[:4096]:
        return None
    text = _decode(head, content_type)
    from lxml import etree

    from refcheck.resolve.verdict import page_title

    try:
        root = etree.fromstring(text, parser=etree.HTMLParser(huge_tree=True, remove_comments=True))
    except (etree.ParserError, ValueError):
        return None
    if root is None:
        return None
    title = page_title(text[:16384].encode("utf-8"))  # as decoded: the title and the text agree on the encoding
    words = _WORD_RE.findall(_main_text(root).lower())[:TEXT_WORDS]
    parked = bool(_PARKED_RE.search(f"{title or ''} {' '.join(words[:400])}"))
    return PageDigest(title, _site_name(root), shingles_of(words), len(words), parked)


def shingles_of(words: list[str]) -> frozenset[int]:
    """CRC-32s of the word 5-shingles (a text shorter than 5 words: one shingle of it all)."""
    if not words:
        return frozenset()
    if len(words) < SHINGLE:
        return frozenset({zlib.crc32(" ".join(words).encode())})
    return frozenset(zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1))


def jaccard(first: frozenset[int], second: frozenset[int]) -> float:
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def title_similarity(first: str | None, second: str | None) -> float | None:
    """Token-sort ratio, 0..1 (None when either title is missing): the titles' words,
    lower case and sorted, compared as strings (difflib), so word order and
    punctuation do not count, and a word added ("Update: …") does. Not token-set:
    it scores a title inside a longer one 1.0, and on the labelled set it missed
    three times as many edited titles (benchmarks/drift_eval.py --titles)."""
    if not first or not second:
        return None
    a, b = _sorted_words(first), _sorted_words(second)
    if not a or not b:
        return None
    return round(SequenceMatcher(None, a, b, autojunk=False).ratio(), 3)


def _sorted_words(text: str) -> str:
    return " ".join(sorted(_WORD_RE.findall(text.lower())))


def cited_similarity(cited: str | None, title: str | None) -> float | None:
    """The title an article gives against a page's title: the best of the whole title
    and its parts (an article quotes the headline, seldom the site's name after it)."""
    if not cited or not title:
        return None
    parts = [title, *(part for part in _TITLE_SEPARATORS.split(title) if part.strip())]
    return max(title_similarity(cited, part) or 0.0 for part in parts)


def same_name(first: str | None, second: str | None) -> bool:
    """Whether two short names are the same (a headline that contains the site's name is not it)."""
    return (title_similarity(first, second) or 0.0) >= SITE_NAME_TITLE


def headline(title: str | None, site: str | None = None) -> str | None:
    """The title without the site's name around it (``Story | The Site`` -> ``Story``)."""
    if not title:
        return None
    parts = [part for part in _TITLE_SEPARATORS.split(title) if part.strip()]
    if len(parts) < 2:
        return title
    if site:
        kept = [part for part in parts if not same_name(part, site)]
        if kept:
            return " - ".join(kept)
    return max(parts, key=len)


def site_name(then: PageDigest, now: PageDigest, url: str) -> str | None:
    """The site's name: as a page states it, else the part of the capture's title
    that is not its headline (``Story | The Site`` -> ``The Site``)."""
    if now.site or then.site:
        return now.site or then.site
    if then.title:
        parts = [part.strip() for part in _TITLE_SEPARATORS.split(then.title) if part.strip()]
        if len(parts) >= 2:
            return min((parts[0], parts[-1]), key=len)
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.").split(".")[0] or None


def is_home(url: str, final_url: str | None) -> bool:
    """The cited address was a page inside the site, and the live one is its root."""
    if not final_url:
        return False
    try:
        cited, final = urlsplit(url), urlsplit(final_url)
    except ValueError:
        return False
    cited_path = cited.path.rstrip("/").lower()
    return cited_path not in _HOME_PATHS and final.path.lower() in _HOME_PATHS and not final.query


def classify(
    then: PageDigest | None,
    now: PageDigest | None,
    *,
    url: str,
    final_url: str | None = None,
    cited_title: str | None = None,
    why_not: str | None = None,
) -> Drift:
    """The drift verdict for a capture (``then``) and the live page (``now``).
    ``why_not``: why a side is missing (said as the reason of ``unknown``)."""
    drift = Drift(cited_title=cited_title)
    if then is not None:
        drift.then_title = then.title
    if now is not None:
        drift.now_title = now.title
        drift.cited_similarity = cited_similarity(cited_title, now.title)
    if then is None or now is None:
        drift.reason = why_not or ("the capture is not an HTML page" if then is None else "the live page is not HTML")
        return drift
    site = site_name(then, now, url)
    drift.title_similarity = title_similarity(headline(then.title, site), headline(now.title, site))
    comparable = then.words >= MIN_WORDS and now.words >= MIN_WORDS
    text = jaccard(then.shingles, now.shingles) if comparable else None
    drift.text_similarity = None if text is None else round(text, 3)
    verdict, reason = _decide(then, now, url, final_url, site, drift.title_similarity, text)
    drift.verdict, drift.reason = verdict, reason
    return drift


def _decide(
    then: PageDigest,
    now: PageDigest,
    url: str,
    final_url: str | None,
    site: str | None,
    title: float | None,
    text: float | None,
) -> tuple[DriftVerdict, str]:
    if now.parked and not then.parked:
        return DriftVerdict.REPLACED, "now a parked domain"
    if is_home(url, final_url):
        return DriftVerdict.REPLACED, "now the site's home page"
    now_is_site = same_name(now.title, site)
    then_is_site = same_name(then.title, site)
    if now_is_site and not then_is_site and (text is None or text < SAME_TEXT):
        return DriftVerdict.REPLACED, "the title is now the site's name"
    now_headline = headline(now.title, site)
    if (
        now_headline
        and _GENERIC_TITLE_RE.match(now_headline)
        and not _GENERIC_TITLE_RE.match(headline(then.title, site) or "")
    ):
        return DriftVerdict.REPLACED, "now a section or landing page"
    if then.words >= 2 * LANDING_WORDS and now.words < LANDING_WORDS and title is not None and title < SAME_TITLE:
        return DriftVerdict.REPLACED, "now a page with almost no text (a landing page)"
    if text is None:
        # A title alone does not tell: a script-built page has the same title and no
        # text, a page that kept its title may say something else.
        return DriftVerdict.UNKNOWN, "too little text to compare"
    title_matches = title is None or title >= SAME_TITLE
    if text >= SAME_TEXT and title_matches:
        return DriftVerdict.NONE, "title and text match"
    if text >= SAME_TEXT:
        return DriftVerdict.CHANGED, "the same text under another title"
    if title is not None and title >= CLOSE_TITLE:
        return DriftVerdict.CHANGED, "title close, text edited"
    if text >= SHARED_TEXT:
        return DriftVerdict.CHANGED, "text partly the same"
    return DriftVerdict.REPLACED, "another title and another text"


def _decode(head: bytes, content_type: str | None) -> str:
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        match = _CHARSET_RE.search(head[:4096])
        charset = match.group(1).decode("ascii", "replace") if match else None
    if charset is None:  # undeclared: UTF-8 when it is, else the likeliest encoding
        try:
            return head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a character cut at the prefix's end
                return head[: exc.start].decode("utf-8")
        from charset_normalizer import from_bytes

        best = from_bytes(head[:65536]).best()
        charset = best.encoding if best is not None else "utf-8"
    try:
        return head.decode(charset, errors="replace")
    except LookupError:
        return head.decode("utf-8", errors="replace")


_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "head", "title"})
_BLOCKS = frozenset({"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "td", "tr", "section", "article",
                     "blockquote", "pre", "dd", "dt", "figcaption"})  # fmt: skip


def _main_text(root: Any) -> str:
    """The text of the page's article region (as the article extraction finds it:
    named by the markup, else scored), furniture inside it left out."""
    from lxml import etree

    from refcheck.extract.region import find_regions

    regions = find_regions(root)
    page_roots = regions.page_roots
    scopes = [element for element in regions.keep if id(element) in regions.article_roots]
    seen: set[int] = set()
    pieces: list[str] = []
    for scope in scopes:
        if id(scope) in seen or any(id(ancestor) in seen for ancestor in scope.iterancestors()):
            continue
        seen.add(id(scope))
        walker = etree.iterwalk(scope, events=("start", "end"))
        for event, element in walker:
            tag = element.tag
            skipped = not isinstance(tag, str) or tag in _SKIPPED or id(element) in page_roots
            if event == "start":
                if skipped and element is not scope:
                    walker.skip_subtree()
                    continue
                if tag in _BLOCKS:
                    pieces.append("\n")
                if element.text:
                    pieces.append(element.text)
            elif element is not scope and element.tail:
                pieces.append(element.tail)
    return " ".join("".join(pieces).split())


def _site_name(root: Any) -> str | None:
    for element in root.iter("meta"):
        key = (element.get("property") or element.get("name") or "").lower()
        if key in ("og:site_name", "application-name"):
            content = " ".join((element.get("content") or "").split())
            if content:
                return content[:200]
    return None
