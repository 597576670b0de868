"""The human summary printed at the end of a run.

Top to bottom: what changed since the last run over this corpus, how many links
could not be checked (and why), each article with its footnote problems, the dead
links an editor must act on (grouped by article, the newly dead first, each with
its line, note, verdict and reason, and the archive copy that can replace it),
then the content drift (``--drift``: the cited pages that now show something else
or were edited, each with the titles cited, captured and live, the scores, and
links to the capture and the live page), the worst articles and outlets, the
run's notes, the totals -- and, last, why the exit status is what it is.

Three levels: ``quiet`` (the coverage line, the dead links, the replaced pages,
the footnote problems per kind with the errors, the totals and the exit line),
the default, and ``verbose`` (every finding without a cut, info items, every note).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Literal

from refcheck.models import PROBLEM_SEVERITY, Document, DriftVerdict, LinkResult, Problem, RunResult, Summary
from refcheck.report.escape import plain
from refcheck.report.findings import (
    DriftFinding,
    Finding,
    by_article,
    dead_findings,
    drift_by_article,
    drift_findings,
    drift_header,
    place_of,
    plural,
)
from refcheck.report.stats import OutletRow, articles_by_dead_links, outlet_rows

Level = Literal["quiet", "default", "verbose"]

DEAD_LIST_LIMIT = 20
"""Dead links listed by default (the rest: report.md, or ``-v``)."""
ERROR_LIST_LIMIT = 20
"""Footnote errors listed one by one with ``--quiet`` (then counted per kind)."""
TITLE_WIDTH = 90
"""Characters of a title shown in the drift list (the reports show it whole)."""


@dataclass(frozen=True, slots=True)
class View:
    """How much of the run the terminal shows, and what the command line knows
    besides the result (report/ never asks the pipeline or the network)."""

    level: Level = "default"
    newly_dead: frozenset[str] = field(default_factory=frozenset)
    """URLs dead now and not at the previous run over the same corpus."""
    newly_drifted: frozenset[str] = field(default_factory=frozenset)
    """URLs newly replaced or changed since the previous run (``Changes.newly_drifted``)."""
    exit_line: str | None = None
    """``exit 1: 1 newly dead link (--fail-on new-dead)``: printed last."""
    full_list: str | None = None
    """Where every dead link is listed (``reports/…/report.md``), for the cut's last line."""
    limit: int = DEAD_LIST_LIMIT


def write_summary(result: RunResult, out: IO[str], quiet: bool = False, view: View | None = None) -> None:
    """The summary of ``result`` on ``out`` (see the module); ``quiet`` is ``View(level="quiet")``."""
    view = view or View(level="quiet" if quiet else "default")
    summary = result.summary
    for line in result.headline:
        _say(line, out=out)
    coverage = summary.coverage.text()
    if coverage:
        _say(coverage, out=out)
    problems = _write_articles(result, view, out)
    if view.level != "quiet":  # quiet: the totals count them
        _write_skipped(summary, out)
    if view.level == "quiet":
        _write_problem_kinds(problems, view, out)
    _write_dead(result.links, dead_findings(result.links, set(view.newly_dead)), view, out)
    _write_drift(result.links, view, out)
    if view.level != "quiet":
        _write_worst(result.links, out)
    if result.notes:
        _say(out=out)
    for note in result.notes:
        _say(note, out=out)
    _say("\n" + totals_line(summary, problems), out=out)
    if view.exit_line:
        _say(view.exit_line, out=out)


# --------------------------------------------------------------------------- articles and problems


def _write_articles(result: RunResult, view: View, out: IO[str]) -> list[tuple[str, Problem, str]]:
    """Each article (not when quiet) with its problems; returns every problem (info items too)."""
    problems: list[tuple[str, Problem, str]] = []
    for document in result.documents:
        if document.skipped:
            _say(f"{document.path}: skipped: {document.skipped}", out=out)
            continue
        if document.error:
            _say(f"{document.path}: error: {document.error}", out=out)
            continue
        problems.extend((document.path, problem, document.unit) for problem in document.problems)
        if document.notice:  # read in part: said at every level, like a skipped file
            _say(f"{document.path}: read in part: {document.notice}", out=out)
        if view.level == "quiet":
            continue
        _say(_article_line(document, result.summary.links_scope), out=out)
        for problem in document.problems:
            if problem.severity != "info" or view.level == "verbose":
                _say(_problem_line(document.path, problem, document.unit), out=out)
    return problems


