"""report.html: one self-contained file that works offline, rendered from the
Jinja2 templates in refcheck/report/templates/.

No request to any other host: style, scripts (uPlot for the trend chart,
Cytoscape.js for the citation graph, both vendored in assets/vendor/) and data
are inside the file, and a Content-Security-Policy forbids everything else --
a script runs only if its SHA-256 is listed, so nothing from the corpus can run
even if it slipped past escaping. Escaping lives in one place: every value a
template prints goes through refcheck/report/escape.py (``finalize``) and is
HTML-escaped by Jinja's autoescaping; links are made only of http(s) URLs; the
data the scripts read is a JSON block made by :func:`escape.script_json`.
The tables are rendered on the server (readable without script); the script
adds sorting, filtering and the charts.

The view of a run both reports show (coverage, dead links, content drift,
footnote problems, articles with their notes, the trend) is built here, once, by
:func:`report_view`; report.md (refcheck/report/markdown.py) renders the same view.
Content drift (``--drift``) shows only where this run looked at it
(``ReportView.drift`` is None otherwise): no empty section, no empty column.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from refcheck.models import (
    DEAD_STATUSES,
    NOT_CHECKED_STATUSES,
    UNDETERMINED_STATUSES,
    Coverage,
    Document,
    DriftVerdict,
    FootnoteLabel,
    LinkResult,
    LinkStatus,
    Problem,
)
from refcheck.report import escape
from refcheck.report.changes import Changes
from refcheck.report.findings import (
    DriftFinding,
    Finding,
    by_article,
    cell_of,
    days_between,
    dead_findings,
    drift_by_article,
    drift_findings,
    place_of,
    plural,
    readable_timestamp,
    reason_of,
)
from refcheck.report.graph import Graph
from refcheck.report.stats import OutletRow, articles_by_dead_links, drift_counts, drift_looked_at, outlet_rows

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
ASSETS = HERE / "assets"

SCRIPTS = ("vendor/uPlot.iife.min.js", "report.js", "vendor/cytoscape.min.js", "graph.js")
"""Inlined in this order, each in its own ``<script>`` whose hash the CSP lists."""
STYLES = ("vendor/uPlot.min.css", "report.css", "graph.css")
"""Inlined into the page's one ``<style>`` (a missing one is left out)."""

STATUS_COLOURS = {
    "ok": "#2e7d32", "dead": "#c62828", "soft-404": "#ef6c00", "blocked": "#6a1b9a", "rate-limited": "#8d6e63",
    "server-error": "#ad1457", "timeout": "#546e7a", "error": "#455a64", "unknown": "#757575", "skipped": "#9e9e9e",
    "invalid": "#000000", "unchecked": "#757575", "not checked": "#757575",
}  # fmt: skip

TREND_SERIES = (
    ("ok", "#2e7d32", 7.0, (), ("ok",)),
    ("dead", "#c62828", 4.5, (12, 5), ("dead",)),
    ("soft-404", "#ef6c00", 2.5, (5, 4), ("soft-404",)),
    ("not checked", "#616161", 1.5, (2, 3), tuple(str(status) for status in NOT_CHECKED_STATUSES)),
)
"""The trend chart's series: label, colour, line width, dash pattern (() solid),
and the verdicts each one counts. Two series with equal counts draw on the same
line, so they are drawn widest first, each narrower one on top and dashed: the
one below shows at both edges and through the gaps (and its point is a larger
ring around the other's), never hidden."""

RUNS_IN_TABLE = 30


# --------------------------------------------------------------------------- the view both reports render


