"""Figures every report shares: link rot per outlet, articles with the most dead links,
and content drift (``--drift``): the cited links whose page changed or now shows
something else, at each place they are cited, and how many per outlet.

Drift figures exist only where drift was looked at in this run (some link has a
:class:`~refcheck.models.Drift` record): otherwise every report stays as it was,
with no empty section and no empty column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from refcheck.models import DEAD_STATUSES, NOT_CHECKED_STATUSES, DriftVerdict, FootnoteLabel, LinkResult
from refcheck.report.findings import readable_timestamp

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

DRIFTED = (DriftVerdict.REPLACED, DriftVerdict.CHANGED)
"""The drift verdicts an editor must look at, the worse first."""


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


@dataclass(frozen=True, slots=True)
class DriftFinding:
    """One cited link whose page changed or now shows something else, at one place
    where it is cited, with the evidence: the three titles and the scores."""

    path: str
    line: int
    footnote: FootnoteLabel | None
    url: str
    verdict: DriftVerdict
    reason: str
    """Why, in a few words (``now a home page``, ``title and text differ``)."""
    newly: bool
    """Replaced (or changed) now and not at the previous run over the same corpus."""
    cited_title: str | None = None
    """The title this citation gives (else the one the verdict compared with)."""
    then_title: str | None = None
    """The title of the capture closest to the citation date."""
    now_title: str | None = None
    """The live page's title."""
    cited_similarity: float | None = None
    title_similarity: float | None = None
    text_similarity: float | None = None
    capture_url: str | None = None
    capture_date: str | None = None
    """The capture's day, ``YYYY-MM-DD``."""
    live_url: str | None = None
    """Where the address leads now, when redirects took it elsewhere (else None: the URL itself)."""
    cited_on: str | None = None

    @property
    def place(self) -> str:
        """``corpus/a.txt:12 note 3``."""
        note = f" note {self.footnote}" if self.footnote is not None else ""
        return f"{self.path}:{self.line}{note}"

    @property
    def scores(self) -> str:
        """``cited/now title 0.05, then/now title 0.10, text 0.02``: the scores the verdict rests on ('' if none)."""
        parts = [
            f"{name} {value:.2f}"
            for name, value in (
                ("cited/now title", self.cited_similarity),
                ("then/now title", self.title_similarity),
                ("then/now text", self.text_similarity),
            )
            if value is not None
        ]
        return ", ".join(parts)


def drift_reason(link: LinkResult) -> str:
    """The drift verdict's reason, or the verdict's meaning when the detector gave none."""
    drift = link.drift
    if drift is not None and drift.reason and drift.reason.strip():
        return drift.reason.strip()
    if drift is not None and drift.verdict is DriftVerdict.REPLACED:
        return "the address now shows something else"
    return "the page was edited since it was cited"


def drift_findings(
    links: dict[str, LinkResult], newly: set[str] | frozenset[str] = frozenset(), *, replaced_only: bool = False
) -> list[DriftFinding]:
    """Every replaced or changed link (not dead: those are listed as dead) at every
    place it is cited: replaced first, the newly drifted first within each, then by
    article and line. ``newly``: URLs newly replaced or changed (:class:`~refcheck.report.changes.Changes`)."""
    found: list[DriftFinding] = []
    wanted = (DriftVerdict.REPLACED,) if replaced_only else DRIFTED
    for link in links.values():
        drift = link.drift
        if drift is None or drift.verdict not in wanted or link.status in DEAD_STATUSES:
            continue
        reason = drift_reason(link)
        live = link.final_url if link.final_url and link.final_url != link.url else None
        for cited in link.cited_by:
            found.append(
                DriftFinding(
                    path=cited.path,
                    line=cited.line,
                    footnote=cited.footnote,
                    url=link.url,
                    verdict=drift.verdict,
                    reason=reason,
                    newly=link.url in newly,
                    cited_title=cited.title or drift.cited_title,
                    then_title=drift.then_title,
                    now_title=drift.now_title,
                    cited_similarity=drift.cited_similarity,
                    title_similarity=drift.title_similarity,
                    text_similarity=drift.text_similarity,
                    capture_url=drift.capture_url,
                    capture_date=readable_timestamp(drift.capture_timestamp),
                    live_url=live,
                    cited_on=cited.date,
                )
            )
    found.sort(key=lambda item: (DRIFTED.index(item.verdict), not item.newly, item.path, item.line, item.url))
    return found


def drift_by_article(findings: list[DriftFinding]) -> list[tuple[str, list[DriftFinding]]]:
    """The drift findings grouped by article, each group in line order: articles with a
    replaced link first (then a newly drifted one), then by path."""
    groups: dict[str, list[DriftFinding]] = {}
    for item in findings:
        groups.setdefault(item.path, []).append(item)
    for items in groups.values():
        items.sort(key=lambda item: (item.line, item.url))

    def order(group: tuple[str, list[DriftFinding]]) -> tuple[bool, bool, str]:
        items = group[1]
        return (
            not any(item.verdict is DriftVerdict.REPLACED for item in items),
            not any(item.newly for item in items),
            group[0],
        )

    return sorted(groups.items(), key=order)


def drift_header(findings: list[DriftFinding]) -> str:
    """``content drift: 3 links (2 replaced, 1 changed), 1 newly replaced, cited 4 times in 2 articles:``."""
    verdicts = {item.url: item.verdict for item in findings}
    counts = Counter(str(verdict) for verdict in verdicts.values())
    kinds = ", ".join(f"{counts[str(v)]:,} {v}" for v in DRIFTED if counts[str(v)])
    newly = [
        f"{len({i.url for i in findings if i.newly and i.verdict is v}):,} newly {v}"
        for v in DRIFTED
        if any(i.newly and i.verdict is v for i in findings)
    ]
    articles = len({item.path for item in findings})
    links = "link" if len(verdicts) == 1 else "links"
    times = "time" if len(findings) == 1 else "times"
    return (
        f"content drift: {len(verdicts):,} {links} ({kinds})" + "".join(f", {text}" for text in newly)
        + f", cited {len(findings):,} {times} in {articles:,} article{'' if articles == 1 else 's'}:"
    )  # fmt: skip