def _article_line(document: Document, scope: str) -> str:
    publisher = document.publisher or "publisher unknown"
    date = document.date or "date unknown"
    return (
        f"{document.path}: {plural(len(document.cited(scope)), 'citation')}, "
        f"{plural(len(document.footnotes), 'footnote')}, {plural(len(document.mentions), 'outlet')} named "
        f"({publisher}, {date})"
    )


def _problem_line(path: str, problem: Problem, unit: str = "line") -> str:
    where = f":{problem.line}" if unit == "line" else f": {place_of(problem.line, unit)}"
    return f"  {path}{where}: {problem.severity}: {problem.kind}: {problem.message}"


def _write_problem_kinds(problems: list[tuple[str, Problem, str]], view: View, out: IO[str]) -> None:
    """--quiet: the footnote problems counted per kind, and the errors listed (up to a limit)."""
    counted = [(path, problem, unit) for path, problem, unit in problems if problem.severity != "info"]
    if not counted:
        return
    _say(f"\nfootnote problems: {problem_kinds_text(problem for _, problem, _ in counted)}", out=out)
    errors = [(path, problem, unit) for path, problem, unit in counted if problem.severity == "error"]
    for path, problem, unit in errors[:ERROR_LIST_LIMIT]:
        _say(_problem_line(path, problem, unit), out=out)
    if len(errors) > ERROR_LIST_LIMIT:
        _say(f"  … and {plural(len(errors) - ERROR_LIST_LIMIT, 'more error')}{_where(view)}", out=out)


def problem_kinds_text(problems: Iterable[Problem]) -> str:
    """``2 errors (missing-footnote 2), 1 warning (numbering-gap 1)``."""
    by_severity: dict[str, Counter[str]] = {}
    for problem in problems:
        by_severity.setdefault(problem.severity, Counter())[problem.kind] += 1
    parts = []
    for severity in ("error", "warning", "info"):
        kinds = by_severity.get(severity)
        if kinds:
            detail = ", ".join(
                f"{kind} {count:,}" for kind, count in sorted(kinds.items(), key=lambda i: (-i[1], i[0]))
            )
            parts.append(f"{plural(sum(kinds.values()), severity)} ({detail})")
    return ", ".join(parts)


def _write_skipped(summary: Summary, out: IO[str]) -> None:
    for skipped in summary.skipped_files:
        if not _is_article(skipped.reason):  # articles that were skipped are listed with the articles
            _say(f"{skipped.path}: skipped: {skipped.reason}", out=out)


def _is_article(reason: str) -> bool:
    return not reason.startswith(("not an article", "not a supported", "excluded"))


# --------------------------------------------------------------------------- dead links


def _write_dead(links: dict[str, LinkResult], findings: list[Finding], view: View, out: IO[str]) -> None:
    """The dead and soft-404 links at each place they are cited, grouped by article,
    the newly dead first; cut at ``view.limit`` entries unless verbose."""
    if not findings:
        return
    _say("\n" + dead_header(findings), out=out)
    limit = None if view.level == "verbose" else view.limit
    shown = 0
    for path, items in by_article(findings):
        if limit is not None and shown >= limit:
            break
        _say(f"  {path}", out=out)
        for item in sorted(items, key=lambda found: (not found.newly_dead, found.line, found.url)):
            if limit is not None and shown >= limit:
                break
            for line in finding_lines(item, links.get(item.url)):
                _say(line, out=out)
            shown += 1
    if shown < len(findings):
        _say(f"  … and {len(findings) - shown:,} more{_where(view)}", out=out)


def dead_header(findings: list[Finding]) -> str:
    """``dead links: 3 (2 dead, 1 soft-404), 1 newly dead, cited 4 times in 2 articles:``."""
    statuses = Counter(str(status) for status in {item.url: item.status for item in findings}.values())
    urls = sum(statuses.values())
    newly = len({item.url for item in findings if item.newly_dead})
    kinds = ", ".join(f"{count:,} {status}" for status, count in sorted(statuses.items()))
    articles = len({item.path for item in findings})
    return (
        f"dead links: {urls:,} ({kinds})" + (f", {newly:,} newly dead" if newly else "")
        + f", cited {plural(len(findings), 'time')} in {plural(articles, 'article')}:"
    )  # fmt: skip


