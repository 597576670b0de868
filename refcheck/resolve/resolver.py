"""Resolving the link table: plan -> per-host scheduler -> network evidence -> archive.

1. :mod:`plan`: each unique URL is triaged (not an address, known from the
   cache, offline) and the rest grouped by host;
2. :mod:`scheduler`: hosts served round-robin, each by as many lanes as its
   request limit, under one global limit; every request holds a slot of the
   one :class:`~refcheck.resolve.politeness.HostLimiter`, which the archive
   client shares; each verdict is written down (:mod:`ledger`) and cached as
   soon as it rests on a server's answer;
3. :mod:`evidence`: failures without any answer are held back until the run
   knows whether the network worked (second opinion);
4. archive copies for the links that need one;
5. content drift (``--drift``): for live links with a citation date, the capture
   closest to that date against the live page (:mod:`refcheck.resolve.drift`).

The network stack (aiohttp, the checker, the archive client) is imported only
when something needs the network: a re-run that finds every verdict in the
cache, or an offline run, does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from refcheck.models import ArchiveCopy, Drift, DriftVerdict, HistoryEntry, LinkResult, LinkStatus, Verdict
from refcheck.redact import redact, without_userinfo
from refcheck.resolve.ledger import WriteBatch, record
from refcheck.resolve.plan import make_plan
from refcheck.resolve.settings import ArchiveSettings, LinkRules, ResolveSettings
from refcheck.resolve.store import VerdictStore, location_of, open_store
from refcheck.resolve.wayback import cited_date, wayback_timestamp

__all__ = ["ResolveReport", "ResolveSettings", "resolve_links"]

if TYPE_CHECKING:
    from refcheck.resolve.archive import Archive
    from refcheck.resolve.drift import PageDigest
    from refcheck.resolve.evidence import NetworkEvidence
    from refcheck.resolve.politeness import HostLimiter
    from refcheck.resolve.transport import Transport

# Links whose archive copy is looked up by default (``archive = "dead"``).
_ARCHIVE_FOR_DEAD = frozenset(
    {LinkStatus.DEAD, LinkStatus.SOFT_404, LinkStatus.UNKNOWN, LinkStatus.ERROR, LinkStatus.TIMEOUT}
)


@dataclass
class ResolveReport:
    checked: int = 0
    from_cache: int = 0
    requests: int = 0
    archive_requests: int = 0
    network_down: bool = False
    notes: list[str] = field(default_factory=list)


def resolve_links(
    links: dict[str, LinkResult],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    progress: Callable[[LinkResult], None] | None = None,
    fetch_urls: dict[str, str] | None = None,
    *,
    executor: str = "local",
    ray_address: str | None = None,
) -> ResolveReport:
    """Verdicts for ``links`` (keyed by their shown URL). ``fetch_urls`` maps a
    shown URL whose credentials were masked to the URL to fetch. ``executor``: where
    the first pass of checks runs -- ``local`` (this process, or worker processes
    sharded by domain for a large run) or ``ray`` (a checker actor per shard on the
    Ray cluster at ``ray_address`` / ``RAY_ADDRESS``, else a local one, whatever the
    number of links: the user chose the cluster)."""
    fetch_urls = fetch_urls or {}
    plan = make_plan(
        links, cache, offline=settings.offline, refresh=settings.refresh, max_age_days=settings.max_age_days,
        rules=settings.rules,
    )  # fmt: skip
    report = ResolveReport(from_cache=plan.from_cache)
    if not plan.by_host:  # every verdict known: drift the cache knows first (its links need no capture)
        _drift_from_cache(links, settings, cache)
    if not plan.by_host and not _archive_needs_network(links, settings, cache) and not _drift_to_compare(links):
        _drift_without_network(links, settings)
        accept_by_rule(links, settings.rules)
        return report  # nothing needs the network: none of it is imported
    from refcheck.resolve.evidence import NetworkEvidence

    evidence = NetworkEvidence()
    if executor == "ray" and plan.by_host:
        _check_on_ray(links, plan.by_host, settings, cache, progress, fetch_urls, report, evidence, ray_address)
        plan.by_host = {}
    shards = shard_by_domain(plan.by_host, settings.workers) if plan.to_check >= settings.shard_min_links else []
    if len(shards) > 1:
        _check_in_processes(links, shards, settings, cache, progress, fetch_urls, report, evidence)
        plan.by_host = {}
    run_async(_resolve(links, plan.by_host, settings, cache, progress, fetch_urls, report, evidence))
    accept_by_rule(links, settings.rules)
    return report


def accept_by_rule(links: dict[str, LinkResult], rules: LinkRules) -> None:
    """Verdicts whose HTTP status a domain rule accepts (``accept = [403, 999]``) become
    ``ok``, saying so. Applied to this run's view only: the cache keeps the server's
    own answer, so dropping the rule later brings the real verdict back at once."""
    if not any(rule.accept for rule in rules.domains.values()):
        return
    for link in links.values():
        status = link.http_status
        if status is None or link.status in (LinkStatus.OK, LinkStatus.SKIPPED, LinkStatus.INVALID):
            continue
        domain = rules.accepted(_host_of(link.url), status) or rules.accepted(_host_of(link.final_url), status)
        if domain is not None:
            reason = f"HTTP {status} accepted by the domain rule for {domain}"
            link.verdict = replace(link.verdict, status=LinkStatus.OK, error=reason)


def _host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def run_async(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run the checking on uvloop where it is installed (libuv's loop: 0.01-0.04 ms
    less CPU per URL under aiohttp, benchmarks/transport_bench.py), else asyncio's."""
    import asyncio  # here: a run that needs no request never starts a loop

    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(coroutine)


