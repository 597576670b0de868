"""The link checks on a Ray cluster: one asynchronous checker actor per shard.

Hosts are grouped into shards by registrable domain (the resolver's stable
:func:`~refcheck.resolve.resolver.shard_by_domain`), so every host's request limit
and spacing live in exactly one actor's :class:`~refcheck.resolve.politeness.HostLimiter`:
politeness holds cluster-wide without any global lock. Each actor runs the first
pass of its shard on its own event loop and streams its verdicts back in chunks
(a Ray streaming generator) while it works; the driver merges them exactly as
:func:`~refcheck.resolve.resolver._check_in_processes` merges a local worker's, and
makes the second opinion and the archive lookups once, as a local run does.

The archive lookups stay in the driver, not in an archive actor: they come after the
checks, their pace (one request every ``--archive-interval`` seconds) is the whole
cluster's limit, and the driver's one host limiter already keeps it; an actor would be
a second copy of the same single lane, one more hop per lookup, nothing run in parallel.

Faults: a verdict is written to the cache the moment it is known (as in a local run)
and each chunk is committed before it is sent. An actor that dies part-way is
restarted by Ray (``max_restarts``) and given again only what the driver has not
received; on that retry it first takes from the cache what this run had already
finished there, so no finished verdict is lost and no finished link is asked twice
(only those in flight at the moment of death are).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import ray
from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

from refcheck.cluster.ray_executor import ray_session
from refcheck.models import HistoryEntry, LinkResult, Verdict
from refcheck.resolve.evidence import NetworkEvidence
from refcheck.resolve.ledger import now_iso
from refcheck.resolve.resolver import ResolveReport, _fetch_urls_of, _Network, shard_by_domain, take_verdicts
from refcheck.resolve.settings import ResolveSettings
from refcheck.resolve.store import VerdictStore, location_of, open_store

CHUNK_SECONDS = 0.25
"""An actor sends what it has finished at least this often (and when its shard is done)."""
MAX_RESTARTS = 2
"""Times Ray restarts a dead checker actor; past that the driver starts a new one."""
MAX_ATTEMPTS = 4
"""Attempts at one shard in all; past that its unfinished links are left ``unknown``, with a note."""

_ACTOR_LOST = (ActorDiedError, ActorUnavailableError, RayActorError)

Verdicts = dict[str, tuple[Verdict, list[HistoryEntry], int]]


@dataclass
class ShardChunk:
    """What an actor finished since its last chunk."""

    verdicts: Verdicts
    evidence: NetworkEvidence
    """What those checks said about the network (merged in the order it was seen)."""
    requests: int
    restored: int = 0
    """Verdicts of this chunk taken from the cache (finished by an earlier attempt of this run)."""


@dataclass
class ShardTask:
    """One attempt at a shard: its hosts' links still to check."""

    by_host: dict[str, list[LinkResult]]
    settings: ResolveSettings
    cache_dir: str | None
    fetch_urls: dict[str, str]
    run_started: str
    """When the run began: a verdict the cache holds from at least then was finished by this run."""
    retry: bool = False


class _TeeEvidence(NetworkEvidence):
    """The shard's network evidence, with what was seen since the last chunk kept apart
    (sent with that chunk's verdicts: a chunk that arrives is never missing its evidence)."""

    def __init__(self) -> None:
        super().__init__()
        self.delta = NetworkEvidence()

    def saw(self, host: str, link: LinkResult, check: Any, fetched: str) -> bool:
        self.delta.saw(host, link, check, fetched)
        return super().saw(host, link, check, fetched)

    def take(self) -> NetworkEvidence:
        delta, self.delta = self.delta, NetworkEvidence()
        return delta


@ray.remote(max_restarts=MAX_RESTARTS, max_task_retries=0)
class ShardChecker:
    """The checker of one shard: its host limits, connection pool and event loop."""

    def pid(self) -> int:
        """The actor's process (what a test kills to see the shard survive its checker)."""
        import os

        return os.getpid()

    async def check(self, task: ShardTask) -> AsyncIterator[ShardChunk]:
        cache = open_store(task.cache_dir) if task.cache_dir is not None else None
        try:
            if task.retry and cache is not None:
                restored = _finished_earlier(task.by_host, cache, task.run_started)
                if restored:
                    yield ShardChunk(_verdicts_of(restored), NetworkEvidence(), 0, restored=len(restored))
            network = _Network(task.settings, cache)
            evidence = _TeeEvidence()
            finished: list[LinkResult] = []
            sent_requests = 0
            first_pass = asyncio.ensure_future(
                network.first_pass(task.by_host, task.fetch_urls, ResolveReport(), evidence, finished.append)
            )
            try:
                while not first_pass.done() or finished:
                    await asyncio.wait({first_pass}, timeout=CHUNK_SECONDS)
                    network.writes.flush()  # committed before the driver hears of it
                    chunk = finished[:]
                    finished.clear()  # the same list: the first pass appends to it
                    requests = network.checker.requests - sent_requests
                    sent_requests += requests
                    if chunk or requests:
                        yield ShardChunk(_verdicts_of(chunk), evidence.take(), requests)
                first_pass.result()  # a failure of the pass itself is the shard's failure
            finally:
                if not first_pass.done():
                    first_pass.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await first_pass
                await network.close(ResolveReport())
        finally:
            if cache is not None:
                cache.close()


def _verdicts_of(links: list[LinkResult]) -> Verdicts:
    return {link.url: (link.verdict, link.history, link.failures) for link in links}