@dataclass(frozen=True, slots=True)
class LinkView:
    """One cited link at one place, with its verdict as an editor reads it."""

    url: str
    line: int
    kind: str
    status: str
    reason: str | None
    """Why the verdict (None for ok)."""
    archive_url: str | None = None
    archive_date: str | None = None
    archive_distance: str | None = None
    """``captured 4 days after it was cited``."""
    newly_dead: bool = False
    footnote: FootnoteLabel | None = None
    archive_state: str = "not looked up"
    """What the archive lookup found: see :func:`archive_state_of`."""
    drift: str | None = None
    """``replaced`` or ``changed`` when the page drifted from what was cited (``--drift``); else None."""

    @property
    def dead(self) -> bool:
        return self.status in DEAD_STATUSES

    @property
    def tone(self) -> str:
        """The CSS class of its verdict: ``dead``, ``ok``, ``unsure`` (checked, no answer that tells) or ``unknown``."""
        if self.dead:
            return "dead"
        if self.status == "ok":
            return "ok"
        return "unsure" if self.status in UNDETERMINED_STATUSES else "unknown"


@dataclass(slots=True)
class NoteView:
    label: FootnoteLabel
    line: int
    text: str
    date: str | None
    links: list[LinkView] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProblemView:
    path: str
    problem: Problem
    unit: str = "line"
    """What ``problem.line`` counts in its document."""


