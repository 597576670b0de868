"""Politeness: how many requests to one host, and how often. The one place
where a per-host limit is enforced -- for link checks, soft-404 probes and
archive lookups alike.

Per host: at most ``limit`` requests in flight, at least ``interval`` seconds
between the starts of two requests, and a back-off window after a 429/503
(Retry-After honoured up to a cap). A slow or backing-off host only holds its
own slots, so no other host is slowed by it. A host may have rules of its own
(the Internet Archive: one request at a time, two seconds apart), and so may
every host of a domain (the settings file's ``[domains."example.com"]``
``per-host`` and ``host-interval``: the domain and each of its subdomains).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from refcheck import defaults
from refcheck.resolve.settings import rule_for


@dataclass(frozen=True, slots=True)
class HostRule:
    limit: int = defaults.PER_HOST
    """Requests in flight at most."""
    interval: float = defaults.HOST_INTERVAL
    """Seconds between the starts of two requests."""


@dataclass(slots=True)
class _Host:
    rule: HostRule
    slots: asyncio.Semaphore
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    """Monotonic time before which no new request may start (interval or back-off)."""


class HostLimiter:
    """Per-host request slots. ``rules`` gives some hosts rules of their own;
    ``domain_rules`` (keys: lower-case domain names) every host of a domain."""

    def __init__(
        self,
        default: HostRule | None = None,
        rules: dict[str, HostRule] | None = None,
        domain_rules: dict[str, HostRule] | None = None,
    ) -> None:
        self.default = default or HostRule()
        self._rules = dict(rules or {})
        self._domain_rules = dict(domain_rules or {})
        self._hosts: dict[str, _Host] = {}

    def rule(self, host: str) -> HostRule:
        """A host's own rule, else its domain's (the most specific), else the default."""
        own = self._rules.get(host)
        if own is not None:
            return own
        ruled = rule_for(self._domain_rules, host) if self._domain_rules else None
        return ruled[1] if ruled is not None else self.default

    def set_rule(self, host: str, rule: HostRule) -> None:
        """Rules for ``host`` from now on (before its first request)."""
        self._rules[host] = rule
        self._hosts.pop(host, None)

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            rule = self.rule(host)
            state = self._hosts[host] = _Host(rule, asyncio.Semaphore(rule.limit))
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot of ``host`` while the body runs."""
        state = self._host(host)
        async with state.slots:
            if state.rule.interval > 0 or state.next_start:
                async with state.gate:  # requests to one host start one at a time, spaced
                    delay = state.next_start - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    state.next_start = time.monotonic() + state.rule.interval if state.rule.interval > 0 else 0.0
            yield

    def back_off(self, host: str, seconds: float) -> None:
        """No new request to ``host`` for ``seconds`` (a 429/503 said so)."""
        state = self._host(host)
        state.next_start = max(state.next_start, time.monotonic() + seconds)