def _finished_earlier(by_host: dict[str, list[LinkResult]], cache: VerdictStore, run_started: str) -> list[LinkResult]:
    """The links whose verdict this run already wrote to the cache (an earlier attempt
    finished them but died before sending them): given that verdict, and taken out of
    ``by_host`` so they are not asked again."""
    urls = [link.url for queue in by_host.values() for link in queue]
    entries = cache.links(urls)
    restored: list[LinkResult] = []
    for host, queue in list(by_host.items()):
        left = []
        for link in queue:
            entry = entries.get(link.url)
            verdict = entry.verdict if entry is not None else None
            if entry is not None and verdict is not None and (verdict.checked_at or "") >= run_started:
                link.verdict, link.history, link.failures, link.from_cache = (
                    verdict,
                    list(entry.history),
                    entry.failures,
                    False,
                )
                restored.append(link)
            else:
                left.append(link)
        by_host[host] = left
    return restored


@dataclass
class _Shard:
    """The driver's view of one shard: its actor, the current attempt, what came back."""

    index: int
    by_host: dict[str, list[LinkResult]]
    actor: Any
    stream: Any = None
    attempts: int = 0
    received: set[str] = field(default_factory=set)
    evidence: NetworkEvidence = field(default_factory=NetworkEvidence)
    requests: int = 0

    def unfinished(self) -> dict[str, list[LinkResult]]:
        left = {host: [link for link in queue if link.url not in self.received] for host, queue in self.by_host.items()}
        return {host: queue for host, queue in left.items() if queue}


ACTIVE_CHECKERS: list[Any] = []
"""The checker actors of the check running now (tests kill one to see the run survive)."""


def check_on_ray(
    links: dict[str, LinkResult],
    by_host: dict[str, list[LinkResult]],
    settings: ResolveSettings,
    cache: VerdictStore | None,
    progress: Callable[[LinkResult], None] | None,
    fetch_urls: dict[str, str],
    evidence: NetworkEvidence,
    address: str | None = None,
) -> tuple[int, int, list[str]]:
    """The first pass of checks over ``by_host``, one actor per shard; each verdict is
    given to its record in ``links`` as it arrives, the network evidence merged into
    ``evidence`` in shard order. Returns (links checked, requests made, notes)."""
    with ray_session(settings.workers, address) as cpus:
        shards = shard_by_domain(by_host, max(1, min(settings.workers, cpus)))
        directory = location_of(cache) if cache is not None else None
        task = ShardTask({}, settings, directory, {}, run_started=now_iso())
        running = [_Shard(index, shard, ShardChecker.remote()) for index, shard in enumerate(shards)]  # type: ignore[attr-defined]
        ACTIVE_CHECKERS[:] = [shard.actor for shard in running]
        notes: list[str] = []
        try:
            for shard in running:
                _start(shard, task, fetch_urls)
            _drain(running, links, progress, task, fetch_urls, notes)
        finally:
            ACTIVE_CHECKERS.clear()
            for shard in running:
                with contextlib.suppress(Exception):
                    ray.kill(shard.actor, no_restart=True)
        for shard in running:  # in shard order, as a local run merges them
            evidence.merge(shard.evidence, links)
        return sum(len(shard.received) for shard in running), sum(shard.requests for shard in running), notes


def _start(shard: _Shard, task: ShardTask, fetch_urls: dict[str, str]) -> None:
    """The next attempt at ``shard``: what it has not sent back yet, on its actor (restarted
    by Ray), or on a new one once Ray has stopped restarting it."""
    todo = shard.unfinished()
    attempt = ShardTask(todo, task.settings, task.cache_dir, _fetch_urls_of(todo, fetch_urls), task.run_started,
                        retry=shard.attempts > 0)  # fmt: skip
    if shard.attempts > MAX_RESTARTS:  # Ray has given up restarting this one: a new actor
        with contextlib.suppress(Exception):
            ray.kill(shard.actor, no_restart=True)
        shard.actor = ShardChecker.remote()  # type: ignore[attr-defined]
        ACTIVE_CHECKERS[shard.index : shard.index + 1] = [shard.actor]
    shard.attempts += 1
    shard.stream = shard.actor.check.options(num_returns="streaming").remote(attempt)


def _drain(
    shards: list[_Shard],
    links: dict[str, LinkResult],
    progress: Callable[[LinkResult], None] | None,
    task: ShardTask,
    fetch_urls: dict[str, str],
    notes: list[str],
) -> None:
    """Take chunks from every shard's stream as they come, until every shard is done."""
    active = {id(shard.stream): shard for shard in shards}
    while active:
        ready, _ = ray.wait([shard.stream for shard in active.values()], num_returns=1)
        for stream in ready:
            shard = active.pop(id(stream))
            try:
                chunk: ShardChunk = ray.get(next(shard.stream))
            except StopIteration:
                continue  # this shard is done
            except _ACTOR_LOST:
                left = sum(len(queue) for queue in shard.unfinished().values())
                if shard.attempts >= MAX_ATTEMPTS:
                    notes.append(
                        f"a link checker on the cluster died {shard.attempts} times: {left} links left unchecked"
                    )
                    continue
                notes.append(
                    f"a link checker on the cluster stopped part-way and was restarted: {left} links checked again"
                )
                _start(shard, task, fetch_urls)
                active[id(shard.stream)] = shard
                continue
            _take(chunk, shard, links, progress)
            active[id(stream)] = shard


def _take(
    chunk: ShardChunk, shard: _Shard, links: dict[str, LinkResult], progress: Callable[[LinkResult], None] | None
) -> None:
    take_verdicts(links, chunk.verdicts, progress)
    shard.received.update(chunk.verdicts)
    shard.evidence.merge(chunk.evidence, links)
    shard.requests += chunk.requests