def finding_lines(item: Finding, link: LinkResult | None) -> list[str]:
    """One dead link at one place: where, what, why; then its archive copy, if any."""
    note = f", note {item.footnote}" if item.footnote is not None else ""
    newly = " (newly dead)" if item.newly_dead else ""
    lines = [f"    {place_of(item.line, item.unit)}{note}: {item.url} — {verdict_text(item)}{newly}"]
    if item.archive_url:
        lines.append(f"      archive copy{_capture_text(item)}: {item.archive_url}")
    elif link is not None and link.archive is not None and link.archive.available is False:
        lines.append("      no archive copy")
    return lines


def verdict_text(item: Finding) -> str:
    """``dead: HTTP 404``, ``soft-404: the site sends made-up addresses to the same page``."""
    status = str(item.status)
    return item.reason if item.reason.startswith(status) else f"{status}: {item.reason}"


def _capture_text(item: Finding) -> str:
    """`` of 2018-09-01 (4 days after it was cited)``."""
    if not item.archive_date:
        return ""
    days = item.archive_distance_days
    if days is None:
        return f" of {item.archive_date}"
    if days == 0:
        distance = "the day it was cited"
    else:
        distance = f"{plural(abs(days), 'day')} {'after' if days > 0 else 'before'} it was cited"
    return f" of {item.archive_date} ({distance})"


def _where(view: View) -> str:
    if view.full_list:
        return f" in {view.full_list}"
    return " (-v lists them all)"


# --------------------------------------------------------------------------- content drift


def _write_drift(links: dict[str, LinkResult], view: View, out: IO[str]) -> None:
    """The replaced and changed pages at each place they are cited, grouped by article,
    replaced first; cut at ``view.limit`` entries unless verbose. Quiet: replaced only
    (the changed ones counted). Nothing at all when drift was not looked at."""
    quiet = view.level == "quiet"
    findings = drift_findings(links, view.newly_drifted, replaced_only=quiet)
    if quiet:
        changed = sum(
            1 for link in links.values() if link.drift is not None and link.drift.verdict is DriftVerdict.CHANGED
        )
        if not findings and not changed:
            return
        header = drift_header(findings) if findings else "content drift: no replaced page"
        also = f" ({plural(changed, 'changed page')} not listed: without -q)" if changed else ""
        _say("\n" + (header.removesuffix(":") + also + ":" if findings else header + also), out=out)
    elif findings:
        _say("\n" + drift_header(findings), out=out)
    limit = None if view.level == "verbose" else view.limit
    shown = 0
    for path, items in drift_by_article(findings):
        if limit is not None and shown >= limit:
            break
        _say(f"  {path}", out=out)
        for item in items:
            if limit is not None and shown >= limit:
                break
            for line in drift_lines(item):
                _say(line, out=out)
            shown += 1
    if shown < len(findings):
        _say(f"  … and {len(findings) - shown:,} more{_where(view)}", out=out)


def drift_lines(item: DriftFinding) -> list[str]:
    """One drifted page at one place: where, the verdict and why; the three titles;
    the scores; the capture and the live page."""
    note = f", note {item.footnote}" if item.footnote is not None else ""
    newly = f" (newly {item.verdict})" if item.newly else ""
    lines = [f"    {place_of(item.line, item.unit)}{note}: {item.url} — {item.verdict}: {item.reason}{newly}"]
    lines.append(
        f"      cited: {_title(item.cited_title)} · then: {_title(item.then_title)} · now: {_title(item.now_title)}"
    )
    if item.scores:
        lines.append(f"      similarity: {item.scores}")
    if item.capture_url:
        day = f" of {item.capture_date}" if item.capture_date else ""
        lines.append(f"      capture{day}: {item.capture_url}")
    lines.append(f"      live: {item.live_url or item.url}")
    return lines


def _title(title: str | None) -> str:
    """A title in quotes, cut to :data:`TITLE_WIDTH` characters; ``none`` where there is none."""
    if not title or not title.strip():
        return "none"
    text = " ".join(plain(title).split())
    if len(text) > TITLE_WIDTH:
        text = text[: TITLE_WIDTH - 1].rstrip() + "…"
    return f"“{text}”"


# --------------------------------------------------------------------------- the rest


