"""What a run writes down about each link: its verdict, its history, its cache entry.

A verdict that rests on a server's answer is written to the cache the moment it
is known -- the verdicts finished in one turn of the event loop go in one
transaction at the end of that turn, before any further wait (an interrupted
run loses nothing it finished; one commit per verdict was the largest CPU cost
of a cold check on a fast network, measured).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from refcheck.models import HistoryEntry, Hop, LinkResult, LinkStatus, Verdict
from refcheck.redact import redact
from refcheck.resolve.cache import HISTORY_LIMIT, LinkEntry
from refcheck.resolve.store import VerdictStore


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record(link: LinkResult, verdict: Verdict, checked_at: str | None = None) -> None:
    """``verdict`` becomes the link's, as checked now (or at ``checked_at``); its history grows by one."""
    verdict.checked_at = checked_at or verdict.checked_at or now_iso()
    # User-info, the link's own or from a server's Location, is never reported or cached.
    if verdict.final_url and "@" in verdict.final_url:
        verdict.final_url = redact(verdict.final_url)
    if any("@" in hop.url for hop in verdict.redirects):
        verdict.redirects = [Hop(redact(hop.url), hop.status) for hop in verdict.redirects]
    if verdict.error and "@" in verdict.error:
        verdict.error = redact(verdict.error)
    link.verdict = verdict
    link.from_cache = False
    link.history = [*link.history, HistoryEntry(verdict.checked_at, verdict.status)][-HISTORY_LIMIT:]
    link.failures = 0 if verdict.status is LinkStatus.OK else link.failures + 1


def settle(link: LinkResult, status: LinkStatus, error: str | None) -> None:
    """A verdict reached without a check (``unknown`` in an offline run): no history, nothing cached."""
    link.verdict = Verdict(status, error=error)
    link.from_cache = False


def annul(link: LinkResult, error: str, *, forget: bool) -> None:
    """The last check does not count (the network, not the link, failed): the link
    is ``unknown``; ``forget``: its history also drops that check."""
    link.verdict = replace(link.verdict, status=LinkStatus.UNKNOWN, error=error)
    if forget:
        if link.history:
            link.history = link.history[:-1]
        link.failures = max(0, link.failures - 1)


def restore(link: LinkResult, entry: LinkEntry | None, max_age_days: float | None, *, reuse: bool = True) -> bool:
    """Give the link what the cache remembers; True when its stored verdict is
    reused (``reuse`` and fresh enough), so it needs no check."""
    if entry is None:
        return False
    link.history, link.failures = list(entry.history), entry.failures
    verdict = entry.fresh_verdict(max_age_days) if reuse else None
    if verdict is None:
        return False
    link.verdict = verdict
    link.from_cache = True
    return True


def entry_of(link: LinkResult) -> tuple[str, LinkEntry]:
    """The link's cache entry: its history, and its verdict when that is one to
    reuse (otherwise an attempt's outcome, not the link's: history only)."""
    reusable = link.verdict.status.reusable_days is not None
    return link.url, LinkEntry(link.history, link.failures, link.verdict if reusable else None)


class WriteBatch:
    """Cache writes gathered during one turn of the event loop and committed
    together at its end (``call_soon`` runs after the callbacks already ready)."""

    def __init__(self, cache: VerdictStore | None) -> None:
        self._cache = cache
        self._links: list[LinkResult] = []

    def add(self, link: LinkResult) -> None:
        if self._cache is None:
            return
        if not self._links:
            import asyncio  # (running already: only checks add to a batch)

            asyncio.get_running_loop().call_soon(self.flush)
        self._links.append(link)

    async def written(self) -> None:
        """Return once the links added so far are committed. The flush runs at the
        end of this turn of the loop, but a check's task may send its next request
        within the same turn (a pooled connection's write does not wait), and a
        run killed then would lose a verdict it had finished: this yields first."""
        if self._links:
            import asyncio

            await asyncio.sleep(0)  # the flush was scheduled before this task's next step

    def flush(self) -> None:
        links, self._links = self._links, []
        if links and self._cache is not None:
            self._cache.store_links(entry_of(link) for link in links)

    def write_now(self, links: Iterable[LinkResult]) -> None:
        if self._cache is not None:
            self._cache.store_links(entry_of(link) for link in links)
