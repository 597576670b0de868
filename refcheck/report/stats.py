"""Figures every report shares: link rot per outlet, articles with the most dead links."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from refcheck.models import DEAD_STATUSES, NOT_CHECKED_STATUSES, LinkResult

NOT_KNOWN = frozenset({"unknown", "unchecked", "blocked", "rate-limited", "timeout", "error", "server-error"})


@dataclass
class OutletRow:
    domain: str
    links: int
    dead: int
    unknown: int
    """Links whose fate this run does not know: not checked, or an answer that says nothing (blocked, time-out…)."""
    not_checked: int = 0
    """Of ``unknown``: links not checked at all (offline, network down, interrupted)."""

    @property
    def known(self) -> int:
        return self.links - self.unknown

    @property
    def rot(self) -> float | None:
        """Dead share among the links whose fate is known; None when none is known
        (an outlet whose links were not checked has no rot rate, not 0 %)."""
        return self.dead / self.known if self.known else None

    @property
    def rot_text(self) -> str:
        """``25%``, ``25% (3 not checked)``, ``not checked`` or ``unknown`` (checked, no answer tells)."""
        if self.rot is None:
            return "not checked" if self.not_checked else "unknown"
        share = f"{self.rot:.0%}"
        return f"{share} ({self.not_checked} not checked)" if self.not_checked else share


def outlet_rows(links: dict[str, LinkResult]) -> list[OutletRow]:
    rows: dict[str, OutletRow] = {}
    for link in links.values():
        domain = link.domain or "(no domain)"
        row = rows.get(domain)
        if row is None:
            row = rows[domain] = OutletRow(domain, 0, 0, 0)
        row.links += 1
        row.dead += link.status in DEAD_STATUSES
        row.unknown += link.status in NOT_KNOWN
        row.not_checked += link.status in NOT_CHECKED_STATUSES
    return sorted(rows.values(), key=lambda row: (-row.dead, -row.links, row.domain))


def articles_by_dead_links(links: dict[str, LinkResult], limit: int = 10) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for link in links.values():
        if link.status in DEAD_STATUSES:
            for path in {cited.path for cited in link.cited_by}:
                counts[path] += 1
    return counts.most_common(limit)
