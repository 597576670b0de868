"""GitHub Actions annotations (``refcheck --format github``): workflow commands that
put each problem on the article's line in a pull request.

``::error`` for a dead link and a footnote error, ``::warning`` for a soft-404 and
a footnote warning (info items are not problems: none). Escaped as the Actions
toolkit does (``@actions/core``, ``command.ts``): in the message ``%``, ``\\r`` and
``\\n``; in a property also ``:`` and ``,`` -- after :func:`refcheck.report.escape.plain`
has removed control characters and bidirectional overrides, so no text from an
article or a server can end a command early or start one of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from refcheck.models import LinkStatus, RunResult
from refcheck.report.escape import plain
from refcheck.report.findings import Finding


def write_annotations(result: RunResult, findings: Iterable[Finding], out: IO[str]) -> None:
    """One workflow command a line on ``out`` (dead links first, then footnote problems)."""
    for line in annotation_lines(result, findings):
        out.write(line + "\n")


def annotation_lines(result: RunResult, findings: Iterable[Finding]) -> Iterator[str]:
    for item in findings:
        level = "warning" if item.status is LinkStatus.SOFT_404 else "error"
        note = f" (note {item.footnote})" if item.footnote is not None else ""
        kind = "soft-404 link" if item.status is LinkStatus.SOFT_404 else "dead link"
        title = ("newly " if item.newly_dead else "") + kind + note
        message = f"{item.url}: {item.reason}"
        if item.archive_url:
            day = f" of {item.archive_date}" if item.archive_date else ""
            message += f"; archive copy{day}: {item.archive_url}"
        yield command(level, message, file=item.path, line=item.line, title=title)
    for document in result.documents:
        for problem in document.problems:
            if problem.severity == "info":
                continue
            yield command(problem.severity, problem.message, file=document.path, line=problem.line, title=problem.kind)


def command(level: str, message: str, **properties: object) -> str:
    """``::error file=a.md,line=3,title=…::message`` with every part escaped."""
    shown = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items() if value is not None)
    return f"::{level} {shown}::{escape_data(message)}" if shown else f"::{level}::{escape_data(message)}"


def escape_data(value: object) -> str:
    return plain(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: object) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
