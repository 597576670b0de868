"""Which link is checked next: per-host queues served round-robin.

Each host gets as many lanes as its request limit allows (no more: a lane
beyond it would only wait for the host's slot, holding a global one), and each
lane works through its host's queue one link after another, so a lane's
connection is reused for its next link. All lanes share one first-come
first-served limit of ``concurrency`` links at once; lanes are started
interleaved across hosts (the first lane of every host, then the second…) and a
lane that finishes a link queues again at the back, so no host -- however many
links it has, whatever its limit -- takes the global slots from the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from itertools import zip_longest
from typing import TypeVar

Item = TypeVar("Item")


async def round_robin(
    queues: dict[str, list[Item]],
    lanes_per_host: Callable[[str], int],
    concurrency: int,
    work: Callable[[Item], Awaitable[None]],
) -> None:
    """Run ``work`` on every item of ``queues`` (host -> items, each host's in order)."""
    running = asyncio.Semaphore(max(1, concurrency))  # FIFO: waiters are served in the order they came

    async def lane(queue: list[Item]) -> None:
        while queue:
            async with running:
                if not queue:
                    return
                item = queue.pop()
                await work(item)

    per_host: list[list[Awaitable[None]]] = []
    for host, items in queues.items():
        queue = list(items)  # taken from the end (pop): the order within a host does not matter
        lanes = max(1, min(lanes_per_host(host), len(queue)))
        per_host.append([lane(queue) for _ in range(lanes)])
    interleaved = [task for row in zip_longest(*per_host) for task in row if task is not None]
    await asyncio.gather(*interleaved)
