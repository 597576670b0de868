"""RSS and Atom feeds, read by feedparser (BSD-2) from bytes refcheck fetched itself
(feedparser never fetches anything: it is handed the body, capped at
:data:`~refcheck.defaults.FEED_MAX_BYTES`). Each entry's link is a page to read; with
``--since`` an entry dated (published, else updated) before it is left out, one without
a date kept."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from refcheck.webinput import is_web_address


@dataclass(slots=True)
class FeedEntry:
    link: str
    date: str | None = None
    """ISO date and time (UTC) the feed gives the entry, if any."""


@dataclass(slots=True)
class ParsedFeed:
    entries: list[FeedEntry] = field(default_factory=list)
    error: str | None = None
    """Why nothing could be read (not a feed)."""
    not_web: int = 0


_ENTRY_START_RE = re.compile(rb"<(?:item|entry)[\s>/]", re.IGNORECASE)


def first_entries(body: bytes, count: int) -> bytes:
    """The body cut before its ``count + 1``-th entry (``<item>``, ``<entry>``):
    feedparser takes about 1.5 s a megabyte, and entries past those the run may take
    are not worth it (a feed that never ends holds tens of thousands)."""
    for index, match in enumerate(_ENTRY_START_RE.finditer(body)):
        if index == count:
            return body[: match.start()]
    return body


def parse_feed(body: bytes, address: str, content_type: str | None, max_entries: int) -> ParsedFeed:
    """The first ``max_entries`` entries of a feed's body (``address``: where it came
    from, for relative links)."""
    import feedparser  # type: ignore[import-untyped]

    body = first_entries(body, max_entries)

    headers = {"content-location": address}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    result = ParsedFeed()
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        result.error = "not an RSS or Atom feed" + (f" ({_one_line(reason)})" if reason else "")
        return result
    for entry in parsed.entries[:max_entries]:
        link = (entry.get("link") or "").strip()
        if not link:
            continue
        if not is_web_address(link):
            result.not_web += 1
            continue
        moment = entry.get("published_parsed") or entry.get("updated_parsed")
        date = datetime.fromtimestamp(calendar.timegm(moment), UTC).isoformat() if moment else None
        result.entries.append(FeedEntry(link, date))
    return result


def _one_line(value: object, limit: int = 120) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
