"""Figures every report shares: link rot per outlet, articles with the most dead links."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from refcheck.models import DEAD_STATUSES, NOT_CHECKED_STATUSES, LinkResult

NOT_KNOWN = frozenset(
    {"unknown", "unchecked", "blocked", "rate-limited", "timeout", "error", "server-error", "skipped"}
)
"""Verdicts that say nothing about the link's fate (skipped: left out by a rule, or not http)."""


class RotFigures:
    """Dead, unknown and not-checked counts of a group of links (an outlet's, an
    article's), and the rot rate they allow."""

    links: int
    dead: int
    unknown: int
    """Links whose fate this run does not know: not checked, or an answer that says nothing (blocked, time-out…)."""
    not_checked: int
    """Of ``unknown``: links not checked at all (offline, network down, interrupted)."""

    def count(self, link: LinkResult) -> None:
        self.links += 1
        self.dead += link.status in DEAD_STATUSES
        self.unknown += link.status in NOT_KNOWN
        self.not_checked += link.status in NOT_CHECKED_STATUSES

    @property
    def known(self) -> int:
        return self.links - self.unknown

    @property
    def rot(self) -> float | None:
        """Dead share among the links whose fate is known; None when none is known
        (links that were not checked have no rot rate, not 0 %)."""
        return self.dead / self.known if self.known else None

    @property
    def rot_text(self) -> str:
        """``25%``, ``25% (3 not checked)``, ``not checked`` or ``unknown`` (checked, no answer tells)."""
        if self.rot is None:
            return "not checked" if self.not_checked else "unknown"
        share = f"{self.rot:.0%}"
        return f"{share} ({self.not_checked} not checked)" if self.not_checked else share


@dataclass
class OutletRow(RotFigures):
    domain: str
    links: int
    dead: int
    unknown: int
    not_checked: int = 0


@dataclass
class ArticleRow(RotFigures):
    """One article's cited links (unique URLs in scope), for per-article link rot."""

    path: str
    links: int = 0
    dead: int = 0
    unknown: int = 0
    not_checked: int = 0


def outlet_rows(links: dict[str, LinkResult]) -> list[OutletRow]:
    rows: dict[str, OutletRow] = {}
    for link in links.values():
        domain = link.domain or "(no domain)"
        row = rows.get(domain)
        if row is None:
            row = rows[domain] = OutletRow(domain, 0, 0, 0)
        row.count(link)
    return sorted(rows.values(), key=lambda row: (-row.dead, -row.links, row.domain))


def article_rows(links: dict[str, LinkResult]) -> dict[str, ArticleRow]:
    """Link rot per article, by the article's path (as in ``Document.path`` and
    ``CitedBy.path``), sorted by path. A link cited twice by an article counts
    once for it; an article that cites no checked link has no row (read its
    figures as 0 links, rot ``None``)."""
    rows: dict[str, ArticleRow] = {}
    for link in links.values():
        for path in {cited.path for cited in link.cited_by}:
            row = rows.get(path)
            if row is None:
                row = rows[path] = ArticleRow(path)
            row.count(link)
    return dict(sorted(rows.items()))


def articles_by_dead_links(links: dict[str, LinkResult], limit: int = 10) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for link in links.values():
        if link.status in DEAD_STATUSES:
            for path in {cited.path for cited in link.cited_by}:
                counts[path] += 1
    return counts.most_common(limit)