@dataclass(slots=True)
class ArticleView:
    document: Document
    notes: list[NoteView]
    text_links: list[LinkView]
    """Links in the running text (not in a note), in line order."""
    problems: list[Problem]
    """Errors and warnings, in line order (what the problem counts count)."""
    infos: list[Problem]
    """Notes such as a work cited without a link: listed, never counted as problems."""
    citations: int
    dead: int
    not_checked: int

    @property
    def anchor(self) -> str:
        return (
            "article-" + hashlib.blake2b(self.document.path.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
        )


@dataclass(slots=True)
class RunPoint:
    """One run of the trend (this corpus's history)."""

    generated_at: str
    time: float | None
    """Seconds since the epoch (None: the date does not parse)."""
    links: int
    counts: dict[str, int]
    """Per trend series label."""
    complete: bool
    why: str
    """Why some links were not checked (``offline 70``), '' when complete."""
    drift: dict[str, int] | None = None
    """Links by content drift verdict, for a run that looked at drift; None for one that did not."""


@dataclass(slots=True)
class DriftView:
    """Content drift as the reports show it: the replaced and changed pages at each
    place they are cited, grouped by article, and the links counted by verdict."""

    findings: list[DriftFinding]
    groups: list[tuple[str, list[DriftFinding]]]
    counts: dict[str, int]
    """Links by drift verdict: ``none``, ``changed``, ``replaced``, ``unknown``."""

    @property
    def drifted(self) -> int:
        """Links replaced or changed."""
        return self.counts["replaced"] + self.counts["changed"]

    @property
    def compared(self) -> int:
        """Links whose live page could be compared with a capture."""
        return self.drifted + self.counts["none"]

    @property
    def newly(self) -> int:
        return len({item.url for item in self.findings if item.newly})

    @property
    def text(self) -> str:
        """``2 replaced, 1 changed, 7 unchanged among 10 links compared; 3 not comparable``."""
        counts = self.counts
        parts = [f"{counts['replaced']:,} replaced", f"{counts['changed']:,} changed", f"{counts['none']:,} unchanged"]
        compared = f"{', '.join(parts)} among the {plural(self.compared, 'link')} compared"
        if not self.compared:
            compared = "no link could be compared with an archive capture"
        unknown = counts["unknown"]
        tail = f"; {plural(unknown, 'link')} not comparable (no capture near the citation date, or no text)"
        return compared + (tail if unknown else "")

    @staticmethod
    def capture_distance(item: DriftFinding) -> str | None:
        """``captured 4 days after it was cited``."""
        return capture_distance(days_between(item.cited_on, item.capture_date))


def drift_view(links: dict[str, LinkResult], newly: frozenset[str]) -> DriftView | None:
    """The run's content drift, or None when this run did not look at it."""
    if not drift_looked_at(links.values()):
        return None
    findings = drift_findings(links, newly)
    return DriftView(findings, drift_by_article(findings), drift_counts(links.values()))


def drift_tone(verdict: str) -> str:
    """The CSS class of a drift verdict: a replaced page is as bad as a dead one; an edited one, unsure."""
    return "dead" if verdict == DriftVerdict.REPLACED else "unsure"


@dataclass(slots=True)
class ReportView:
    generated_at: str
    summary: dict[str, Any]
    statuses: dict[str, int]
    coverage: Coverage
    findings: list[Finding]
    dead_groups: list[tuple[str, list[Finding]]]
    errors: list[ProblemView]
    warnings: list[ProblemView]
    infos: list[ProblemView]
    outlets: list[OutletRow]
    worst_articles: list[tuple[str, int]]
    articles: list[ArticleView]
    unread: list[Document]
    """Articles skipped or unreadable."""
    changes: Changes
    archived: int
    runs: list[RunPoint]
    archive_states: dict[str, str] = field(default_factory=dict)
    """Each link's archive lookup by URL (:func:`archive_state_of`)."""
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    """The links skipped (not for checking), by why: :func:`skip_kind`."""
    drift: DriftView | None = None
    """Content drift, when this run looked at it (``--drift``); None: nothing about drift is shown."""

    @property
    def runs_drift(self) -> bool:
        """Some run of the trend recorded drift counts: the runs table shows them."""
        return any(run.drift is not None for run in self.runs)

    @property
    def problem_count(self) -> int:
        """Footnote problems as every report counts them: errors and warnings (notes apart)."""
        return len(self.errors) + len(self.warnings)

    @property
    def checked(self) -> int:
        """Links that were checked (a verdict about the link, or an answer that tells nothing)."""
        return self.coverage.settled + self.coverage.undetermined

    @property
    def newly_dead(self) -> int:
        return len({finding.url for finding in self.findings if finding.newly_dead})

    @property
    def dead_links(self) -> int:
        return len({finding.url for finding in self.findings})

    @property
    def not_checked_why(self) -> str:
        """``offline 70``: the links not checked, by reason."""
        return _by_count(self.coverage.reasons)

    @property
    def skipped_why(self) -> str:
        """``by rules 5, not a web link 1``: the links skipped, by why."""
        return _by_count(self.skipped_reasons) if self.skipped_reasons else f"skipped {self.coverage.skipped:,}"

    @property
    def nothing_checked(self) -> bool:
        """Links were cited and not one was checked (offline, cut off, or every one skipped)."""
        return bool(self.coverage.links) and not self.checked

    @property
    def partly_checked(self) -> bool:
        """Some cited links were not checked (for any reason, skipped ones too)."""
        return self.checked < self.coverage.links

    @property
    def coverage_lines(self) -> list[str]:
        """What the top of a report says about the links not checked: those the run
        could not check (their fate unknown), then those skipped by choice; [] when
        every link was checked. Built from the coverage's counts, not its one-line
        text, so each report says it in its own layout."""
        coverage, lines = self.coverage, []
        if not coverage.complete:
            lines.append(
                f"{coverage.not_checked:,} of {plural(coverage.links, 'link')} not checked ({self.not_checked_why}): "
                "their fate is unknown, not healthy"
            )
        if coverage.skipped:
            tail = ": nothing was checked" if self.nothing_checked else ""
            lines.append(f"{coverage.skipped:,} of {plural(coverage.links, 'link')} skipped ({self.skipped_why}){tail}")
        return lines

    @property
    def no_dead_text(self) -> str:
        """What the dead-links section says when it lists none: never a bare
        'None' when some links were not checked (nor when every one was skipped)."""
        if not self.partly_checked:
            return f"None: no dead link among the {plural(self.coverage.links, 'link')} cited."
        skipped = self.skipped_why if self.coverage.skipped else ""
        why = ", ".join(part for part in (self.not_checked_why, skipped) if part)
        if self.nothing_checked:
            return f"No link was checked ({why}): whether any is dead is unknown."
        unchecked = self.coverage.links - self.checked
        return f"No dead link among the {plural(self.checked, 'link')} checked; {unchecked:,} not checked ({why})."

    @property
    def info_text(self) -> str:
        """``6 works cited without a link``: the notes counted apart, in the terminal's words."""
        return info_text(row.problem for row in self.infos)

    @property
    def languages(self) -> list[tuple[str, int]]:
        """Articles by language, the most common first; ``unknown`` (not recognised) is no language."""
        recorded = self.summary.get("languages")
        if not isinstance(recorded, dict):
            return []
        known = [(str(code), count) for code, count in recorded.items() if code != UNKNOWN_LANGUAGE]
        return sorted(known, key=lambda item: (-item[1], item[0]))

    @property
    def language_unknown(self) -> int:
        """Articles whose language was not recognised."""
        recorded = self.summary.get("languages")
        count = recorded.get(UNKNOWN_LANGUAGE, 0) if isinstance(recorded, dict) else 0
        return count if isinstance(count, int) else 0

    @property
    def archive_lookups(self) -> str:
        """``2 copies found, no copy for 1 link, could not tell for 1 link (archive unreachable)``;
        ``not looked up`` when no lookup was made (``--archive none``)."""
        counts: dict[str, int] = {}
        for state in self.archive_states.values():
            counts[state] = counts.get(state, 0) + 1
        parts = []
        if counts.get("found"):
            parts.append(f"{plural(counts['found'], 'copy', 'copies')} found")
        if counts.get("none"):
            parts.append(f"no copy for {plural(counts['none'], 'link')}")
        if counts.get("unknown"):
            parts.append(f"could not tell for {plural(counts['unknown'], 'link')} (archive unreachable)")
        return ", ".join(parts) or "not looked up"


UNKNOWN_LANGUAGE = "unknown"
"""The summary's language of an article whose language was not recognised."""


def _by_count(counts: dict[str, int]) -> str:
    """``offline 70, network down 2``: the commonest first."""
    return ", ".join(
        f"{name} {count:,}" for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def info_text(problems: Iterable[Problem]) -> str:
    """``6 works cited without a link`` (the terminal's words), other kinds of note as notes."""
    items = list(problems)
    unlinked = sum(1 for problem in items if problem.kind == "unlinked-work")
    parts = [f"{plural(unlinked, 'work')} cited without a link"] if unlinked else []
    if len(items) > unlinked:
        parts.append(plural(len(items) - unlinked, "other note"))
    return ", ".join(parts)


def archive_state_of(link: LinkResult | None) -> str:
    """``found``, ``none`` (the archive has no copy), ``unknown`` (it could not tell:
    unreachable, no answer) or ``not looked up`` (``--archive none``, or not a link it looks up)."""
    if link is None or link.archive is None:
        return "not looked up"
    if link.archive.available is None:
        return "unknown"
    return "found" if link.archive.available else "none"


ARCHIVE_WORDS = {
    "found": "archived (the archive gave no address)",
    "none": "no archive copy found",
    "unknown": "could not tell (archive unreachable)",
    "not looked up": "archive not looked up",
}


def archive_words(state: str | None) -> str:
    """What report.md says in place of a dead link's archive copy it does not have."""
    return ARCHIVE_WORDS.get(state or "not looked up", ARCHIVE_WORDS["not looked up"])


def skip_kind(reason: str | None) -> str:
    """Why a link was skipped, in a few words an editor reads (the detail is in report.json)."""
    text = (reason or "").lower()
    if text.startswith(("excluded by", "not matched by", "domain rule")):
        return "by rules"
    if text.startswith("unsupported scheme"):
        return "not a web link"
    return "refused"


def report_view(
    generated_at: str,
    documents: Iterable[Document],
    links: dict[str, LinkResult],
    summary: dict[str, Any],
    changes: Changes,
    history: list[dict[str, object]] | None = None,
) -> ReportView:
    newly_dead = set(changes.newly_dead)
    findings = dead_findings(links, newly_dead)
    scope = summary.get("links_scope")
    articles: list[ArticleView] = []
    unread: list[Document] = []
    problems: dict[str, list[ProblemView]] = {"error": [], "warning": [], "info": []}
    for document in documents:
        if document.skipped or document.error:
            unread.append(document)
            continue
        articles.append(article_view(document, links, newly_dead, scope if isinstance(scope, str) else "article"))
        for problem in sorted(document.problems, key=lambda item: item.line):
            problems.setdefault(problem.severity, []).append(ProblemView(document.path, problem, document.unit))
    statuses = summary.get("statuses")
    return ReportView(
        generated_at=generated_at,
        summary=summary,
        statuses={str(key): int(value) for key, value in statuses.items()} if isinstance(statuses, dict) else {},
        coverage=coverage_of(summary, links),
        findings=findings,
        dead_groups=by_article(findings),
        errors=problems["error"],
        warnings=problems["warning"],
        infos=problems["info"],
        outlets=outlet_rows(links),
        worst_articles=articles_by_dead_links(links),
        articles=articles,
        unread=unread,
        changes=changes,
        archived=sum(1 for link in links.values() if link.archive and link.archive.available),
        runs=run_points(history or []),
        archive_states={url: archive_state_of(link) for url, link in links.items()},
        skipped_reasons=skipped_reasons(links),
        drift=drift_view(links, changes.newly_drifted),
    )


def skipped_reasons(links: dict[str, LinkResult]) -> dict[str, int]:
    """The links skipped (not for checking), counted by :func:`skip_kind`."""
    counts: dict[str, int] = {}
    for link in links.values():
        if link.status == LinkStatus.SKIPPED:
            kind = skip_kind(link.error)
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def coverage_of(summary: dict[str, Any], links: dict[str, LinkResult]) -> Coverage:
    """The run's coverage from the summary; counted from the links where the summary has none."""
    recorded = summary.get("coverage")
    if isinstance(recorded, dict):
        names = {item.name for item in fields(Coverage)}
        try:
            return Coverage(**{key: value for key, value in recorded.items() if key in names})
        except TypeError:
            pass
    return Coverage.of(links.values())


def link_view(url: str, line: int, kind: str, link: LinkResult | None, newly_dead: set[str], *,
              footnote: FootnoteLabel | None = None, cited_on: str | None = None) -> LinkView:  # fmt: skip
    if link is None:
        return LinkView(url, line, kind, "unchecked", None, footnote=footnote)
    copy = link.archive if link.archive is not None and link.archive.available else None
    archive_date = readable_timestamp(copy.timestamp) if copy is not None else None
    return LinkView(
        url=url,
        line=line,
        kind=kind,
        status=str(link.status),
        # ok needs no reason; "not checked" is explained once, at the top of the report
        reason=None if link.status == "ok" or link.status in NOT_CHECKED_STATUSES else reason_of(link),
        archive_url=copy.url if copy is not None else None,
        archive_date=archive_date,
        archive_distance=capture_distance(days_between(cited_on, archive_date)),
        newly_dead=url in newly_dead and link.status in DEAD_STATUSES,
        footnote=footnote,
        archive_state=archive_state_of(link),
        drift=_drifted(link),
    )


def _drifted(link: LinkResult) -> str | None:
    """``replaced`` or ``changed`` for a live page that drifted (a dead one is reported as dead)."""
    if link.drift is None or link.status in DEAD_STATUSES:
        return None
    verdict = link.drift.verdict
    return str(verdict) if verdict in (DriftVerdict.REPLACED, DriftVerdict.CHANGED) else None


def article_view(document: Document, links: dict[str, LinkResult], newly_dead: set[str], scope: str) -> ArticleView:
    """The article's notes in its own order, each with its links and their
    verdicts; the links in its running text; its problems and notes."""
    cited = document.cited(scope)
    notes: dict[FootnoteLabel, NoteView] = {}
    for footnote in sorted(document.footnotes, key=lambda item: item.line):
        notes.setdefault(footnote.number, NoteView(footnote.number, footnote.line, footnote.text, footnote.date))
    text_links: list[LinkView] = []
    for citation in sorted(cited, key=lambda item: item.line):
        if citation.footnote is None:
            text_links.append(link_view(citation.url, citation.line, citation.kind, links.get(citation.url), newly_dead,
                                        cited_on=document.date))  # fmt: skip
            continue
        note = notes.get(citation.footnote)
        if note is None:  # a note the extractor saw only through its links
            note = notes[citation.footnote] = NoteView(citation.footnote, citation.line, "", None)
        note.links.append(link_view(citation.url, citation.line, citation.kind, links.get(citation.url), newly_dead,
                                    footnote=citation.footnote, cited_on=note.date or document.date))  # fmt: skip
    for problem in document.problems:
        if problem.footnote is not None and problem.footnote in notes:
            notes[problem.footnote].problems.append(problem)
    counted = sorted((p for p in document.problems if p.severity != "info"), key=lambda item: item.line)
    every_link = [*text_links, *(link for note in notes.values() for link in note.links)]
    return ArticleView(
        document=document,
        notes=sorted(notes.values(), key=lambda note: note.line),
        text_links=text_links,
        problems=counted,
        infos=sorted((p for p in document.problems if p.severity == "info"), key=lambda item: item.line),
        citations=len(cited),
        dead=sum(1 for link in every_link if link.dead),
        not_checked=sum(1 for link in every_link if link.status in NOT_CHECKED_STATUSES),
    )


def capture_distance(days: int | None) -> str | None:
    """``captured 4 days after it was cited``, ``… 3 months before …``, ``captured the day it was cited``."""
    if days is None:
        return None
    if days == 0:
        return "captured the day it was cited"
    span = abs(days)
    if span >= 730:
        amount = plural(span // 365, "year")
    elif span >= 60:
        amount = plural(span // 30, "month")
    else:
        amount = plural(span, "day")
    return f"captured {amount} {'after' if days > 0 else 'before'} it was cited"


def reason_beside(status: str, reason: str | None) -> str | None:
    """The reason as shown beside its status: without the status repeated at its
    start (``soft-404: the title says…`` beside a soft-404 badge)."""
    if reason and reason.startswith(f"{status}: "):
        reason = reason[len(status) + 2 :]
    if reason:
        head, _, rest = reason.partition(": ")
        if rest == head:  # "HTTP 404: HTTP 404": the checker's message repeats the status line
            return head
    return reason


def verdict_text(status: str, reason: str | None) -> str:
    """``dead: HTTP 404``, ``soft-404: the title says…``, ``ok``: a verdict in words."""
    shown = reason_beside(status, reason)
    return f"{status}: {shown}" if shown else str(status)


def run_points(history: list[dict[str, object]]) -> list[RunPoint]:
    """The runs of this corpus's history as the trend shows them; rows not of
    refcheck's shape (a damaged or planted line) are left out."""
    points = []
    for row in history:
        statuses = row.get("statuses")
        generated_at = row.get("generated_at") or row.get("run")
        if not isinstance(statuses, dict) or not isinstance(generated_at, str):
            continue
        counts = {label: sum(_count(statuses.get(name)) for name in names) for label, *_, names in TREND_SERIES}
        coverage = row.get("coverage")
        reasons = coverage.get("reasons") if isinstance(coverage, dict) else None
        complete = row.get("complete")
        if not isinstance(complete, bool):  # a run from before the history said so
            complete = counts["not checked"] == 0
        why = ""
        if not complete:
            why = (
                ", ".join(f"{reason} {_count(count)}" for reason, count in reasons.items())
                if isinstance(reasons, dict) and reasons
                else f"not checked {counts['not checked']}"
            )
        links = row.get("links")
        drift = row.get("drift")
        drift_counted = (
            {name: _count(drift.get(name)) for name in ("replaced", "changed")} if isinstance(drift, dict) else None
        )
        points.append(RunPoint(generated_at, _epoch(generated_at), _count(links), counts, complete, why, drift_counted))
    return points


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _epoch(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# --------------------------------------------------------------------------- rendering


def _html_value(value: object) -> object:
    """Every value a template prints: through escape.html (credentials masked, no
    hidden character, HTML-escaped); markup the templates made themselves as is."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return Markup(escape.html(value))


def is_web_url(value: object) -> bool:
    """Only http(s) URLs become links (never ``javascript:``, ``data:``…)."""
    return isinstance(value, str) and value[:8].lower().startswith(("http://", "https://"))


@cache
def environment() -> jinja2.Environment:
    """The templates' environment, built once: autoescaping on, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_html_value,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.tests["web_url"] = is_web_url
    env.filters["plural"] = plural
    env.globals["colour"] = lambda status: STATUS_COLOURS.get(str(status), "#333")
    env.globals.update(
        capture_distance=capture_distance, reason_beside=reason_beside, info_text=info_text, archive_words=archive_words
    )
    env.globals["drift_tone"] = drift_tone
    env.filters.update(at=cell_of, place=place_of)
    return env


@cache
def asset(name: str) -> str:
    """An asset's text ('' when it is not there: graph.css, say)."""
    try:
        return (ASSETS / name).read_text("utf-8")
    except FileNotFoundError:
        return ""


@cache
def scripts_and_policy() -> tuple[tuple[Markup, ...], str]:
    """The inlined scripts, and the Content-Security-Policy that lets exactly them run."""
    bodies = tuple(asset(name) for name in SCRIPTS)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode('utf-8')).digest()).decode()}'" for body in bodies
    )
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {hashes}; base-uri 'none'; form-action 'none'"
    )
    for body in bodies:  # an inlined script must not end its own element
        if "</script" in body.lower() or "<!--" in body:
            raise ValueError("an inlined script holds '</script' or '<!--'")
    return tuple(Markup(body) for body in bodies), policy


