"""The plan of a resolve: which links need the network, grouped by host.

Each link is, in order: left out by a rule (``--exclude``/``--include``, a
domain's ``skip``: ``skipped`` with the rule as its reason, never checked, never
cached), not an http(s) address (``invalid``/``skipped``, no request), known from
the cache (a verdict fresh enough to reuse), ``unknown`` (an offline run), or to
be checked. No network code here: a re-run that finds
everything in the cache never imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from refcheck import defaults
from refcheck.models import LinkResult, LinkStatus, Verdict
from refcheck.resolve.ledger import record, restore, settle
from refcheck.resolve.settings import LinkRules
from refcheck.resolve.store import VerdictStore

_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?$", re.IGNORECASE)
_DOTTED_QUAD = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")
_BAD_HOST_CHARACTERS = frozenset(' <>"{}|\\^`%@/?#')


@dataclass
class Plan:
    by_host: dict[str, list[LinkResult]] = field(default_factory=dict)
    """Links to check, by host name (lower case), each host's in corpus order."""
    from_cache: int = 0

    @property
    def to_check(self) -> int:
        return sum(len(queue) for queue in self.by_host.values())


def make_plan(
    links: dict[str, LinkResult],
    cache: VerdictStore | None,
    *,
    offline: bool,
    refresh: bool,
    max_age_days: float | None,
    rules: LinkRules | None = None,
) -> Plan:
    plan = Plan()
    ruled_out = _apply_rules(links, rules) if rules is not None else set()
    wanted = {url: link for url, link in links.items() if url not in ruled_out} if ruled_out else links
    entries = cache.links(wanted) if cache is not None else {}
    for link in wanted.values():
        entry = entries.get(link.url)
        # Only checked (so valid) addresses are ever cached: a fresh verdict needs no triage.
        if entry is not None and restore(link, entry, max_age_days, reuse=not refresh):
            plan.from_cache += 1
            continue
        try:
            parts = urlsplit(link.url)
        except ValueError as exc:  # "http://[zz]/": not even parseable
            record(link, Verdict(LinkStatus.INVALID, error=f"not a valid URL: {exc}"))
            continue
        if parts.scheme and parts.scheme not in ("http", "https"):
            record(link, Verdict(LinkStatus.SKIPPED, error=f"unsupported scheme {parts.scheme}:"))
            continue
        problem = address_problem(link.url, parts)
        if problem is not None:
            record(link, Verdict(LinkStatus.INVALID, error=problem))
            continue
        assert parts.hostname is not None  # address_problem checked it
        if offline:
            settle(link, LinkStatus.UNKNOWN, "offline run: not checked")
            continue
        plan.by_host.setdefault(parts.hostname.lower(), []).append(link)
    return plan


def _apply_rules(links: dict[str, LinkResult], rules: LinkRules) -> set[str]:
    """Mark the links a rule leaves out ``skipped`` with that rule as the reason
    (before the cache: an excluded link's old verdict is not shown as this run's).
    Returns their URLs."""
    if not (rules.exclude or rules.include or any(rule.skip for rule in rules.domains.values())):
        return set()
    ruled_out: set[str] = set()
    for url, link in links.items():
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        reason = rules.skip_reason(url, host)
        if reason is not None:
            settle(link, LinkStatus.SKIPPED, reason)
            ruled_out.add(url)
    return ruled_out


def address_problem(url: str, parts: SplitResult) -> str | None:
    """Why ``url`` cannot be an http(s) address at all, or None."""
    if "://" not in url or not parts.hostname:
        return "not a valid URL (no host)"
    if len(url) > defaults.MAX_URL_LENGTH:
        return f"not a usable URL: {len(url):,} characters (servers accept at most a few thousand)"
    host = parts.hostname
    if any(character in _BAD_HOST_CHARACTERS or ord(character) < 0x21 for character in host) and not (
        host.startswith("[") or ":" in host
    ):
        return f"not a valid host name: {host[:80]!r}"
    if _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
        # 2130706433, 127.1, 0x7f000001: forms that socket libraries map onto an
        # address (here 127.0.0.1) but that no real link uses.
        return f"not a canonical IPv4 address: {host}"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError as exc:
        return f"not a valid port: {exc}"
    return None
