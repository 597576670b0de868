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
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from refcheck.models import HistoryEntry, Hop, LinkResult
from refcheck.redact import redact, without_userinfo
from refcheck.resolve.archive import Archive, ArchiveSettings
from refcheck.resolve.cache import DAY, Cache
from refcheck.resolve.check import Checker, CheckSettings
from refcheck.resolve.politeness import Throttle
from refcheck.resolve.verdict import ALIVE, REUSABLE_FOR, Verdict

HISTORY_LIMIT = 30
KEEP_LINK_FOR = 180 * DAY  # a link's history is kept this long after its last check
# Outcomes that, without any server answering, may only mean that there is no network.
_NETWORK_FAILURES = frozenset({"dead", "error", "timeout"})
# Verdicts that rest on a complete HTTP answer (not a time-out, a 429 or a reset).
_PROMPT_ANSWERS = frozenset({"ok", "dead", "soft-404", "blocked"})


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
    fetch_urls: dict[str, str] | None = None,
) -> ResolveReport:
    """Verdicts for ``links`` (keyed by their shown URL). ``fetch_urls`` maps a
    shown URL whose credentials were masked to the URL to fetch."""
    return asyncio.run(_resolve(links, settings, cache, progress, fetch_urls or {}))


async def _resolve(
    links: dict[str, LinkResult],
    settings: ResolveSettings,
    cache: Cache | None,
    progress: Callable[[LinkResult], None] | None,
    fetch_urls: dict[str, str],
) -> ResolveReport:
    report = ResolveReport()
    pending: dict[str, list[LinkResult]] = defaultdict(list)
    for link in links.values():
        try:
            parts = urlsplit(link.url)
        except ValueError as exc:  # "http://[zz]/": not even parseable
            _apply(link, Verdict("invalid", error=f"not a valid URL: {exc}"), now_iso())
            continue
        if parts.scheme and parts.scheme not in ("http", "https"):
            _apply(link, Verdict("skipped", error=f"unsupported scheme {parts.scheme}:"), now_iso())
            continue
        problem = _address_problem(link.url, parts)
        if problem is not None:
            _apply(link, Verdict("invalid", error=problem), now_iso())
            continue
        assert parts.hostname is not None  # _address_problem checked it
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
    per_link_cap = settings.check.link_cap()
    # The clock of a link starts when it may run (one of ``concurrency``), not while
    # it waits behind slow hosts for a request slot.
    running = asyncio.Semaphore(settings.concurrency)
    answered = False
    witnesses: dict[str, str] = {}
    """Host -> a URL it answered promptly this run, the most recent hosts last."""
    reached: dict[str, str] = {}
    """Host -> a URL for which it answered in any way (a 429, a time-out after connecting)."""

    async def check_one(link: LinkResult) -> Verdict:
        async with running:
            try:
                async with asyncio.timeout(per_link_cap):  # not wait_for: no extra task per link
                    return await checker.check(fetch_urls.get(link.url, link.url))
            except TimeoutError:
                return Verdict("timeout", error=f"no verdict within {per_link_cap:.0f} s (total time per link)",
                               network_answered=True)  # fmt: skip
            except Exception as exc:  # a bug or an unforeseen failure: one link's verdict, not the run's end
                return Verdict("error", error=f"internal error: {type(exc).__name__}: {exc}")

    async def work(queue: list[LinkResult]) -> None:
        nonlocal answered
        while queue:
            link = queue.pop()
            verdict = await check_one(link)
            checked_at = now_iso()
            report.checked += 1
            _apply(link, verdict, checked_at)
            if verdict.network_answered:
                answered = True
                writes.add(link, verdict, checked_at)
                host = urlsplit(link.url).hostname or ""
                # A host that answered promptly can vouch for the network; one that answered at all, failing that.
                chosen = witnesses if verdict.status in _PROMPT_ANSWERS else reached
                chosen.pop(host, None)
                chosen[host] = fetch_urls.get(link.url, link.url)
            elif verdict.status in _NETWORK_FAILURES:
                held_back.append((link, verdict, checked_at))  # judged once we know the network worked
            if progress is not None:
                progress(link)

    try:
        await asyncio.gather(
            *(work(queue) for queue in pending.values() for _ in range(min(settings.per_host, len(queue))))
        )
        if held_back and answered:
            # Preferably hosts that did not fail: a site going down is not the network going
            # down. With no other host (a one-site corpus), the failing sites' own earlier
            # answers are the only evidence left; if they no longer answer either, nothing
            # can tell an outage from the sites' end, and the links stay 'unknown'.
            failing = {urlsplit(link.url).hostname for link, _, _ in held_back}
            vouching = (
                [url for host, url in witnesses.items() if host not in failing]
                or [url for host, url in reached.items() if host not in failing]
                or list(witnesses.values())
                or list(reached.values())
            )
            if vouching:
                held_back = await _second_opinion(held_back, vouching[-3:], check_one, writes, report)
            if cache is not None and not report.network_down:
                # Judged (the network worked): cached now, not after the archive lookups,
                # so an interruption there loses none of them.
                cache.set_many([_entry(link, verdict, checked_at) for link, verdict, checked_at in held_back])
                held_back = []
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


