"""Politeness: how many requests, to whom, how often.

Per host: at most ``per_host`` requests in flight, at least ``interval``
seconds between the starts of two requests, and a back-off window after a
429/503 (Retry-After honoured up to a cap). Globally: at most ``concurrency``
requests in flight. A slow or backing-off host only holds its own slots, so no
other host is slowed by it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    """Monotonic time before which no new request may start (interval or back-off)."""


class Throttle:
    def __init__(self, concurrency: int, per_host: int, interval: float) -> None:
        self._global = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._interval = interval
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self._per_host))
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for ``host`` (and one global slot) while the body runs."""
        state = self._state(host)
        async with state.slots:
            async with state.gate:  # requests to one host start one at a time, spaced
                delay = state.next_start - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                state.next_start = time.monotonic() + self._interval
            async with self._global:
                yield

    def back_off(self, host: str, seconds: float) -> None:
        """No new request to ``host`` for ``seconds`` (a 429/503 said so)."""
        state = self._state(host)
        state.next_start = max(state.next_start, time.monotonic() + seconds)