def shard_by_domain(by_host: dict[str, list[LinkResult]], workers: int) -> list[dict[str, list[LinkResult]]]:
    """Hosts grouped into ``workers`` shards by a stable hash of their registrable
    domain (the last two labels of the host; a host's links always land in one
    shard, so its request limit is enforced in one process), balanced by greedy
    assignment of the largest domains first."""
    if workers < 2 or len(by_host) < 2:
        return [by_host] if by_host else []
    domains: dict[str, list[str]] = {}
    for host in by_host:
        domains.setdefault(".".join(host.rsplit(".", 2)[-2:]), []).append(host)
    shards: list[dict[str, list[LinkResult]]] = [{} for _ in range(workers)]
    loads = [0] * workers
    ordered = sorted(domains.items(), key=lambda item: (-sum(len(by_host[h]) for h in item[1]), item[0]))
    for _, hosts in ordered:
        lightest = min(range(workers), key=lambda index: (loads[index], index))
        for host in hosts:
            shards[lightest][host] = by_host[host]
            loads[lightest] += len(by_host[host])
    return [shard for shard in shards if shard]


def _check_in_processes(
    links: dict[str, LinkResult],
    shards: list[dict[str, list[LinkResult]]],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    progress: Callable[[LinkResult], None] | None,
    fetch_urls: dict[str, str],
    report: ResolveReport,
    evidence: NetworkEvidence,
) -> None:
    """The first pass of checks, one shard per worker process (each its own event
    loop, connection pool and host limits); the verdicts, history and network
    evidence come back here, where the second opinion and the archive lookups are
    made once for the whole run."""
    from refcheck.executor import LocalProcesses

    directory = location_of(cache) if cache is not None else None
    jobs = [_ShardJob(shard, settings, directory, _fetch_urls_of(shard, fetch_urls)) for shard in shards]
    pool = LocalProcesses(len(jobs))
    try:
        for done in pool.map(_check_shard, jobs):
            take_verdicts(links, done.verdicts, progress)
            evidence.merge(done.evidence, links)
            report.checked += done.checked
            report.requests += done.requests
    finally:
        pool.close()


def take_verdicts(
    links: dict[str, LinkResult],
    verdicts: dict[str, tuple[Verdict, list[HistoryEntry], int]],
    progress: Callable[[LinkResult], None] | None,
) -> None:
    """Verdicts checked elsewhere (a worker process, a cluster actor) given to this run's records."""
    for url, (verdict, history, failures) in verdicts.items():
        link = links[url]
        link.verdict, link.history, link.failures, link.from_cache = verdict, history, failures, False
        if progress is not None:
            progress(link)


def _check_on_ray(
    links: dict[str, LinkResult],
    by_host: dict[str, list[LinkResult]],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    progress: Callable[[LinkResult], None] | None,
    fetch_urls: dict[str, str],
    report: ResolveReport,
    evidence: NetworkEvidence,
    address: str | None,
) -> None:
    """The first pass on a Ray cluster (:mod:`refcheck.cluster.ray_checkers`): what comes
    back is merged as :func:`_check_in_processes` merges it; the second opinion and the
    archive lookups are then made here, once, as in a local run."""
    from refcheck.cluster.ray_checkers import check_on_ray

    checked, requests, notes = check_on_ray(links, by_host, settings, cache, progress, fetch_urls, evidence, address)
    report.checked += checked
    report.requests += requests
    report.notes.extend(notes)