@cache
def style() -> Markup:
    text = "\n".join(asset(name) for name in STYLES)
    if "</style" in text.lower():
        raise ValueError("an inlined style holds '</style'")
    return Markup(text)


def trend_data(runs: list[RunPoint]) -> dict[str, Any]:
    """What report.js draws with uPlot: the runs' times, one series per verdict of
    interest, and which runs were partial. A partial run's verdict counts are left
    out of the lines (null: a gap), so links it could not check never draw a fake
    recovery; its "not checked" count and its ring show it, the table its figures."""
    dated = [run for run in runs if run.time is not None]

    def values(label: str) -> list[int | None]:
        return [run.counts[label] if run.complete or label == "not checked" else None for run in dated]

    return {
        "x": [run.time for run in dated],
        "series": [
            {"label": label, "colour": colour, "width": width, "dash": list(dash), "values": values(label)}
            for label, colour, width, dash, _ in TREND_SERIES
        ],
        "partial": [not run.complete for run in dated],
        "why": [run.why for run in dated],
        "links": [run.links for run in dated],
    }


def render(
    generated_at: str,
    documents: Iterable[Document],
    links: dict[str, LinkResult],
    summary: dict[str, object],
    changes: Changes,
    graph: Graph,
    history: list[dict[str, object]],
) -> str:
    from refcheck.report.graph_view import graph_view

    view = report_view(generated_at, documents, links, summary, changes, history)
    scripts, policy = scripts_and_policy()
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            view=view,
            csp=policy,
            style=style(),
            scripts=scripts,
            graph=graph,
            graph_data=Markup(escape.script_json(graph_view(graph))),
            trend_data=Markup(escape.script_json(trend_data(view.runs))),
            runs_shown=list(reversed(view.runs))[:RUNS_IN_TABLE],
            trend_series=[label for label, *_ in TREND_SERIES],
        )
    )
