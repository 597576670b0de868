"""report.md: readable in a terminal and on GitHub/GitLab, rendered from
templates/report.md.j2 over the same view of the run as report.html
(:func:`refcheck.report.html.report_view`).

Escaping lives in one place: every value the template prints goes through the
environment's ``finalize``, which makes it Markdown text with
refcheck/report/escape.py (no HTML, no emphasis, no links that were not meant,
no table breaks); the template marks what is Markdown already -- a code span, an
autolink of an http(s) URL, the Mermaid graph -- with the filters below.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import jinja2

from refcheck.models import Document, LinkResult
from refcheck.report import escape
from refcheck.report.changes import Changes
from refcheck.report.findings import cell_of, place_of, plural
from refcheck.report.graph import Graph
from refcheck.report.graph_formats import mermaid_diagram
from refcheck.report.html import TEMPLATES, archive_words, capture_distance, report_view, verdict_text

ARTICLES_IN_FULL = 200
"""Up to this many articles, report.md shows every one; above, only those with a
dead link or a footnote problem (report.html shows them all)."""
OUTLET_ROWS = 100
CHANGED_URLS = 50


class Md(str):
    """Text that is Markdown already (made by escape.py): printed as it is."""


def _markdown_value(value: object) -> str:
    """Every value the template prints: Markdown text, unless it is :class:`Md` already."""
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return escape.markdown_text(value)


def code(value: object) -> Md:
    """A path or URL as a code span outside a table (never a live link)."""
    return Md(escape.markdown_code(value))


def cell_code(value: object) -> Md:
    """A path or URL as a code span in a table cell (``|`` cannot split the cell)."""
    return Md(escape.markdown_code(value, table=True))


def link(value: object) -> Md:
    """An http(s) URL as a live autolink where it can be one unchanged, else a code span."""
    return Md(escape.markdown_autolink(value) or escape.markdown_code(value))


def cell_link(value: object) -> Md:
    """:func:`link` in a table cell."""
    return Md(escape.markdown_autolink(value) or escape.markdown_code(value, table=True))


@cache
def environment() -> jinja2.Environment:
    """The Markdown templates' environment, built once (no HTML autoescaping: the
    escaping is Markdown's, in ``finalize``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_markdown_value,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(code=code, cell_code=cell_code, link=link, cell_link=cell_link, plural=plural, at=cell_of,
                       place=place_of)  # fmt: skip
    env.globals.update(capture_distance=capture_distance, verdict_text=verdict_text, archive_words=archive_words)
    return env


def render(
    generated_at: str,
    documents: Iterable[Document],
    links: dict[str, LinkResult],
    summary: dict[str, Any],
    changes: Changes,
    graph: Graph,
) -> str:
    view = report_view(generated_at, documents, links, summary, changes)
    diagram = mermaid_diagram(graph)
    articles = view.articles
    if len(articles) > ARTICLES_IN_FULL:
        articles = [article for article in articles if article.dead or article.problems]
    return (
        environment()
        .get_template("report.md.j2")
        .render(
            view=view,
            articles=articles,
            mermaid=Md(diagram.text.rstrip("\n")),
            mermaid_trimmed=diagram.trimmed,
            outlet_rows=OUTLET_ROWS,
            changed_urls=CHANGED_URLS,
            articles_in_full=ARTICLES_IN_FULL,
        )
    )