async def _second_opinion(
    held_back: list[tuple[LinkResult, Verdict, str]],
    witnesses: list[str],
    check_one: Callable[[LinkResult], Awaitable[Verdict]],
    writes: _WriteBatch,
    report: ResolveReport,
) -> list[tuple[LinkResult, Verdict, str]]:
    """Links that failed without any server answering (DNS, refused, time-out)
    while others answered: was it them, or did the network drop part-way? Ask
    hosts that answered earlier (witnesses). None answers now: the network is
    gone, and those links are ``unknown`` and not cached. One answers: each
    failed link is checked once more, and the second verdict stands (a passing
    outage is not link rot)."""
    alive = False
    for witness in (LinkResult(url, None) for url in witnesses):
        if (await check_one(witness)).network_answered:
            alive = True
            break
    if not alive:
        for link, verdict, _ in held_back:
            link.status, link.alive = "unknown", None
            link.error = f"network stopped answering during the run: {verdict.error}"
            _forget_last_check(link)
        report.network_down = True
        report.notes.append(
            f"the network stopped answering during the run (hosts that had answered no longer do): {len(held_back)}"
            " links are 'unknown' (not dead) and nothing about them was cached; the next run checks them"
        )
        return []

    async def again(item: tuple[LinkResult, Verdict, str]) -> tuple[LinkResult, Verdict, str] | None:
        link = item[0]
        verdict = await check_one(link)
        checked_at = now_iso()
        _forget_last_check(link)
        _apply(link, verdict, checked_at)
        if verdict.network_answered:
            writes.add(link, verdict, checked_at)
            return None
        return (link, verdict, checked_at) if verdict.status in _NETWORK_FAILURES else None

    still = [item for item in await asyncio.gather(*(again(item) for item in held_back)) if item is not None]
    recovered = len(held_back) - len(still)
    if recovered:
        report.notes.append(
            f"{recovered} of {len(held_back)} links that failed to connect answered when checked again"
            " (a passing outage); their second verdict stands"
        )
    return still


def _forget_last_check(link: LinkResult) -> None:
    """Undo what _apply added to the link's history for a check that does not count."""
    if link.history:
        link.history = link.history[:-1]
    link.failures = max(0, link.failures - 1)


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
            # The archive is asked about the address, never about its credentials.
            address = without_userinfo(link.url)
            link.archive = await archive.closest(address, _cited_date(link), offline=settings.offline)
        if settings.save_missing and not settings.offline:
            saved = 0
            for link in wanted:
                if link.status == "ok" and link.archive is not None and link.archive.available is False:
                    copy, reason = await archive.save(without_userinfo(link.url))
                    if copy.available:
                        link.archive = copy
                        saved += 1
                    elif reason:
                        link.error = redact(reason)  # the archive's words may quote an address
            report.notes.append(f"Save Page Now: {saved} new captures")
    finally:
        await archive.aclose()
    report.archive_requests = archive.requests
    if archive.unreachable:
        report.notes.append(f"{archive.unreachable}; archive copies not looked up this run")
    return archive.answered


_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?$", re.IGNORECASE)
_DOTTED_QUAD = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")
_BAD_HOST_CHARACTERS = frozenset(' <>"{}|\\^`%@/?#')


def _address_problem(url: str, parts: SplitResult) -> str | None:
    """Why ``url`` cannot be an http(s) address at all, or None."""
    if "://" not in url or not parts.hostname:
        return "not a valid URL (no host)"
    host = parts.hostname
    if any(character in _BAD_HOST_CHARACTERS or ord(character) < 0x21 for character in host) and not (
        host.startswith("[") or ":" in host
    ):
        return f"not a valid host name: {host[:80]!r}"
    if _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
        # 2130706433, 127.1, 0x7f000001: forms that socket libraries map onto an
        # address (here 127.0.0.1) but that no real link uses.
        return f"not a canonical IPv4 address: {host}"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError as exc:
        return f"not a valid port: {exc}"
    return None


def _cited_date(link: LinkResult) -> str | None:
    """When the link was cited: the earliest date among the citing notes/articles."""
    dates = sorted(cited.date for cited in link.cited_by if cited.date)
    return dates[0] if dates else None


def _apply(link: LinkResult, verdict: Verdict, checked_at: str) -> None:
    # User-info, the link's own or from a server's Location, is never reported or cached.
    if verdict.final_url and "@" in verdict.final_url:
        verdict.final_url = redact(verdict.final_url)
    if any("@" in hop.url for hop in verdict.redirects):
        verdict.redirects = [Hop(redact(hop.url), hop.status) for hop in verdict.redirects]
    if verdict.error and "@" in verdict.error:
        verdict.error = redact(verdict.error)
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