def _fetch_urls_of(shard: dict[str, list[LinkResult]], fetch_urls: dict[str, str]) -> dict[str, str]:
    return {link.url: fetch_urls[link.url] for queue in shard.values() for link in queue if link.url in fetch_urls}


@dataclass
class _ShardJob:
    by_host: dict[str, list[LinkResult]]
    settings: ResolveSettings
    cache_dir: str | None
    fetch_urls: dict[str, str]


@dataclass
class _ShardDone:
    verdicts: dict[str, tuple[Verdict, list[HistoryEntry], int]]
    evidence: NetworkEvidence
    checked: int
    requests: int


def _check_shard(job: _ShardJob) -> _ShardDone:
    """In a worker process: the first pass over one shard's hosts."""
    from refcheck.resolve.evidence import NetworkEvidence

    cache = open_store(job.cache_dir) if job.cache_dir is not None else None
    report = ResolveReport()
    evidence = NetworkEvidence()
    try:
        run_async(_first_pass(job.by_host, job.settings, cache, job.fetch_urls, report, evidence))
    finally:
        if cache is not None:
            cache.close()
    verdicts = {
        link.url: (link.verdict, link.history, link.failures) for queue in job.by_host.values() for link in queue
    }
    return _ShardDone(verdicts, evidence, report.checked, report.requests)


async def _first_pass(
    by_host: dict[str, list[LinkResult]],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    fetch_urls: dict[str, str],
    report: ResolveReport,
    evidence: NetworkEvidence,
) -> None:
    network = _Network(settings, cache)
    try:
        await network.first_pass(by_host, fetch_urls, report, evidence, None)
    finally:
        await network.close(report)


class _Network:
    """The network side of one event loop: host limits, connection pool, checker."""

    def __init__(self, settings: ResolveSettings, cache: VerdictStore | None) -> None:
        from refcheck.resolve.check import Checker
        from refcheck.resolve.politeness import HostLimiter, HostRule
        from refcheck.resolve.safety import AddressPolicy
        from refcheck.resolve.transport import HTTPTransport, Transport

        self.settings = settings
        domain_rules = {
            domain: HostRule(
                rule.per_host or settings.per_host,
                settings.host_interval if rule.host_interval is None else rule.host_interval,
            )
            for domain, rule in settings.rules.domains.items()
            if rule.per_host is not None or rule.host_interval is not None
        }
        self.limiter = HostLimiter(HostRule(settings.per_host, settings.host_interval), domain_rules=domain_rules)
        policy = AddressPolicy(settings.check.allow_private, settings.check.allowed_networks)
        self.transport = Transport(policy, settings.check.timeout)
        if settings.transport == "curl":
            from refcheck.resolve.transport_curl import CurlTransport

            self.checker_transport: HTTPTransport = CurlTransport(policy, settings.check.timeout)
        else:
            self.checker_transport = self.transport
        self.checker = Checker(settings.check, self.limiter, self.checker_transport, cache)
        self.writes = WriteBatch(cache)

    def lanes(self, host: str) -> int:
        return self.limiter.rule(host).limit

    async def first_pass(
        self,
        by_host: dict[str, list[LinkResult]],
        fetch_urls: dict[str, str],
        report: ResolveReport,
        evidence: NetworkEvidence,
        progress: Callable[[LinkResult], None] | None,
    ) -> None:
        from refcheck.resolve.scheduler import round_robin

        async def check_one(host: str, link: LinkResult) -> None:
            fetched = fetch_urls.get(link.url, link.url)
            result = await self.checker.check(fetched)
            report.checked += 1
            record(link, result.verdict)
            if evidence.saw(host, link, result, fetched):
                self.writes.add(link)
            if progress is not None:
                progress(link)
            await self.writes.written()

        try:
            await round_robin(by_host, self.lanes, self.settings.concurrency, check_one)
        finally:
            self.writes.flush()

    async def close(self, report: ResolveReport) -> None:
        self.writes.flush()
        report.requests += self.checker.requests
        await self.transport.aclose()
        if self.checker_transport is not self.transport:
            await self.checker_transport.aclose()


