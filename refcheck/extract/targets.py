"""Where an article's own links lead: to a place in the article (``#id``) or to a
file beside it (``data/table.csv``, ``img/map.png``, ``../other.md``).

* ``broken-anchor`` (warning): an in-page link -- ``href="#id"``, ``[x](#id)``,
  a note's back-link -- whose id the document does not have. HTML: the ``id`` of
  any element and the ``name`` of ``<a>``; Markdown: heading slugs (GitHub,
  markdown-it-anchor, Pandoc, Python-Markdown), ``{#id}`` attributes, ids of raw
  HTML, compared without case. Not checked: ``#`` alone, ``#top`` (the top of the
  page, by the HTML standard), ``#!…`` and ``#/…`` (application routes), ``#:~:``
  (text fragments); a link to the page's own address with a fragment (the copy
  may not be the page); the back-link of a note nothing refers to (its
  ``unreferenced-footnote`` says it). One problem per target, at its first link.
* ``missing-file`` (error): a relative link (no scheme, not ``/…`` nor ``//…``,
  no ``<base href>`` -- the HTML reader resolves those to URLs) naming a file that
  does not exist, resolved against the folder of the article's file. Query and
  fragment are dropped, ``%xx`` decoded. Every relative link, found or not, is
  listed once in ``Document.local_links`` (at its first line); none is checked over
  HTTP. An article read from memory (no folder) gets neither.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from refcheck.extract.source import MarkupLink, ParsedSource
from refcheck.extract.urls import registrable_domain
from refcheck.models import PROBLEM_SEVERITY, FootnoteLabel, LocalLink, Problem

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_BACKLINK_RE = re.compile(r"^(?:fnref|cite_ref|footnote-ref|noteref|_ftnref)", re.IGNORECASE)
_NOT_A_MARKER = "\u2063not-a-marker"
_TEMPLATE_MARKS = ("{{", "{%", "<%", "${")
# GitHub resolves a README's "../../issues/new" to the repository's web pages.
_GITHUB_ROUTE_RE = re.compile(
    r"^(?:\.\./)+(?:issues|pulls?|wiki|blob|tree|releases|actions|compare|commits?|discussions|security"
    r"|graphs|network|projects|milestones|labels|tags|branches|raw)(?:/|$)"
)
_BUILT_FROM = (".md", ".markdown", ".rst", ".txt", ".adoc")
"""A missing ``x.html`` beside an ``x.md`` is the page a site generator builds from it."""
_WEB_SUFFIXES = ("com", "org", "net", "edu", "gov", "int", "info")


def check_targets(
    parsed: ParsedSource, path: str, folder: Path | None, referenced: set[FootnoteLabel]
) -> tuple[list[Problem], list[LocalLink]]:
    """``broken-anchor`` and ``missing-file`` problems, and the local links.
    ``path`` is the article's path as displayed, ``folder`` the folder of its file
    (None: read from memory), ``referenced`` the labels of the notes something refers to."""
    links = list(parsed.links)
    for note in parsed.notes or []:
        links.extend(note.links)
    links.sort(key=lambda link: link.line)
    problems = _broken_anchors(parsed, links, referenced)
    if folder is None:
        return problems, []
    found = _local_links(links, path, folder)
    problems.extend(_missing_file(local, link) for local, link in found if not local.exists)
    return problems, [local for local, _ in found]


def _broken_anchors(parsed: ParsedSource, links: list[MarkupLink], referenced: set[FootnoteLabel]) -> list[Problem]:
    anchors = parsed.anchors
    if anchors is None:
        return []
    fold = parsed.anchors_fold_case
    defined = {note.label for note in parsed.notes or []}
    defined.add(_NOT_A_MARKER)
    reported: set[str] = set()
    problems: list[Problem] = []
    for link in links:
        href = link.href.strip()
        if not href.startswith("#"):
            continue
        target = href[1:]
        if target in reported or not _checked(target):
            continue
        if _found(target, anchors, fold):
            continue
        if link.note is not None and link.note not in referenced and _BACKLINK_RE.match(target):
            continue  # the back-link of a note nothing refers to: unreferenced-footnote says it
        if parsed.marker_targets.get(target, _NOT_A_MARKER) not in defined:
            continue  # a marker of a note that does not exist: missing-footnote says it
        reported.add(target)
        where = "heading or id" if fold else "element with that id"
        problems.append(
            Problem(
                "broken-anchor",
                link.note,
                link.line,
                f"in-page link #{target} leads nowhere: the article has no {where}",
                PROBLEM_SEVERITY["broken-anchor"],
            )
        )
    return problems


def _checked(target: str) -> bool:
    """Whether ``#target`` is an anchor to look for (not ``#``, ``#top``, a route or a text fragment)."""
    return bool(target) and target.lower() != "top" and not target.startswith(("!", "/", ":~:"))


def _found(target: str, anchors: set[str], fold: bool) -> bool:
    candidates = (target, unquote(target)) if "%" in target else (target,)
    return any((candidate.lower() if fold else candidate) in anchors for candidate in candidates)


def _local_links(links: list[MarkupLink], path: str, folder: Path) -> list[tuple[LocalLink, MarkupLink]]:
    found: list[tuple[LocalLink, MarkupLink]] = []
    seen: set[str] = set()
    display_folder = posixpath.dirname(path)
    for link in links:
        relative = _relative_path(link.href)
        if relative is None or relative in seen:
            continue
        seen.add(relative)
        real = os.path.normpath(os.path.join(folder, relative))
        shown = posixpath.normpath(posixpath.join(display_folder, relative))
        found.append((LocalLink(link.href.strip(), shown, link.line, _exists(real), link.region), link))
    return found


def _exists(real: str) -> bool:
    if os.path.exists(real):
        return True
    stem, extension = os.path.splitext(real)
    return extension.lower() in (".html", ".htm") and any(os.path.exists(stem + source) for source in _BUILT_FROM)


def _relative_path(href: str) -> str | None:
    """The file a relative link names (query and fragment dropped, ``%xx`` decoded,
    ``\\`` read as ``/``), or None when the link is not a relative one."""
    href = href.strip()
    if not href or href.startswith(("#", "/", "\\", "?")) or _SCHEME_RE.match(href):
        return None
    relative = unquote(re.split(r"[?#]", href, maxsplit=1)[0]).replace("\\", "/")
    if any(mark in relative for mark in _TEMPLATE_MARKS):
        return None  # a template's placeholder, not a file
    if _GITHUB_ROUTE_RE.match(relative):
        return None
    return relative if relative.strip() and "\x00" not in relative else None


def _missing_file(local: LocalLink, link: MarkupLink) -> Problem:
    message = f"link to {local.target} names a file that does not exist ({local.path})"
    if _looks_like_a_site(local.target):
        message += "; a web address needs https://"
    return Problem("missing-file", link.note, local.line, message, PROBLEM_SEVERITY["missing-file"])


def _looks_like_a_site(target: str) -> bool:
    """``www.example.org/x``, ``spec.commonmark.org``: a web address written without its scheme."""
    host = target.split("/", 1)[0].lower()
    labels = host.split(".")
    if len(labels) < 2 or registrable_domain(host) is None:
        return False
    return host.startswith("www.") or len(labels) >= 3 or labels[-1] in _WEB_SUFFIXES
