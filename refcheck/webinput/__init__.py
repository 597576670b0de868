"""Live pages, sitemaps and feeds as the corpus (``refcheck https://…``, ``--sitemap``,
``--feed``; docs/web-input.md).

This module is light (no network code): the command line and the settings file use it
to tell an address from a file and to check addresses and dates. :mod:`.corpus` reads
the pages (fetch -> extract), :mod:`.fetch` owns the requests, :mod:`.sitemap` and
:mod:`.feed` turn a site's own lists into page addresses.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from refcheck import defaults

_WEB_SCHEMES = ("http://", "https://")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


SITEMAP_OPTION, FEED_OPTION = "--sitemap", "--feed"
"""How the run's note about a sitemap or feed that gave no page list at all begins
(``--sitemap https://…/sitemap.xml: cannot fetch: HTTP 404 (not found)``), wherever it
was given (the command line or the settings file)."""


def lists_not_read(notes: Iterable[str]) -> list[str]:
    """The run's notes that say a sitemap or feed gave no page list at all."""
    return [note for note in notes if note.startswith((f"{SITEMAP_OPTION} ", f"{FEED_OPTION} "))]


def not_read_text(notes: Iterable[str]) -> str:
    """For the exit line, when a sitemap or feed could not be read but the run went on:
    ``--sitemap https://…/sitemap.xml not read``, ``2 sitemaps or feeds not read``; ''
    when none failed."""
    failed = lists_not_read(notes)
    if not failed:
        return ""
    if len(failed) == 1:
        # "--sitemap ADDRESS: why": an address holds no space, so ": " ends it
        return f"{failed[0].split(': ', 1)[0]} not read (see the notes)"
    return f"{len(failed):,} sitemaps or feeds not read (see the notes)"


def is_web_address(text: str) -> bool:
    """``https://example.org/story``: a page to fetch, not a file name."""
    return text[:8].lower().startswith(_WEB_SCHEMES)


def looks_like_address(text: str) -> bool:
    """Any ``scheme://`` (``ftp://…``, ``file:///…``): not a file name either."""
    return bool(_SCHEME_RE.match(text))


def address_problem(text: str) -> str | None:
    """Why ``text`` cannot be read as a live page (in a few words), or None."""
    if not is_web_address(text):
        return "not an http(s) address"
    if len(text) > defaults.MAX_URL_LENGTH:
        return "address too long"
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in text):
        return "an address has no spaces or control characters"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError as exc:
        return f"not a valid address ({exc})"
    if not parts.hostname:
        return "no host in the address"
    return None


def parse_since(text: str) -> datetime:
    """``--since``: an ISO date (``2026-11-01``) or date and time; a time without a zone
    is UTC. Raises ``ValueError`` for anything else."""
    text = text.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        raise ValueError("not an ISO date")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_W3C_RE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


def period_end(text: str) -> datetime | None:
    """The last moment a W3C date (a sitemap's ``lastmod``: ``2026``, ``2026-11``,
    ``2026-11-20``, ``2026-11-20T10:00+01:00``) may stand for, or None when it is not
    one. A whole year or month counts as its end: "on or after" gives a partial date
    the benefit of the doubt."""
    match = _W3C_RE.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        if month is None:
            return datetime(int(year), 12, 31, 23, 59, 59, tzinfo=UTC)
        if day is None:
            last = calendar.monthrange(int(year), int(month))[1]
            return datetime(int(year), int(month), last, 23, 59, 59, tzinfo=UTC)
        if hour is None:
            return datetime(int(year), int(month), int(day), 23, 59, 59, tzinfo=UTC)
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    if zone is None or zone == "Z":
        return moment.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (moment - sign * offset).replace(tzinfo=UTC)