async def _resolve(
    links: dict[str, LinkResult],
    by_host: dict[str, list[LinkResult]],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    progress: Callable[[LinkResult], None] | None,
    fetch_urls: dict[str, str],
    report: ResolveReport,
    evidence: NetworkEvidence,
) -> None:
    """The first pass (unless worker processes made it), the second opinion, the archive."""
    network = _Network(settings, cache)

    def fetch_url(link: LinkResult) -> str:
        return fetch_urls.get(link.url, link.url)

    try:
        try:
            await network.first_pass(by_host, fetch_urls, report, evidence, progress)
            await evidence.second_opinion(
                network.checker.check, fetch_url, network.writes, network.lanes, settings.concurrency
            )
            if evidence.answered:
                # Judged (the network worked): cached now, not after the archive lookups,
                # so an interruption there loses none of them.
                network.writes.write_now(evidence.judge(archive_answered=False))
        finally:
            network.writes.flush()
        _drift_from_cache(links, settings, cache)
        archive_answered = await _archive_lookups(links, settings, cache, report, network.limiter, network.transport)
        network.writes.write_now(evidence.judge(archive_answered))
        await _drift_stage(links, settings, cache, report, network, fetch_url)
    finally:
        await network.close(report)
        report.network_down = evidence.down
        report.notes[:0] = evidence.notes


def _archive_wanted(links: dict[str, LinkResult], settings: ResolveSettings) -> list[LinkResult]:
    """The links whose archive copy is looked up, by their verdicts (and, with
    ``--drift``, the live links with a citation date whose drift the cache does not know)."""
    if settings.archive == "none" and not settings.drift:
        return []
    if settings.archive == "none":
        return [link for link in links.values() if _drift_eligible(link) and link.drift is None]
    every = settings.archive == "all" or settings.save_missing
    return [
        link for link in links.values()
        if (link.status not in (LinkStatus.INVALID, LinkStatus.SKIPPED) and (every or link.status in _ARCHIVE_FOR_DEAD))
        or (settings.drift and _drift_eligible(link) and link.drift is None)
    ]  # fmt: skip


def _copies_from_cache(
    wanted: list[LinkResult], cache: VerdictStore | None, offline: bool, archive_settings: ArchiveSettings
) -> list[LinkResult]:
    """Archive copies the cache knows; returns the links still without an answer
    (offline: none -- they get ``available: null``). Answers of runs that also ask a
    Memento aggregator are kept under a day of their own (``cache_day``)."""
    # The archive is asked about the address, never about its credentials.
    day = archive_settings.cache_day
    asked = [(link, (without_userinfo(link.url), day(wayback_timestamp(cited_date(link))))) for link in wanted]
    known = cache.archive_copies(key for _, key in asked) if cache is not None and asked else {}
    missing = []
    for link, key in asked:
        copy = known.get(key)
        if copy is not None:
            link.archive = copy
        elif offline:
            link.archive = ArchiveCopy(None)
        else:
            missing.append(link)
    return missing


def _archive_needs_network(links: dict[str, LinkResult], settings: ResolveSettings, cache: VerdictStore | None) -> bool:
    """Whether, with every verdict known, the archive phase must ask the archive:
    a copy the cache does not know, or one to submit to Save Page Now."""
    wanted = _archive_wanted(links, settings)
    if _copies_from_cache(wanted, cache, settings.offline, settings.archive_settings):
        return True
    return settings.save_missing and not settings.offline and any(_to_save(link) for link in wanted)


def _to_save(link: LinkResult) -> bool:
    return link.status is LinkStatus.OK and link.archive is not None and link.archive.available is False


async def _archive_lookups(
    links: dict[str, LinkResult],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    report: ResolveReport,
    limiter: HostLimiter,
    transport: Transport,
) -> bool:
    """Archive copies for the links that need one; True when the archive answered."""
    wanted = _archive_wanted(links, settings)
    missing = _copies_from_cache(wanted, cache, settings.offline, settings.archive_settings)
    saving = settings.save_missing and not settings.offline
    if not missing and not (saving and any(_to_save(link) for link in wanted)):
        return False
    from refcheck.resolve.archive import Archive

    archive = Archive(settings.archive_settings, cache, limiter, transport)
    try:
        for link in missing:
            link.archive = await archive.closest(without_userinfo(link.url), cited_date(link))
        if saving:
            saved = 0
            for link in wanted:
                if _to_save(link):
                    copy, reason = await archive.save(without_userinfo(link.url))
                    if copy.available:
                        link.archive = copy
                        saved += 1
                    elif reason:
                        link.verdict.error = redact(reason)  # the archive's words may quote an address
            report.notes.append(f"Save Page Now: {saved} new captures")
    finally:
        await archive.aclose()
    report.archive_requests = archive.requests
    if archive.unreachable:
        report.notes.append(f"{archive.unreachable}; archive copies not looked up this run")
    report.notes.extend(archive.notes)  # the Memento aggregator's outage, if it had one
    return archive.answered


