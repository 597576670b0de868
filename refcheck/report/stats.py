"""Figures every report shares: link rot per outlet, articles with the most dead links."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from refcheck.models import DEAD_STATUSES, LinkResult

NOT_KNOWN = frozenset({"unknown", "unchecked", "blocked", "rate-limited", "timeout", "error", "server-error"})


@dataclass
class OutletRow:
    domain: str
    links: int
    dead: int
    unknown: int

    @property
    def rot(self) -> float:
        """Dead share among the links whose fate is known."""
        known = self.links - self.unknown
        return self.dead / known if known else 0.0


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
    return sorted(rows.values(), key=lambda row: (-row.dead, -row.links, row.domain))


def articles_by_dead_links(links: dict[str, LinkResult], limit: int = 10) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for link in links.values():
        if link.status in DEAD_STATUSES:
            for path in {cited.path for cited in link.cited_by}:
                counts[path] += 1
    return counts.most_common(limit)
