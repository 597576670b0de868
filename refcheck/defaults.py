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


def link_time_cap(timeout: float, retries: int, retry_after_cap: float = RETRY_AFTER_CAP) -> float:
    """Seconds for one link as a whole (every attempt, back-off, redirects, a body
    dripped a byte at a time): each request has its own time-outs, this caps the sum."""
    return timeout * (retries + 1) * 2 + retry_after_cap + 5
