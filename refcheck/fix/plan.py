"""Which citations of an article need a fix, and which are already rescued.

A citation is *rescued* when the article already gives its own archive copy of the
same address next to it -- on the same line, in the same footnote, or (a Markdown
reference link) beside its reference definition: a Wayback Machine snapshot
(``…/web/<timestamp>/<same address>``), an archive.today copy (``archive.ph/<date>/
<same address>``, or a short ``archive.ph/AbCd1`` when it is the only other link
there), or a wiki citation template with an ``archive-url=``. Fix mode reports it and
never adds a second copy: what fix adds makes the citation rescued, so a second run
changes nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from refcheck.extract.urls import find_urls
from refcheck.fix.edit import Article, Edits, Place, places
from refcheck.models import NOT_CHECKED_STATUSES, Citation, Document, DriftVerdict, LinkResult
from refcheck.redact import redact

WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "archive.org"})
"""Hosts whose ``/web/<timestamp>/<address>`` paths are Wayback Machine snapshots (plus
the host of ``--cdx-url``/``--wayback-url``, whose snapshot links the run builds)."""

ARCHIVE_TODAY_HOSTS = frozenset(
    {"archive.today", "archive.ph", "archive.is", "archive.li", "archive.vn", "archive.fo", "archive.md"}
)

_WAYBACK_PATH_RE = re.compile(r"/web/\d{1,14}(?:[a-z]{2}_|\*)?/(?P<original>.+)", re.DOTALL)
_TODAY_DATED_RE = re.compile(r"/(?:\d{14}|\d{4}\.\d\d\.\d\d-\d{6}|newest|oldest)/(?P<original>.+)", re.DOTALL)
_TODAY_SHORT_RE = re.compile(r"/[A-Za-z0-9]{4,8}/?")
_WIKI_TEMPLATE_RE = re.compile(r"\{\{[^{}]*\}\}", re.DOTALL)
_WIKI_ARCHIVE_URL_RE = re.compile(r"\|\s*archive-?url\s*=\s*[^|}\s]", re.IGNORECASE)

SHORT_COPY = ""
"""What :func:`archived_address` returns for an archive copy that does not name its address
(``archive.ph/AbCd1``)."""


def archive_hosts(*bases: str) -> frozenset[str]:
    """The Wayback hosts, and those of the archive API bases in use (a local stand-in)."""
    hosts = set(WAYBACK_HOSTS)
    for base in bases:
        netloc = urlsplit(base).netloc.lower()
        if netloc:
            hosts.add(netloc)
    return frozenset(hosts)


def archived_address(url: str, hosts: frozenset[str]) -> str | None:
    """The address of which ``url`` is an archive copy; :data:`SHORT_COPY` for a copy that
    does not say (a short archive.today link); None when ``url`` is not an archive copy."""
    candidate = url if "://" in url[:10] else "https://" + url.lstrip("/")
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.netloc.lower() in hosts or host in hosts:
        match = _WAYBACK_PATH_RE.fullmatch(path)
        return match.group("original") if match else None
    if host in ARCHIVE_TODAY_HOSTS:
        match = _TODAY_DATED_RE.fullmatch(path)
        if match:
            return match.group("original")
        if _TODAY_SHORT_RE.fullmatch(parts.path) and not parts.query:
            return SHORT_COPY
    return None


def address_key(url: str) -> str:
    """What two spellings of one address share: the host without ``www.``, lower-case,
    the path without a trailing slash, the query, both percent-decoded; not the scheme
    (a capture of ``http://x`` is a copy of ``https://x``)."""
    candidate = url.strip()
    candidate = candidate if "://" in candidate[:10] else "https://" + candidate.lstrip("/")
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").removeprefix("www.")
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return candidate
    # Percent-encoding undone: the archive writes a capture of ``/إدلب`` as ``/%D8%A5…``.
    query = f"?{unquote(parts.query)}" if parts.query else ""
    return f"{host}{port}{unquote(parts.path).rstrip('/')}{query}"


Outcome = Literal["fix", "rescued", "no-capture", "not-located", "by-hand"]
"""``by-hand``: a capture to add in a PDF or Word document, which fix mode lists, never rewrites."""


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The text around a citation where its own archive copy would stand."""

    text: str
    markup: bool
    """HTML: URLs found in the text are entity-unescaped before they are compared."""


def is_rescued(cited: str, around: Iterable[Neighbourhood], hosts: frozenset[str]) -> bool:
    """Does the article give its own archive copy of ``cited`` (a URL as written) in ``around``?"""
    key = address_key(cited)
    for place in around:
        found = [html.unescape(f.text) if place.markup else f.text for f in find_urls(place.text)]
        copies = [archived_address(url, hosts) for url in found]
        if any(copy and address_key(copy) == key for copy in copies):
            return True
        others = {address_key(url) for url, copy in zip(found, copies, strict=True) if copy is None}
        if SHORT_COPY in copies and others == {key}:
            return True  # a short archive.today link beside this link and no other
        if _wiki_archive_url(place.text, cited):
            return True
    return False


def _wiki_archive_url(text: str, cited: str) -> bool:
    """A wiki citation template naming this URL and an ``archive-url=``."""
    if "{{" not in text:
        return False
    return any(
        cited in template.group() and _WIKI_ARCHIVE_URL_RE.search(template.group())
        for template in _WIKI_TEMPLATE_RE.finditer(text)
    )


# ----------------------------------------------------------------------------- one article


@dataclass(frozen=True, slots=True)
class Finding:
    """What fix mode found for one dead citation."""

    path: str
    line: int
    url: str
    """As written in the article."""
    outcome: Outcome
    archive_url: str | None = None
    detail: str = ""


@dataclass(slots=True)
class ArticlePlan:
    edits: Edits
    findings: list[Finding]
    not_checked: int = 0
    """Citations whose link has no verdict (offline and not in the cache…)."""


def plan_article(
    article: Article, document: Document, links: dict[str, LinkResult], hosts: frozenset[str], scope: str
) -> ArticlePlan:
    """The fixes of one article: for each dead, soft-404 or replaced citation, rescued already,
    an archive copy to add (and where), no capture, or not found in the text."""
    plan = ArticlePlan(Edits(article), [])
    notes = {note.number: note.text for note in document.footnotes}
    for group in _groups(document.cited(scope)):
        citation = group[0]
        link = links.get(redact(citation.url))
        if link is None or archived_address(citation.url, hosts) is not None:
            continue  # not checked this run (excluded…), or itself an archive copy
        if link.status in NOT_CHECKED_STATUSES:
            plan.not_checked += len(group)
        if link.status.dead or replaced(link):
            _plan_group(plan, group, link, notes.get(citation.footnote) if citation.footnote is not None else None,
                        hosts, document.path)  # fmt: skip
    return plan


def list_for_editor(
    document: Document, links: dict[str, LinkResult], hosts: frozenset[str], scope: str
) -> tuple[list[Finding], int]:
    """The fixes of a document fix mode does not rewrite (PDF, Word): for each dead,
    soft-404 or replaced citation, rescued already (its own archive copy in the same
    note, or beside it on the same page/paragraph), a capture to add by hand, or none.
    Returns the findings and the number of citations not checked."""
    findings: list[Finding] = []
    not_checked = 0
    notes = {note.number: note.text for note in document.footnotes}
    for group in _groups(document.cited(scope)):
        citation = group[0]
        link = links.get(redact(citation.url))
        if link is None or archived_address(citation.url, hosts) is not None:
            continue
        if link.status in NOT_CHECKED_STATUSES:
            not_checked += len(group)
        if not (link.status.dead or replaced(link)):
            continue
        same_place = [c for c in document.citations if c.line == citation.line and c.footnote == citation.footnote]
        beside = " ".join(other.text for other in same_place)
        around = [Neighbourhood(beside, False)]
        if citation.footnote is not None and citation.footnote in notes:
            around.append(Neighbourhood(notes[citation.footnote], False))
        capture = _capture_of(link)
        if is_rescued(citation.text, around, hosts):
            outcome: Outcome = "rescued"
        elif capture is None:
            outcome = "no-capture"
        else:
            outcome = "by-hand"
        detail = "" if capture else f"{link.status}" + (f": {link.error}" if link.error else "")
        archive_url = capture if outcome == "by-hand" else None
        why = detail if outcome == "no-capture" else ""
        findings.extend(Finding(document.path, citation.line, citation.text, outcome, archive_url, why) for _ in group)
    return findings, not_checked


def _capture_of(link: LinkResult) -> str | None:
    """The archive copy to propose: the lookup's, else (a replaced page) the capture drift read."""
    copy = link.archive
    capture = copy.url if copy is not None and copy.available else None
    if capture is None and link.drift is not None and replaced(link):
        capture = link.drift.capture_url
    return capture or None


def replaced(link: LinkResult) -> bool:
    """Alive, but the address now shows something else (content drift, ``--drift``):
    the capture near the citation date is what the article cited."""
    return link.drift is not None and link.drift.verdict is DriftVerdict.REPLACED


def _groups(citations: list[Citation]) -> list[list[Citation]]:
    """Citations of one URL as written, on one line, of one kind: each group is matched
    with the places on that line that write the URL."""
    groups: dict[tuple[int, str, str], list[Citation]] = {}
    for citation in citations:
        groups.setdefault((citation.line, citation.text, citation.kind), []).append(citation)
    return list(groups.values())


def _plan_group(
    plan: ArticlePlan, group: list[Citation], link: LinkResult, note: str | None, hosts: frozenset[str], path: str
) -> None:
    article = plan.edits.article
    citation = group[0]
    markup = article.format == "html"
    around = [Neighbourhood(article.line(citation.line), markup)] if citation.line <= article.lines else []
    if note:
        around.append(Neighbourhood(note, markup))
    around.extend(_definition_neighbourhoods(article, citation))

    def finding(outcome: Outcome, archive_url: str | None = None, detail: str = "") -> Finding:
        return Finding(path, citation.line, citation.text, outcome, archive_url, detail)

    if is_rescued(citation.text, around, hosts):
        plan.findings.extend(finding("rescued") for _ in group)
        return
    capture = _capture_of(link)
    if not capture:
        why = f"{link.status}" + (f": {link.error}" if link.error else "")
        plan.findings.extend(finding("no-capture", detail=why) for _ in group)
        return
    found = places(article, citation)
    if len(found) not in (1, len(group)):
        detail = "not found on its line" if not found else f"written {len(found)} times on its line"
        plan.findings.extend(finding("not-located", detail=detail) for _ in group)
        return
    for place in found:
        _plan_place(plan, place, citation, around, capture, hosts, finding)


def _plan_place(
    plan: ArticlePlan, place: Place, citation: Citation, around: list[Neighbourhood], archive_url: str,
    hosts: frozenset[str], finding: Callable[..., Finding],
) -> None:  # fmt: skip
    article = plan.edits.article
    last = article.line_of(place.end)
    if last > citation.line:  # the link ends on a later line: its archive copy would stand there
        start, _ = article.span(citation.line)
        _, end = article.span(last)
        reach = Neighbourhood(article.text[start:end], article.format == "html")
        if is_rescued(citation.text, [*around, reach], hosts):
            plan.findings.append(finding("rescued"))
            return
    if plan.edits.add(place, archive_url):
        plan.findings.append(finding("fix", archive_url))


def _definition_neighbourhoods(article: Article, citation: Citation) -> list[Neighbourhood]:
    """A Markdown reference link's definition line and the line under it (where fix adds
    the archived definition)."""
    found = []
    for url, line in article.definitions.values():
        if url == citation.text:
            last = min(line + 1, article.lines)
            start, _ = article.span(line)
            _, end = article.span(last)
            found.append(Neighbourhood(article.text[start:end], False))
    return found