# ------------------------------------------------------------------ content drift


def _drift_eligible(link: LinkResult) -> bool:
    """Drift is looked at for live links whose citation has a date, never for others."""
    return link.status is LinkStatus.OK and cited_date(link) is not None


def _cited_title(link: LinkResult) -> str | None:
    return next((cited.title for cited in link.cited_by if cited.title), None)


def _drift_day(link: LinkResult) -> str:
    return wayback_timestamp(cited_date(link))[:8]


def _drift_from_cache(links: dict[str, LinkResult], settings: ResolveSettings, cache: VerdictStore | None) -> None:
    """Drift verdicts the cache knows (not with ``--refresh``), with this run's cited title."""
    if not settings.drift or cache is None or settings.refresh:
        return
    for link in links.values():
        if link.drift is None and _drift_eligible(link):
            known = cache.drift(without_userinfo(link.url), _drift_day(link), settings.max_age_days)
            if known is not None:
                link.drift = _with_cited_title(known, link)


def _with_cited_title(drift: Drift, link: LinkResult) -> Drift:
    """``drift`` with the title this run's citations give (the article may have been edited)."""
    from refcheck.resolve.drift import cited_similarity

    drift.cited_title = _cited_title(link)
    drift.cited_similarity = cited_similarity(drift.cited_title, drift.now_title)
    return drift


def _drift_to_compare(links: dict[str, LinkResult]) -> bool:
    return any(link.drift is None and _drift_eligible(link) for link in links.values())


def _drift_without_network(links: dict[str, LinkResult], settings: ResolveSettings) -> None:
    """Offline (or nothing left to ask): the links not known from the cache are ``unknown``."""
    if not settings.drift:
        return
    reason = "offline: not compared" if settings.offline else "not compared"
    for link in links.values():
        if link.drift is None and _drift_eligible(link):
            link.drift = Drift(DriftVerdict.UNKNOWN, reason, cited_title=_cited_title(link))


async def _drift_stage(
    links: dict[str, LinkResult],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    report: ResolveReport,
    network: _Network,
    fetch_url: Callable[[LinkResult], str],
) -> None:
    """Drift for the live links with a citation date that the cache does not know:
    the capture's page (one archive request, under the archive's host rule; its
    digest cached) against the live page (one more request, under the host's rule)."""
    if not settings.drift:
        return
    if settings.offline:
        _drift_without_network(links, settings)
        return
    todo = [link for link in links.values() if link.drift is None and _drift_eligible(link)]
    if not todo:
        return
    import asyncio

    from refcheck.resolve.archive import Archive

    archive = Archive(settings.archive_settings, cache, network.limiter, network.transport)
    gate = asyncio.Semaphore(settings.concurrency)

    async def compare(link: LinkResult) -> None:
        async with gate:
            link.drift = await _drift_of(link, settings, cache, archive, network, fetch_url(link))

    try:
        await asyncio.gather(*(compare(link) for link in todo))
    finally:
        await archive.aclose()
        report.archive_requests += archive.requests
    if archive.unreachable:
        report.notes.append(f"{archive.unreachable}; content drift not compared this run")
    report.notes.extend(note for note in archive.notes if note not in report.notes)


