"""Resolving the link table: cache, then the network, politely.

Each unique URL is checked at most once a run. Hosts are worked in parallel,
each by at most ``per_host`` workers, under one global limit. A verdict that
rests on a server's answer is written to the cache the moment it is known --
the verdicts finished in one turn of the event loop go in one transaction at
the end of that turn, before any further wait (an interrupted run loses nothing
it finished; one commit per verdict was the largest CPU cost of a cold check on
a fast network, measured); a verdict that rests on a
failure to reach anything (DNS, refused, time-out) is held back until the run
knows whether the network worked at all: if no server answered -- the archive
included -- those links become ``unknown`` and nothing about them is cached.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from refcheck.models import HistoryEntry, Hop, LinkResult
from refcheck.resolve.archive import Archive, ArchiveSettings
from refcheck.resolve.cache import DAY, Cache
from refcheck.resolve.check import Checker, CheckSettings
from refcheck.resolve.politeness import Throttle
from refcheck.resolve.verdict import ALIVE, REUSABLE_FOR, Verdict

HISTORY_LIMIT = 30
KEEP_LINK_FOR = 180 * DAY  # a link's history is kept this long after its last check
# Outcomes that, without any server answering, may only mean that there is no network.
_NETWORK_FAILURES = frozenset({"dead", "error", "timeout"})


@dataclass
class ResolveSettings:
    offline: bool = False
    refresh: bool = False
    max_age_days: float | None = None
    concurrency: int = 128
    per_host: int = 4
    host_interval: float = 0.1
    check: CheckSettings = field(default_factory=CheckSettings)
    archive: str = "dead"
    """Archive lookups for: ``dead`` (dead, soft-404 and unknown links), ``all``, ``none``."""
    archive_settings: ArchiveSettings = field(default_factory=ArchiveSettings)
    save_missing: bool = False
    """Submit live links that have no capture to Save Page Now 2."""


@dataclass
class ResolveReport:
    checked: int = 0
    from_cache: int = 0
    requests: int = 0
    archive_requests: int = 0
    network_down: bool = False
    notes: list[str] = field(default_factory=list)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def resolve_links(
    links: dict[str, LinkResult],
    settings: ResolveSettings,
    cache: Cache | None,
    progress: Callable[[LinkResult], None] | None = None,
) -> ResolveReport:
    return asyncio.run(_resolve(links, settings, cache, progress))


async def _resolve(
    links: dict[str, LinkResult],
    settings: ResolveSettings,
    cache: Cache | None,
    progress: Callable[[LinkResult], None] | None,
) -> ResolveReport:
    report = ResolveReport()
    pending: dict[str, list[LinkResult]] = defaultdict(list)
    for link in links.values():
        parts = urlsplit(link.url)
        if "://" not in link.url or not parts.hostname:
            _apply(link, Verdict("invalid", error="not a valid URL"), now_iso())
            continue
        if parts.scheme not in ("http", "https"):
            _apply(link, Verdict("skipped", error=f"unsupported scheme {parts.scheme}:"), now_iso())
            continue
        if cache is not None:
            stored = _load(link, cache)
            if not settings.refresh and _reuse(link, stored, settings.max_age_days):
                report.from_cache += 1
                continue
        if settings.offline:
            link.status, link.alive, link.error = "unknown", None, "offline run: not checked"
            continue
        pending[parts.hostname.lower()].append(link)
    throttle = Throttle(settings.concurrency, settings.per_host, settings.host_interval)
    checker = Checker(settings.check, throttle, cache)
    writes = _WriteBatch(cache, asyncio.get_running_loop())
    held_back: list[tuple[LinkResult, Verdict, str]] = []
    check = settings.check
    # Every request has its own time-outs; this caps a link as a whole (retries,
    # back-off, redirects, a server that drips its body a byte at a time).
    per_link_cap = check.link_time_limit or check.timeout * (check.retries + 1) * 2 + check.retry_after_cap + 5
    answered = False

    async def work(queue: list[LinkResult]) -> None:
        nonlocal answered
        while queue:
            link = queue.pop()
            try:
                async with asyncio.timeout(per_link_cap):  # not wait_for: no extra task per link
                    verdict = await checker.check(link.url)
            except TimeoutError:
                verdict = Verdict("timeout", error=f"no verdict within {per_link_cap:.0f} s (total time per link)",
                                  network_answered=True)  # fmt: skip
            checked_at = now_iso()
            report.checked += 1
            _apply(link, verdict, checked_at)
            if verdict.network_answered:
                answered = True
                writes.add(link, verdict, checked_at)
            elif verdict.status in _NETWORK_FAILURES:
                held_back.append((link, verdict, checked_at))  # judged once we know the network worked
            if progress is not None:
                progress(link)

    try:
        await asyncio.gather(
            *(work(queue) for queue in pending.values() for _ in range(min(settings.per_host, len(queue))))
        )
    finally:
        writes.flush()
        await checker.aclose()
        report.requests = checker.requests
    archive_answered = await _archive_lookups(links, settings, cache, report)
    if not answered and not archive_answered and held_back:
        report.network_down = True
        for link, verdict, _ in held_back:
            link.status, link.alive = "unknown", None
            link.error = f"network unusable (no server answered this run): {verdict.error}"
        report.notes.append(
            f"the network seems unusable: no server answered this run, so {len(held_back)} links are 'unknown'"
            " (not dead) and nothing about them was cached"
        )
    elif cache is not None:
        cache.set_many([_entry(link, verdict, checked_at) for link, verdict, checked_at in held_back])
    return report


class _WriteBatch:
    """Cache writes gathered during one turn of the event loop and committed
    together at its end (``call_soon`` runs after the callbacks already ready)."""

    def __init__(self, cache: Cache | None, loop: asyncio.AbstractEventLoop) -> None:
        self._cache = cache
        self._loop = loop
        self._items: list[tuple[str, Any, float | None]] = []

    def add(self, link: LinkResult, verdict: Verdict, checked_at: str) -> None:
        if self._cache is None:
            return
        if not self._items:
            self._loop.call_soon(self.flush)
        self._items.append(_entry(link, verdict, checked_at))

    def flush(self) -> None:
        items, self._items = self._items, []
        if items and self._cache is not None:
            self._cache.set_many(items)


_ARCHIVE_FOR_DEAD = frozenset({"dead", "soft-404", "unknown", "error", "timeout"})


async def _archive_lookups(
    links: dict[str, LinkResult], settings: ResolveSettings, cache: Cache | None, report: ResolveReport
) -> bool:
    """Archive copies for the links that need one; True when the archive answered."""
    if settings.archive == "none":
        return False
    every = settings.archive == "all" or settings.save_missing
    wanted = [
        link for link in links.values()
        if link.status not in ("invalid", "skipped") and (every or link.status in _ARCHIVE_FOR_DEAD)
    ]  # fmt: skip
    if not wanted:
        return False
    archive = Archive(settings.archive_settings, cache)
    try:
        for link in wanted:
            link.archive = await archive.closest(link.url, _cited_date(link), offline=settings.offline)
        if settings.save_missing and not settings.offline:
            saved = 0
            for link in wanted:
                if link.status == "ok" and link.archive is not None and link.archive.available is False:
                    copy, reason = await archive.save(link.url)
                    if copy.available:
                        link.archive = copy
                        saved += 1
                    elif reason:
                        link.error = reason
            report.notes.append(f"Save Page Now: {saved} new captures")
    finally:
        await archive.aclose()
    report.archive_requests = archive.requests
    if archive.unreachable:
        report.notes.append(f"{archive.unreachable}; archive copies not looked up this run")
    return archive.answered


def _cited_date(link: LinkResult) -> str | None:
    """When the link was cited: the earliest date among the citing notes/articles."""
    dates = sorted(cited.date for cited in link.cited_by if cited.date)
    return dates[0] if dates else None


def _apply(link: LinkResult, verdict: Verdict, checked_at: str) -> None:
    link.status = verdict.status  # type: ignore[assignment]
    link.alive = verdict.alive
    link.http_status = verdict.http_status
    link.final_url = verdict.final_url
    link.redirects = list(verdict.redirects)
    link.error = verdict.error
    link.checked_at = checked_at
    link.elapsed_ms = verdict.elapsed_ms
    link.from_cache = False
    link.history = [*link.history, HistoryEntry(checked_at, verdict.status)][-HISTORY_LIMIT:]
    link.failures = 0 if verdict.status == "ok" else link.failures + 1


def _entry(link: LinkResult, verdict: Verdict, checked_at: str) -> tuple[str, Any, float | None]:
    """The link's one cache entry: its history, and its verdict when that is one to reuse."""
    entry: dict[str, object] = {
        "history": [[h.checked_at, h.status] for h in link.history],
        "failures": link.failures,
        "verdict": None,
    }
    if verdict.status in REUSABLE_FOR:  # otherwise an attempt's outcome, not the link's: history only
        entry["verdict"] = {
            "status": verdict.status,
            "http_status": verdict.http_status,
            "final_url": verdict.final_url,
            "redirects": [[hop.url, hop.status] for hop in verdict.redirects],
            "error": verdict.error,
            "checked_at": checked_at,
            "elapsed_ms": verdict.elapsed_ms,
        }
    return _link_key(link.url), entry, KEEP_LINK_FOR


