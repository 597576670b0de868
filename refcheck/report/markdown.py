"""report.md: readable in a terminal and on GitHub/GitLab. Every string from
the corpus or from a server is escaped (no HTML, no table breaks, no links
that were not meant)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from refcheck.models import DEAD_STATUSES, Document, LinkResult
from refcheck.report import escape
from refcheck.report.changes import Changes
from refcheck.report.graph import Graph
from refcheck.report.graph_formats import mermaid
from refcheck.report.stats import OutletRow, outlet_rows

md = escape.markdown
"""Markdown text or a table cell (refcheck/report/escape.py)."""


def code(text: object) -> str:
    """A URL or path as a code span outside a table (never a live link)."""
    return escape.markdown_code(text)


def cell_code(text: object) -> str:
    """A URL or path as a code span in a table cell (``|`` cannot split the cell)."""
    return escape.markdown_code(text, table=True)


def render(
    generated_at: str,
    documents: Iterable[Document],
    links: dict[str, LinkResult],
    summary: dict[str, object],
    changes: Changes,
    graph: Graph,
) -> str:
    out: list[str] = [f"# refcheck report — {md(generated_at)}", ""]
    statuses = summary.get("statuses") or {}
    assert isinstance(statuses, dict)
    out += _changes(changes)
    out += [
        "## Summary",
        "",
        f"- Articles read: {summary.get('documents_read')} of {summary.get('documents')}",
        "- Languages: " + _languages(summary.get("languages")),
        f"- Citations: {summary.get('citations')}; unique links: {summary.get('unique_links')}",
        "- Verdicts: " + (", ".join(f"{count} {md(status)}" for status, count in sorted(statuses.items())) or "none"),
        f"- Archive copies found for {sum(1 for link in links.values() if link.archive and link.archive.available)} links",
        "",
    ]
    out += _dead_links(links)
    out += _outlets(outlet_rows(links))
    problem_lines = list(_problems(documents))
    out += ["## Footnote problems", ""] + (problem_lines or ["None."]) + [""]
    out += ["## Citation graph", "", "```mermaid", mermaid(graph).rstrip(), "```", ""]
    return "\n".join(out)


def _languages(languages: object) -> str:
    """``en 8, ar 1``: articles read by language, the most common first."""
    if not isinstance(languages, dict) or not languages:
        return "none"
    ranked = sorted(languages.items(), key=lambda item: (-item[1], str(item[0])))
    return ", ".join(f"{md(code)} {count}" for code, count in ranked)


def _changes(changes: Changes) -> list[str]:
    head = "## What changed" + (
        f" since {md(changes.previous)}" if changes.previous else " (first run: nothing to compare with)"
    )
    rows = [
        ("Newly dead", changes.newly_dead),
        ("Recovered", changes.recovered),
        ("Newly archived", changes.newly_archived),
        ("Newly cited", changes.newly_cited),
        ("No longer cited", changes.no_longer_cited),
    ]
    out = [head, ""]
    for label, urls in rows:
        out.append(f"- {label}: {len(urls)}")
        out.extend(f"  - {code(url)}" for url in urls[:50])
        if len(urls) > 50:
            out.append(f"  - … and {len(urls) - 50} more")
    if changes.still_dead:
        out.append(f"- Still dead: {len(changes.still_dead)}")
        for item in sorted(changes.still_dead, key=lambda s: (-s.runs, s.url))[:50]:
            out.append(f"  - {code(item.url)} — since {md(item.since or '?')}, {item.runs} runs")
    out.append("")
    return out


def _dead_links(links: dict[str, LinkResult]) -> list[str]:
    dead = [link for link in links.values() if link.status in DEAD_STATUSES]
    out = ["## Dead links", ""]
    if not dead:
        return [*out, "None.", ""]
    out += ["| Article | Line | Note | Link | Verdict | Archive copy |", "|---|---:|---:|---|---|---|"]
    for link in sorted(dead, key=lambda item: item.url):
        replacement = (
            cell_code(link.archive.url)
            if link.archive and link.archive.available and link.archive.url
            else "none found"
        )
        for cited in link.cited_by:
            note = "" if cited.footnote is None else md(cited.footnote)
            verdict = md(link.status + (f" ({link.http_status})" if link.http_status else ""))
            out.append(
                f"| {cell_code(cited.path)} | {cited.line} | {note} | {cell_code(link.url)} | {verdict} | {replacement} |"
            )
    return [*out, ""]


def _outlets(rows: list[OutletRow]) -> list[str]:
    out = [
        "## Link rot by outlet",
        "",
        "| Outlet (domain) | Links | Dead | Rot | Unknown |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows[:100]:
        out.append(f"| {md(row.domain)} | {row.links} | {row.dead} | {row.rot_text} | {row.unknown} |")
    return [*out, ""]


def _problems(documents: Iterable[Document]) -> Iterable[str]:
    counts: Counter[str] = Counter()
    for document in documents:
        for problem in document.problems:
            if problem.severity == "info":
                continue
            counts[problem.kind] += 1
            yield f"- {code(document.path)} line {problem.line}: {md(problem.kind)} — {md(problem.message)}"
