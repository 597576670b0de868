"""Every default of a run, defined once: the settings file, the command line's
help, the resolver and the archive client all read them from here."""

from __future__ import annotations

CONCURRENCY = 128
"""Links checked at once, over all hosts."""
PER_HOST = 4
"""Requests in flight to one host (link checks, soft-404 probes and archive lookups alike)."""
HOST_INTERVAL = 0.1
"""Seconds between the starts of two requests to one host."""
TIMEOUT = 20.0
"""Seconds for each step of one request (connect, each read)."""
RETRIES = 2
"""Further attempts after a transient failure (time-out, reset, 429/5xx)."""
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 8.0
RETRY_AFTER_CAP = 60.0
"""A Retry-After longer than this is not waited for: the link is ``rate-limited`` this run."""
MAX_REDIRECTS = 10
BODY_LIMIT = 64 * 1024
"""Bytes of a page read at most (titles and soft-404 clues are at the top)."""
MAX_FILE_SIZE = 20_000_000
MAX_URL_LENGTH = 65_536
"""Characters; a longer URL is ``invalid`` without a request (httpx's limit too)."""

ARCHIVE_INTERVAL = 2.0
"""Seconds between two requests to the Internet Archive (its CDX API allows about 30 a minute)."""
ARCHIVE_TIMEOUT = 30.0
ARCHIVE_BACKOFF = 60.0
"""Seconds to wait after the archive answers 429."""
ARCHIVE_ATTEMPTS = 3
WAYBACK_URL = "https://archive.org"
CDX_URL = "https://web.archive.org"
ARCHIVES = ("wayback", "memento")
"""The archives a run may ask (``--archives``): the Internet Archive's Wayback Machine,
and a Memento (RFC 7089) aggregator that lists captures in other web archives."""
MEMENTO_URL = "https://timetravel.mementoweb.org"
"""The Memento aggregator's base (Time Travel, Los Alamos National Laboratory; a MemGator
server answers the same ``/api/json/`` path)."""
MEMENTO_NEAR_DAYS = 90.0
"""A Wayback capture this close to the citation date is near enough: the aggregator is not asked."""


def link_time_cap(timeout: float, retries: int, retry_after_cap: float = RETRY_AFTER_CAP) -> float:
    """Seconds for one link as a whole (every attempt, back-off, redirects, a body
    dripped a byte at a time): each request has its own time-outs, this caps the sum."""
    return timeout * (retries + 1) * 2 + retry_after_cap + 5


# Live pages, sitemaps and feeds as input (refcheck/webinput; docs/web-input.md).
MAX_PAGES = 1_000
"""Pages taken from sitemaps and feeds at most in one run (``--max-pages``); pages named
on the command line are always read."""
MAX_PAGE_SIZE = 5_000_000
"""Bytes of one live page read at most (``--max-page-size``): a larger page is read up to
this many bytes, with a notice beside it."""
SITEMAP_MAX_BYTES = 50_000_000
"""Bytes of one sitemap read at most, once decompressed (the sitemaps.org limit): a gzip
bomb or a sitemap that never ends stops here, with a note."""
SITEMAP_MAX_ENTRIES = 50_000
"""Entries of one sitemap (or sitemap index) read at most (the sitemaps.org limit)."""
SITEMAP_MAX_DEPTH = 3
"""Sitemap indexes nested at most this deep (an index of indexes of sitemaps: 3)."""
MAX_SITEMAPS = 200
"""Sitemap files read at most in one run (indexes and the sitemaps they list)."""
FEED_MAX_BYTES = 5_000_000
"""Bytes of one feed read at most: a feed that never ends stops here, with a note."""
WEB_TIME_LIMIT = 120.0
"""Seconds one page, sitemap or feed may take at most as a whole (every redirect, the body
dripped a byte at a time); less with a short ``--timeout`` (see :func:`web_time_cap`)."""


def web_time_cap(timeout: float) -> float:
    """Seconds one live page, sitemap or feed may take as a whole: six steps of
    ``timeout``, at most :data:`WEB_TIME_LIMIT`."""
    return min(WEB_TIME_LIMIT, timeout * 6)
