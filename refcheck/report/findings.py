"""What an editor must act on, in the shape every report shows it: each dead or
soft-404 link at each place it is cited (article, line, note), with the reason
of its verdict and the archive copy that can replace it.

One list for the terminal, report.md, report.html, JUnit and GitHub annotations,
so they never disagree about what is dead or why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from refcheck.models import DEAD_STATUSES, FootnoteLabel, LinkResult, LinkStatus


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

    @property
    def archive_distance_days(self) -> int | None:
        """Days between the citation and the capture (positive: captured after)."""
        return days_between(self.cited_on, self.archive_date)

    @property
    def place(self) -> str:
        """``corpus/a.txt:12 note 3``."""
        note = f" note {self.footnote}" if self.footnote is not None else ""
        return f"{self.path}:{self.line}{note}"


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
