"""Which link is checked next: per-host queues served round-robin.

Each host gets as many lanes as its request limit allows (no more: a lane
beyond it would only wait for the host's slot, holding a global one). All lanes
share one first-come first-served limit of ``concurrency`` links at once, and
they queue for it interleaved across hosts (the first lane of every host, then
the second…), so the global slots are shared out host by host: no host --
however many links it has, whatever its limit -- takes them from the others.
A lane that has a slot works through its host's queue one link after another,
reusing its connection (warm, no new handshake), and gives the slot back when
its host has no more work, to the next lane in line.
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
    work: Callable[[str, Item], Awaitable[None]],
) -> None:
    """Run ``work(host, item)`` on every item of ``queues`` (host -> items)."""
    running = asyncio.Semaphore(max(1, concurrency))  # FIFO: waiters are served in the order they came

    async def lane(host: str, queue: list[Item]) -> None:
        async with running:
            while queue:  # the lane keeps its slot while its host has work: its connection stays warm
                await work(host, queue.pop())

    per_host: list[list[Awaitable[None]]] = []
    for host, items in queues.items():
        queue = list(items)  # taken from the end (pop): the order within a host does not matter
        lanes = max(1, min(lanes_per_host(host), len(queue)))
        per_host.append([lane(host, queue) for _ in range(lanes)])
    interleaved = [task for row in zip_longest(*per_host) for task in row if task is not None]
    await asyncio.gather(*interleaved)
