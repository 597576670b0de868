"""What an editor must act on, in the shape every report shows it: each dead or
soft-404 link at each place it is cited (article, line, note), with the reason
of its verdict and the archive copy that can replace it; and each cited page that
changed or now shows something else (content drift, ``--drift``), with its evidence.

One list for the terminal, report.md, report.html, JUnit and GitHub annotations,
so they never disagree about what is dead or why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from refcheck.models import DEAD_STATUSES, DriftVerdict, FootnoteLabel, LinkResult, LinkStatus


@dataclass(frozen=True, slots=True)
class Finding:
    """One dead link at one place where it is cited."""

    path: str
    line: int
    footnote: FootnoteLabel | None
    url: str
    status: LinkStatus
    reason: str
    """Why the verdict: ``HTTP 404``, ``soft-404: …``, ``no such host`` …"""
    newly_dead: bool
    """Dead now and not at the previous run over the same corpus (or the first run)."""
    archive_url: str | None = None
    archive_date: str | None = None
    """The capture's day, ``YYYY-MM-DD``."""
    cited_on: str | None = None
    """When the article cited it (the note's date, else the article's)."""
    unit: str = "line"
    """What ``line`` counts in the citing document (``page`` in a PDF, ``paragraph`` in Word)."""

    @property
    def archive_distance_days(self) -> int | None:
        """Days between the citation and the capture (positive: captured after)."""
        return days_between(self.cited_on, self.archive_date)

    @property
    def place(self) -> str:
        """``corpus/a.txt:12 note 3`` (``report.pdf page 4 note 3``)."""
        note = f" note {self.footnote}" if self.footnote is not None else ""
        where = f":{self.line}" if self.unit == "line" else f" {self.unit} {self.line}"
        return f"{self.path}{where}{note}"


def place_of(line: int, unit: str = "line") -> str:
    """Where in a document, in words: ``line 12``, ``page 4`` (PDF), ``paragraph 7`` (Word)."""
    return f"{unit} {line}"


_CELL_PREFIX = {"line": "", "page": "p. ", "paragraph": "¶ "}


def cell_of(line: int, unit: str = "line") -> str:
    """Where in a document, in a table's "line" column: ``12``, ``p. 4``, ``¶ 7``."""
    return f"{_CELL_PREFIX.get(unit, unit + ' ')}{line}"


def reason_of(link: LinkResult) -> str:
    """The verdict's reason in a few words (the checker's own message where it gave one)."""
    error = (link.error or "").strip()
    if link.status is LinkStatus.SOFT_404:
        return f"soft-404: {error}" if error else "soft-404: the page says it is not there"
    if link.http_status is not None and link.status is not LinkStatus.OK:
        status_line = f"HTTP {link.http_status}"
        if not error:
            return status_line
        # The checker's message often starts with the status line ("HTTP 404 Not Found"): not twice.
        return error if error.startswith(status_line) else f"{status_line}: {error}"
    return error or str(link.status)


def readable_timestamp(timestamp: str | None) -> str | None:
    """A Wayback timestamp (``20180901000000``) as a day, ``2018-09-01``; None when it is not one."""
    if not timestamp or len(timestamp) < 8 or not timestamp[:8].isdigit():
        return None
    try:
        return date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8])).isoformat()
    except ValueError:
        return None


def days_between(earlier: str | None, later: str | None) -> int | None:
    """Days from ``earlier`` to ``later`` (ISO days; a month or year alone counts from its first day)."""
    first, second = _day(earlier), _day(later)
    if first is None or second is None:
        return None
    return (second - first).days


def _day(text: str | None) -> date | None:
    if not text:
        return None
    parts = text[:10].split("-")
    try:
        numbers = [int(part) for part in parts] + [1] * (3 - len(parts))
        return date(numbers[0], numbers[1], numbers[2])
    except (ValueError, IndexError):
        return None


def dead_findings(links: dict[str, LinkResult], newly_dead: set[str]) -> list[Finding]:
    """Every dead or soft-404 link at every place it is cited: the newly dead first,
    then by article and line (so each article's problems read in its own order)."""
    found: list[Finding] = []
    for link in links.values():
        if link.status not in DEAD_STATUSES:
            continue
        copy = link.archive if link.archive is not None and link.archive.available else None
        reason = reason_of(link)
        for cited in link.cited_by:
            found.append(
                Finding(
                    path=cited.path,
                    line=cited.line,
                    unit=cited.unit,
                    footnote=cited.footnote,
                    url=link.url,
                    status=link.status,
                    reason=reason,
                    newly_dead=link.url in newly_dead,
                    archive_url=copy.url if copy is not None else None,
                    archive_date=readable_timestamp(copy.timestamp) if copy is not None else None,
                    cited_on=cited.date,
                )
            )
    found.sort(key=lambda item: (not item.newly_dead, item.path, item.line, item.url))
    return found


def by_article(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """The findings grouped by article: articles with newly dead links first, then by path."""
    groups: dict[str, list[Finding]] = {}
    for item in findings:
        groups.setdefault(item.path, []).append(item)
    for items in groups.values():
        items.sort(key=lambda item: (item.line, item.url))
    return sorted(groups.items(), key=lambda group: (not any(item.newly_dead for item in group[1]), group[0]))


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 link``, ``2 links``, ``1 outlet``, ``3 runs`` (``plural_form`` for irregular nouns)."""
    return f"{count:,} {noun if count == 1 else plural_form or noun + 's'}"


# --------------------------------------------------------------------------- content drift

DRIFTED = (DriftVerdict.REPLACED, DriftVerdict.CHANGED)
"""The drift verdicts an editor must look at, the worse first."""


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
    unit: str = "line"
    """What ``line`` counts in the citing document."""

    @property
    def place(self) -> str:
        """``corpus/a.txt:12 note 3`` (``report.pdf page 4 note 3``)."""
        note = f" note {self.footnote}" if self.footnote is not None else ""
        where = f":{self.line}" if self.unit == "line" else f" {self.unit} {self.line}"
        return f"{self.path}{where}{note}"

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
                    unit=cited.unit,
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
