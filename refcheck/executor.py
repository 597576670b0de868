"""Where the work of a run is done: in this process, or spread over local
worker processes -- behind one small interface, so that a cluster engine can
take the place of the local pool without the pipeline changing.

``map`` keeps the order of its input (results are merged in corpus order) and
streams: results are handed back as they come, never all held at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Literal, Protocol, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

_AHEAD_PER_WORKER = 8
"""Tasks submitted ahead of the one being consumed, per worker: enough to keep
every worker busy, few enough that finished results do not pile up in memory."""


class Executor(Protocol):
    workers: int

    def map(self, function: Callable[[In], Out], items: Iterable[In]) -> Iterator[Out]: ...

    def close(self) -> None: ...


class InProcess:
    """Everything in this process, one item after another."""

    workers = 1

    def map(self, function: Callable[[In], Out], items: Iterable[In]) -> Iterator[Out]:
        return map(function, items)

    def close(self) -> None:
        return None


class LocalProcesses:
    """A pool of worker processes on this machine. ``setup(*arguments)`` runs once
    in each worker before its first task (e.g. to build what every task needs)."""

    def __init__(self, workers: int, setup: Callable[..., None] | None = None, arguments: tuple[Any, ...] = ()):
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, initializer=setup, initargs=arguments)

    def map(self, function: Callable[[In], Out], items: Iterable[In]) -> Iterator[Out]:
        window = self.workers * _AHEAD_PER_WORKER
        pending: list[Future[Out]] = []
        iterator = iter(items)
        for item in iterator:
            pending.append(self._pool.submit(function, item))
            if len(pending) >= window:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


ExecutorKind = Literal["local", "ray"]
EXECUTORS: tuple[ExecutorKind, ...] = ("local", "ray")
"""The choices of ``--executor``: processes on this machine, or a Ray cluster."""


def make_executor(
    kind: ExecutorKind,
    workers: int,
    address: str | None = None,
    setup: Callable[..., None] | None = None,
    arguments: tuple[Any, ...] = (),
    teardown: Callable[[], None] | None = None,
) -> Executor:
    """The executor of ``kind`` with ``workers`` workers; ``setup(*arguments)`` runs in a
    worker before it works. ``local``: this process alone (``workers`` <= 1; ``setup``
    runs here, now) or a pool of processes. ``ray``: tasks over batches of items on a Ray
    cluster -- the one at ``address`` (else ``RAY_ADDRESS``), else a local one started with
    ``workers`` CPUs and shut down by ``close()``; ``workers`` <= 0 takes the cluster's CPUs.
    On Ray ``setup`` and ``teardown`` bracket every batch: a Ray worker process may be ended
    without running its exit hooks, so what a batch holds (articles not yet cached) is
    written when the batch ends. Locally ``teardown`` is not called: a pool worker runs its
    exit hooks (``setup`` registers what it needs), this process ends the job itself.
    Ray is imported only here, only when chosen."""
    if kind == "ray":
        from refcheck.cluster.ray_executor import RayExecutor

        return RayExecutor(workers, address, setup, arguments, teardown)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r} (choose from {', '.join(EXECUTORS)})")
    if workers <= 1:
        if setup is not None:
            setup(*arguments)
        return InProcess()
    return LocalProcesses(workers, setup, arguments)


def available_cores() -> int:
    """Cores this process may run on (a container or ``taskset`` may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
