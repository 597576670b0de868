"""The human summary printed at the end of a run."""

from __future__ import annotations

from typing import IO

from refcheck.models import Summary
from refcheck.pipeline import RunResult
from refcheck.report.stats import articles_by_dead_links, outlet_rows


def write_summary(result: RunResult, out: IO[str], quiet: bool = False) -> None:
    """Per article, then the footnote problems, the worst articles and outlets, the
    run's notes (what changed, where the reports are) and the totals. ``quiet``:
    only the problems, skipped/unreadable files and the totals."""
    summary = result.summary
    problem_total = 0
    for line in result.headline:
        print(line, file=out)
    for document in result.documents:
        if document.skipped:
            print(f"{document.path}: skipped: {document.skipped}", file=out)
            continue
        if document.error:
            print(f"{document.path}: error: {document.error}", file=out)
            continue
        publisher = document.publisher or "publisher unknown"
        date = document.date or "date unknown"
        if not quiet:
            print(
                f"{document.path}: {len(document.cited(summary.links_scope))} citations, {len(document.footnotes)} footnotes, "
                f"{len(document.mentions)} outlets named ({publisher}, {date})",
                file=out,
            )
        for problem in document.problems:
            if quiet and problem.severity == "info":
                continue
            problem_total += problem.severity != "info"
            print(f"  {document.path}:{problem.line}: {problem.severity}: {problem.kind}: {problem.message}", file=out)
    for skipped in summary.skipped_files:
        if not _is_article(skipped.reason):  # articles that were skipped are listed above
            print(f"{skipped.path}: skipped: {skipped.reason}", file=out)
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
    if not quiet:
        worst = articles_by_dead_links(result.links, 5)
        if worst:
            print("\nmost dead links: " + ", ".join(f"{path} ({count})" for path, count in worst), file=out)
        rotting = [row for row in outlet_rows(result.links) if row.dead][:5]
        if rotting:
            print("link rot by outlet: " + ", ".join(
                f"{row.domain} {row.dead}/{row.links - row.unknown} ({row.rot:.0%})" for row in rotting), file=out)  # fmt: skip
    if result.notes:
        print(file=out)
    for note in result.notes:
        print(note, file=out)
    print(
        f"\n{summary.documents_read} of {summary.documents} articles read{_languages(summary)}, {summary.citations} citations, "
        + _furniture(summary)
        + f"{summary.unique_links} unique links ({statuses or 'none'}), {problem_total} footnote problems"
        + (f", {summary.files_skipped} files skipped" if summary.files_skipped else "")
        + (f", {summary.files_failed} unreadable" if summary.files_failed else ""),
        file=out,
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