def _write_worst(links: dict[str, LinkResult], out: IO[str]) -> None:
    worst = articles_by_dead_links(links, 5)
    if worst:
        _say("\nmost dead links: " + ", ".join(f"{path} ({count})" for path, count in worst), out=out)
    rows = outlet_rows(links)
    rotting = [row for row in rows if row.dead][:5]
    if rotting:
        _say("link rot by outlet: " + ", ".join(_rot_text(row) for row in rotting), out=out)
    drifting = sorted((row for row in rows if row.replaced or row.changed),
                      key=lambda row: (-row.replaced, -row.changed, row.domain))[:5]  # fmt: skip
    if drifting:
        _say("content drift by outlet: " + ", ".join(_drift_text(row) for row in drifting), out=out)


def _rot_text(row: OutletRow) -> str:
    """``example.org 2/5 (40%)``, ``example.org 1/1 (100%, 2 not checked)``: one pair of parentheses."""
    share = "unknown" if row.rot is None else f"{row.rot:.0%}"
    unchecked = f", {row.not_checked:,} not checked" if row.not_checked else ""
    return f"{row.domain} {row.dead}/{row.known} ({share}{unchecked})"


def _drift_text(row: OutletRow) -> str:
    """``example.org 2 replaced, 1 changed of 5 compared``: one outlet's drift, in parentheses."""
    kinds = " and ".join(
        f"{count:,} {name}" for name, count in (("replaced", row.replaced), ("changed", row.changed)) if count
    )
    return f"{row.domain} ({kinds} of {row.compared:,} compared)"


def totals_line(summary: Summary, problems: list[tuple[str, Problem, str]] | None = None) -> str:
    """``13 of 13 articles read, 71 citations, 70 unique links (70 unknown), 14 footnote problems``.
    Footnote problems are errors and warnings; info items are counted apart."""
    if problems is None:
        counted = sum(count for kind, count in summary.problems.items() if PROBLEM_SEVERITY.get(kind) != "info")
        info = sum(summary.problems.values()) - counted
    else:
        counted = sum(problem.severity != "info" for _, problem, _ in problems)
        info = len(problems) - counted
    statuses = ", ".join(f"{count:,} {status}" for status, count in sorted(summary.statuses.items()))
    return (
        f"{summary.documents_read:,} of {plural(summary.documents, 'article')} read{_languages(summary)}, "
        f"{plural(summary.citations, 'citation')}" + _furniture(summary)
        + f", {plural(summary.unique_links, 'unique link')} ({statuses or 'none'}), "
        + plural(counted, "footnote problem")
        + (f" (and {plural(info, 'work')} cited without a link)" if info else "")
        + (f", {plural(summary.files_skipped, 'file')} skipped" if summary.files_skipped else "")
        + (f", {summary.files_failed:,} unreadable" if summary.files_failed else "")
    )  # fmt: skip


def _languages(summary: Summary) -> str:
    """`` (6 languages: en 8, ar 1, …)`` when the articles read are in more than one
    language; articles whose language is unknown are counted apart (not a language)."""
    known = {code: count for code, count in summary.languages.items() if code != "unknown"}
    if len(known) < 2:
        return ""
    unknown = summary.languages.get("unknown", 0)
    apart = f"; {unknown:,} of unknown language" if unknown else ""
    return f" ({len(known)} languages: {languages_text(known)}{apart})"


def languages_text(languages: dict[str, int]) -> str:
    """``en 8, ar 1, fa 1``: articles by language, the most common first."""
    return ", ".join(
        f"{code} {count}" for code, count in sorted(languages.items(), key=lambda item: (-item[1], item[0]))
    )


def _furniture(summary: Summary) -> str:
    """`` (7 more in page furniture, not checked: --links all)``: how many links of page
    furniture were left out, and how to bring them in; said right after the citations."""
    page = summary.citations_by_region.get("page", 0)
    if summary.links_scope != "article" or not page:
        return ""
    return f" ({page:,} more in page furniture, not checked: --links all)"


def _say(text: object = "", *, out: IO[str]) -> None:
    """Print one or more lines of the summary with no hidden characters: paths,
    titles and messages come from the corpus and from servers, and a terminal
    obeys escape sequences (ANSI, bidi overrides) and chokes on lone surrogates."""
    print("\n".join(plain(line) for line in str(text).split("\n")), file=out)
