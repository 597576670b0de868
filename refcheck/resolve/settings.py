"""How a resolve runs: the settings of the checker, the archive client and the
run as a whole (their defaults come from :mod:`refcheck.defaults`). No network
code here: the pipeline builds these without importing the network stack."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from refcheck import defaults


@dataclass(frozen=True, slots=True)
class DomainRule:
    """What the settings file says about the links of one domain and its subdomains
    (``[domains."example.com"]``)."""

    skip: bool = False
    """Never check these links (a site that always answers with a wall)."""
    accept: frozenset[int] = frozenset()
    """HTTP statuses counted as ok for this domain (``accept = [403, 999]``)."""
    per_host: int | None = None
    """Requests in flight per host of this domain at most (None: the run's ``per-host``)."""
    host_interval: float | None = None
    """Seconds between two requests to one host of this domain (None: the run's ``host-interval``)."""


def normal_host(name: str) -> str:
    """A host or domain name as URLs carry it: lower case, no trailing dot, IDNA
    (punycode) for non-ASCII labels, so ``Exämple.COM.`` meets ``xn--exmple-cua.com``."""
    name = name.strip().lower().rstrip(".")
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


Rule = TypeVar("Rule")


def rule_for(rules: dict[str, Rule], host: str) -> tuple[str, Rule] | None:
    """The rule of ``host``'s most specific ruled domain (``news.example.com`` before
    ``example.com``), with that domain; ``rules`` keys are :func:`normal_host` names.
    A domain's rule covers the domain and every subdomain of it."""
    if not rules:
        return None
    name = normal_host(host)
    while name:
        rule = rules.get(name)
        if rule is not None:
            return name, rule
        _, dot, name = name.partition(".")
        if not dot:
            return None
    return None


@dataclass(frozen=True, slots=True)
class LinkPattern:
    """A URL regular expression of ``--exclude``/``--include`` or the settings file,
    with where it came from (said in the reason of each link it skips)."""

    pattern: re.Pattern[str]
    origin: str
    """``--exclude``, ``exclude-links`` (the settings file)…"""

    def __str__(self) -> str:
        return f"{self.origin} '{self.pattern.pattern}'"


@dataclass(frozen=True, slots=True)
class LinkRules:
    """Which links are checked: URL patterns and per-domain rules, as lychee filters
    (``lychee-lib/src/filter/mod.rs``): an include wins over every exclusion; includes
    given *alone* (no exclude pattern) check only what they match; with exclude
    patterns too, a URL that matches neither is checked."""

    exclude: tuple[LinkPattern, ...] = ()
    include: tuple[LinkPattern, ...] = ()
    domains: dict[str, DomainRule] = field(default_factory=dict)

    def skip_reason(self, url: str, host: str | None) -> str | None:
        """Why ``url`` (on ``host``) is not checked, or None when it is. Every reason
        starts with one of :data:`refcheck.models.RULE_SKIP_PREFIXES` (coverage counts by them)."""
        if any(item.pattern.search(url) for item in self.include):
            return None
        ruled = rule_for(self.domains, host) if host else None
        if ruled is not None and ruled[1].skip:
            return f"domain rule: skip ({ruled[0]})"
        for item in self.exclude:
            if item.pattern.search(url):
                return f"excluded by {item}"
        if self.include and not self.exclude:  # includes alone: an allow-list
            return f"not matched by {' or '.join(str(item) for item in self.include)}"
        return None

    def accepted(self, host: str | None, status: int | None) -> str | None:
        """The ruled domain whose ``accept`` list holds ``status`` for ``host``, or None."""
        if host is None or status is None:
            return None
        ruled = rule_for(self.domains, host)
        if ruled is not None and status in ruled[1].accept:
            return ruled[0]
        return None


@dataclass(slots=True)
class CheckSettings:
    timeout: float = defaults.TIMEOUT
    retries: int = defaults.RETRIES
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    """Networks treated as public although they are not (see ``AddressPolicy``)."""
    headers: dict[str, str] | None = None
    retry_after_cap: float = defaults.RETRY_AFTER_CAP
    backoff_initial: float = defaults.BACKOFF_INITIAL
    backoff_max: float = defaults.BACKOFF_MAX
    link_time_limit: float | None = None
    """Seconds for one link as a whole; None: derived from timeout, retries and the Retry-After cap."""
    probe_soft_404: bool = True
    """Ask for a made-up sibling of each live page to catch sites that answer everything."""

    def link_cap(self) -> float:
        return self.link_time_limit or defaults.link_time_cap(self.timeout, self.retries, self.retry_after_cap)


ARCHIVES = defaults.ARCHIVES
MEMENTO_URL = defaults.MEMENTO_URL
MEMENTO_NEAR_DAYS = defaults.MEMENTO_NEAR_DAYS


@dataclass(slots=True)
class ArchiveSettings:
    wayback_url: str = defaults.WAYBACK_URL
    cdx_url: str = defaults.CDX_URL
    archives: tuple[str, ...] = ("wayback",)
    """Which archives are asked (:data:`ARCHIVES`); ``memento`` only after the Wayback Machine,
    when it has no capture within ``near_days`` of the citation date."""
    memento_url: str = MEMENTO_URL
    near_days: float = MEMENTO_NEAR_DAYS
    memento_deadline: float = 60.0
    """Seconds one aggregator answer may take in all (it asks many archives before answering;
    MemGator's own per-archive response timeout is a minute)."""
    memento_body_limit: int = 1_000_000
    """Bytes of an aggregator answer read at most (a real one is about 2 kB); a longer one is not used."""
    retry_after_cap: float = 120.0
    """A 429/503 whose Retry-After asks for longer than this is not waited for: the lookup is undetermined."""
    timeout: float = defaults.ARCHIVE_TIMEOUT
    interval: float = defaults.ARCHIVE_INTERVAL
    backoff: float = defaults.ARCHIVE_BACKOFF
    attempts: int = defaults.ARCHIVE_ATTEMPTS
    user_agent: str = "refcheck/0.1 (citation link checker)"
    save_keys: tuple[str, str] | None = None
    """(access key, secret) for Save Page Now 2; None: never submit."""
    save_poll_interval: float = 5.0
    save_polls: int = 24
    """At most this many status polls a job (2 minutes at 5 s): SPN2 captures take up to 2 minutes."""

    @property
    def memento(self) -> bool:
        return "memento" in self.archives

    def cache_day(self, timestamp: str) -> str:
        """The day part of an archive answer's cache key (``Cache.archive_copy(url, day)``)
        for a lookup at ``timestamp``: ``YYYYMMDD``, with ``+memento`` when the aggregator
        takes part -- an answer of the Wayback Machine alone does not say what the
        aggregator would have found, nor the other way round."""
        day = timestamp[:8]
        return f"{day}+memento" if self.memento else day


@dataclass
class ResolveSettings:
    offline: bool = False
    refresh: bool = False
    max_age_days: float | None = None
    concurrency: int = defaults.CONCURRENCY
    """Links checked at once, over all hosts."""
    per_host: int = defaults.PER_HOST
    """Requests in flight to one host."""
    host_interval: float = defaults.HOST_INTERVAL
    check: CheckSettings = field(default_factory=CheckSettings)
    archive: str = "dead"
    """Archive lookups for: ``dead`` (dead, soft-404 and unknown links), ``all``, ``none``."""
    archive_settings: ArchiveSettings = field(default_factory=ArchiveSettings)
    save_missing: bool = False
    """Submit live links that have no capture to Save Page Now 2."""
    workers: int = 1
    """Processes checking links (sharded by registrable domain) when there are many to check."""
    transport: str = "aiohttp"
    """The HTTP client of link checks: ``aiohttp`` (default) or ``curl`` (libcurl through
    pycurl, ``pip install refcheck[curl]``: a quarter less CPU a link, benchmarks/RESULTS.md)."""
    shard_min_links: int = 2_000
    """Fewer links to check than this are not worth a second process (starting it, sending results back)."""
    rules: LinkRules = field(default_factory=LinkRules)
    """``--exclude``/``--include`` and the settings file's per-domain rules."""
    drift: bool = False
    """Content drift (``--drift``): live links with a citation date compared with the archive
    capture closest to that date (one more archive request and one more live request each)."""
