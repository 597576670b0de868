"""The Wayback Machine's timestamps, and which one a citation asks for (no network here)."""

from __future__ import annotations

import time

from refcheck.models import LinkResult


def wayback_timestamp(date: str | None) -> str:
    """``2018-08-28`` -> ``20180828000000``; ``2018-02`` -> ``20180201000000``; None -> now."""
    if not date:
        return time.strftime("%Y%m%d%H%M%S", time.gmtime())
    digits = date.replace("-", "")
    if len(digits) == 4:
        digits += "0101"
    elif len(digits) == 6:
        digits += "01"
    return (digits + "000000")[:14]


def cited_date(link: LinkResult) -> str | None:
    """When the link was cited: the earliest date among the citing notes/articles."""
    dates = sorted(cited.date for cited in link.cited_by if cited.date)
    return dates[0] if dates else None


def raw_capture_url(snapshot_url: str, timestamp: str) -> str | None:
    """A capture's page as it was archived, without the Wayback toolbar or rewritten
    links: ``<base>/web/<timestamp>/<original>`` -> ``<base>/web/<timestamp>id_/<original>``
    (None when ``snapshot_url`` is not of that form)."""
    marker = f"/web/{timestamp}/"
    if not timestamp.isdigit() or marker not in snapshot_url:
        return None
    base, original = snapshot_url.split(marker, 1)
    return f"{base}/web/{timestamp}id_/{original}"
