"""How a resolve runs: the settings of the checker, the archive client and the
run as a whole (their defaults come from :mod:`refcheck.defaults`). No network
code here: the pipeline builds these without importing the network stack."""

from __future__ import annotations

from dataclasses import dataclass, field

from refcheck import defaults


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


@dataclass(slots=True)
class ArchiveSettings:
    wayback_url: str = defaults.WAYBACK_URL
    cdx_url: str = defaults.CDX_URL
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
