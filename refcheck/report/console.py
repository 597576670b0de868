"""The human summary printed at the end of a run."""

from __future__ import annotations

from typing import IO

from refcheck.models import RunResult, Summary
from refcheck.report.escape import plain
from refcheck.report.stats import articles_by_dead_links, outlet_rows


def write_summary(result: RunResult, out: IO[str], quiet: bool = False) -> None:
    """Per article, then the footnote problems, the worst articles and outlets, the
    run's notes (what changed, where the reports are) and the totals. ``quiet``:
    only the problems, skipped/unreadable files and the totals."""
    summary = result.summary
    problem_total = 0
    for line in result.headline:
        _say(line, out=out)
    for document in result.documents:
        if document.skipped:
            _say(f"{document.path}: skipped: {document.skipped}", out=out)
            continue
        if document.error:
            _say(f"{document.path}: error: {document.error}", out=out)
            continue
        publisher = document.publisher or "publisher unknown"
        date = document.date or "date unknown"
        if not quiet:
            _say(
                f"{document.path}: {len(document.cited(summary.links_scope))} citations, {len(document.footnotes)} footnotes, "
                f"{len(document.mentions)} outlets named ({publisher}, {date})",
                out=out,
            )
        for problem in document.problems:
            if quiet and problem.severity == "info":
                continue
            problem_total += problem.severity != "info"
            _say(f"  {document.path}:{problem.line}: {problem.severity}: {problem.kind}: {problem.message}", out=out)
    for skipped in summary.skipped_files:
        if not _is_article(skipped.reason):  # articles that were skipped are listed above
            _say(f"{skipped.path}: skipped: {skipped.reason}", out=out)
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
    if not quiet:
        worst = articles_by_dead_links(result.links, 5)
        if worst:
            _say("\nmost dead links: " + ", ".join(f"{path} ({count})" for path, count in worst), out=out)
        rotting = [row for row in outlet_rows(result.links) if row.dead][:5]
        if rotting:
            _say("link rot by outlet: " + ", ".join(
                f"{row.domain} {row.dead}/{row.links - row.unknown} ({row.rot_text})" for row in rotting), out=out)  # fmt: skip
    if result.notes:
        _say(out=out)
    for note in result.notes:
        _say(note, out=out)
    _say(
        f"\n{summary.documents_read} of {summary.documents} articles read{_languages(summary)}, {summary.citations} citations, "
        + _furniture(summary)
        + f"{summary.unique_links} unique links ({statuses or 'none'}), {problem_total} footnote problems"
        + (f", {summary.files_skipped} files skipped" if summary.files_skipped else "")
        + (f", {summary.files_failed} unreadable" if summary.files_failed else ""),
        out=out,
    )


def _languages(summary: Summary) -> str:
    """`` (6 languages: en 8, ar 1, …)`` when the articles read are in more than one language."""
    if len(summary.languages) < 2:
        return ""
    return f" ({len(summary.languages)} languages: {languages_text(summary.languages)})"


def languages_text(languages: dict[str, int]) -> str:
    """``en 8, ar 1, fa 1``: articles by language, the most common first."""
    return ", ".join(
        f"{code} {count}" for code, count in sorted(languages.items(), key=lambda item: (-item[1], item[0]))
    )


def _furniture(summary: Summary) -> str:
    """How many links of page furniture were left out, and how to bring them in."""
    page = summary.citations_by_region.get("page", 0)
    if summary.links_scope != "article" or not page:
        return ""
    return f"({page} more in page furniture, not checked: --links all), "


def _is_article(reason: str) -> bool:
    return not reason.startswith(("not an article", "excluded"))


def _say(text: object = "", *, out: IO[str]) -> None:
    """Print one or more lines of the summary with no hidden characters: paths,
    titles and messages come from the corpus and from servers, and a terminal
    obeys escape sequences (ANSI, bidi overrides) and chokes on lone surrogates."""
    print("\n".join(plain(line) for line in str(text).split("\n")), file=out)
