"""Extraction on a Ray cluster: the :class:`~refcheck.executor.Executor` contract
(``map`` ordered and streaming, a bounded number of items in flight) over Ray tasks,
each task a batch of items (one task per file would spend more on scheduling than
on a short article).

The cluster is the one at ``--ray-address`` / ``RAY_ADDRESS``, else a local one
started for the run (``ray.init(num_cpus=workers)``) and shut down at its end; a
cluster this process was already connected to (a test's, a notebook's) is used
and left running.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar

import ray

from refcheck.errors import UserError

In = TypeVar("In")
Out = TypeVar("Out")

BATCH_SIZE = 32
"""Items per Ray task: a task costs about a millisecond of scheduling and a round trip,
an article a few; 32 keeps the overhead small and the stream still fine-grained."""
_BATCHES_AHEAD_PER_WORKER = 2
"""Batches in flight per worker beyond the one being consumed: every worker stays busy,
few finished results wait in the object store for their turn in corpus order."""


class ClusterUnavailable(UserError):
    """The Ray cluster named cannot be reached (or a local one cannot start): one line, exit 2."""


def _ray_target(address: str | None) -> str | None:
    return address or os.environ.get("RAY_ADDRESS") or None


@contextmanager
def ray_session(workers: int, address: str | None = None) -> Iterator[int]:
    """Connected to a Ray cluster while inside; yields the cluster's CPUs. Connects to
    ``address`` (else ``RAY_ADDRESS``), else starts a local cluster of ``workers`` CPUs
    (one per core when ``workers`` <= 0); shuts down only a connection it made."""
    started = False
    if not ray.is_initialized():
        target = _ray_target(address)
        # Ray's own progress lines and the workers' output are not refcheck's report.
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
        try:
            if target is not None:
                ray.init(address=target, **options)
            else:
                ray.init(num_cpus=workers if workers > 0 else None, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"at {target}" if target else "(a local one)"
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ClusterUnavailable(f"the Ray cluster {where} cannot be used: {first_line}") from exc
        started = True
    try:
        yield max(1, int(ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]
    finally:
        if started:
            ray.shutdown()


@ray.remote
def _run_batch(
    setup: Callable[..., None] | None,
    arguments: tuple[Any, ...],
    teardown: Callable[[], None] | None,
    function: Callable[[Any], Any],
    batch: list[Any],
) -> list[Any]:
    """One task: ``setup``, ``function`` over the batch in order, ``teardown`` (even on failure)."""
    if setup is not None:
        setup(*arguments)
    try:
        return [function(item) for item in batch]
    finally:
        if teardown is not None:
            teardown()


class RayExecutor:
    """Batches of items as Ray tasks; results handed back in input order as they come.

    A task lost with its worker (a process killed, a node gone) is run again by Ray
    (tasks are retried on system failures); an exception raised by ``function`` ends
    the ``map`` with that exception, as a local pool does."""

    def __init__(
        self,
        workers: int,
        address: str | None = None,
        setup: Callable[..., None] | None = None,
        arguments: tuple[Any, ...] = (),
        teardown: Callable[[], None] | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._session = ray_session(workers, address)
        cpus = self._session.__enter__()
        self.workers = workers if workers > 0 else cpus
        self._batch_size = max(1, batch_size)
        # Sent to the object store once, not with every batch.
        self._setup, self._arguments, self._teardown = setup, ray.put(arguments), teardown
        self._pending: deque[ray.ObjectRef[list[Any]]] = deque()

    def map(self, function: Callable[[In], Out], items: Iterable[In]) -> Iterator[Out]:
        window = self.workers * _BATCHES_AHEAD_PER_WORKER
        batches = _batches(items, self._batch_size)
        for batch in batches:
            self._pending.append(self._submit(function, batch))
            if len(self._pending) > window:
                yield from self._next_results()
        while self._pending:
            yield from self._next_results()

    def _submit(self, function: Callable[[In], Out], batch: list[In]) -> ray.ObjectRef[list[Any]]:
        return _run_batch.remote(self._setup, self._arguments, self._teardown, function, batch)  # type: ignore[no-any-return]

    def _next_results(self) -> list[Any]:
        return ray.get(self._pending.popleft())  # type: ignore[no-any-return]

    def close(self) -> None:
        for reference in self._pending:  # a map given up part-way: its unread batches are not needed
            ray.cancel(reference, force=True)
        self._pending.clear()
        self._session.__exit__(None, None, None)


def _batches(items: Iterable[In], size: int) -> Iterator[list[In]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):  # ends when the items run out
        yield batch
