"""Figures every report shares: link rot per outlet, articles with the most dead links,
and content drift counts (``--drift``; the drifted citations themselves are listed
by refcheck/report/findings.py, beside the dead ones).

Drift figures exist only where drift was looked at in this run (some link has a
:class:`~refcheck.models.Drift` record): otherwise every report stays as it was,
with no empty section and no empty column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from refcheck.models import DEAD_STATUSES, NOT_CHECKED_STATUSES, DriftVerdict, LinkResult

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
    compared: int = 0
    """Content drift: links whose page now could be compared with a capture (verdict none, changed or replaced)."""
    changed: int = 0
    replaced: int = 0


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
        verdict = link.drift.verdict if link.drift is not None else None
        if verdict is not None and verdict is not DriftVerdict.UNKNOWN:
            row.compared += 1
            row.changed += verdict is DriftVerdict.CHANGED
            row.replaced += verdict is DriftVerdict.REPLACED
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


# --------------------------------------------------------------------------- content drift


def drift_looked_at(links: Iterable[LinkResult]) -> bool:
    """Drift was looked at in this run: some link has a drift record (``--drift``)."""
    return any(link.drift is not None for link in links)


def drift_counts(links: Iterable[LinkResult]) -> dict[str, int]:
    """Links by drift verdict (``none``, ``changed``, ``replaced``, ``unknown``), every
    verdict present; links whose drift was not looked at are not counted."""
    counts = {str(verdict): 0 for verdict in DriftVerdict}
    for link in links:
        if link.drift is not None:
            counts[str(link.drift.verdict)] += 1
    return counts