def _load(link: LinkResult, cache: Cache) -> dict[str, object] | None:
    """The link's cache entry; sets its history. Returns the stored verdict, if any."""
    data = cache.get(_link_key(link.url))
    if not isinstance(data, dict):
        return None
    try:
        link.history = [HistoryEntry(str(at), str(status)) for at, status in data.get("history", [])][-HISTORY_LIMIT:]
        link.failures = int(data.get("failures", 0))
    except (TypeError, ValueError):
        link.history, link.failures = [], 0
    verdict = data.get("verdict")
    return verdict if isinstance(verdict, dict) else None


def _reuse(link: LinkResult, data: dict[str, object] | None, max_age_days: float | None) -> bool:
    if data is None or data.get("status") not in REUSABLE_FOR:
        return False
    try:
        status = str(data["status"])
        checked_at = datetime.fromisoformat(str(data["checked_at"]))
        age = (datetime.now(UTC) - checked_at).total_seconds()
        lifetime = REUSABLE_FOR[status] * DAY
        if max_age_days is not None:
            lifetime = min(lifetime, max_age_days * DAY)
        if age > lifetime:
            return False
        link.status = status  # type: ignore[assignment]
        link.alive = ALIVE.get(status)
        link.http_status = data.get("http_status")  # type: ignore[assignment]
        link.final_url = data.get("final_url")  # type: ignore[assignment]
        link.redirects = [Hop(str(url), int(code)) for url, code in data.get("redirects", [])]  # type: ignore[attr-defined]
        link.error = data.get("error")  # type: ignore[assignment]
        link.checked_at = checked_at.isoformat()
        link.elapsed_ms = data.get("elapsed_ms")  # type: ignore[assignment]
    except (KeyError, TypeError, ValueError):
        return False
    link.from_cache = True
    return True


def _link_key(url: str) -> str:
    return "link:" + url