async def _drift_of(
    link: LinkResult, settings: ResolveSettings, cache: VerdictStore | None, archive: Archive, network: _Network, url: str
) -> Drift:
    from datetime import UTC, datetime

    from refcheck.resolve.drift import classify

    cited_title = _cited_title(link)
    copy = link.archive
    if copy is None or copy.available is None:
        return Drift(
            DriftVerdict.UNKNOWN, "the archive could not tell whether it has a capture", cited_title=cited_title
        )
    if not copy.available:
        return Drift(DriftVerdict.UNKNOWN, "no capture near the citation date", cited_title=cited_title)
    too_far = _capture_too_far(link, copy)
    if too_far is not None:
        return Drift(DriftVerdict.UNKNOWN, too_far, cited_title=cited_title, capture_url=copy.url,
                     capture_timestamp=copy.timestamp)  # fmt: skip
    then, why_then = await _capture_digest(link, copy, cache, archive)
    if then is None and why_then is None:  # the archive did not answer: nothing to keep
        return Drift(DriftVerdict.UNKNOWN, "the capture could not be fetched", cited_title=cited_title,
                     capture_url=copy.url, capture_timestamp=copy.timestamp)  # fmt: skip
    now, final_url, why_now = await _live_digest(url, settings, network)
    drift = classify(then, now, url=link.url, final_url=final_url, cited_title=cited_title, why_not=why_then or why_now)
    drift.capture_url, drift.capture_timestamp = copy.url, copy.timestamp
    drift.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
    if cache is not None and (now is not None or why_now == _NOT_HTML):  # a verdict resting on both answers
        cache.set_drift(without_userinfo(link.url), _drift_day(link), drift)
    return drift


_NOT_HTML = "the live page is not an HTML page"


def _capture_too_far(link: LinkResult, copy: ArchiveCopy) -> str | None:
    """Why the capture cannot stand for what was cited (further than
    :data:`~refcheck.resolve.drift.CAPTURE_WINDOW_DAYS` from the citation date), or None."""
    from datetime import date

    from refcheck.resolve.drift import CAPTURE_WINDOW_DAYS

    cited, taken = _drift_day(link), (copy.timestamp or "")[:8]
    try:
        days = (date(int(taken[:4]), int(taken[4:6]), int(taken[6:8])) - date(int(cited[:4]), int(cited[4:6]),
                int(cited[6:8]))).days  # fmt: skip
    except ValueError:
        return None
    if abs(days) <= CAPTURE_WINDOW_DAYS:
        return None
    side = "after" if days > 0 else "before"
    return f"closest capture {abs(days)} days {side} the citation: not evidence of what was cited"


async def _capture_digest(
    link: LinkResult, copy: ArchiveCopy, cache: VerdictStore | None, archive: Archive
) -> tuple[PageDigest | None, str | None]:
    """The capture's digest (cached by address and capture time: a capture never
    changes), or (None, why); (None, None) when the archive did not answer."""
    from refcheck.resolve.drift import PAGE_LIMIT, PageDigest, read_page

    address, timestamp = without_userinfo(link.url), copy.timestamp or ""
    if cache is not None:
        known = PageDigest.from_plain(cache.capture_digest(address, timestamp))
        if known is not None:
            return known, None
    answer = await archive.capture_page(copy, PAGE_LIMIT)
    if answer is None:
        return None, None
    status, content_type, body = answer
    if status != 200:
        return None, f"the archive answered HTTP {status} for the capture"
    digest = read_page(body, content_type)
    if digest is None:
        return None, "the capture is not an HTML page"
    if cache is not None:
        cache.set_capture_digest(address, timestamp, digest.to_plain())
    return digest, None


_LIVE_REDIRECTS = 5


async def _live_digest(
    url: str, settings: ResolveSettings, network: _Network
) -> tuple[PageDigest | None, str | None, str | None]:
    """The live page's digest, the address it ended at, and why there is none."""
    from urllib.parse import urljoin

    from refcheck.errors import CheckFailure
    from refcheck.resolve.check import DEFAULT_HEADERS
    from refcheck.resolve.drift import PAGE_LIMIT, read_page

    headers = {**DEFAULT_HEADERS, **(settings.check.headers or {})}
    current = url
    for _ in range(_LIVE_REDIRECTS + 1):
        parts = urlsplit(current)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https"):
            return None, current, "the live page redirects away from http(s)"
        try:
            network.transport.policy.check_name(host)
            async with network.limiter.slot(host):
                answer = await network.transport.fetch(current, headers, body_limit=PAGE_LIMIT, host=host)
        except CheckFailure as failure:
            return None, current, f"the live page could not be fetched: {failure}"
        location = answer.headers.get("location")
        if 300 <= answer.status < 400 and location:
            current = urljoin(current, location.strip()).split("#", 1)[0]
            continue
        if answer.status != 200:
            return None, current, f"the live page answered HTTP {answer.status}"
        digest = read_page(answer.body_head, answer.headers.get("content-type"))
        return digest, current, None if digest is not None else _NOT_HTML
    return None, current, "the live page redirects too many times"
