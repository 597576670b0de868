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
from typing import Any, Protocol, TypeVar

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


def available_cores() -> int:
    """Cores this process may run on (a container or ``taskset`` may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
